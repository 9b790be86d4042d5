"""Posts a highlight to a Discord- or Slack-compatible incoming webhook.

The webhook URL is itself the credential (its token is in the path), so it
lives in Secrets Manager and only its host is ever logged or put in an error.

Example:
    >>> post_highlight(highlight, target.url.get_secret_value(), HttpClient(), target.format)
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from contracts import HighlightEvent
from hooks.shared import HttpClient, HttpRejectedError, get_secret_json, host_of, parse_secret, title_of
from hooks.webhook.exceptions import WebhookRejectedError
from hooks.webhook.messages import MessageFormat, highlight_message, message_format

SECRET_ENV = "WEBHOOK_SECRET_ARN"


class WebhookTarget(BaseModel):
    """The hook's secret: `{"url": "https://discord.com/api/webhooks/...", "format": "discord"}` (format optional)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    url: SecretStr
    format: MessageFormat | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: SecretStr) -> SecretStr:
        if not url.get_secret_value().startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")  # no value in the message: it is the secret
        return url

    @classmethod
    def from_secret(cls, env_var: str = SECRET_ENV) -> WebhookTarget:
        """The target in the secret whose ARN is in `env_var`."""
        value = get_secret_json(env_var)
        return parse_secret(cls, value, secret_id=os.environ[env_var])


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
