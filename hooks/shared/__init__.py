"""What every hook needs: its highlights from the SNS event, its secret, HTTP with retries.

Not a hook itself (no handler.py, no hook.json), so the infra deploys no Lambda for it.

Example:
    >>> from hooks.shared import HttpClient, get_secret_json, highlights_from_sns
    >>> for highlight in highlights_from_sns(event):
    ...     HttpClient().request("POST", url, what="webhook POST", json={"content": highlight.title})
"""

from hooks.shared.events import events_from_sns, highlights_from_sns, title_of
from hooks.shared.exceptions import (
    HookConfigError,
    HookError,
    HttpOutcomeUnknownError,
    HttpRejectedError,
    HttpRequestInvalidError,
    HttpUnavailableError,
    SecretNotJsonError,
)
from hooks.shared.http import HttpClient, host_of
from hooks.shared.once import forget_guarded_deliveries, once_per_highlight
from hooks.shared.secrets import clear_secret_cache, get_secret_json, parse_secret
from hooks.shared.urls import url_problem
from lambda_runtime.aws import aws_client  # one client cache for every Lambda, re-exported

__all__ = [
    "HookConfigError",
    "HookError",
    "HttpClient",
    "HttpOutcomeUnknownError",
    "HttpRejectedError",
    "HttpRequestInvalidError",
    "HttpUnavailableError",
    "SecretNotJsonError",
    "aws_client",
    "clear_secret_cache",
    "events_from_sns",
    "forget_guarded_deliveries",
    "get_secret_json",
    "highlights_from_sns",
    "host_of",
    "once_per_highlight",
    "parse_secret",
    "title_of",
    "url_problem",
]
