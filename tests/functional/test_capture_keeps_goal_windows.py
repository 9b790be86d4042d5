"""The capture task on a real broadcast stores only the segments around goals — all that enrich needs.

Short rolls, so that the generated stream has stretches no clip needs: those
must not be announced, and every goal's window must still be whole by
enrich's own rules (``decide_clip``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import m3u8
import pytest

from capture_task.capture import CaptureTask
from capture_task.ingest.media import SegmentMedia
from capture_task.publish.keeper import MARGIN_S, KeepPolicy
from capture_task.publish.publisher import JsonLinesSink
from contracts import GoalEvent, SegmentEvent, parse_event
from functions.enrich.index import ClipWindow, Ready, Wait, decide_clip, segment_end
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import rendered

pytestmark = pytest.mark.slow
PRE_ROLL_S, POST_ROLL_S = 5.0, 2.0


def _segments(directory: Path) -> list[SegmentMedia]:
    playlist = m3u8.load(str(directory / "playlist.m3u8"))
    segments, elapsed = [], 0.0
    for sequence, segment in enumerate(playlist.segments):
        start: datetime = segment.current_program_date_time
        segments.append(
            SegmentMedia(sequence, start, segment.duration, elapsed, (directory / segment.uri).read_bytes())
        )
        elapsed += segment.duration
    return segments


def test_only_goal_windows_are_announced_and_each_is_whole(broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    segments = _segments(info.directory)
    policy = KeepPolicy.around_goals_of(pre_roll_s=PRE_ROLL_S, post_roll_s=POST_ROLL_S)
    with JsonLinesSink(tmp_path / "events.jsonl") as sink:
        stats = CaptureTask("sample", sink=sink, keep=policy).run(segments)
    events = [parse_event(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    kept = [e for e in events if isinstance(e, SegmentEvent)]
    goals = [e for e in events if isinstance(e, GoalEvent)]
    assert len(goals) == len(info.truth()["goals"]) >= 2

    assert stats.segments == len(segments) and stats.segments_kept == len(kept) < len(segments)
    assert [s.sequence for s in kept] == sorted({s.sequence for s in kept}), "each once, in stream order"
    margin = timedelta(seconds=MARGIN_S)
    windows = [ClipWindow.around(g, pre_roll_s=PRE_ROLL_S, post_roll_s=POST_ROLL_S) for g in goals]
    for segment in kept:
        assert any(segment.start < w.end + margin and segment_end(segment) > w.start - margin for w in windows)
    # No store is configured here, so every segment is announced as a gap; as if each had been stored:
    stored = [s.model_copy(update={"location": f"s3://segments/{s.sequence}.ts", "missing_reason": None}) for s in kept]
    for goal, window in zip(goals, windows, strict=True):
        decision = decide_clip(
            goal, window, stored, newest_segment_start=kept[-1].start, waited_s=0, post_roll_wait_s=120
        )
        assert isinstance(decision, Ready) and decision.partial is None
        # The goal event goes out before its pre-roll's segments (its alert waits for no S3 PUT): enrich, seeing
        # only what was announced before it, waits for them instead of clipping a partial window or giving up.
        first_of_window = kept[stored.index(decision.segments[0])]
        assert events.index(goal) < events.index(first_of_window)
        before_goal = [s for s, e in zip(stored, kept, strict=True) if events.index(e) < events.index(goal)]
        early = decide_clip(
            goal,
            window,
            before_goal,
            newest_segment_start=before_goal[-1].start if before_goal else None,
            waited_s=0,
            post_roll_wait_s=120,
        )
        assert isinstance(early, Wait)
