"""Lambda entry point of the webhook hook: each highlight on the topic becomes a Discord or Slack message.

Thin on purpose: read the SNS event and the secret, call `post_highlight`. Any
error is raised, so Lambda retries the event and then sends it to this hook's
on-failure destination.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from hooks.shared import HttpClient, highlights_from_sns, host_of
from hooks.webhook.delivery import WebhookTarget, post_highlight

logger = Logger(service="webhook-hook")
http_client = HttpClient()
"""One per container, so a warm Lambda reuses its connections; tests swap it for one that does not sleep."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    highlights = highlights_from_sns(event)
    target = WebhookTarget.from_secret()
    webhook_url = target.url.get_secret_value()
    posted = []
    for highlight in highlights:
        logger.append_keys(goal_id=highlight.goal.id, channel=highlight.channel)
        post_highlight(highlight, webhook_url, http_client, target.format)
        logger.info(
            "Highlight posted to the webhook",
            extra={"webhook_host": host_of(webhook_url), "clip_key": highlight.clip.key, "title": highlight.title},
        )
        posted.append(highlight.goal.id)
    return {"posted": posted}
