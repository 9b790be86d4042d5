"""Puts a highlight clip on Streamable and returns its streamable.com link.

Streamable first gets the clip's presigned S3 link to import (no bytes pass
through the Lambda); if it refuses that, the clip is downloaded from S3 to /tmp
and uploaded. Streamable's upload API is documented as read-only today and may
refuse both: that raises a loud `StreamableError`, which fails only this hook.

Example:
    >>> link = upload_highlight(highlight, credentials, "https://api.streamable.com", HttpClient(), s3)
    'https://streamable.com/abc123'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import PurePosixPath
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from contracts import HighlightEvent
from hooks.shared import (
    HttpClient,
    HttpRejectedError,
    HttpUnavailableError,
    get_secret_json,
    parse_secret,
    title_of,
)
from hooks.streamable.exceptions import (
    StreamableCredentialsError,
    StreamableError,
    StreamableUploadRefusedError,
)

logger = Logger(service="streamable-hook", child=True)

SECRET_ENV = "STREAMABLE_SECRET_ARN"
API_URL_ENV = "STREAMABLE_API_URL"
DEFAULT_API_URL = "https://api.streamable.com"
VIDEO_PAGE_URL = "https://streamable.com/{shortcode}"
UPLOAD_TIMEOUT_S = (5.0, 60.0)
"""(connect, read) seconds for the multipart upload, which sends the whole clip."""
STATUS_POLL_WAITS_S = (2.0, 4.0)
"""Pauses between the few looks at a new video's status; the link is returned whatever it says by then."""
S3_CHUNK_BYTES = 1024 * 1024
_AUTH_STATUSES = frozenset({401, 403})
_STATUS_READY = 2
_STATUS_ERROR = 3


class StreamableCredentials(BaseModel):
    """The Streamable account in the hook's secret: `{"username": "...", "password": "..."}`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    username: Annotated[str, Field(min_length=1)]
    password: Annotated[SecretStr, Field(min_length=1)]  # SecretStr: repr and logs show '**********'
    secret_id: str = Field(default="(the Streamable secret)", exclude=True)
    """Where these came from, so an authentication error can say which secret to fix."""

    @classmethod
    def from_secret(cls, env_var: str = SECRET_ENV) -> StreamableCredentials:
        """The credentials in the secret whose ARN is in `env_var`, remembering that ARN for error messages."""
        value = get_secret_json(env_var)
        secret_id = os.environ[env_var]
        return parse_secret(cls, value, secret_id=secret_id).model_copy(update={"secret_id": secret_id})

    def basic_auth(self) -> tuple[str, str]:
        return (self.username, self.password.get_secret_value())


def upload_highlight(
    event: HighlightEvent,
    credentials: StreamableCredentials,
    api_url: str,
    http: HttpClient,
    s3_client: Any,
    *,
    poll_waits_s: tuple[float, ...] = STATUS_POLL_WAITS_S,
) -> str:
    """The streamable.com link of `event`'s clip, imported from its presigned URL or else uploaded."""
    api = api_url.rstrip("/")
    title = title_of(event)
    try:
        shortcode = _import_from_url(event, title, credentials, api, http)
    except HttpRejectedError as refusal:
        logger.warning(
            "Streamable refused to import the clip from its link; uploading the file instead",
            extra={"status": refusal.status, "detail": refusal.detail, "clip_key": event.clip.key},
        )
        shortcode = _upload_file(event, title, credentials, api, http, s3_client)
    _wait_until_processed(shortcode, credentials, api, http, poll_waits_s)
    return VIDEO_PAGE_URL.format(shortcode=shortcode)


def _import_from_url(
    event: HighlightEvent, title: str, credentials: StreamableCredentials, api: str, http: HttpClient
) -> str:
    """Streamable fetches the clip itself from the presigned link; a non-auth 4xx propagates for the fallback."""
    try:
        response = http.request(
            "GET",
            f"{api}/import",
            params={"url": event.clip.url, "title": title},
            auth=credentials.basic_auth(),
            what="Streamable import",
            resend_after_timeout=False,  # a GET, but one that creates a video
        )
    except HttpRejectedError as refusal:
        if refusal.status in _AUTH_STATUSES:
            raise StreamableCredentialsError(credentials.secret_id, refusal.status) from None
        raise
    return _shortcode(response.json() if response.content else None, "import")


def _upload_file(
    event: HighlightEvent,
    title: str,
    credentials: StreamableCredentials,
    api: str,
    http: HttpClient,
    s3_client: Any,
) -> str:
    """The historic upload: multipart field `file` plus `title`, with the clip streamed from S3 to /tmp first."""
    clip = event.clip
    filename = PurePosixPath(clip.key).name or "highlight.mp4"
    with tempfile.NamedTemporaryFile(suffix=f"-{filename}") as clip_file:
        try:
            body = s3_client.get_object(Bucket=clip.bucket, Key=clip.key)["Body"]
            for chunk in body.iter_chunks(chunk_size=S3_CHUNK_BYTES):
                clip_file.write(chunk)
        except (ClientError, BotoCoreError) as error:
            raise StreamableError(
                f"Could not read the clip s3://{clip.bucket}/{clip.key} to upload it to Streamable: {error}. "
                "The hook's role needs read access to the highlights bucket (needs_highlights_bucket_read in "
                "hook.json)."
            ) from error
        clip_file.flush()
        try:
            response = http.request(
                "POST",
                f"{api}/upload",
                files={"file": (filename, clip_file, clip.content_type)},
                data={"title": title},
                auth=credentials.basic_auth(),
                timeout=UPLOAD_TIMEOUT_S,
                what="Streamable upload",
            )
        except HttpRejectedError as refusal:
            if refusal.status in _AUTH_STATUSES:
                raise StreamableCredentialsError(credentials.secret_id, refusal.status) from None
            raise StreamableUploadRefusedError(
                f"Streamable refused both the import and the upload of {title!r} (upload: HTTP {refusal.status}, "
                f"{refusal.detail or 'empty body'}). Its API may no longer accept uploads; the clip stays at "
                f"s3://{clip.bucket}/{clip.key} and the other hooks are not affected."
            ) from None
    return _shortcode(response.json() if response.content else None, "upload")


def _shortcode(reply: object, step: str) -> str:
    shortcode = reply.get("shortcode") if isinstance(reply, dict) else None
    if not isinstance(shortcode, str) or not shortcode:
        raise StreamableError(
            f"Streamable accepted the {step} but its reply has no shortcode, so there is no link to share; "
            "its API may have changed."
        )
    return shortcode


def _wait_until_processed(
    shortcode: str, credentials: StreamableCredentials, api: str, http: HttpClient, waits_s: tuple[float, ...]
) -> None:
    """Look at the video's status a few times; only Streamable's own "error" (3) fails the hook.

    The clip is already on Streamable, so a slow or unreachable status endpoint
    is logged, not raised: raising would make Lambda retry and post it twice.
    """
    for look, wait_s in enumerate((0.0, *waits_s)):
        if look:
            http.sleep(wait_s)
        try:
            reply = http.request(
                "GET", f"{api}/videos/{shortcode}", auth=credentials.basic_auth(), attempts=1, what="Streamable status"
            ).json()
        except (HttpRejectedError, HttpUnavailableError, ValueError) as problem:
            logger.warning(
                "Could not read the new video's status; sharing its link anyway", extra={"problem": str(problem)}
            )
            return
        status = reply.get("status") if isinstance(reply, dict) else None
        if status == _STATUS_READY:
            return
        if status == _STATUS_ERROR:
            raise StreamableError(
                f"Streamable could not process video {shortcode} (status 3, error); Lambda retries the highlight."
            )
    logger.info(
        "Streamable is still processing the video; its link works once it is done", extra={"shortcode": shortcode}
    )
