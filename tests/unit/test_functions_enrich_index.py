"""The clip window rules of enrich: which segments a goal needs, gaps, and when to give up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts import GoalEvent, SegmentEvent, missing_location
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


def gap_segment(sequence: int, reason: str = "it could not be stored: S3 timed out") -> SegmentEvent:
    """Segment ``sequence`` announced as a gap: read by the capture task, its bytes nowhere."""
    return a_segment(sequence, location=missing_location("sample", sequence), missing_reason=reason)


def test_ready_and_complete_when_the_whole_window_is_indexed() -> None:
    decision = decide([seg(n) for n in range(14)])
    assert isinstance(decision, Ready)
    assert [s.sequence for s in decision.segments] == list(range(14))
    assert decision.partial is None


def test_waits_for_the_post_roll_while_it_may_still_come() -> None:
    decision = decide([seg(n) for n in range(13)], waited_s=WAIT_S - 1)  # 13 (26-28 s) holds the post-roll's end
    assert isinstance(decision, Wait)
    assert [gap.missing() for gap in decision.missing] == ["segments after 12"]


def test_a_post_roll_that_never_comes_is_clipped_partial_once_the_wait_is_over() -> None:
    # The capture died 2 s after the goal: 21.3 s .. 22 s exists, 22 s .. 26.3 s never comes.
    decision = decide([seg(n) for n in range(11)], waited_s=WAIT_S + 1)
    assert isinstance(decision, Ready)
    assert [s.sequence for s in decision.segments] == list(range(11))
    assert decision.partial is not None
    assert (decision.partial.missing_pre_roll_s, decision.partial.missing_post_roll_s) == (0.0, 4.3)
    assert decision.partial.reasons == ("segments after 10 (4.3 s): never arrived (the capture stopped, or lost them)",)


def test_a_post_roll_segment_announced_missing_is_not_waited_for() -> None:
    segments = [seg(n) for n in range(13)] + [gap_segment(13)]
    decision = decide(segments)  # no wall time waited: the capture said 13 is not coming
    assert isinstance(decision, Ready) and decision.partial is not None
    assert decision.partial.missing_post_roll_s == 0.3  # 13 holds 26 s .. 28 s, the window ends at 26.3 s
    assert decision.partial.reasons == (
        "segment 13 (0.3 s): announced missing by the capture task: it could not be stored: S3 timed out",
    )


def test_a_pre_roll_partly_missing_is_clipped_around_at_once_with_its_seconds() -> None:
    decision = decide([seg(n) for n in range(14) if n not in (3, 4)])
    assert isinstance(decision, Ready)
    assert [s.sequence for s in decision.segments] == [0, 1, 2, *range(5, 14)]
    assert decision.partial is not None
    assert (decision.partial.missing_pre_roll_s, decision.partial.missing_post_roll_s) == (4.0, 0.0)
    assert [gap.missing() for gap in decision.gaps] == ["segments 3..4"]


def test_a_pre_roll_cut_short_by_the_start_of_the_stream_is_partial() -> None:
    decision = decide([seg(n) for n in range(6, 14)])  # nothing before 12 s: the capture began there
    assert isinstance(decision, Ready) and decision.partial is not None
    assert decision.partial.missing_pre_roll_s == pytest.approx(10.7)
    assert "segments before 6" in decision.partial.reasons[0]


def test_gaps_in_the_middle_count_on_their_side_of_the_goal_and_a_later_segment_settles_them() -> None:
    # 8 (16-18 s) lost before the goal, 11 (22-24 s) after it: 12 and 13 arrived, so 11 is not coming.
    decision = decide([seg(n) for n in range(14) if n not in (8, 11)])
    assert isinstance(decision, Ready) and decision.partial is not None
    assert (decision.partial.missing_pre_roll_s, decision.partial.missing_post_roll_s) == (2.0, 2.0)
    assert [gap.missing() for gap in decision.gaps] == ["segment 8", "segment 11"]
    assert decision.partial.summary.startswith("partial clip: 2.0 s of pre-roll and 2.0 s of post-roll missing (")


def test_an_ad_break_of_skipped_segments_is_missing_footage() -> None:
    # Twitch's ad segments 5..9 were skipped by the capture: 15 s of pre-roll never existed for us.
    decision = decide([seg(n) for n in range(14) if not 4 < n < 10])
    assert isinstance(decision, Ready) and decision.partial is not None
    assert decision.partial.missing_pre_roll_s == 10.0
    assert "segments 5..9" in decision.partial.reasons[0]


def test_a_goal_whose_segment_may_still_come_waits() -> None:
    decision = decide([seg(n) for n in range(10)])  # 10 holds 20-22 s, the goal at 21.3 s
    assert isinstance(decision, Wait)


def test_a_goal_no_segment_shows_is_given_up_with_its_reason_once_that_is_settled() -> None:
    decision = decide([seg(n) for n in range(14) if n != 10])  # 11.. arrived: 10 is not coming
    assert isinstance(decision, GiveUp)
    assert decision.reason.startswith(f"no segment shows goal {GOAL.id} (LIV 1-0 MCI at 2026-11-25T20:00:21.300Z)")
    assert "segment 10 (2.0 s): never arrived" in decision.reason


def test_a_goal_whose_segment_was_announced_missing_is_given_up_at_once_with_the_capture_reason() -> None:
    decision = decide([seg(n) for n in range(10)] + [gap_segment(10, "its bytes are corrupt")])
    assert isinstance(decision, GiveUp)
    assert (
        "segment 10 and after (6.3 s): announced missing by the capture task: its bytes are corrupt, "
        "and nothing after it arrived" in decision.reason
    )


def test_a_goal_with_nothing_around_it_is_given_up_after_the_wait_with_its_time() -> None:
    assert isinstance(
        decide_clip(GOAL, WINDOW, [], newest_segment_start=None, waited_s=1, post_roll_wait_s=WAIT_S), Wait
    )
    decision = decide_clip(GOAL, WINDOW, [], newest_segment_start=None, waited_s=WAIT_S + 1, post_roll_wait_s=WAIT_S)
    assert isinstance(decision, GiveUp)
    assert "segments from 2026-11-25T20:00:01.300Z to 2026-11-25T20:00:26.300Z" in decision.reason
    assert "gave up after waiting 120 s" in decision.reason


def test_a_discontinuity_in_the_post_roll_is_complete() -> None:
    segments = [seg(n) for n in range(12)] + [seg(n, start_s=2.0 * n + 0.9) for n in (12, 13)]
    decision = decide(segments)
    assert isinstance(decision, Ready) and decision.partial is None


# ---------------------------------------------------------------- keys


def test_sort_keys_sort_in_stream_order() -> None:
    assert segment_sort_key(seg(7)) == "2026-11-25T20:00:14.000Z#000000000007"
    keys = [segment_sort_key(seg(n)) for n in (0, 1, 5, 10, 100, 1000)]
    assert keys == sorted(keys)


def test_pending_goal_and_job_keys_come_from_the_goal() -> None:
    assert pending_goal_sort_key(GOAL) == f"2026-11-25T20:00:21.300Z#{GOAL.id}"
    assert clip_job_id(GOAL) == f"clip-{GOAL.id}" == clip_job_id(goal_at(21.3))


@pytest.mark.parametrize("newest_s", [None, 20.0])
def test_without_the_wait_passed_a_post_roll_not_yet_arrived_keeps_waiting(newest_s: float | None) -> None:
    decision = decide_clip(
        GOAL,
        WINDOW,
        [seg(n) for n in range(11)],
        newest_segment_start=START + timedelta(seconds=newest_s) if newest_s is not None else None,
        waited_s=0,
        post_roll_wait_s=WAIT_S,
    )
    assert isinstance(decision, Wait)
