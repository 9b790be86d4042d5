"""Posts a highlight to a Discord- or Slack-compatible incoming webhook.

The webhook URL is itself the credential (its token is in the path), so it
lives in Secrets Manager and only its host is ever logged or put in an error.

Example:
    >>> post_highlight(highlight, target.url.get_secret_value(), HttpClient(), target.format)
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from contracts import HighlightEvent
from hooks.shared import HttpClient, HttpRejectedError, get_secret_json, host_of, parse_secret, title_of
from hooks.webhook.exceptions import WebhookRejectedError
from hooks.webhook.messages import MessageFormat, highlight_message, message_format

SECRET_ENV = "WEBHOOK_SECRET_ARN"
ALLOW_LOOPBACK_HTTP_ENV = "HOOKS_ALLOW_LOOPBACK_HTTP"
"""Set to ``1`` off AWS only: lets a webhook be ``http://127.0.0.1:…`` (the local chat receiver)."""


class WebhookTarget(BaseModel):
    """The hook's secret: `{"url": "https://discord.com/api/webhooks/...", "format": "discord"}` (format optional)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    url: SecretStr
    format: MessageFormat | None = None

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


def webhook_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook (a sentence that never repeats it), or None when it can.

    Only ``https``; plain ``http`` only to a loopback address, and only when ``ALLOW_LOOPBACK_HTTP_ENV``
    is ``1`` (the local run and the tests, whose chat receiver listens on 127.0.0.1).
    """
    if any(character.isspace() or not character.isprintable() for character in url):
        return "must be a URL without spaces or control characters"
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return "must be a well-formed URL (host and port)"
    if not parts.hostname or not port_ok:
        return "must be a URL with a host"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname) and os.environ.get(ALLOW_LOOPBACK_HTTP_ENV) == "1":
        return None
    return "must be an https:// URL"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post_highlight(event: HighlightEvent, webhook_url: str, http: HttpClient, fmt: MessageFormat | None = None) -> None:
    """Post the highlight's message; 5xx/429 are retried by `http`, other 4xx raise WebhookRejectedError."""
    host = host_of(webhook_url)
    message = highlight_message(event, message_format(webhook_url, fmt))
    try:
        http.request("POST", webhook_url, json=message, what=f"Webhook POST to {host}")
    except HttpRejectedError as refusal:
        raise WebhookRejectedError(
            f"The webhook at {host} refused the highlight {title_of(event)!r} with HTTP {refusal.status} "
            f"({refusal.detail or 'empty body'}). If the webhook was deleted or its URL is wrong, store the new "
            f"URL in the secret named by {SECRET_ENV} with aws secretsmanager put-secret-value."
        ) from None
