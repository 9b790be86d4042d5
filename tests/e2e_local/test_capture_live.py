"""Generated broadcasts served live on 127.0.0.1 -> the real capture CLI -> the truth's goals.

Real parts only: x264-encoded HLS, an HTTP server on loopback whose playlist
slides in real time with Twitch's 14-segment window, the capture task as a
subprocess with real OpenCV decoding and real tesseract, and a busy neighbour
process taking CPU all along: nothing here depends on the machine's speed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sample_broadcast import every_nth_playlist_request, test_broadcast
from tests.e2e_local.capture_support import (
    NOT_HUNG,
    assert_goals_match_truth,
    rendered,
    run_detect,
    served_like_twitch,
)

pytestmark = [pytest.mark.slow, NOT_HUNG, pytest.mark.usefixtures("busy_neighbour")]


@pytest.mark.parametrize("kind", ["720p30", "1080p60"])
def test_live_stream_yields_exactly_the_truth_goals(kind: str, broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast(kind))  # type: ignore[arg-type]
    truth = info.truth()
    with served_like_twitch(info.directory) as server:
        events = run_detect(server.playlist_url, tmp_path / "events.jsonl")
    assert_goals_match_truth(events, truth)
    segments = [e for e in events if e["type"] == "segment"]
    assert [s["sequence"] for s in segments] == list(range(truth["stream"]["segment_count"]))
    assert not [s for s in segments if s.get("missing_reason")], "no segment lost: none announced as a gap"
    assert all(s["channel"] == "sample" and s["duration_s"] == pytest.approx(2.0) for s in segments)


def test_ads_flaky_playlist_and_lost_segment_lose_no_goal(broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    truth = info.truth()
    count = truth["stream"]["segment_count"]
    goal_segments = {g["segment_index"] for g in truth["goals"]}
    ad_start = count - 2
    assert not goal_segments & {ad_start, ad_start + 1}
    fail_rule = every_nth_playlist_request(3)
    with served_like_twitch(info.directory, ad_breaks=[(ad_start, 2)], fail_requests=fail_rule) as server:
        events = run_detect(server.playlist_url, tmp_path / "events.jsonl", "--channel", "flaky_channel")
        failed = [entry for entry in server.request_log if entry[2] >= 500]
    assert failed, "the fault rule never fired"
    assert_goals_match_truth(events, truth)
    segments = [e for e in events if e["type"] == "segment"]
    assert [s["sequence"] for s in segments] == list(range(ad_start))
    assert not [s for s in segments if s.get("missing_reason")], "no segment lost: none announced as a gap"
    assert {e["channel"] for e in events} == {"flaky_channel"}


def test_local_file_source(broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    video = tmp_path / "match.mp4"
    concat = "concat:" + "|".join(str(p) for p in sorted(info.directory.glob("seg_*.ts")))
    subprocess.run(["ffmpeg", "-v", "error", "-i", concat, "-c", "copy", str(video)], check=True)
    events = run_detect(str(video), tmp_path / "events.jsonl")
    assert_goals_match_truth(events, info.truth(), by="stream_time")
