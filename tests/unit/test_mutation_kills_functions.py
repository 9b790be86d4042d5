"""Edges of enrich's clip decision that mutants of bench/mutation.py showed no test held.

Each boundary is tested exactly on it: a gap that ends at the goal's moment, a hole as wide as the
contiguity tolerance, a last segment that ends exactly the tolerance before the window does.
"""

from __future__ import annotations

from datetime import timedelta

from contracts import SegmentEvent
from functions.enrich.index import CONTIGUITY_TOLERANCE_S, ClipWindow, Ready, Wait, decide_clip, find_gaps
from tests.functional.functions_fixtures import START, a_goal, a_segment

WAIT_S = 120.0


def seg(sequence: int, *, start_s: float | None = None) -> SegmentEvent:
    """Segment ``sequence`` of the steady 2 s stream, or starting ``start_s`` after START."""
    if start_s is None:
        return a_segment(sequence)
    return a_segment(sequence, start=START + timedelta(seconds=start_s), stream_time=start_s)


def decide(goal_s: float, segments: list[SegmentEvent]) -> object:
    goal = a_goal(START + timedelta(seconds=goal_s))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    newest = max(s.start for s in segments)
    return decide_clip(goal, window, segments, newest_segment_start=newest, waited_s=0.0, post_roll_wait_s=WAIT_S)


def test_a_gap_that_ends_exactly_at_the_goal_is_pre_roll_and_clipped_around() -> None:
    # Goal at 20.0 s, segments 8 and 9 (16-20 s) missing: the goal's own segment (10) is there.
    decision = decide(20.0, [seg(n) for n in range(13) if n not in (8, 9)])
    assert isinstance(decision, Ready), decision
    assert [gap.missing() for gap in decision.pre_roll_gaps] == ["segments 8..9"]


def test_a_hole_as_wide_as_the_tolerance_is_no_gap_and_a_wider_one_is() -> None:
    goal = a_goal(START + timedelta(seconds=21.3))
    window = ClipWindow.around(goal, pre_roll_s=20, post_roll_s=5)
    assert CONTIGUITY_TOLERANCE_S == 0.25
    # Sequence 6 is skipped, but segment 7 starts 0.25 s after segment 5 ends (12 s): nothing is missing.
    within = [seg(n) for n in range(6)] + [seg(n, start_s=2.0 * n - 1.75) for n in range(7, 16)]
    assert find_gaps(window, within) == []
    beyond = [seg(n) for n in range(6)] + [seg(n, start_s=2.0 * n - 1.5) for n in range(7, 16)]
    assert [gap.missing() for gap in find_gaps(window, beyond)] == ["segment 6"]


def test_a_last_segment_ending_the_tolerance_before_the_window_ends_is_enough() -> None:
    # Goal at 21.25 s: the window ends at 26.25 s; segment 12 ends at 26.0 s, exactly the tolerance before.
    assert isinstance(decide(21.25, [seg(n) for n in range(13)]), Ready)
    # Goal at 21.3 s: the window ends at 26.3 s, 0.3 s after segment 12: wait for segment 13.
    assert isinstance(decide(21.3, [seg(n) for n in range(13)]), Wait)
