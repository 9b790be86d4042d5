"""Which segments the capture task stores: all, or those around goals, each once and in stream order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.publish.keeper import MARGIN_S, KeepPolicy, SegmentKeeper
from capture_task.vision.sampler import FURTHEST_BACK_SEGMENTS
from functions.enrich.index import ClipWindow, Ready, decide_clip
from tests.functional.functions_fixtures import START, a_goal, a_segment

SEGMENT_S = 2.0
PRE_ROLL_S, POST_ROLL_S = 20.0, 5.0
AROUND_GOALS = KeepPolicy.around_goals_of(pre_roll_s=PRE_ROLL_S, post_roll_s=POST_ROLL_S)


def media(sequence: int) -> SegmentMedia:
    return SegmentMedia(
        sequence=sequence,
        start=START + timedelta(seconds=sequence * SEGMENT_S),
        duration_s=SEGMENT_S,
        stream_time=sequence * SEGMENT_S,
        data=b"",
    )


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


class Run:
    """Feeds a keeper segments 0, 1, 2, … and goals at the segments they are found in; records releases."""

    def __init__(self, policy: KeepPolicy = AROUND_GOALS) -> None:
        self.keeper = SegmentKeeper(policy)
        self.released: list[int] = []
        self._next = 0

    def read(self, through: int, *, goals: dict[int, float] | None = None) -> None:
        """Read segments up to ``through``; ``goals`` maps a segment (where it was found) to the goal's time."""
        for sequence in range(self._next, through + 1):
            self.released += [s.sequence for s in self.keeper.arrived(media(sequence))]
            if goals and sequence in goals:
                self.released += [s.sequence for s in self.keeper.goal_at(at(goals[sequence]))]
        self._next = through + 1


def test_keep_all_stores_every_segment_as_it_arrives() -> None:
    keeper = SegmentKeeper(KeepPolicy.keep_all())
    assert [[s.sequence for s in keeper.arrived(media(n))] for n in range(4)] == [[0], [1], [2], [3]]
    assert keeper.goal_at(at(3.0)) == []  # already stored: nothing twice
    assert keeper.held == 0


def test_without_a_goal_nothing_is_stored_and_memory_stays_bounded() -> None:
    run = Run()
    run.read(500)
    assert run.released == []
    reach_s = (FURTHEST_BACK_SEGMENTS + 1) * SEGMENT_S + PRE_ROLL_S + MARGIN_S
    assert run.keeper.held <= reach_s / SEGMENT_S + 1


def test_a_goal_releases_its_pre_roll_then_its_post_roll_as_it_arrives() -> None:
    run = Run()
    # The goal's first frame is at 101.3 s (segment 50); it is confirmed while reading segment 52.
    run.read(52, goals={52: 101.3})
    # Pre-roll: window starts at 81.3 - margin = 80.3 s, inside segment 40; held segments through 52 go out now.
    assert run.released == list(range(40, 53))
    # Post-roll ends at 106.3 (+ margin 107.3 s): segments 53 (106–108 s) is the last one needed.
    run.read(60)
    assert run.released == list(range(40, 54))


def test_a_goal_found_by_searching_far_back_still_gets_its_whole_pre_roll() -> None:
    run = Run()
    found_in = 100
    goal_s = (found_in - FURTHEST_BACK_SEGMENTS) * SEGMENT_S + 0.5  # the sampler's furthest search-back
    run.read(found_in, goals={found_in: goal_s})
    first_needed = int((goal_s - PRE_ROLL_S - MARGIN_S) // SEGMENT_S)
    assert run.released[0] == first_needed
    last_needed = int((goal_s + POST_ROLL_S + MARGIN_S) // SEGMENT_S)  # not the segments up to the announcement
    assert run.released == list(range(first_needed, last_needed + 1))


def test_close_goals_share_segments_and_nothing_is_stored_twice() -> None:
    run = Run()
    run.read(30, goals={30: 59.0})
    run.read(34, goals={34: 67.9})  # inside the first goal's post-roll
    run.read(60)
    assert run.released == sorted(set(run.released))
    assert run.released == list(range(19, 37))  # 59-21 = 38 s → segment 19; 67.9+6 = 73.9 s → segment 36


def test_segments_between_two_distant_goals_are_not_stored() -> None:
    run = Run()
    run.read(30, goals={30: 59.0})
    run.read(200, goals={200: 399.0})
    run.read(210)
    first, second = list(range(19, 33)), list(range(189, 203))
    assert run.released == first + second


def test_a_goal_announced_too_late_gets_the_part_of_its_pre_roll_still_held() -> None:
    run = Run()
    found_in = 100
    goal_s = (found_in - FURTHEST_BACK_SEGMENTS) * SEGMENT_S - 19.3  # further back than the sampler ever looks
    run.read(found_in, goals={found_in: goal_s})
    run.read(found_in + 10)
    first_needed = int((goal_s - PRE_ROLL_S - MARGIN_S) // SEGMENT_S)
    assert first_needed < run.released[0]
    last_needed = int((goal_s + POST_ROLL_S + MARGIN_S) // SEGMENT_S)
    assert run.released == list(range(run.released[0], last_needed + 1))  # the post-roll is whole
    goal = a_goal(at(goal_s))
    window = ClipWindow.around(goal, pre_roll_s=PRE_ROLL_S, post_roll_s=POST_ROLL_S)
    kept = [a_segment(n) for n in run.released]
    decision = decide_clip(goal, window, kept, newest_segment_start=kept[-1].start, waited_s=0, post_roll_wait_s=120)
    assert isinstance(decision, Ready) and decision.partial is not None  # enrich clips it, shorter
    assert decision.partial.missing_pre_roll_s > 0 and decision.partial.missing_post_roll_s == 0


@pytest.mark.parametrize(("found_in", "goal_s"), [(52, 101.3), (60, 81.0), (11, 21.3), (40, 79.99)])
def test_what_is_kept_is_exactly_what_enrich_needs_to_cut_the_whole_window(found_in: int, goal_s: float) -> None:
    run = Run()
    run.read(found_in, goals={found_in: goal_s})
    run.read(found_in + 20)
    goal = a_goal(at(goal_s))
    window = ClipWindow.around(goal, pre_roll_s=PRE_ROLL_S, post_roll_s=POST_ROLL_S)
    kept = [a_segment(n) for n in run.released]
    decision = decide_clip(goal, window, kept, newest_segment_start=kept[-1].start, waited_s=0, post_roll_wait_s=120)
    assert isinstance(decision, Ready)
    needs_pre_roll_before_stream_start = window.start < START
    assert decision.partial is None or needs_pre_roll_before_stream_start
    assert len(run.released) - len(decision.segments) <= 2  # the margin costs at most a segment each side


def test_the_service_refuses_an_unknown_keep_setting_with_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    from capture_task.service import run_from_environment

    monkeypatch.setenv("KINESIS_STREAM_NAME", "events")
    monkeypatch.setenv("SEGMENTS_BUCKET", "segments")
    monkeypatch.setenv("KEEP_SEGMENTS", "most")
    with pytest.raises(ValueError, match="KEEP_SEGMENTS is 'most'; set it to 'around_goals'"):
        run_from_environment()
