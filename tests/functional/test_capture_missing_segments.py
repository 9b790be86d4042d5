"""Segments never downloaded are announced as gaps, against a scripted HLS server on 127.0.0.1.

Two ways a segment's bytes never arrive: its download fails for good, or the playlist slid past it
between two refreshes (the capture fell behind). Either way enrich must learn that those seconds are
missing (a gap event with the reason), not wait for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from capture_task.ingest.playlist import PlaylistFollower
from capture_task.ingest.segments import MOVED_ON_REASON, hls_segments
from capture_task.metrics import CaptureMetrics
from capture_task.publish.announcer import Announcer
from capture_task.publish.publisher import JsonLinesSink
from capture_task.publish.segment_store import LocalSegmentStore
from contracts import SegmentEvent, parse_event
from tests.functional.hls_server import Reply, ScriptedHLSServer, SleepRecorder
from tests.functional.test_playlist_follower import PLAYLIST_PATH, SEGMENT_S, T0, media_playlist

TS_BYTES = b"\x47" + bytes(187)


@pytest.fixture
def server() -> Iterator[ScriptedHLSServer]:
    with ScriptedHLSServer() as running:
        for sequence in range(10):
            running.script(f"/live/seg/{sequence}.ts", Reply(body=TS_BYTES * 4))
        yield running


@pytest.mark.timeout(60)
def test_a_failed_download_and_segments_the_playlist_moved_past_are_announced_as_gaps(
    server: ScriptedHLSServer, tmp_path: Path
) -> None:
    server.script("/live/seg/2.ts", Reply(status=404))
    server.script(PLAYLIST_PATH, media_playlist(range(0, 4)), media_playlist(range(7, 10), endlist=True))
    http = requests.Session()
    http.trust_env = False
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    media = [segment for _live, segment in hls_segments(follower, http)]

    assert [m.sequence for m in media] == list(range(10)), "every number, the missing ones too"
    assert [m.sequence for m in media if not m.data] == [2, 4, 5, 6]
    assert "could not be downloaded" in (media[2].defect or "") and "404" in (media[2].defect or "")
    assert [m.defect for m in media[4:7]] == [MOVED_ON_REASON] * 3
    assert [m.start for m in media] == [T0 + timedelta(seconds=SEGMENT_S * n) for n in range(10)], "timed in between"
    assert [m.sequence for m in media if m.discontinuity] == [2, 3, 4, 5, 6, 7]

    metrics = CaptureMetrics("chan")
    with JsonLinesSink(tmp_path / "events.jsonl") as sink:
        announcer = Announcer("chan", sink, LocalSegmentStore(tmp_path / "segments"), metrics=metrics)
        for segment in media:
            announcer.segment(segment)
        announcer.close()
    events = [parse_event(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert all(isinstance(e, SegmentEvent) for e in events)
    gaps = {e.sequence: e.missing_reason for e in events if isinstance(e, SegmentEvent) and e.is_missing}
    assert sorted(gaps) == [2, 4, 5, 6]
    assert gaps[4] == MOVED_ON_REASON and (gaps[2] or "").startswith("it could not be downloaded")
    assert announcer.stats.missing == 4
