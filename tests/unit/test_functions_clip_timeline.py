"""Where moments fall on a clip job's segment timeline, which keyframe a clip starts on, and its S3 keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import GoalEvent, SegmentEvent
from functions.clip.timeline import (
    highlight_id,
    highlight_key,
    key_under_prefix,
    moment_on_timeline,
    offset_on_timeline,
)
from tests.functional.functions_fixtures import a_goal, a_segment

START = datetime(2026, 11, 25, 23, 59, 50, tzinfo=UTC)


def seg(sequence: int, start_s: float) -> SegmentEvent:
    return a_segment(sequence, start=START + timedelta(seconds=start_s), stream_time=start_s)


def goal(channel: str = "sample", seconds: float = 5.0) -> GoalEvent:
    return a_goal(START + timedelta(seconds=seconds), channel=channel)


CONTIGUOUS = [seg(0, 0), seg(1, 2), seg(2, 4)]
WITH_GAP = [seg(0, 0), seg(3, 6), seg(4, 8)]  # 1 and 2 (2 s .. 6 s) never arrived


@pytest.mark.parametrize(
    ("segments", "seconds", "offset"),
    [
        (CONTIGUOUS, 0.0, 0.0),
        (CONTIGUOUS, 3.5, 3.5),
        (CONTIGUOUS, -1.0, 0.0),  # before the first segment: its start
        (CONTIGUOUS, 9.0, 6.0),  # after the last: the end
        (WITH_GAP, 1.0, 1.0),
        (WITH_GAP, 4.0, 2.0),  # inside the gap: where the next segment starts on the timeline
        (WITH_GAP, 7.5, 3.5),  # the gap takes no time once the segments are laid end to end
    ],
)
def test_offsets_count_only_time_the_segments_cover(
    segments: list[SegmentEvent], seconds: float, offset: float
) -> None:
    assert offset_on_timeline(segments, START + timedelta(seconds=seconds)) == pytest.approx(offset)


def test_moment_on_timeline_inverts_offsets_outside_gaps() -> None:
    for seconds in (0.0, 1.0, 6.5, 9.9):
        offset = offset_on_timeline(WITH_GAP, START + timedelta(seconds=seconds))
        assert moment_on_timeline(WITH_GAP, offset) == START + timedelta(seconds=seconds)


def test_highlight_keys_are_deterministic_and_dated_by_the_goal() -> None:
    late_goal = goal(seconds=15.0)  # 2026-11-26 00:00:05 UTC: the goal's own date, not the window's
    token = "0123456789abcdef0123456789abcdef"
    assert highlight_key(late_goal, "mp4", token) == f"highlights/sample/2026/11/26/{late_goal.id}-{token}.mp4"
    assert highlight_key(goal(), "jpg", token) == f"highlights/sample/2026/11/25/{goal().id}-{token}.jpg"
    assert highlight_id(goal()) == f"highlight-{goal().id}"


def test_channel_names_become_one_safe_key_component() -> None:
    twitch_goal = goal("twitch:some.channel")
    assert highlight_key(twitch_goal, "mp4", "t").startswith("highlights/twitch_some.channel/2026/11/25/")


@pytest.mark.parametrize("relative", ["../../../../evil.mp4", "a/../b.mp4", "/abs.mp4", "a//b.mp4", "a/./b", "a b"])
def test_keys_that_would_leave_the_prefix_are_refused(relative: str) -> None:
    with pytest.raises(ValueError, match="must stay under highlights/"):
        key_under_prefix(relative)


def test_a_goal_id_built_to_climb_out_of_the_prefix_never_reaches_a_key() -> None:
    # The contract refuses it at the boundary (tests/unit/test_contracts.py); a model built past
    # validation still cannot make a key outside highlights/.
    hostile = goal().model_copy(update={"id": "../../../../evil"})
    with pytest.raises(ValueError, match="must stay under highlights/"):
        highlight_key(hostile, "mp4", "t")
