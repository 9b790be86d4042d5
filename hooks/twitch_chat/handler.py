"""Lambda entry point of the Twitch-chat hook: each highlight is announced, with its link, in the channel's chat.

Thin on purpose: read the SNS event and the secret, call `HelixChat.announce`
once per highlight id (a second delivery posts nothing). Any error is raised,
so Lambda retries the event and then sends it to this hook's on-failure
destination; a message that may have been posted (no answer) is not sent again.
The hook is optional: while its secret still holds the placeholder the stack
generated, it logs a warning and announces nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import HighlightEvent
from hooks.shared import (
    HttpClient,
    HttpOutcomeUnknownError,
    SecretNotJsonError,
    highlights_from_sns,
    once_per_highlight,
)
from hooks.twitch_chat.chat import SECRET_ENV, HelixChat, TwitchChatCredentials, api_url_from_environment

logger = Logger(service="twitch-chat-hook")
http_client = HttpClient()
"""One per container, so a warm Lambda reuses its connections; tests swap it for one that does not sleep."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    highlights = highlights_from_sns(event)
    try:
        credentials = TwitchChatCredentials.from_secret()
    except SecretNotJsonError:
        logger.warning(
            f"The Twitch-chat hook is not configured (the secret named by {SECRET_ENV} holds no JSON yet); "
            "nothing is announced. See hooks/README.md to turn it on.",
            extra={"highlights": [highlight.id for highlight in highlights]},
        )
        return {"announced": []}
    chat = HelixChat(credentials, api_url_from_environment(), http_client)
    announce_once = once_per_highlight(announce, context)
    announced: list[str] = []
    for highlight in highlights:
        logger.append_keys(goal_id=highlight.goal.id, channel=highlight.channel)
        announce_once(chat, announced, highlight=highlight)
    return {"announced": announced}


def announce(chat: HelixChat, announced: list[str], *, highlight: HighlightEvent) -> dict[str, str]:
    """Announce one highlight (run once per highlight id by ``once_per_highlight``)."""
    try:
        message_id = chat.announce(highlight)
    except HttpOutcomeUnknownError as unknown:
        # Sending again could post the goal twice in chat; recorded as handled, with a loud log line.
        logger.error("Twitch did not answer; not sending again", extra={"problem": str(unknown)})
        return {"outcome": "unknown", "highlight_id": highlight.id}
    logger.info("Goal announced in Twitch chat", extra={"message_id": message_id, "title": highlight.title})
    announced.append(highlight.goal.id)
    return {"outcome": "announced", "highlight_id": highlight.id, "message_id": message_id}
