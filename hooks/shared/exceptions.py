"""Errors a hook raises; each message is a sentence saying what went wrong and what to do next.

A hook runs as an asynchronous Lambda invocation: raising is how it reports a
failure, so Lambda retries it and then hands the event to the hook's on-failure
destination. The messages never hold secrets or presigned links.
"""

from __future__ import annotations


class HookError(Exception):
    """Base of every error a hook raises on purpose."""


class HookConfigError(HookError):
    """The hook's environment or secret is missing or has the wrong shape."""


class SecretNotJsonError(HookConfigError):
    """The secret holds no JSON: still the placeholder the stack generated, so nobody has configured the hook."""


class HttpRejectedError(HookError):
    """A service answered 4xx: retrying the same request cannot help."""

    def __init__(self, what: str, status: int, detail: str) -> None:
        self.what = what
        self.status = status
        self.detail = detail
        super().__init__(f"{what} was refused with HTTP {status}: {detail or '(empty body)'}")


class HttpUnavailableError(HookError):
    """A service kept failing (5xx, 429, timeouts, connection errors) through every retry."""

    def __init__(self, what: str, attempts: int, last_problem: str) -> None:
        self.what = what
        self.attempts = attempts
        self.last_problem = last_problem
        super().__init__(
            f"{what} failed {attempts} times, last with {last_problem}; "
            "Lambda retries the event later and then sends it to the hook's on-failure destination."
        )


class HttpOutcomeUnknownError(HookError):
    """The request may have reached the service (a read timeout, a connection dropped after sending).

    Sending it again could post the highlight twice, so it is not retried; the hook decides what to record.
    """

    def __init__(self, what: str, problem: str) -> None:
        self.what = what
        self.problem = problem
        super().__init__(
            f"{what} got no answer ({problem}); it may or may not have arrived, and it is not sent again, "
            "so that nobody sees the highlight twice."
        )


class HttpRequestInvalidError(HookError):
    """The request could not even be sent (a malformed URL): a configuration error, not a service one."""

    def __init__(self, what: str, problem: str) -> None:
        self.what = what
        super().__init__(
            f"{what} could not be sent ({problem}); check the URL stored in the hook's secret "
            "(it is not shown here because it holds the hook's token)."
        )
