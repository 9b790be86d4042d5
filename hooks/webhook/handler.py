"""Lambda entry point of the webhook hook: "GOAL — LIV 1-0 MCI (23')" at once, then the same message with its clip.

Thin on purpose: read the SNS event (goal alerts and highlights, as the
subscription's filter policy lets through) and the secret, and call
`post_alert` or `post_highlight` once per event id (a second delivery posts
nothing). Any error is raised, so Lambda retries the event and then sends it
to this hook's on-failure destination; a POST that may have arrived (no
answer) is not retried. A failed alert never stops the clip: the highlight
posts a message of its own when no alert was recorded for its goal.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import GoalAlert, HighlightEvent
from hooks.shared import (
    HttpClient,
    HttpOutcomeUnknownError,
    aws_client,
    events_from_sns,
    host_of,
    once_per_highlight,
)
from hooks.webhook.delivery import WebhookTarget, post_alert, post_highlight
from hooks.webhook.posted import PostedMessages

logger = Logger(service="webhook-hook")
http_client = HttpClient()
"""One per container, so a warm Lambda reuses its connections; tests swap it for one that does not sleep."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    """Returns the goal ids this invocation posted a highlight for (``posted``) and alerted (``alerted``)."""
    items = events_from_sns(event, (GoalAlert, HighlightEvent))
    target = WebhookTarget.from_secret()
    posted_messages = PostedMessages.from_environment()
    deliver_once = once_per_highlight(deliver, context)
    alert_once = once_per_highlight(alert, context, keyword="goal_alert")
    done: dict[str, list[str]] = {"posted": [], "alerted": []}
    for item in items:
        if isinstance(item, GoalAlert):
            logger.append_keys(goal_id=item.goal.id, channel=item.channel)
            alert_once(target, posted_messages, done["alerted"], goal_alert=item)
        elif isinstance(item, HighlightEvent):
            logger.append_keys(goal_id=item.goal.id, channel=item.channel)
            deliver_once(target, posted_messages, done["posted"], highlight=item)
    return done


def alert(
    target: WebhookTarget, posted: PostedMessages, alerted: list[str], *, goal_alert: GoalAlert
) -> dict[str, str]:
    """Post one goal alert (run once per alert id by ``once_per_highlight``); returns what became of it."""
    try:
        outcome = post_alert(goal_alert, target, http_client, posted)
    except HttpOutcomeUnknownError as unknown:
        # Posting again could show the goal twice; the highlight will post its own message.
        logger.error("The webhook did not answer the alert; not posting it again", extra={"problem": str(unknown)})
        return {"outcome": "unknown", "alert_id": goal_alert.id}
    logger.info(
        "Goal alert sent to the webhook",
        extra={"webhook_host": host_of(target.url.get_secret_value()), "outcome": outcome, "title": goal_alert.title},
    )
    if outcome == "posted":
        alerted.append(goal_alert.goal.id)
    return {"outcome": outcome, "alert_id": goal_alert.id}


def deliver(
    target: WebhookTarget, posted: PostedMessages, posted_goals: list[str], *, highlight: HighlightEvent
) -> dict[str, str]:
    """Post or update one highlight (run once per highlight id by ``once_per_highlight``); returns what became of it.

    ``posted_goals`` collects the goal ids this invocation delivered (a replayed delivery does not run, so adds none).
    """
    try:
        outcome = post_highlight(highlight, target, http_client, posted, aws_client("s3"))
    except HttpOutcomeUnknownError as unknown:
        # Posting again could show the highlight twice; recorded as handled, with a loud log line, and as the
        # goal's message, so that an alert arriving late is not posted after it.
        logger.error("The webhook did not answer; not posting again", extra={"problem": str(unknown)})
        posted.remember_clip(highlight.goal.id, None)
        return {"outcome": "unknown", "highlight_id": highlight.id}
    logger.info(
        "Highlight sent to the webhook",
        extra={
            "webhook_host": host_of(target.url.get_secret_value()),
            "outcome": outcome,
            "clip_key": highlight.clip.key,
            "title": highlight.title,
        },
    )
    posted_goals.append(highlight.goal.id)
    return {"outcome": outcome, "highlight_id": highlight.id}
