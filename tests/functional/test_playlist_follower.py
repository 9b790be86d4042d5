"""PlaylistFollower and segment downloads against a scripted HLS server on 127.0.0.1.

The server answers each path from a script: a list of replies served in order, the last one
repeating. Sleeps are recorded instead of slept, so the whole module runs in well under a second
or two.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

from capture_task.exceptions import SegmentUnavailable, StreamOffline
from capture_task.ingest.playlist import (
    InitSectionCache,
    LiveSegment,
    PlaylistFollower,
    fetch_init_section,
    fetch_segment,
)

T0 = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
SEGMENT_S = 2.0
PLAYLIST_PATH = "/live/playlist.m3u8"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    delay_s: float = 0.0
    drop: bool = False  # close the connection without answering


class ScriptedHLSServer:
    """A tiny HTTP server whose answers per path follow a script."""

    def __init__(self) -> None:
        self._scripts: dict[str, list[Reply]] = {}
        self._hits: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                reply = server._next_reply(urlsplit(self.path).path)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.drop:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        # A short poll interval makes shutdown() quick; the default 0.5 s would dominate the run time.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> ScriptedHLSServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def script(self, path: str, *replies: Reply | str) -> None:
        with self._lock:
            self._scripts[path] = [Reply(body=r.encode()) if isinstance(r, str) else r for r in replies]

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits.get(path, 0)

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            script = self._scripts.get(path)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
        if path.endswith((".ts", ".mp4")):
            return Reply(body=f"media {path}".encode())
        return Reply(status=404)


def media_playlist(
    sequences: range,
    *,
    ads: frozenset[int] = frozenset(),
    endlist: bool = False,
    pdt_base: datetime = T0,
    target_s: int = 2,
) -> str:
    """A Twitch-like media playlist; ad segments get Amazon titles, a stitched-ad range and discontinuities."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target_s}",
        f"#EXT-X-MEDIA-SEQUENCE:{sequences.start}",
    ]
    previous_was_ad = False
    for sequence in sequences:
        start = pdt_base + timedelta(seconds=SEGMENT_S * sequence)
        is_ad = sequence in ads
        if is_ad and not previous_was_ad:
            length_s = SEGMENT_S * sum(1 for s in sequences if s >= sequence and s in ads)
            lines.append(
                f'#EXT-X-DATERANGE:ID="stitched-ad-{sequence}",CLASS="twitch-stitched-ad",'
                f'START-DATE="{start.isoformat()}",DURATION={length_s}'
            )
        if is_ad != previous_was_ad:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{start.isoformat()}")
        lines.append(f"#EXTINF:{SEGMENT_S:.3f},{'Amazon|' + str(sequence) if is_ad else 'live'}")
        lines.append(f"ad/{sequence}.ts" if is_ad else f"seg/{sequence}.ts")
        previous_was_ad = is_ad
    if sequences:
        last = pdt_base + timedelta(seconds=SEGMENT_S * sequences[-1])
        lines.append(f"#EXT-X-TWITCH-PREFETCH:seg/prefetch-{last.timestamp():.0f}.ts")
    if endlist:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


class SleepRecorder:
    """Records requested sleeps instead of sleeping; can stop the follower after some."""

    def __init__(self, stop_event: threading.Event | None = None, stop_after: int | None = None) -> None:
        self.calls: list[float] = []
        self._stop_event = stop_event
        self._stop_after = stop_after

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self._stop_event is not None and self._stop_after is not None and len(self.calls) >= self._stop_after:
            self._stop_event.set()


@pytest.fixture
def server() -> Iterator[ScriptedHLSServer]:
    with ScriptedHLSServer() as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    yield session
    session.close()


def follow(follower: PlaylistFollower) -> list[LiveSegment]:
    return list(follower.segments())


@pytest.mark.timeout(30)
def test_sliding_window_yields_each_segment_once_in_order(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        media_playlist(range(1, 5)),  # slid by 1
        media_playlist(range(1, 5)),  # unchanged
        media_playlist(range(3, 7)),  # slid by 2
        media_playlist(range(6, 10)),  # slid by 3
        media_playlist(range(7, 11), endlist=True),
    )
    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=sleep)

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(11))
    assert not any(s.discontinuity for s in segments)
    assert segments[0].uri == server.url("/live/seg/0.ts")
    assert segments[5].program_date_time == T0 + timedelta(seconds=10)
    assert follower.stats.segments_yielded == 11
    assert follower.stats.sequences_missed == 0
    assert follower.stats.playlists_fetched == 6
    # Default poll interval: half of the 2 s target duration.
    assert sleep.calls and all(0.5 < s <= 1.0 for s in sleep.calls)


@pytest.mark.timeout(30)
def test_sequence_gap_is_counted_and_marked(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        media_playlist(range(6, 10), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2, 3, 6, 7, 8, 9]
    assert [s.sequence for s in segments if s.discontinuity] == [6]
    assert follower.stats.sequences_missed == 2


@pytest.mark.timeout(30)
def test_ad_break_is_skipped_and_the_next_live_segment_marked(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    ads = frozenset({4, 5, 6})
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        media_playlist(range(2, 6), ads=ads),
        media_playlist(range(4, 8), ads=ads),
        media_playlist(range(6, 10), ads=ads, endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2, 3, 7, 8, 9]
    assert [s.sequence for s in segments if s.discontinuity] == [7]
    assert all(s.title == "live" for s in segments)
    assert follower.stats.ad_segments_skipped == 3
    assert follower.stats.sequences_missed == 0


@pytest.mark.timeout(30)
def test_server_errors_are_retried_without_losing_segments(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        Reply(status=503),
        Reply(drop=True),
        Reply(status=500),
        media_playlist(range(2, 6), endlist=True),
    )
    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=sleep, max_backoff_s=1.5)

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(6))
    assert follower.stats.fetch_errors == 3
    assert not any(s.discontinuity for s in segments)
    backoffs = sleep.calls[1:4]
    assert all(0 < s <= 1.5 for s in backoffs)


@pytest.mark.timeout(30)
def test_timeout_is_retried(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        Reply(body=media_playlist(range(0, 2)).encode(), delay_s=1.0),
        media_playlist(range(0, 3), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder(), timeout_s=0.2)

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2]
    assert follower.stats.fetch_errors == 1


@pytest.mark.timeout(30)
def test_forbidden_playlist_is_re_resolved(server: ScriptedHLSServer, http: requests.Session) -> None:
    old_path, new_path = "/old/playlist.m3u8", "/new/playlist.m3u8"
    server.script(old_path, media_playlist(range(0, 3)), Reply(status=403))
    server.script(new_path, media_playlist(range(2, 6), endlist=True))
    resolved: list[str] = []

    def resolver() -> str:
        resolved.append(server.url(new_path))
        return resolved[-1]

    follower = PlaylistFollower(server.url(old_path), http=http, resolver=resolver, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(6))
    assert len(resolved) == 1
    assert follower.stats.re_resolves == 1
    assert follower.playlist_url == server.url(new_path)
    assert segments[-1].uri == server.url("/new/seg/5.ts")
    assert server.hits(old_path) == 2


@pytest.mark.timeout(30)
def test_offline_stream_is_waited_for(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, Reply(status=404))
    live_path = "/back/playlist.m3u8"
    server.script(live_path, media_playlist(range(0, 2), endlist=True))
    answers: list[str | Exception] = [
        StreamOffline("somechannel"),
        StreamOffline("somechannel"),
        RuntimeError("Twitch API hiccup"),
        server.url(live_path),
    ]

    def resolver() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, resolver=resolver, sleep=sleep, max_backoff_s=4.0)

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1]
    assert follower.stats.fetch_errors == 4
    assert follower.stats.re_resolves == 1
    assert len(sleep.calls) >= 3 and max(sleep.calls) <= 4.0


@pytest.mark.timeout(30)
def test_periodic_re_resolve(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 2)), media_playlist(range(0, 3), endlist=True))
    now = [1000.0]
    calls: list[float] = []

    def resolver() -> str:
        calls.append(now[0])
        return server.url(PLAYLIST_PATH)

    def sleep(seconds: float) -> None:
        now[0] += 3600.0  # each poll interval stands in for an hour

    follower = PlaylistFollower(
        server.url(PLAYLIST_PATH),
        http=http,
        resolver=resolver,
        sleep=sleep,
        clock=lambda: now[0],
        re_resolve_interval_s=3000.0,
    )

    assert [s.sequence for s in follow(follower)] == [0, 1, 2]
    assert calls == [4600.0]
    assert follower.stats.re_resolves == 1


@pytest.mark.timeout(30)
def test_endlist_ends_iteration_after_one_fetch(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 5), endlist=True))
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    assert [s.sequence for s in follow(follower)] == list(range(5))
    assert server.hits(PLAYLIST_PATH) == 1


@pytest.mark.timeout(30)
def test_media_sequence_reset_restarts_tracking(server: ScriptedHLSServer, http: requests.Session) -> None:
    restarted_at = T0 + timedelta(hours=1)
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(100, 104)),
        media_playlist(range(0, 3), pdt_base=restarted_at),
        media_playlist(range(1, 4), pdt_base=restarted_at, endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    # Our numbers stay unique (S3 keys are (channel, sequence)); the hour off air stays a hole in them.
    hole = round((restarted_at - (T0 + timedelta(seconds=SEGMENT_S * 104))).total_seconds() / SEGMENT_S)
    assert [s.sequence for s in segments] == [100, 101, 102, 103, *range(104 + hole, 108 + hole)]
    assert [s.media_sequence for s in segments] == [100, 101, 102, 103, 0, 1, 2, 3]
    assert [s.sequence for s in segments if s.discontinuity] == [104 + hole]
    assert segments[4].program_date_time == restarted_at
    assert follower.stats.sequences_missed == 0  # the stream's own break, not a loss of ours


@pytest.mark.timeout(30)
def test_stale_copy_from_a_lagging_edge_is_not_replayed(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(10, 14)),
        media_playlist(range(8, 12)),  # an older copy of the same stream
        media_playlist(range(12, 16), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [10, 11, 12, 13, 14, 15]
    assert not any(s.discontinuity for s in segments)


@pytest.mark.timeout(30)
def test_stop_event_ends_a_live_follow(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 4)))
    stop = threading.Event()
    follower = PlaylistFollower(
        server.url(PLAYLIST_PATH), http=http, stop_event=stop, sleep=SleepRecorder(stop, stop_after=3)
    )

    assert [s.sequence for s in follow(follower)] == [0, 1, 2, 3]
    assert server.hits(PLAYLIST_PATH) == 3


@pytest.mark.timeout(30)
def test_stop_event_interrupts_the_default_sleep(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 2)))
    stop = threading.Event()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, stop_event=stop, poll_interval_s=60.0)
    segments = follower.segments()

    assert next(segments).sequence == 0
    assert next(segments).sequence == 1
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert list(segments) == []
    assert time.monotonic() - started < 5


def _segment(server: ScriptedHLSServer, path: str, init_path: str | None = None) -> LiveSegment:
    return LiveSegment(
        sequence=7,
        uri=server.url(path),
        duration_s=2.0,
        program_date_time=T0,
        discontinuity=False,
        title="live",
        init_uri=server.url(init_path) if init_path else None,
        container="fmp4" if init_path else "ts",
    )


@pytest.mark.timeout(30)
def test_fetch_segment_retries_a_server_error(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/seg/7.ts", Reply(status=500), Reply(body=b"\x47segment-bytes"))
    sleep = SleepRecorder()

    data = fetch_segment(http, _segment(server, "/live/seg/7.ts"), sleep=sleep)

    assert data == b"\x47segment-bytes"
    assert len(sleep.calls) == 1


@pytest.mark.timeout(30)
def test_fetch_segment_gives_up_with_segment_unavailable(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/seg/7.ts", Reply(status=502))

    with pytest.raises(SegmentUnavailable, match="discontinuity") as raised:
        fetch_segment(http, _segment(server, "/live/seg/7.ts"), attempts=3, sleep=SleepRecorder())

    assert raised.value.sequence == 7
    assert server.hits("/live/seg/7.ts") == 3


@pytest.mark.timeout(30)
def test_fetch_segment_does_not_retry_a_missing_segment(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/seg/7.ts", Reply(status=404))

    with pytest.raises(SegmentUnavailable, match="HTTP 404"):
        fetch_segment(http, _segment(server, "/live/seg/7.ts"), sleep=SleepRecorder())

    assert server.hits("/live/seg/7.ts") == 1


@pytest.mark.timeout(30)
def test_init_section_is_fetched_once(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/init-0.mp4", Reply(body=b"ftyp-moov"))
    cache = InitSectionCache()
    segment = _segment(server, "/live/frag7.mp4", init_path="/live/init-0.mp4")

    first = fetch_init_section(http, segment, cache=cache)
    second = fetch_init_section(http, segment, cache=cache)

    assert first == second == b"ftyp-moov"
    assert server.hits("/live/init-0.mp4") == 1
    assert fetch_init_section(http, _segment(server, "/live/seg/7.ts"), cache=cache) is None


@pytest.mark.timeout(30)
def test_program_date_time_is_carried_across_refreshes(server: ScriptedHLSServer, http: requests.Session) -> None:
    # Some servers tag only the stream's first segment; once it scrolls out, times come from the follower.
    first = f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PROGRAM-DATE-TIME:{T0.isoformat()}\n"
    first += "".join(f"#EXTINF:2.000,\nseg/{n}.ts\n" for n in range(2))
    second = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n"
    second += "".join(f"#EXTINF:2.000,\nseg/{n}.ts\n" for n in range(1, 4)) + "#EXT-X-ENDLIST\n"
    server.script(PLAYLIST_PATH, first, second)
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.program_date_time for s in segments] == [T0 + timedelta(seconds=2 * n) for n in range(4)]
