"""The hooks' HTTP retry rules, on a scripted session: what is retried, how long it waits, what it says."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from hooks.shared import (
    HttpClient,
    HttpOutcomeUnknownError,
    HttpRejectedError,
    HttpRequestInvalidError,
    HttpUnavailableError,
)

SECRET_URL = "https://discord.com/api/webhooks/1/s3cr3t-t0ken"


def response(status: int, body: str = "", headers: dict[str, str] | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = body.encode()
    answer.headers.update(headers or {})
    return answer


class ScriptedSession(requests.Session):
    """Answers (or raises) from a script and records what each attempt sent."""

    def __init__(self, *script: requests.Response | Exception) -> None:
        super().__init__()
        self.script = list(script)
        self.sent: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        files = kwargs.get("files") or {}
        self.sent.append({name: part[1].read() for name, part in files.items()})
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens: the connection was never made, the request never sent."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, SECRET_URL, reason))  # type: ignore[arg-type]


def dropped_after_sending() -> requests.ConnectionError:
    reason = ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    return requests.ConnectionError(MaxRetryError(None, SECRET_URL, reason))  # type: ignore[arg-type]


def client(session: ScriptedSession, sleeps: list[float]) -> HttpClient:
    return HttpClient(session, sleep=sleeps.append)


def test_a_2xx_answer_is_returned_without_waiting() -> None:
    sleeps: list[float] = []
    assert client(ScriptedSession(response(204)), sleeps).request("POST", SECRET_URL, what="w").status_code == 204
    assert sleeps == []


def test_connection_errors_and_timeouts_are_retried_with_exponential_backoff() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(
        refused(),
        requests.ReadTimeout("read timed out"),
        response(502),
        response(200),
    )
    assert client(session, sleeps).request("GET", SECRET_URL, what="w").status_code == 200
    assert sleeps == [0.5, 1.0, 2.0]


def test_after_the_last_attempt_the_error_names_the_host_but_never_the_url() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(*[refused()] * 4)
    with pytest.raises(HttpUnavailableError) as failure:
        client(session, sleeps).request("POST", SECRET_URL, what="Webhook POST to discord.com")
    message = str(failure.value)
    assert message.startswith(
        "Webhook POST to discord.com failed 4 times, last with ConnectionError talking to discord.com"
    )
    assert "s3cr3t" not in message
    assert failure.value.__cause__ is None and failure.value.__context__ is None  # no chained URL either


def test_a_4xx_is_not_retried_and_carries_status_and_body() -> None:
    sleeps: list[float] = []
    with pytest.raises(HttpRejectedError) as failure:
        client(ScriptedSession(response(404, '{"message": "Unknown Webhook"}')), sleeps).request(
            "POST", SECRET_URL, what="Webhook POST"
        )
    assert (failure.value.status, failure.value.detail) == (404, '{"message": "Unknown Webhook"}')
    assert str(failure.value) == 'Webhook POST was refused with HTTP 404: {"message": "Unknown Webhook"}'
    assert sleeps == []


def test_a_presigned_link_echoed_in_an_error_reply_loses_its_signature() -> None:
    body = '{"error": "cannot fetch https://b.s3.amazonaws.com/k.mp4?X-Amz-Credential=AKIA%2Fx&X-Amz-Signature=abc123"}'
    with pytest.raises(HttpRejectedError) as failure:
        client(ScriptedSession(response(400, body)), []).request("GET", SECRET_URL, what="import")
    assert "X-Amz-Credential=…&X-Amz-Signature=…" in failure.value.detail
    assert "abc123" not in str(failure.value) and "AKIA" not in str(failure.value)


@pytest.mark.parametrize(
    ("retry_after", "expected_wait_s"),
    [
        ("2", 2.0),
        ("0.25", 0.25),
        ("3600", 20.0),  # capped: a hook has about a minute
        ("soon", 0.5),  # unreadable: the usual backoff
    ],
)
def test_429_waits_what_retry_after_asks_up_to_a_cap(retry_after: str, expected_wait_s: float) -> None:
    sleeps: list[float] = []
    session = ScriptedSession(response(429, headers={"Retry-After": retry_after}), response(200))
    client(session, sleeps).request("POST", SECRET_URL, what="w")
    assert sleeps == [expected_wait_s]


def test_retry_after_may_be_an_http_date() -> None:
    sleeps: list[float] = []
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    session = ScriptedSession(response(503, headers={"Retry-After": later}), response(200))
    client(session, sleeps).request("POST", SECRET_URL, what="w")
    assert 8.0 < sleeps[0] <= 10.0


def test_multipart_files_are_sent_whole_on_every_attempt() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(response(500), response(200))
    clip = io.BytesIO(b"clip bytes")
    client(session, sleeps).request("POST", SECRET_URL, what="upload", files={"file": ("c.mp4", clip, "video/mp4")})
    assert session.sent == [{"file": b"clip bytes"}, {"file": b"clip bytes"}]


@pytest.mark.parametrize(
    "failure", [requests.ReadTimeout("read timed out"), dropped_after_sending()], ids=["read timeout", "dropped"]
)
def test_a_post_that_may_have_arrived_is_never_sent_again(failure: Exception) -> None:
    sleeps: list[float] = []
    session = ScriptedSession(failure, response(200))
    with pytest.raises(HttpOutcomeUnknownError) as unknown:
        client(session, sleeps).request("POST", SECRET_URL, what="Webhook POST to discord.com")
    assert len(session.sent) == 1 and sleeps == []
    assert "may or may not have arrived" in str(unknown.value) and "s3cr3t" not in str(unknown.value)
    assert unknown.value.__cause__ is None and unknown.value.__context__ is None


def test_a_get_with_side_effects_can_refuse_to_be_resent() -> None:
    session = ScriptedSession(requests.ReadTimeout("read timed out"), response(200))
    with pytest.raises(HttpOutcomeUnknownError):
        client(session, []).request("GET", SECRET_URL, what="import", resend_after_timeout=False)
    assert len(session.sent) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://discord.com:99999/api/webhooks/1/s3cr3t-t0ken",
        "http://[::1/api/webhooks/1/s3cr3t-t0ken",
        "https:///api/webhooks/1/s3cr3t-t0ken",
        "discord.com/api/webhooks/1/s3cr3t-t0ken",
    ],
)
def test_a_malformed_url_fails_without_echoing_it(url: str) -> None:
    with pytest.raises((HttpRequestInvalidError, HttpUnavailableError)) as failure:
        HttpClient(sleep=lambda _: None, attempts=1).request("POST", url, what="Webhook POST", json={})
    assert "s3cr3t" not in str(failure.value)
    assert failure.value.__cause__ is None and failure.value.__context__ is None
