"""The webhook hook: announces each highlight in a Discord- or Slack-compatible chat webhook.

Example:
    >>> from hooks.webhook import discord_message, post_highlight
    >>> post_highlight(highlight, "https://discord.com/api/webhooks/…", HttpClient(), "discord")
"""

from hooks.webhook.delivery import WebhookTarget, post_highlight
from hooks.webhook.exceptions import WebhookRejectedError
from hooks.webhook.messages import discord_message, message_format, slack_message

__all__ = [
    "WebhookRejectedError",
    "WebhookTarget",
    "discord_message",
    "message_format",
    "post_highlight",
    "slack_message",
]
