"""A stand-in chat server on 127.0.0.1 that the real webhook hook posts to.

It speaks Discord's webhook contract as the hook uses it: ``POST`` JSON or
multipart (``payload_json`` + ``files[0]``), answering the created message with
its id under ``?wait=true`` (else 204 No Content), and ``PATCH
…/messages/{id}`` to edit one. It keeps each message with its history, so the
local run shows the hook's result and tests can check that each goal got one
message: the alert, then the same message edited with its clip.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

WEBHOOK_PATH = "/api/webhooks/local/highlight-bot"
EDIT_PREFIX = f"{WEBHOOK_PATH}/messages/"


@dataclass
class ChatMessage:
    """One message in the chat: what it shows now, each version it showed, the files it carries."""

    id: str
    versions: list[dict[str, Any]] = field(default_factory=list)
    """Every body it was posted or edited with, oldest first (files left out)."""
    received_at: list[float] = field(default_factory=list)
    """Wall time of each version."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Attached file name → bytes (the last edit's)."""

    @property
    def body(self) -> dict[str, Any]:
        return self.versions[-1]

    @property
    def edits(self) -> int:
        return len(self.versions) - 1


class ChatReceiver:
    """Collects webhook posts and edits; use as a context manager."""

    def __init__(self) -> None:
        self.chat: dict[str, ChatMessage] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        receiver = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                body, files = _read_message(self)
                if parts.path != WEBHOOK_PATH:
                    self._answer(404, {"message": "Unknown Webhook", "code": 10015})
                    return
                message = receiver._store(None, body, files)
                if parse_qs(parts.query).get("wait") == ["true"]:
                    self._answer(200, {"id": message.id, **body})
                else:
                    self._answer(204, None)

            def do_PATCH(self) -> None:
                parts = urlsplit(self.path)
                body, files = _read_message(self)
                message_id = parts.path.removeprefix(EDIT_PREFIX)
                if not parts.path.startswith(EDIT_PREFIX) or message_id not in receiver.chat:
                    self._answer(404, {"message": "Unknown Message", "code": 10008})
                    return
                receiver._store(message_id, body, files)
                self._answer(200, {"id": message_id, **body})

            def _answer(self, status: int, body: dict[str, Any] | None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="chat", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{WEBHOOK_PATH}"

    @property
    def messages(self) -> list[dict[str, Any]]:
        """What each message in the chat shows now, in the order they were posted."""
        with self._lock:
            return [message.body for message in self.chat.values()]

    def _store(self, message_id: str | None, body: dict[str, Any], files: dict[str, bytes]) -> ChatMessage:
        with self._lock:
            if message_id is None:
                message_id = str(next(self._ids))
                self.chat[message_id] = ChatMessage(message_id)
            message = self.chat[message_id]
            message.versions.append(body)
            message.received_at.append(time.time())
            message.files = files or message.files
            return message

    def __enter__(self) -> ChatReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _read_message(request: BaseHTTPRequestHandler) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The message body (JSON, or multipart's ``payload_json``) and any attached files by name."""
    length = int(request.headers.get("Content-Length", "0"))
    raw = request.rfile.read(length)
    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/form-data"):
        return (json.loads(raw) if raw else {}), {}
    parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    body: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for part in parsed.iter_parts():
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_param("name", header="content-disposition") == "payload_json":
            body = json.loads(data)
        else:
            files[str(part.get_filename())] = data
    return body, files
