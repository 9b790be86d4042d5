"""What the hook tests share: highlight and SNS events, moto resources, fake Streamable and webhook servers.

The servers listen on 127.0.0.1 (port 0) only and answer from a script the
test sets, recording every request, so a test can say "503 once, then 200"
and check exactly what the hook sent.

Example:
    >>> with FakeStreamable(import_statuses=[503]) as api:
    ...     link = upload_highlight(highlight, credentials, api.url, fast_http(), s3)
    ...     assert len(api.requests_to("/import")) == 2
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from contracts import (
    ALERT_EVENT_TYPE,
    GoalAlert,
    GoalEvent,
    HighlightEvent,
    Score,
    StoredMedia,
    Teams,
    goal_id,
    highlight_title,
)
from hooks.shared import HttpClient, clear_secret_cache, forget_guarded_deliveries
from lambda_runtime import forget_aws_clients
from tests.functional.fake_aws import REGION, use_fake_aws_environment

BUCKET = "highlight-bot-highlights"
CLIP_KEY = "highlights/sample/g-test.mp4"
THUMBNAIL_KEY = "highlights/sample/g-test.jpg"
CLIP_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64  # not a real MP4; the hook never decodes it
THUMBNAIL_BYTES = b"\xff\xd8\xff\xe0 a JPEG, as far as anyone here checks"
AT = datetime(2026, 11, 25, 20, 22, 10, 500000, tzinfo=UTC)
TITLE = "LIV 1-0 MCI (23')"
TOPIC_ARN = f"arn:aws:sns:{REGION}:123456789012:highlight-bot-highlights"
IDEMPOTENCY_TABLE = "highlight-bot-idempotency"


# ---------------------------------------------------------------- events


def a_goal(**changes: Any) -> GoalEvent:
    teams, score = Teams(home="LIV", away="MCI"), Score(home=1, away=0)
    fields: dict[str, Any] = {
        "id": goal_id("sample", teams, score, AT),
        "channel": "sample",
        "at": AT,
        "stream_time": 1330.5,
        "score": score,
        "previous_score": Score(home=0, away=0),
        "teams": teams,
        "clock": "22:10",
        "side": "home",
    }
    fields.update(changes)
    return GoalEvent.model_validate(fields)


def a_highlight(
    *,
    clip_url: str = "https://example.invalid/clip.mp4?X-Amz-Signature=secret-signature",
    thumbnail_url: str = "https://example.invalid/thumb.jpg?X-Amz-Signature=thumb-signature",
    **changes: Any,
) -> HighlightEvent:
    goal = changes.pop("goal", a_goal())
    fields: dict[str, Any] = {
        "id": goal.id,
        "channel": goal.channel,
        "title": highlight_title(goal),
        "goal": goal,
        "clip": StoredMedia(
            bucket=BUCKET,
            key=CLIP_KEY,
            url=clip_url,
            url_expires_at=AT + timedelta(days=7),
            content_type="video/mp4",
            size_bytes=len(CLIP_BYTES),
        ),
        "thumbnail": StoredMedia(
            bucket=BUCKET,
            key=THUMBNAIL_KEY,
            url=thumbnail_url,
            url_expires_at=AT + timedelta(days=7),
            content_type="image/jpeg",
            size_bytes=len(THUMBNAIL_BYTES),
        ),
        "clip_start": goal.at - timedelta(seconds=20),
        "clip_end": goal.at + timedelta(seconds=5),
        "duration_s": 25.0,
    }
    fields.update(changes)
    return HighlightEvent.model_validate(fields)


def sns_event(*messages: HighlightEvent | GoalAlert | str, channel: str = "sample") -> dict[str, Any]:
    """The event SNS hands a subscribed Lambda, one record per message, as AWS documents it."""
    records = []
    for number, message in enumerate(messages):
        body = message if isinstance(message, str) else message.to_json()
        event_type = ALERT_EVENT_TYPE if isinstance(message, GoalAlert) else "highlight"
        records.append(
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"95df01b4-ee98-5cb9-9903-4c221d41eb{number:02d}",
                    "TopicArn": TOPIC_ARN,
                    "Subject": None,
                    "Message": body,
                    "Timestamp": "2026-11-25T20:22:41.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
                    "UnsubscribeUrl": f"https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC_ARN}",
                    "MessageAttributes": {
                        "channel": {"Type": "String", "Value": channel},
                        "event_type": {"Type": "String", "Value": event_type},
                    },
                },
            }
        )
    return {"Records": records}


class FakeLambdaContext(LambdaContext):
    """The Lambda context of one invocation, with what Powertools' Logger reads from it."""

    _function_name = "highlight-bot-hook"
    _function_version = "$LATEST"
    _memory_limit_in_mb = 256
    _invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:highlight-bot-hook"
    _aws_request_id = "52fdfc07-2182-154f-163f-5f0f9a621d72"


# ---------------------------------------------------------------- AWS (moto)


@contextmanager
def emulated_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto for every AWS call, with fake credentials and the hooks' cached clients and secrets reset."""
    use_fake_aws_environment(monkeypatch)
    # The fake servers listen on 127.0.0.1 over plain http, which only this flag allows.
    monkeypatch.setenv("HOOKS_ALLOW_LOOPBACK_HTTP", "1")
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY_TABLE)
    forget_aws_clients()
    clear_secret_cache()
    forget_guarded_deliveries()
    try:
        with mock_aws():
            create_idempotency_table()
            yield
    finally:
        forget_aws_clients()
        clear_secret_cache()
        forget_guarded_deliveries()


def create_idempotency_table() -> None:
    """The table hooks record delivered highlights in (the stack's idempotency table: key ``id``)."""
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=IDEMPOTENCY_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def create_secret(name: str, value: dict[str, Any] | str) -> str:
    """A Secrets Manager secret holding `value` (JSON-encoded unless a string); returns its ARN."""
    secret_string = value if isinstance(value, str) else json.dumps(value)
    client = boto3.client("secretsmanager", region_name=REGION)
    return str(client.create_secret(Name=name, SecretString=secret_string)["ARN"])


def stage_highlight() -> HighlightEvent:
    """Clip and thumbnail in the highlights bucket, and their event with presigned links, as the clip Lambda makes."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=CLIP_KEY, Body=CLIP_BYTES, ContentType="video/mp4")
    s3.put_object(Bucket=BUCKET, Key=THUMBNAIL_KEY, Body=THUMBNAIL_BYTES, ContentType="image/jpeg")

    def presigned(key: str) -> str:
        return str(s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=3600))

    return a_highlight(clip_url=presigned(CLIP_KEY), thumbnail_url=presigned(THUMBNAIL_KEY))


def fast_http(sleeps: list[float] | None = None) -> HttpClient:
    """The hooks' HTTP client, remembering its pauses instead of taking them, never via a proxy."""
    session = requests.Session()
    session.trust_env = False  # 127.0.0.1 must not go through a proxy from the environment
    recorded = sleeps if sleeps is not None else []
    return HttpClient(session, sleep=recorded.append)


# ---------------------------------------------------------------- loopback servers


@dataclass
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def basic_auth(self) -> tuple[str, str] | None:
        scheme, _, encoded = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        username, _, password = base64.b64decode(encoded).decode().partition(":")
        return username, password

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, tuple[str | None, bytes]]:
        """multipart/form-data fields as name → (filename, bytes)."""
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        fields = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
        return fields


@dataclass
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    held_until: threading.Event | None = None
    """When set, the server says nothing until the test sets it (a service that received but hangs)."""


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 whose `answer()` the subclass writes; records every request."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                received = ReceivedRequest(
                    self.command, parts.path, parse_qs(parts.query), self.headers, self.rfile.read(length)
                )
                with server._lock:
                    server.requests.append(received)
                    answer = server.answer(received)
                if answer.held_until is not None:
                    answer.held_until.wait(timeout=30)
                body = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up first (a hook's timeout against a held answer): nobody to answer, and the
                    # server thread's traceback was only noise in the test run's output.
                    pass

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )  # a short poll interval makes shutdown at the end of each test quick

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, request: ReceivedRequest) -> Answer:
        raise NotImplementedError

    def requests_to(self, path: str) -> list[ReceivedRequest]:
        return [request for request in self.requests if request.path == path]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class FakeStreamable(LoopbackServer):
    """Streamable's historic API: Basic auth, /import, multipart /upload, /videos/<shortcode>.

    `import_statuses` / `upload_statuses` are answered in order before the
    endpoint succeeds (e.g. [503] = one server error, then success; [400, 400, …]
    enough times = refused for good); `video_statuses` are the processing states
    (0 uploading, 1 processing, 2 ready, 3 error) the status endpoint walks through.
    """

    def __init__(
        self,
        *,
        username: str = "bot@example.com",
        password: str = "correct horse",
        import_statuses: list[int] | None = None,
        upload_statuses: list[int] | None = None,
        video_statuses: list[int] | None = None,
    ) -> None:
        super().__init__()
        self.credentials = (username, password)
        self.import_statuses = list(import_statuses or [])
        self.upload_statuses = list(upload_statuses or [])
        self.video_statuses = list(video_statuses or [2])

    def answer(self, request: ReceivedRequest) -> Answer:
        if request.basic_auth() != self.credentials:
            return Answer(401, {"error": "invalid credentials"})
        if request.method == "GET" and request.path == "/import":
            return self._scripted(self.import_statuses) or Answer(200, {"shortcode": "imp0rt", "status": 1})
        if request.method == "POST" and request.path == "/upload":
            return self._scripted(self.upload_statuses) or Answer(200, {"shortcode": "upl0ad", "status": 1})
        if request.method == "GET" and request.path.startswith("/videos/"):
            status = self.video_statuses.pop(0) if len(self.video_statuses) > 1 else self.video_statuses[0]
            return Answer(200, {"status": status, "url": f"streamable.com{request.path.removeprefix('/videos')}"})
        return Answer(404, {"error": "not found"})

    @staticmethod
    def _scripted(statuses: list[int]) -> Answer | None:
        if not statuses:
            return None
        status = statuses.pop(0)
        return Answer(status, {"error": f"scripted {status}"})


class WebhookReceiver(LoopbackServer):
    """A chat webhook: answers `answers` in order, then 204 like Discord."""

    def __init__(self, answers: list[Answer] | None = None) -> None:
        super().__init__()
        self.answers = list(answers or [])

    def answer(self, request: ReceivedRequest) -> Answer:
        return self.answers.pop(0) if self.answers else Answer(204)


CLIENT_ID, TOKEN = "fake-client-id", "fake-user-token"
"""What the fake Helix accepts as the Twitch-chat hook's ``Client-Id`` and Bearer token."""
USERS = {"sample": "141981764", "highlightbot": "12826"}
"""login → id; the token belongs to highlightbot."""


class FakeHelix(LoopbackServer):
    """Helix's Get Users and Send Chat Message, checking Client-Id and the Bearer token like Twitch.

    `scripted` answers Send Chat Message and `scripted_users` Get Users, in order, before the fake's own
    answers; `users` (login → id, default `USERS`) are the accounts Get Users knows.
    """

    def __init__(
        self,
        scripted: list[Answer] | None = None,
        *,
        drop: dict[str, str] | None = None,
        users: dict[str, str] | None = None,
        scripted_users: list[Answer] | None = None,
    ) -> None:
        super().__init__()
        self.scripted = list(scripted or [])
        self.scripted_users = list(scripted_users or [])
        self.users = USERS if users is None else users
        self.drop = drop
        self.chat: list[dict[str, Any]] = []

    def answer(self, request: ReceivedRequest) -> Answer:
        if request.headers.get("Client-Id") != CLIENT_ID or request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Answer(401, {"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"})
        if self.scripted and request.path == "/helix/chat/messages":
            return self.scripted.pop(0)
        if self.scripted_users and request.path == "/helix/users":
            return self.scripted_users.pop(0)
        if request.method == "GET" and request.path == "/helix/users":
            logins = request.query.get("login", ["highlightbot"])
            known = [login for login in logins if login in self.users]
            return Answer(200, {"data": [{"id": self.users[login], "login": login} for login in known]})
        if request.method == "POST" and request.path == "/helix/chat/messages":
            body = request.json()
            if self.drop:
                return Answer(200, {"data": [{"message_id": "", "is_sent": False, "drop_reason": self.drop}]})
            self.chat.append(body)
            return Answer(200, {"data": [{"message_id": f"m-{len(self.chat)}", "is_sent": True, "drop_reason": None}]})
        return Answer(404, {"error": "Not Found", "status": 404, "message": ""})
