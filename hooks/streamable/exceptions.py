"""Why a highlight did not reach Streamable, in sentences that say what to do next."""

from __future__ import annotations

from hooks.shared.exceptions import HookError


class StreamableError(HookError):
    """Streamable did not take the clip; the event goes to Lambda's retries, then the on-failure destination."""


class StreamableCredentialsError(StreamableError):
    """Streamable answered 401/403: the username or password in the secret is wrong. Not retried."""

    def __init__(self, secret_id: str, status: int) -> None:
        self.secret_id = secret_id
        self.status = status
        super().__init__(
            f"Streamable rejected the credentials in secret {secret_id} (HTTP {status}); update it with "
            f"aws secretsmanager put-secret-value --secret-id {secret_id} "
            """--secret-string '{"username": "...", "password": "..."}'"""
        )


class StreamableUploadRefusedError(StreamableError):
    """Streamable refused both the import and the upload of a clip."""
