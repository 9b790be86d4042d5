"""The announcer's backlog while the event stream is down: bounded in memory, spilled to disk, gaps when both are full.

The event stream's outage is a sink whose ``put`` waits until the test lets it go, as the Kinesis
sink does while it retries; segments are stored in a real folder.
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
from capture_task.publish.segment_store import LocalSegmentStore
from contracts import Event, SegmentEvent, parse_event
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
    assert order == [0, 1, 2, 3, 4, 5, 6, 7, "goal", 8], "nothing dropped, the order kept"
    segments: list[Any] = [e for e in events if isinstance(e, SegmentEvent)]
    for event in segments[:6]:
        assert not event.is_missing and Path(event.location).read_bytes() == a_segment(event.sequence).data
    assert [e.missing_reason for e in segments[6:]] == [BACKLOG_FULL_REASON] * 3
    assert not list(spool.iterdir()), "the spool folder is removed"

    metrics.flush()
    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert emf[CaptureMetric.ANNOUNCER_BACKLOG_FULL] == [3.0] and emf[CaptureMetric.SEGMENTS_MISSING] == [3.0]
