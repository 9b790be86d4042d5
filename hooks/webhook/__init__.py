"""The webhook hook: announces each goal at once, then its highlight, in a Discord- or Slack-compatible webhook.

Example:
    >>> from hooks.webhook import post_alert, post_highlight
    >>> post_alert(alert, target, HttpClient(), PostedMessages.from_environment())
"""

from hooks.webhook.delivery import WebhookTarget, post_alert, post_highlight
from hooks.webhook.exceptions import WebhookRejectedError
from hooks.webhook.messages import alert_message, discord_message, message_format, slack_message
from hooks.webhook.posted import PostedMessage, PostedMessages

__all__ = [
    "PostedMessage",
    "PostedMessages",
    "WebhookRejectedError",
    "WebhookTarget",
    "alert_message",
    "discord_message",
    "message_format",
    "post_alert",
    "post_highlight",
    "slack_message",
]
