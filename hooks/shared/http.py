"""HTTP for hooks: bounded retries with backoff on what can pass, a clear error on what cannot.

5xx, 408, 429 and failures to connect are retried with exponential backoff
(429/503 wait what `Retry-After` asks, up to a cap); any other 4xx raises
`HttpRejectedError` at once, since sending the same request again cannot help.

A request that may have reached the server (a read timeout, a connection
dropped after sending) is sent again only when resending is harmless (GET and
HEAD, unless the caller says `resend_after_timeout=False`): a re-POSTed
webhook is a second chat message. Otherwise it raises `HttpOutcomeUnknownError`
at once, and the hook decides (it records the highlight as handled rather than
post it twice).

Errors and logs name the request by `what` and the host, never the full URL:
webhook URLs hold their token in the path and presigned links are bearer
links. That includes a malformed URL, which `requests` would echo.

Example:
    >>> http = HttpClient(sleep=lambda s: None)          # tests: no real waiting
    >>> http.request("POST", url, what="webhook POST to discord.com", json=message)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from hooks.shared.exceptions import (
    HttpOutcomeUnknownError,
    HttpRejectedError,
    HttpRequestInvalidError,
    HttpUnavailableError,
)

ATTEMPTS = 4
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
MAX_RETRY_AFTER_S = 20.0
"""A hook has about a minute; a longer Retry-After is cut to this and the next failure goes to Lambda's retry."""
TIMEOUT_S = (5.0, 20.0)
"""(connect, read) seconds per attempt."""
DETAIL_CHARS = 300

_RETRYABLE_STATUSES = frozenset({408, 429})
_SAFE_TO_RESEND = frozenset({"GET", "HEAD"})
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.:-]{1,253}")
_SIGNATURE_PARAMS = re.compile(r"(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s\"']+", re.IGNORECASE)


def host_of(url: str) -> str:
    """`discord.com` for a webhook URL: what logs and errors may show of it (never more, even when malformed)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return "(a malformed URL)"
    return host if host and _PLAIN_HOST.fullmatch(host) else "(no host)"


class HttpClient:
    """A `requests.Session` with the hooks' retry rules; `sleep` is injectable so tests run at full speed."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        attempts: int = ATTEMPTS,
        first_backoff_s: float = FIRST_BACKOFF_S,
        timeout_s: float | tuple[float, float] = TIMEOUT_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session or requests.Session()
        self.attempts = attempts
        self.first_backoff_s = first_backoff_s
        self.timeout_s = timeout_s
        self.sleep = sleep

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        attempts: int | None = None,
        resend_after_timeout: bool | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send until a 2xx/3xx answer (returned), a 4xx (HttpRejectedError) or the attempts run out.

        ``resend_after_timeout`` (default: only for GET and HEAD) allows another attempt after the
        request may have been received; without it such a failure raises HttpOutcomeUnknownError.
        """
        kwargs.setdefault("timeout", self.timeout_s)
        attempts = attempts or self.attempts
        resend = method.upper() in _SAFE_TO_RESEND if resend_after_timeout is None else resend_after_timeout
        last_problem = "no attempt"
        for attempt in range(1, attempts + 1):
            _rewind_files(kwargs.get("files"))
            wait_s = min(self.first_backoff_s * 2 ** (attempt - 1), MAX_BACKOFF_S)
            stop: HttpRequestInvalidError | HttpOutcomeUnknownError | None = None
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.RequestException as error:
                # The exception text repeats the URL (token, signature): show its kind and the host only,
                # and raise outside this block, so no traceback chains the original either.
                last_problem = f"{type(error).__name__} talking to {host_of(url)}"
                if not isinstance(error, requests.Timeout | requests.ConnectionError):
                    stop = HttpRequestInvalidError(what, last_problem)
                elif not _never_sent(error) and not resend:
                    stop = HttpOutcomeUnknownError(what, last_problem)
            else:
                if response.status_code < 400:
                    return response
                detail = _detail(response)
                if response.status_code < 500 and response.status_code not in _RETRYABLE_STATUSES:
                    raise HttpRejectedError(what, response.status_code, detail)
                last_problem = f"HTTP {response.status_code} ({detail})" if detail else f"HTTP {response.status_code}"
                wait_s = _retry_after_s(response) or wait_s
            if stop is not None:
                raise stop
            if attempt < attempts:
                self.sleep(min(wait_s, MAX_RETRY_AFTER_S))
        raise HttpUnavailableError(what, attempts, last_problem)


def _never_sent(error: requests.RequestException) -> bool:
    """True when the connection was never made, so the server cannot have seen the request."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    cause = error.args[0] if error.args else None
    return isinstance(getattr(cause, "reason", cause), NewConnectionError | ConnectTimeoutError)


def _rewind_files(files: Any) -> None:
    """Multipart files are read while a request is sent: rewind them so every attempt sends them whole.

    The first attempt too: a file the caller has just written is positioned at its end.
    """
    if not isinstance(files, dict):
        return
    for part in files.values():
        fileobj = part[1] if isinstance(part, tuple) else part
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)


def _detail(response: requests.Response) -> str:
    """The start of the reply, for errors and logs, with any echoed presigned-link signature blanked."""
    text = _SIGNATURE_PARAMS.sub(r"\1…", " ".join(response.text.split()))
    return text[:DETAIL_CHARS] + ("…" if len(text) > DETAIL_CHARS else "")


def _retry_after_s(response: requests.Response) -> float | None:
    """Seconds from a `Retry-After` header (seconds or an HTTP date), None when absent or unreadable."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None
