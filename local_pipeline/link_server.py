"""The local run's stand-in for the CloudFront distribution: highlight links that last as long as the run.

In the cloud, events link ``HIGHLIGHTS_BASE_URL/{key}`` on a CloudFront
distribution that reads the private bucket through origin access control. Here
a server on 127.0.0.1 does the same over the emulated bucket, so the local run
exercises the same link code (``functions.clip.highlights.store_media``) and
its links open in a browser while the run lasts.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

HIGHLIGHTS_PREFIX = "highlights/"


class LinkServer:
    """Serves ``GET /highlights/…`` from one bucket (read through ``s3``); use as a context manager."""

    def __init__(self, s3: Any, bucket: str) -> None:
        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                key = unquote(urlsplit(self.path).path).lstrip("/")
                try:
                    if not key.startswith(HIGHLIGHTS_PREFIX):
                        raise LookupError(key)
                    stored = s3.get_object(Bucket=bucket, Key=key)
                except (ClientError, LookupError):
                    self.send_response(404)
                    self.end_headers()
                    return
                body = stored["Body"].read()
                self.send_response(200)
                self.send_header("Content-Type", stored.get("ContentType", "application/octet-stream"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="links", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> LinkServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
