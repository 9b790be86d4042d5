"""Lambda entry point of the Streamable hook: each highlight on the topic becomes a streamable.com video.

Thin on purpose: read the SNS event and the secret, call `upload_highlight`,
log the link. Any error is raised, so Lambda retries the event and then sends
it to this hook's on-failure destination; the other hooks are unaffected.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import HighlightEvent
from hooks.shared import HttpClient, HttpOutcomeUnknownError, aws_client, highlights_from_sns, once_per_highlight
from hooks.streamable.upload import API_URL_ENV, DEFAULT_API_URL, StreamableCredentials, upload_highlight

logger = Logger(service="streamable-hook")
http_client = HttpClient()
"""One per container, so a warm Lambda reuses its connections; tests swap it for one that does not sleep."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    highlights = highlights_from_sns(event)
    credentials = StreamableCredentials.from_secret()
    api_url = os.environ.get(API_URL_ENV) or DEFAULT_API_URL
    deliver_once = once_per_highlight(deliver, context)
    links: list[str] = []
    for highlight in highlights:
        logger.append_keys(goal_id=highlight.goal.id, channel=highlight.channel)
        deliver_once(credentials, api_url, links, highlight=highlight)
    return {"links": links}


def deliver(
    credentials: StreamableCredentials, api_url: str, links: list[str], *, highlight: HighlightEvent
) -> dict[str, str]:
    """Put one highlight on Streamable (run once per highlight id by ``once_per_highlight``).

    ``links`` collects the links this invocation made (a replayed delivery does not run, so adds none).
    """
    logger.info("Sending highlight to Streamable", extra={"clip_key": highlight.clip.key, "title": highlight.title})
    try:
        link = upload_highlight(highlight, credentials, api_url, http_client, aws_client("s3"))
    except HttpOutcomeUnknownError as unknown:
        # Sending again could make a second video; recorded as handled, with a loud log line.
        logger.error("Streamable did not answer; not sending again", extra={"problem": str(unknown)})
        return {"highlight_id": highlight.id, "link": ""}
    logger.info("Highlight is on Streamable", extra={"link": link})
    links.append(link)
    return {"highlight_id": highlight.id, "link": link}
