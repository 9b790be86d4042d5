"""Every playlist collected from public HLS test suites, through the parser and the live follower.

The fixtures (tests/fixtures/playlists/*.txt) are playlist texts from streamlink's Twitch plugin
tests, the m3u8 library's tests and hls.js's parser tests; each file cites its source. A file holds
sections ``=== NAME`` (``=== NAME #k`` for the k-th refresh of one live playlist). Whatever they
contain, nothing may raise out of the parser or the follower, and an entry without a URI (an LL-HLS
part, a cut-off EXTINF) is never handed out as a segment.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from capture_task.exceptions import QualityUnavailable
from capture_task.ingest.playlist import LiveSegment, PlaylistFollower, parse_media_playlist
from capture_task.ingest.sources import select_variant
from capture_task.ingest.tolerant_m3u8 import load_playlist
from tests.conftest import REPO_ROOT
from tests.functional.hls_server import ScriptedHLSServer, SleepRecorder

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "playlists"
URL = "https://media.example.com/live/playlist.m3u8"


def _sections(path: Path) -> dict[str, str]:
    """NAME → playlist text; the file's leading ``##`` lines are its source citation."""
    sections: dict[str, str] = {}
    name: str | None = None
    for line in path.read_text().splitlines():
        if line.startswith("=== "):
            name = line[4:].strip()
            sections[name] = ""
        elif name is not None:
            sections[name] += line + "\n"
    return sections


def _all_playlists() -> dict[str, str]:
    return {
        f"{path.stem}/{name}": text for path in sorted(FIXTURES.glob("*.txt")) for name, text in _sections(path).items()
    }


def _live_sessions() -> dict[str, list[str]]:
    """Refreshes grouped per playlist, in order (a single playlist is a session of one refresh)."""
    sessions: dict[str, list[str]] = {}
    for key, text in _all_playlists().items():
        sessions.setdefault(re.sub(r" #\d+$", "", key), []).append(text)
    return sessions


PLAYLISTS = _all_playlists()
SESSIONS = _live_sessions()


def test_the_fixtures_cite_their_sources_and_are_many() -> None:
    for path in FIXTURES.glob("*.txt"):
        header = path.read_text().split("===", 1)[0]
        assert "https://github.com/" in header, f"{path.name} does not say where its playlists come from"
    assert len(PLAYLISTS) >= 70


@pytest.mark.parametrize("key", sorted(PLAYLISTS))
def test_every_playlist_parses_without_raising(key: str) -> None:
    loaded = load_playlist(PLAYLISTS[key], URL)

    if loaded.playlist.is_variant:
        try:
            assert select_variant(loaded.playlist, "worst").startswith("http")
        except QualityUnavailable as refused:  # only audio on offer: refused with the list, not a crash
            assert "worst" in str(refused)
        return
    playlist = parse_media_playlist(PLAYLISTS[key], URL)
    for entry in playlist.entries:
        assert entry.segment.uri and not entry.segment.uri.endswith("/None")
        assert "Part" not in entry.segment.uri, "an LL-HLS part is not a segment"
    for repair in playlist.repairs:
        assert repair.endswith(".")  # a sentence for the log


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedHLSServer]:
    with ScriptedHLSServer() as running:
        yield running


@pytest.mark.timeout(60)
@pytest.mark.parametrize("session", sorted(SESSIONS))
def test_every_playlist_is_followed_without_raising(server: ScriptedHLSServer, session: str) -> None:
    path = "/" + re.sub(r"[^A-Za-z0-9]+", "-", session) + "/playlist.m3u8"
    refreshes = SESSIONS[session]
    server.script(path, *refreshes)
    stop = threading.Event()
    http = requests.Session()
    http.trust_env = False
    follower = PlaylistFollower(
        server.url(path), http=http, stop_event=stop, sleep=SleepRecorder(stop, stop_after=len(refreshes) + 1)
    )

    segments = list(follower.segments())

    _assert_handed_out_once_each(segments)
    if "test_hls_" in session:
        assert [_twitch_second(s) for s in segments] == STREAMLINK_LIVE_SEGMENTS[session.split("/", 1)[1]]


def _assert_handed_out_once_each(segments: list[LiveSegment]) -> None:
    assert all(s.uri and "Part" not in s.uri for s in segments)
    sequences = [s.sequence for s in segments]
    assert sequences == sorted(set(sequences)) and all(n >= 0 for n in sequences)
    dated = [s.program_date_time for s in segments if s.program_date_time is not None]
    assert len(dated) == len(set(dated)), "a moment of the stream was handed out twice"


TWITCH_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # streamlink's test segments start at second N


def _twitch_second(segment: LiveSegment) -> int:
    assert segment.program_date_time is not None
    return round((segment.program_date_time - TWITCH_EPOCH).total_seconds())


# The live segments of streamlink's Twitch tests (their number = second of the stream), ads removed.
# streamlink's own expectations differ only where it starts near the live edge; we keep every segment.
STREAMLINK_LIVE_SEGMENTS = {
    "test_hls_daterange_unknown": [0, 1],
    "test_hls_daterange_by_class": [1],
    "test_hls_daterange_by_id": [1],
    "test_hls_has_preroll": [4, 5],
    "test_hls_has_midroll": [0, 1, 4, 5],
    "test_hls_has_preroll_and_midroll": [2, 3, 9],
    "test_hls_low_latency_has_prefetch": [0, 1, 2, 3, 4, 5, 6, 7],
    "test_hls_low_latency_has_prefetch_no_preroll_with_prefetch_ads": [0, 1, 2, 7, 8, 9, 10],
    "test_hls_low_latency_no_ads_reload_time": [0, 1, 2],
    "test_hls_prefetch_after_discontinuity": [0, 1, 2, 3, 6, 7],
    "test_hls_ignored_discontinuity": [0, 1, 2, 3, 4, 5, 6, 7, 10, 11],
}
