"""Serves a rendered broadcast as a *live* Twitch-like HLS stream on 127.0.0.1.

Why: the capture task follows a live playlist — a sliding window, growing media
sequence, stitched ad breaks, the odd 503 — and has to be tested against exactly
that without the internet. Segments appear on a wall-clock schedule (``speed`` times
real time): segment ``i`` is published once ``(i + 1) * 2 s <= elapsed * speed``.

Example:
    >>> with LiveHlsServer(info.directory, speed=8, ad_breaks=[(4, 2)]) as server:
    ...     requests.get(server.playlist_url).text
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from sample_broadcast.adslate import ensure_ad_slate
from sample_broadcast.hls import (
    PLAYLIST_NAME,
    SEGMENT_DURATION_S,
    PlaylistSegment,
    iso_utc,
    read_vod_playlist,
    render_media_playlist,
)

FailRule = Callable[[int, str], bool]
"""Given the 1-based request number and the path, answer True to fail that request with 503."""
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"
AD_ID_BASE = 4_800_000_000
TWITCH_WINDOW_SEGMENTS = 14
"""How many segments a Twitch live playlist lists (~28 s): serve this to test against Twitch's margin."""
_SEGMENT_PATH = re.compile(r"^/(seg_\d{5}\.ts)$")
_AD_PATH = re.compile(r"^/ad/(\d+)\.ts$")


def every_nth_playlist_request(n: int) -> FailRule:
    """A fault rule failing every ``n``-th playlist request (counting playlist requests only)."""
    seen = {"count": 0}
    lock = threading.Lock()

    def rule(_request_number: int, path: str) -> bool:
        if not path.endswith(".m3u8"):
            return False
        with lock:
            seen["count"] += 1
            return seen["count"] % n == 0

    return rule


def _as_rule(fail_requests: FailRule | Collection[int | str]) -> FailRule:
    """Numbers fail that global request; paths fail the *first* request for that path."""
    if callable(fail_requests):
        return fail_requests
    numbers = {item for item in fail_requests if isinstance(item, int)}
    paths = {item for item in fail_requests if isinstance(item, str)}
    failed_paths: set[str] = set()
    lock = threading.Lock()

    def rule(request_number: int, path: str) -> bool:
        if request_number in numbers:
            return True
        with lock:
            if path in paths and path not in failed_paths:
                failed_paths.add(path)
                return True
        return False

    return rule


class LiveHlsServer:
    """A threaded HTTP server publishing a broadcast directory as a live HLS stream."""

    def __init__(
        self,
        broadcast_dir: Path,
        speed: float = 1.0,
        window_segments: int = 6,
        host: str = "127.0.0.1",
        port: int = 0,
        end_with_endlist: bool = True,
        ad_breaks: Iterable[tuple[int, int]] = (),
        fail_requests: FailRule | Collection[int | str] = (),
        preloaded_segments: int = 0,
        clock: Callable[[], float] = time.monotonic,
        live_from_first_request: bool = False,
    ) -> None:
        self.directory = Path(broadcast_dir)
        self.segments = read_vod_playlist(self.directory / PLAYLIST_NAME)
        self.speed = speed
        self.window_segments = window_segments
        self.end_with_endlist = end_with_endlist
        self.preloaded_segments = preloaded_segments
        self._clock = clock
        """Seconds, for the live timeline; a test may pass its own to step the stream instead of waiting."""
        self.live_from_first_request = live_from_first_request
        """Start the live timeline at the first playlist request, not at ``start()``: a client that takes
        long to start (a loaded machine) still joins at the beginning, as tests that count segments need."""
        self.ad_breaks = sorted(ad_breaks)
        self.ad_indices = {first + k for first, count in self.ad_breaks for k in range(count)}
        self._fail = _as_rule(fail_requests)
        self._lock = threading.Lock()
        self._request_count = 0
        self.request_log: list[tuple[int, str, int]] = []
        """(request number, path, HTTP status) for every request answered."""
        self._ad_slate: bytes | None = None
        if self.ad_indices:
            stream = json.loads((self.directory / "truth.json").read_text())["stream"]
            slate = ensure_ad_slate(self.directory, stream["width"], stream["height"], stream["fps"])
            self._ad_slate = slate.read_bytes()
        self._started_at: float | None = None
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def playlist_url(self) -> str:
        return self.base_url + PLAYLIST_NAME

    @property
    def live_since(self) -> float | None:
        """When the live timeline began, on ``clock``; None while it waits for its first playlist request."""
        return self._started_at

    def start(self) -> LiveHlsServer:
        if not self.live_from_first_request:
            self._started_at = self._clock()
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="live-hls", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> LiveHlsServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- the live timeline -----------------------------------------------------------------

    def published_count(self) -> int:
        """How many segments exist on the live edge right now."""
        if self._started_at is None:
            return 0
        stream_s = (self._clock() - self._started_at) * self.speed
        live = math.floor(stream_s / SEGMENT_DURATION_S + 1e-9)
        return min(len(self.segments), self.preloaded_segments + live)

    def _entry(self, index: int) -> PlaylistSegment:
        live = self.segments[index]
        if index not in self.ad_indices:
            after_break = index > 0 and index - 1 in self.ad_indices
            return PlaylistSegment(live.uri, live.program_date_time, live.duration_s, discontinuity=after_break)
        starts_break = index - 1 not in self.ad_indices
        return PlaylistSegment(
            f"ad/{index}.ts",
            live.program_date_time,
            float(SEGMENT_DURATION_S),
            title=f"Amazon|{AD_ID_BASE + index}",
            discontinuity=starts_break,
        )

    def _daterange(self, index: int) -> str:
        first = max(start for start, _ in self.ad_breaks if start <= index)
        count = next(n for start, n in self.ad_breaks if start == first)
        duration_s = count * SEGMENT_DURATION_S
        start = self.segments[first].program_date_time
        return (
            f'#EXT-X-DATERANGE:ID="stitched-ad-{iso_utc(start)}-{duration_s}",CLASS="twitch-stitched-ad",'
            f'START-DATE="{iso_utc(start)}",DURATION={duration_s:.3f},X-TV-TWITCH-AD-ROLL-TYPE="MIDROLL",'
            f'X-TV-TWITCH-AD-POD-LENGTH="{count}",X-TV-TWITCH-AD-POD-POSITION="0"'
        )

    def playlist_text(self) -> str:
        """The live playlist as a client polling now would see it."""
        published = self.published_count()
        first = max(0, published - self.window_segments)
        entries = [self._entry(i) for i in range(first, published)]
        for offset, entry in enumerate(entries):
            index = first + offset
            if index in self.ad_indices and (offset == 0 or index - 1 not in self.ad_indices):
                entries[offset] = replace(entry, daterange=self._daterange(index))
        discontinuities_before = sum(1 for i in range(first) if self._entry(i).discontinuity)
        ended = self.end_with_endlist and published == len(self.segments)
        return render_media_playlist(entries, first, ended=ended, discontinuity_sequence=discontinuities_before)

    def stream_time_to_wall(self, stream_time_s: float) -> timedelta:
        """How long after start the segment containing ``stream_time_s`` goes live."""
        index = int(stream_time_s // SEGMENT_DURATION_S)
        return timedelta(seconds=max(0, index + 1 - self.preloaded_segments) * SEGMENT_DURATION_S / self.speed)

    # -- HTTP ------------------------------------------------------------------------------

    def _respond(self, path: str) -> tuple[int, str, bytes]:
        with self._lock:
            self._request_count += 1
            number = self._request_count
            if self._started_at is None and path.endswith(".m3u8"):
                self._started_at = self._clock()
        if self._fail(number, path):
            status, content_type, body = 503, "text/plain", b"Service Unavailable (injected)\n"
        else:
            status, content_type, body = self._content(path)
        with self._lock:
            self.request_log.append((number, path, status))
        return status, content_type, body

    def _content(self, path: str) -> tuple[int, str, bytes]:
        published = self.published_count()
        if path == "/" + PLAYLIST_NAME:
            return 200, PLAYLIST_TYPE, self.playlist_text().encode()
        if match := _SEGMENT_PATH.match(path):
            index = int(match.group(1)[4:9])
            if index < published and index not in self.ad_indices:
                return 200, SEGMENT_TYPE, (self.directory / match.group(1)).read_bytes()
        if (match := _AD_PATH.match(path)) and self._ad_slate is not None:
            index = int(match.group(1))
            if index < published and index in self.ad_indices:
                return 200, SEGMENT_TYPE, self._ad_slate
        return 404, "text/plain", b"Not Found\n"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                status, content_type, body = server._respond(path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                cache = "no-cache" if content_type == PLAYLIST_TYPE else "max-age=60"
                self.send_header("Cache-Control", cache)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Silenced: tests and benchmarks poll many times a second."""

        return Handler
