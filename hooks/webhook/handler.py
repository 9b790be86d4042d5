"""Lambda entry point of the webhook hook: each highlight on the topic becomes a Discord or Slack message.

Thin on purpose: read the SNS event and the secret, call `post_highlight` once
per highlight id (a second delivery posts nothing). Any error is raised, so
Lambda retries the event and then sends it to this hook's on-failure
destination; a POST that may have arrived (no answer) is not retried.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import HighlightEvent
from hooks.shared import HttpClient, HttpOutcomeUnknownError, highlights_from_sns, host_of, once_per_highlight
from hooks.webhook.delivery import WebhookTarget, post_highlight

logger = Logger(service="webhook-hook")
http_client = HttpClient()
"""One per container, so a warm Lambda reuses its connections; tests swap it for one that does not sleep."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    highlights = highlights_from_sns(event)
    target = WebhookTarget.from_secret()
    deliver_once = once_per_highlight(deliver, context)
    posted: list[str] = []
    for highlight in highlights:
        logger.append_keys(goal_id=highlight.goal.id, channel=highlight.channel)
        deliver_once(target, posted, highlight=highlight)
    return {"posted": posted}


def deliver(target: WebhookTarget, posted: list[str], *, highlight: HighlightEvent) -> dict[str, str]:
    """Post one highlight (run once per highlight id by ``once_per_highlight``); returns what became of it.

    ``posted`` collects the goal ids this invocation posted (a replayed delivery does not run, so adds none).
    """
    webhook_url = target.url.get_secret_value()
    try:
        post_highlight(highlight, webhook_url, http_client, target.format)
    except HttpOutcomeUnknownError as unknown:
        # Posting again could show the highlight twice; recorded as handled, with a loud log line.
        logger.error("The webhook did not answer; not posting again", extra={"problem": str(unknown)})
        return {"outcome": "unknown", "highlight_id": highlight.id}
    logger.info(
        "Highlight posted to the webhook",
        extra={"webhook_host": host_of(webhook_url), "clip_key": highlight.clip.key, "title": highlight.title},
    )
    posted.append(highlight.goal.id)
    return {"outcome": "posted", "highlight_id": highlight.id}
