"""Posts goal alerts and highlights to a Discord- or Slack-compatible incoming webhook.

The webhook URL is itself the credential (its token is in the path), so it
lives in Secrets Manager and only its host is ever logged or put in an error.

Discord (`?wait=true` returns the message, `PATCH …/messages/{id}` edits it):
the alert is posted at once and its id remembered (``posted.PostedMessages``);
the highlight then edits that same message, attaching the MP4 when it fits the
server's upload limit, else linking it. Slack's incoming webhooks return no
message id and take no files: there the highlight is a message of its own, with
the link.

Example:
    >>> post_alert(alert, target, HttpClient(), posted)
    >>> post_highlight(highlight, target, HttpClient(), posted, s3)
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from contracts import GoalAlert, HighlightEvent
from hooks.shared import (
    HttpClient,
    HttpRejectedError,
    get_secret_json,
    host_of,
    parse_secret,
    title_of,
)
from hooks.shared.urls import ALLOW_LOOPBACK_HTTP_ENV, url_problem
from hooks.webhook.exceptions import WebhookRejectedError
from hooks.webhook.messages import MessageFormat, alert_message, alert_text, highlight_message, message_format
from hooks.webhook.posted import PostedMessages

SECRET_ENV = "WEBHOOK_SECRET_ARN"
__all__ = ["ALLOW_LOOPBACK_HTTP_ENV", "WebhookTarget", "post_alert", "post_highlight", "webhook_url_problem"]

DISCORD_ATTACHMENT_LIMIT_MB = 10.0
"""What a Discord server without boosts accepts per file: 10 MB since Discord lowered its free limit from
25 MB (late 2024; FIELD-NOTES "Discord webhooks"; checked Dec 2026 against the CloudPaste Discord storage guide,
https://cloudpaste-docs.pages.dev/en/guide/discord-storage-config, "normal server single file direct upload limit
is 10MB"). Webhooks have lagged the user limit before (discord/discord-api-docs#6058), so a 413 falls back to
the link. Boosted servers take more: the secret's ``attach_up_to_mb`` says so."""
REQUEST_HEADROOM_BYTES = 64 * 1024
"""Room left under the limit for the message's JSON and the multipart framing."""


class WebhookTarget(BaseModel):
    """The hook's secret: `{"url": "https://discord.com/api/webhooks/...", "format": "discord"}` (format optional).

    ``attach_up_to_mb``: the largest clip sent as a file (Discord only; default ``DISCORD_ATTACHMENT_LIMIT_MB``,
    0 = always link; a boosted server may say 50 or 100).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    url: SecretStr
    format: MessageFormat | None = None
    attach_up_to_mb: float | None = Field(default=None, ge=0, le=500)

    @property
    def chosen_format(self) -> MessageFormat:
        return message_format(self.url.get_secret_value(), self.format)

    @property
    def attachment_limit_bytes(self) -> int:
        """The largest clip this destination takes as a file; 0 for Slack (incoming webhooks take no files)."""
        if self.chosen_format == "slack":
            return 0
        megabytes = DISCORD_ATTACHMENT_LIMIT_MB if self.attach_up_to_mb is None else self.attach_up_to_mb
        return max(int(megabytes * 1_000_000) - REQUEST_HEADROOM_BYTES, 0)

    @field_validator("url")
    @classmethod
    def _https_url(cls, url: SecretStr) -> SecretStr:
        # No value in any message: the URL is the secret.
        problem = webhook_url_problem(url.get_secret_value())
        if problem:
            raise ValueError(problem)
        return url

    @classmethod
    def from_secret(cls, env_var: str = SECRET_ENV) -> WebhookTarget:
        """The target in the secret whose ARN is in `env_var`."""
        value = get_secret_json(env_var)
        return parse_secret(cls, value, secret_id=os.environ[env_var])


webhook_url_problem = url_problem
"""Why a URL cannot be a webhook (``hooks.shared.urls.url_problem``): https, or http to loopback in the local run."""


def post_alert(alert: GoalAlert, target: WebhookTarget, http: HttpClient, posted: PostedMessages) -> str:
    """Post "GOAL — …" at once and remember its message id; returns what happened (``posted`` or ``clip_first``).

    When the goal's clip was posted already (this alert arrived late), nothing is posted: a "GOAL" after the
    clip would only confuse.
    """
    known = posted.message_of(alert.goal.id)
    if known is not None and known.shows == "clip":
        return "clip_first"
    url, fmt = target.url.get_secret_value(), target.chosen_format
    reply = _send("POST", _with_wait(url, fmt), alert_message(alert, fmt), what=f"Webhook POST to {host_of(url)}",
                  about=f"the goal alert {alert_text(alert)!r}", http=http)  # fmt: skip
    if not posted.remember_alert(alert.goal.id, _message_id(reply)):
        return "clip_first"  # the clip was posted while this alert was on its way; both messages stay
    return "posted"


def post_highlight(
    event: HighlightEvent, target: WebhookTarget, http: HttpClient, posted: PostedMessages, s3: Any
) -> str:
    """Update the goal's alert with the clip (PATCH), else post it new; returns ``updated`` or ``posted``.

    The MP4 goes along as a file when it fits ``target.attachment_limit_bytes`` (fetched from S3), else the
    message links it; a destination that refuses the file as too large (413) gets the link instead.
    5xx/429 are retried by `http`; other 4xx raise WebhookRejectedError. An alert message that was deleted
    (404 on the PATCH) is replaced by a new post.
    """
    url, fmt = target.url.get_secret_value(), target.chosen_format
    clip = _clip_bytes(event, target.attachment_limit_bytes, s3)
    known = posted.message_of(event.goal.id)
    if known is not None and known.shows == "alert" and known.message_id and fmt == "discord":
        edit_url = _message_url(url, known.message_id)
        try:
            _send_highlight("PATCH", edit_url, event, fmt, clip, http=http)
            posted.remember_clip(event.goal.id, known.message_id)
            return "updated"
        except WebhookRejectedError as refusal:
            if refusal.status != 404:
                raise
            # The alert was deleted in the chat: the clip gets a message of its own.
    reply = _send_highlight("POST", _with_wait(url, fmt), event, fmt, clip, http=http)
    posted.remember_clip(event.goal.id, _message_id(reply))
    return "posted"


def _send_highlight(
    method: str, url: str, event: HighlightEvent, fmt: MessageFormat, clip: bytes | None, *, http: HttpClient
) -> Any:
    what, about = f"Webhook {method} to {host_of(url)}", f"the highlight {title_of(event)!r}"
    if clip is not None:
        try:
            return _send(method, url, highlight_message(event, fmt, attached=True), what=what, about=about,
                         http=http, clip=(_clip_name(event), clip))  # fmt: skip
        except WebhookRejectedError as refusal:
            if refusal.status != 413:
                raise  # too large after all (a server's limit below ours): the link instead
    return _send(method, url, highlight_message(event, fmt), what=what, about=about, http=http)


def _send(
    method: str,
    url: str,
    message: dict[str, Any],
    *,
    what: str,
    about: str,
    http: HttpClient,
    clip: tuple[str, bytes] | None = None,
) -> Any:
    """One request; the message as JSON, or with the clip as Discord's multipart (``payload_json`` + ``files[0]``)."""
    arguments: dict[str, Any] = {"json": message}
    if clip is not None:
        name, data = clip
        payload = message | {"attachments": [{"id": 0, "filename": name}]}
        arguments = {
            "data": {"payload_json": json.dumps(payload)},
            "files": {"files[0]": (name, data, "video/mp4")},
        }
    try:
        # An edit is harmless to repeat; a POST that may have arrived is not (it would be a second message).
        return http.request(method, url, what=what, resend_after_timeout=method == "PATCH", **arguments)
    except HttpRejectedError as refusal:
        raise WebhookRejectedError(
            f"The webhook at {host_of(url)} refused {about} with HTTP {refusal.status} "
            f"({refusal.detail or 'empty body'}). If the webhook was deleted or its URL is wrong, store the new "
            f"URL in the secret named by {SECRET_ENV} with aws secretsmanager put-secret-value.",
            status=refusal.status,
        ) from None


def _clip_bytes(event: HighlightEvent, limit_bytes: int, s3: Any) -> bytes | None:
    """The MP4 from S3 when it fits the destination's limit, else None (the message links it)."""
    if not 0 < event.clip.size_bytes <= limit_bytes:
        return None
    body = s3.get_object(Bucket=event.clip.bucket, Key=event.clip.key)["Body"]
    data: bytes = body.read(limit_bytes + 1)
    return data if len(data) <= limit_bytes else None


def _clip_name(event: HighlightEvent) -> str:
    return f"{event.goal.id}.mp4"


def _with_wait(url: str, fmt: MessageFormat) -> str:
    """Discord answers with the message (and its id) only when asked: ``?wait=true``; Slack knows no such thing."""
    if fmt != "discord":
        return url
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query) if name != "wait"] + [("wait", "true")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _message_url(url: str, message_id: str) -> str:
    """``{webhook}/messages/{id}``, keeping the webhook's query (a ``thread_id``) and dropping ``wait``."""
    parts = urlsplit(url)
    query = urlencode([(name, value) for name, value in parse_qsl(parts.query) if name != "wait"])
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/messages/{message_id}", query=query))


def _message_id(reply: Any) -> str | None:
    """The message id in Discord's reply to ``?wait=true``; None for an empty reply (204, Slack's "ok")."""
    try:
        message = reply.json()
    except ValueError:
        return None
    message_id = message.get("id") if isinstance(message, dict) else None
    return str(message_id) if isinstance(message_id, str | int) and str(message_id).isalnum() else None
