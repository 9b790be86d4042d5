"""The clip window rules of enrich: which segments a goal needs, gaps, and when to give up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts import GoalEvent, SegmentEvent
from functions.enrich.index import (
    ClipWindow,
    GiveUp,
    Ready,
    Wait,
    clip_job_id,
    decide_clip,
    find_gaps,
    pending_goal_sort_key,
    segment_sort_key,
    segments_covering,
)
from tests.functional.functions_fixtures import START, a_goal, a_segment

WAIT_S = 120.0


def seg(sequence: int, *, start_s: float | None = None) -> SegmentEvent:
    """Segment ``sequence`` of the steady 2 s stream, or starting ``start_s`` after START (a discontinuity)."""
    if start_s is None:
        return a_segment(sequence)
    return a_segment(sequence, start=START + timedelta(seconds=start_s), stream_time=start_s)


def goal_at(seconds: float) -> GoalEvent:
    return a_goal(START + timedelta(seconds=seconds))


GOAL = goal_at(21.3)
WINDOW = ClipWindow.around(GOAL, pre_roll_s=20, post_roll_s=5)  # 1.3 s .. 26.3 s: segments 0..13


def decide(segments: list[SegmentEvent], *, newest_s: float | None = None, waited_s: float = 0.0) -> object:
    newest = START + timedelta(seconds=newest_s) if newest_s is not None else max(s.start for s in segments)
    return decide_clip(GOAL, WINDOW, segments, newest_segment_start=newest, waited_s=waited_s, post_roll_wait_s=WAIT_S)


# ---------------------------------------------------------------- windows


def test_window_is_pre_roll_before_and_post_roll_after_the_goal() -> None:
    assert WINDOW.start == START + timedelta(seconds=1.3)
    assert WINDOW.end == START + timedelta(seconds=26.3)


def test_segments_covering_widens_to_whole_segments_in_stream_order() -> None:
    shuffled = [seg(n) for n in (20, 3, 0, 13, 14, 7, 1, 2, 4, 5, 6, 8, 9, 10, 11, 12, 3)]
    covering = segments_covering(WINDOW, shuffled)
    assert [s.sequence for s in covering] == list(range(14))  # 0 starts before 1.3 s, 13 ends after 26.3 s


def test_a_segment_touching_the_window_edge_only_is_not_covering() -> None:
    window = ClipWindow(START + timedelta(seconds=4), START + timedelta(seconds=8))
    assert [s.sequence for s in segments_covering(window, [seg(n) for n in range(6)])] == [2, 3]


# ---------------------------------------------------------------- gaps


def test_no_gaps_when_every_segment_is_there() -> None:
    assert find_gaps(WINDOW, [seg(n) for n in range(16)]) == []


def test_missing_segments_inside_the_window_are_named_by_sequence() -> None:
    gaps = find_gaps(WINDOW, [seg(n) for n in range(16) if n not in (5, 6, 7)])
    assert [gap.missing() for gap in gaps] == ["segments 5..7"]
    assert gaps[0].start == START + timedelta(seconds=10) and gaps[0].end == START + timedelta(seconds=16)


def test_a_discontinuity_with_consecutive_sequence_numbers_is_not_a_gap() -> None:
    # Twitch's spurious discontinuities: the clock jumps, nothing is missing.
    segments = [seg(n) for n in range(8)] + [seg(n, start_s=2.0 * n + 0.9) for n in range(8, 16)]
    assert find_gaps(WINDOW, segments) == []


def test_gaps_at_the_edges_use_the_neighbours_outside_the_window() -> None:
    segments = [seg(n) for n in range(16) if n not in (0, 13, 14)]
    assert [gap.missing() for gap in find_gaps(WINDOW, segments)] == ["segments before 1", "segments 13..14"]


def test_an_empty_index_is_one_gap_over_the_whole_window() -> None:
    (gap,) = find_gaps(WINDOW, [])
    assert (gap.start, gap.end) == (WINDOW.start, WINDOW.end)


# ---------------------------------------------------------------- decisions


def test_ready_when_the_whole_window_is_indexed() -> None:
    decision = decide([seg(n) for n in range(14)])
    assert isinstance(decision, Ready)
    assert [s.sequence for s in decision.segments] == list(range(14))
    assert decision.pre_roll_gaps == ()


def test_waits_for_the_post_roll() -> None:
    decision = decide([seg(n) for n in range(13)])  # 13 (26-28 s) holds the end of the post-roll
    assert isinstance(decision, Wait)
    assert [gap.missing() for gap in decision.missing] == ["segments after 12"]


def test_a_pre_roll_gap_is_clipped_around_not_waited_for() -> None:
    decision = decide([seg(n) for n in range(14) if n not in (3, 4)])
    assert isinstance(decision, Ready)
    assert [s.sequence for s in decision.segments] == [0, 1, 2, *range(5, 14)]
    assert [gap.missing() for gap in decision.pre_roll_gaps] == ["segments 3..4"]


def test_a_gap_at_the_goal_moment_blocks_the_clip() -> None:
    decision = decide([seg(n) for n in range(14) if n != 10])  # 10 holds 20-22 s, the goal at 21.3 s
    assert isinstance(decision, Wait)


def test_gives_up_once_the_stream_has_run_the_wait_past_the_window() -> None:
    segments = [seg(n) for n in range(14) if n != 11]
    assert isinstance(decide(segments, newest_s=26.3 + WAIT_S), Wait)
    decision = decide(segments, newest_s=26.3 + WAIT_S + 2)
    assert isinstance(decision, GiveUp)
    assert decision.reason.startswith("segment 11 of channel sample never arrived")
    assert GOAL.id in decision.reason


def test_gives_up_after_the_wait_in_wall_time_when_the_stream_stops() -> None:
    segments = [seg(n) for n in range(12)]  # the stream stops 2 s after the goal
    assert isinstance(decide(segments, waited_s=WAIT_S - 1), Wait)
    decision = decide(segments, waited_s=WAIT_S + 1)
    assert isinstance(decision, GiveUp)
    assert decision.reason.startswith("segments after 11 of channel sample never arrived")


def test_a_goal_with_no_segment_at_all_is_given_up_with_its_time() -> None:
    decision = decide_clip(GOAL, WINDOW, [], newest_segment_start=None, waited_s=WAIT_S + 1, post_roll_wait_s=WAIT_S)
    assert isinstance(decision, GiveUp)
    assert "segments from 2026-11-25T20:00:01.300Z to 2026-11-25T20:00:26.300Z" in decision.reason


# ---------------------------------------------------------------- keys


def test_sort_keys_sort_in_stream_order() -> None:
    assert segment_sort_key(seg(7)) == "2026-11-25T20:00:14.000Z#000000000007"
    keys = [segment_sort_key(seg(n)) for n in (0, 1, 5, 10, 100, 1000)]
    assert keys == sorted(keys)


def test_pending_goal_and_job_keys_come_from_the_goal() -> None:
    assert pending_goal_sort_key(GOAL) == f"2026-11-25T20:00:21.300Z#{GOAL.id}"
    assert clip_job_id(GOAL) == f"clip-{GOAL.id}" == clip_job_id(goal_at(21.3))


@pytest.mark.parametrize("newest_s", [None, 30.0])
def test_without_a_bound_passed_a_missing_post_roll_keeps_waiting(newest_s: float | None) -> None:
    decision = decide_clip(
        GOAL,
        WINDOW,
        [seg(n) for n in range(11)],
        newest_segment_start=START + timedelta(seconds=newest_s) if newest_s is not None else None,
        waited_s=0,
        post_roll_wait_s=WAIT_S,
    )
    assert isinstance(decision, Wait)
