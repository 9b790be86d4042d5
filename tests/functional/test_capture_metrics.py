"""The capture task's CloudWatch metrics: EMF lines on stdout, as the Fargate log driver ships them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from capture_task.capture import CaptureTask
from capture_task.ingest.media import SegmentMedia
from capture_task.metrics import CaptureMetrics
from capture_task.publish.publisher import JsonLinesSink
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import rendered

pytestmark = pytest.mark.slow


def test_counts_are_flushed_as_emf_with_the_channel(
    broadcast_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    truth = info.truth()
    start = datetime.fromisoformat(truth["stream"]["start_program_date_time"].replace("Z", "+00:00"))
    paths = sorted(info.directory.glob("seg_*.ts"))
    segments = [
        SegmentMedia(i, start + timedelta(seconds=2 * i), 2.0, 2.0 * i, p.read_bytes()) for i, p in enumerate(paths)
    ]
    metrics = CaptureMetrics("metered", interval_s=10.0, clock=iter(range(0, 10_000, 4)).__next__)
    with JsonLinesSink(tmp_path / "events.jsonl") as sink:
        CaptureTask("metered", sink=sink, metrics=metrics).run(segments)
    metrics.flush()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert len(lines) >= 2, "several intervals, several lines"
    for line in lines:
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "HighlightBot" and directive["Dimensions"] == [["channel"]]
        assert line["channel"] == "metered"
    total = {
        name: sum(sum(line.get(name, [0])) for line in lines) for name in ("SegmentsRead", "GoalsDetected", "OcrReads")
    }
    assert total["SegmentsRead"] == len(segments)
    assert total["GoalsDetected"] == len(truth["goals"])
    assert total["OcrReads"] > 0
    assert any("SegmentsBehindLive" in line for line in lines)
