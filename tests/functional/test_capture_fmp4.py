"""Twitch now serves some qualities as fragmented MP4 (EXT-X-MAP init section + fragments).

The same generated broadcast, remuxed to fMP4 HLS by ffmpeg (stream copy), must
give the same goals: fragments are decoded with their init section in front,
and frame times still come from the playlist's program-date-time.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import m3u8
import pytest

from capture_task.capture import CaptureTask
from capture_task.ingest.media import SegmentMedia
from capture_task.publish.publisher import JsonLinesSink
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import goal_time_tolerance_s, rendered

pytestmark = pytest.mark.slow


def test_fmp4_segments_give_the_same_goals(broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    truth = info.truth()
    concat = "concat:" + "|".join(str(p) for p in sorted(info.directory.glob("seg_*.ts")))
    out = tmp_path / "fmp4"
    out.mkdir()
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", concat, "-c", "copy", "-bsf:a", "aac_adtstoasc", "-f", "hls", "-hls_time", "2",
         "-hls_segment_type", "fmp4", "-hls_playlist_type", "vod", str(out / "index.m3u8")],
        check=True,
    )  # fmt: skip
    playlist = m3u8.load(str(out / "index.m3u8"))
    init = (out / playlist.segments[0].init_section.uri).read_bytes()
    start = datetime.fromisoformat(truth["stream"]["start_program_date_time"].replace("Z", "+00:00"))
    segments, elapsed = [], 0.0
    for sequence, segment in enumerate(playlist.segments):
        segments.append(
            SegmentMedia(sequence, start + timedelta(seconds=elapsed), segment.duration, elapsed,
                         (out / segment.uri).read_bytes(), container="fmp4", init_section=init)
        )  # fmt: skip
        elapsed += segment.duration
    with JsonLinesSink(tmp_path / "events.jsonl") as sink:
        stats = CaptureTask("fmp4", sink=sink).run(segments)
    assert [(g.score.home, g.score.away) for g in stats.goals] == [
        (g["score"]["home"], g["score"]["away"]) for g in truth["goals"]
    ]
    for goal, want in zip(stats.goals, truth["goals"], strict=True):
        assert goal.stream_time == pytest.approx(want["stream_time"], abs=goal_time_tolerance_s(truth))
