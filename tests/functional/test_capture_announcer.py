"""The announcer: goals ahead of waiting segments; its backlog while the event stream is down.

Goals go out before the segments still waiting to be stored, also while a failing store is retried
(an alert must not wait for S3). While the event stream is down the backlog is bounded in memory,
spilled to disk, and gaps when both are full. The event stream's outage is a sink whose ``put``
waits until the test lets it go, as the Kinesis sink does while it retries; segments are stored in
a real folder.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.metrics import CaptureMetric, CaptureMetrics
from capture_task.publish.announcer import BACKLOG_FULL_REASON, Announcer
from capture_task.publish.publisher import JsonLinesSink
from capture_task.publish.segment_store import LocalSegmentStore, SegmentStoreError
from contracts import Event, MatchEndEvent, SegmentEvent, match_end_id, parse_event
from tests.functional.functions_fixtures import START, a_goal

KIB = 1024
HUNG_AFTER_S = 600.0


def a_segment(sequence: int) -> SegmentMedia:
    return SegmentMedia(sequence, START + timedelta(seconds=2 * sequence), 2.0, 2.0 * sequence, bytes([sequence]) * KIB)


class StreamDown(JsonLinesSink):
    """Puts wait while the stream is down (the Kinesis sink retries meanwhile); ``entered`` says one is waiting."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.up = threading.Event()
        self.entered = threading.Event()

    def put(self, event: Event) -> None:
        self.entered.set()
        assert self.up.wait(HUNG_AFTER_S), "hung: the test never brought the stream back"
        super().put(event)


def test_a_long_outage_spills_to_disk_then_announces_gaps_in_order_loudly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    spool, segments_dir = tmp_path / "spool", tmp_path / "segments"
    spool.mkdir()
    sink = StreamDown(tmp_path / "events.jsonl")
    metrics = CaptureMetrics("chan")
    announcer = Announcer(
        "chan",
        sink,
        LocalSegmentStore(segments_dir),
        metrics=metrics,
        memory_limit_bytes=2 * KIB,
        disk_limit_bytes=3 * KIB,
        spool_root=spool,
    )
    announcer.segment(a_segment(0))
    assert sink.entered.wait(HUNG_AFTER_S), "the worker took the first segment and waits on the stream"
    for sequence in range(1, 8):  # 1-2 in memory, 3-5 on disk, 6-7 find no room
        announcer.segment(a_segment(sequence))
    announcer.event(a_goal(START + timedelta(seconds=15), channel="chan"))
    announcer.segment(a_segment(8))
    assert len(list(spool.rglob("*.seg"))) == 3, "beyond the memory bound, bytes wait on disk"
    assert announcer.stats.spilled == 3 and announcer.stats.backlog_full == 3
    assert any(r.levelno == logging.ERROR and "announced as a gap" in r.getMessage() for r in caplog.records)

    sink.up.set()
    announcer.close()
    sink.close()
    events = [parse_event(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    order = [e.sequence if isinstance(e, SegmentEvent) else e.type for e in events]
    assert order == [0, "goal", 1, 2, 3, 4, 5, 6, 7, 8], "nothing dropped; the goal ahead of the waiting segments"
    segments: list[Any] = [e for e in events if isinstance(e, SegmentEvent)]
    for event in segments[:6]:
        assert not event.is_missing and Path(event.location).read_bytes() == a_segment(event.sequence).data
    assert [e.missing_reason for e in segments[6:]] == [BACKLOG_FULL_REASON] * 3
    assert not list(spool.iterdir()), "the spool folder is removed"

    metrics.flush()
    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert emf[CaptureMetric.ANNOUNCER_BACKLOG_FULL] == [3.0] and emf[CaptureMetric.SEGMENTS_MISSING] == [3.0]


def announced_order(path: Path) -> list[int | str]:
    events = [parse_event(line) for line in path.read_text().splitlines()]
    return [e.sequence if isinstance(e, SegmentEvent) else e.type for e in events]


class FailingOnce(LocalSegmentStore):
    """Its first store fails, once the test has handed over what should overtake the retry."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.entered = threading.Event()
        self.fail = threading.Event()
        self.calls = 0

    def store(self, channel: str, sequence: int, data: bytes, **kwargs: Any) -> str:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            assert self.fail.wait(HUNG_AFTER_S), "hung: the test never let the first store fail"
            raise SegmentStoreError(f"segment {sequence} not stored: S3 is slow down (SlowDown)")
        return super().store(channel, sequence, data, **kwargs)


def test_a_goal_goes_out_between_a_failing_stores_retries_not_after_them(tmp_path: Path) -> None:
    """An S3 hiccup on the pre-roll must not hold back the goal (and its alert) for the retries' backoff."""
    store = FailingOnce(tmp_path / "segments")
    slept: list[float] = []
    sink = JsonLinesSink(tmp_path / "events.jsonl")
    announcer = Announcer("chan", sink, store, sleep=slept.append)
    announcer.segment(a_segment(0))
    assert store.entered.wait(HUNG_AFTER_S), "the worker is storing segment 0"
    announcer.event(a_goal(START + timedelta(seconds=1), channel="chan"))
    announcer.segment(a_segment(1))
    store.fail.set()
    announcer.close()
    sink.close()
    assert len(slept) == 1, "segment 0 was retried once, after a backoff"
    assert announced_order(tmp_path / "events.jsonl") == ["goal", 0, 1]
    assert announcer.stats.store_failures == 1 and announcer.stats.missing == 0


def test_events_keep_their_order_among_themselves_ahead_of_segments(tmp_path: Path) -> None:
    """Goals and match ends overtake waiting segments, never each other: a match's end before the next one's goal."""
    sink = StreamDown(tmp_path / "events.jsonl")
    announcer = Announcer("chan", sink, LocalSegmentStore(tmp_path / "segments"))
    announcer.segment(a_segment(0))
    assert sink.entered.wait(HUNG_AFTER_S), "the worker took the first segment and waits on the stream"
    goal, next_match_goal = (a_goal(START + timedelta(seconds=s), channel="chan") for s in (3, 9))
    over_at = START + timedelta(seconds=7)
    over = MatchEndEvent(
        id=match_end_id("chan", goal.teams, goal.score, goal.id, over_at), channel="chan", at=over_at,
        stream_time=7.0, teams=goal.teams, score=goal.score, reason="full_time", goals=(goal,),
    )  # fmt: skip
    announcer.segment(a_segment(1))
    announcer.event(goal)
    announcer.segment(a_segment(2))
    announcer.event(over)
    announcer.segment(a_segment(3))
    announcer.event(next_match_goal)
    sink.up.set()
    announcer.close()
    sink.close()
    events = [parse_event(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [e.sequence if isinstance(e, SegmentEvent) else e.id for e in events] == [
        0, goal.id, over.id, next_match_goal.id, 1, 2, 3
    ]  # fmt: skip
