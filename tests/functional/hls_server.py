"""A scripted HLS server on 127.0.0.1 and a sleep recorder, shared by the playlist follower tests.

The server answers each path from a script: a list of replies served in order, the last one
repeating. It honours ``Range`` headers (206 with the slice) unless a reply says otherwise, and
remembers the Range header each path was last asked for. Given an ``ssl.SSLContext`` it speaks
HTTPS, and its URLs name ``host`` (a test's fake resolver maps that name to this server).
"""

from __future__ import annotations

import re
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_RANGE_RE = re.compile(r"^bytes=(\d+)-(\d+)$")


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    delay_s: float = 0.0
    drop: bool = False  # close the connection without answering
    honour_range: bool = True  # False: answer 200 with the whole body, as some servers do
    headers: tuple[tuple[str, str], ...] = ()  # e.g. (("Location", url),) with status 302


class ScriptedHLSServer:
    """A tiny HTTP server whose answers per path follow a script."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, host: str | None = None) -> None:
        self._scheme = "https" if tls is not None else "http"
        self._host = host
        self._scripts: dict[str, list[Reply]] = {}
        self._hits: dict[str, int] = {}
        self._ranges: dict[str, str | None] = {}
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
                status, body = reply.status, reply.body
                requested = self.headers.get("Range")
                server._remember_range(urlsplit(self.path).path, requested)
                match = _RANGE_RE.match(requested or "")
                if match and reply.honour_range and status == 200:
                    first, last = int(match.group(1)), int(match.group(2))
                    status, body = 206, body[first : last + 1]
                self.send_response(status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
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
        return f"{self._scheme}://{self._host or host!s}:{port}{path}"

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def script(self, path: str, *replies: Reply | str) -> None:
        with self._lock:
            self._scripts[path] = [Reply(body=r.encode()) if isinstance(r, str) else r for r in replies]

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits.get(path, 0)

    def range_asked(self, path: str) -> str | None:
        """The Range header of the last request for ``path`` (None: the whole resource was asked for)."""
        with self._lock:
            return self._ranges.get(path)

    def _remember_range(self, path: str, requested: str | None) -> None:
        with self._lock:
            self._ranges[path] = requested

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            script = self._scripts.get(path)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
        if path.endswith((".ts", ".mp4")):
            return Reply(body=f"media {path}".encode())
        return Reply(status=404)


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
