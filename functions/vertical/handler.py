"""Lambda entry point of vertical: one SQS message (a highlight, from the topic) in, one 9:16 cut out.

The queue is subscribed to the highlights topic with the filter
``event_type = highlight`` and raw message delivery, so a message body is the
highlight event itself (SNS's envelope is unwrapped too, should raw delivery
be off). It runs apart from clip, so the fast stream-copy clip and its message
never wait for this re-encode.

Thin on purpose: parse the body into a ``HighlightEvent``, call
``make_vertical`` once per highlight id (a duplicate delivery returns the
first result and publishes nothing), report failures per record (Powertools
``BatchProcessor``). A message no retry can fix (not a highlight, a clip that
is gone or is not an MP4) goes at once, with its reason, to
``VERTICAL_DEAD_LETTER_QUEUE_URL`` when that is set; otherwise, and for
anything that may pass on a retry, it is raised, and the queue's redrive
policy moves it, body intact, to the same dead-letter queue after 5 receives.

Metrics (EMF, namespace `HighlightBot`): `VerticalsMade` and `VerticalLatencySeconds` (the goal's
first frame → its vertical cut published) per `channel`, and `VerticalFailures`.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import HighlightEvent, InvalidEventError, parse_event
from functions.shared import MediaMissingError, aws_client, once_per_id, reason_of
from functions.shared.failures import dead_letter_message
from functions.shared.metrics import count_failed, count_made
from functions.vertical.exceptions import InvalidVerticalJobError, UnusableSourceError
from functions.vertical.settings import VerticalSettings
from functions.vertical.verticals import make_vertical
from lambda_runtime.metric_names import VerticalMetric

logger = Logger()

PERMANENT_ERRORS: tuple[type[Exception], ...] = (InvalidVerticalJobError, UnusableSourceError, MediaMissingError)
"""What no retry can fix: the message is not a highlight, its clip is gone, or its clip is not a video."""
DEAD_LETTER_KIND = "vertical_refused"


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Process an SQS batch (size 1 in infra); returns ``{"batchItemFailures": [...]}``."""
    settings = VerticalSettings.from_env()
    vertical_once = once_per_id(
        vertical_for_highlight,
        data_keyword_argument="highlight",
        table_name=settings.idempotency_table,
        ttl_hours=settings.idempotency_ttl_hours,
        lambda_context=context,
    )

    def handle_record(record: SQSRecord) -> dict[str, Any]:
        try:
            highlight = highlight_from(record.body)
            logger.append_keys(goal_id=highlight.goal.id, channel=highlight.channel)
            vertical: dict[str, Any] = vertical_once(settings, highlight=highlight)
        except Exception as error:
            count_vertical_failed()
            if not isinstance(error, PERMANENT_ERRORS) or not settings.dead_letter_queue_url:
                raise  # retried; after the queue's receives, the redrive policy parks the message
            reason = reason_of(error)
            dead_letter(settings.dead_letter_queue_url, record, reason)
            return {"dead_lettered": reason}
        return vertical

    return process_partial_response(
        event=event, record_handler=handle_record, processor=BatchProcessor(event_type=EventType.SQS), context=context
    )


def vertical_for_highlight(settings: VerticalSettings, *, highlight: HighlightEvent) -> dict[str, Any]:
    """Make the highlight's vertical cut in a scratch folder; returns the event as JSON (idempotent on its id)."""
    with tempfile.TemporaryDirectory(prefix="vertical-") as scratch:
        vertical = make_vertical(
            highlight, settings=settings, s3=aws_client("s3"), sns=aws_client("sns"), workdir=Path(scratch)
        )
    count_vertical_made(highlight, published_at=datetime.now(UTC))
    result: dict[str, Any] = json.loads(vertical.to_json())
    return result


def highlight_from(body: str) -> HighlightEvent:
    """The highlight in an SQS body (raw delivery, or SNS's envelope); else InvalidVerticalJobError."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidVerticalJobError(f"message is not JSON, so not a highlight event: {error}") from error
    if isinstance(data, dict) and data.get("Type") == "Notification" and isinstance(data.get("Message"), str):
        data = data["Message"]  # SNS's envelope (raw message delivery off)
    try:
        event = parse_event(data)
    except InvalidEventError as error:
        raise InvalidVerticalJobError(f"message is not a highlight event: {error}") from error
    if not isinstance(event, HighlightEvent):
        raise InvalidVerticalJobError(
            f"message is a {event.type} event, not a highlight; the queue's subscription should filter "
            "on event_type = highlight"
        )
    return event


def dead_letter(queue_url: str, record: SQSRecord, reason: str) -> None:
    """Park a message no retry can fix, at once, with the message as received and the reason."""
    dead_letter_message(queue_url, kind=DEAD_LETTER_KIND, message_id=record.message_id, body=record.body, reason=reason)
    logger.error("dead-lettered a message no retry can fix", extra={"reason": reason[:500]})


def count_vertical_made(highlight: HighlightEvent, *, published_at: datetime) -> None:
    """`VerticalsMade` and `VerticalLatencySeconds` (published − goal's first frame) with the `channel`."""
    count_made(
        VerticalMetric.VERTICALS_MADE, VerticalMetric.VERTICAL_LATENCY_SECONDS, channel=highlight.channel,
        goal_at=highlight.goal.at, published_at=published_at,
    )  # fmt: skip


def count_vertical_failed() -> None:
    """`VerticalFailures` (no channel: a message that is not a highlight has none)."""
    count_failed(VerticalMetric.VERTICAL_FAILURES)
