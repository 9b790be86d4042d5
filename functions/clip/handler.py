"""Lambda entry point of clip: one SQS clip job in, one MP4 + JPEG in S3 and one SNS highlight event out.

A `match_end` message instead makes the match reel (`reel.py`): the match's clips that exist joined,
published as a `reel` event that lists the goals without one. A clip job refused for good is recorded
as such, so the reel does not wait for it.

Thin on purpose: parse the message into a ``ClipJob``, call ``make_highlight``
once per job id, report failures. A job no retry can fix (not a clip job, a
location it may not read, media ffmpeg refuses; ``functions.shared.failures``)
goes at once, with its reason, to ``CLIP_DEAD_LETTER_QUEUE_URL`` when that is set;
otherwise, and for transient errors, it is raised, and the clip queue's
redrive policy moves it with its body intact to the clip DLQ after its
receives, so the retries are bounded and nothing is lost silently.

Metrics (EMF, namespace `HighlightBot`): `ClipsMade` and `ClipLatencySeconds` (the goal's first
frame → its highlight published, wall clock) per `channel`, and `ClipFailures`. The Lambda's own
`Errors` metric also covers what this code cannot count (timeouts, out of memory).
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import ClipJob, InvalidEventError, MatchEndEvent, parse_event
from functions.clip.exceptions import InvalidClipJobError, ReelNotReady
from functions.clip.highlights import make_highlight
from functions.clip.ledger import PublicationLedger
from functions.clip.reel import REEL_LAST_ATTEMPT, make_reel
from functions.clip.settings import ClipSettings
from functions.clip.timeline import highlight_id
from functions.shared import aws_client, is_transient, once_per_id, reason_of
from functions.shared.failures import dead_letter_message
from functions.shared.goals_without_clip import GoalsWithoutClip
from functions.shared.metrics import count_failed, count_made
from lambda_runtime.metric_names import ClipMetric

logger = Logger()

DEAD_LETTER_KIND = "clip_job_refused"


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Process an SQS batch (size 1 in infra); returns ``{"batchItemFailures": [...]}``."""
    settings = ClipSettings.from_env()
    once = partial(
        once_per_id,
        table_name=settings.idempotency_table,
        ttl_hours=settings.idempotency_ttl_hours,
        lambda_context=context,
    )
    ledger = ledger_for(settings)  # one per invocation: it remembers what this invocation published
    highlight_once = once(highlight_for_job, data_keyword_argument="job")
    reel_once = once(reel_for_match, data_keyword_argument="match")

    def handle_record(record: SQSRecord) -> dict[str, Any]:
        job: ClipJob | MatchEndEvent | None = None
        try:
            job = clip_job_from(record.body)
            if isinstance(job, MatchEndEvent):
                logger.append_keys(match_id=job.id, channel=job.channel)
                last_attempt = int(record.attributes.get("ApproximateReceiveCount") or 1) >= REEL_LAST_ATTEMPT
                reel: dict[str, Any] = reel_once(settings, ledger, match=job, last_attempt=last_attempt)
                return reel
            logger.append_keys(goal_id=job.goal.id, channel=job.channel)
            highlight: dict[str, Any] = highlight_once(settings, ledger, job=job)
        except Exception as error:
            if job is not None and published_id(job) in ledger.published_here:
                # Its message is out; a retry would publish it again (the table that records that is failing).
                logger.exception("published, but its job could not be recorded as done; not retrying it")
                return {"published_unrecorded": published_id(job)}
            count_clip_failed()
            if is_transient(error) or isinstance(error, ReelNotReady) or not settings.dead_letter_queue_url:
                raise  # retried; after the queue's receives, the redrive policy parks the message
            dead_letter(settings.dead_letter_queue_url, record, reason_of(error))
            if isinstance(job, ClipJob):  # the match reel lists this goal as missing, with the reason
                goals_without_clip(settings).record(job.goal.id, f"its clip job was refused: {reason_of(error)}")
            return {"dead_lettered": reason_of(error)}
        return highlight

    return process_partial_response(
        event=event, record_handler=handle_record, processor=BatchProcessor(event_type=EventType.SQS), context=context
    )


def published_id(job: ClipJob | MatchEndEvent) -> str:
    """The id its publication is made under: the highlight's for a clip job, the match's for a reel."""
    return job.id if isinstance(job, MatchEndEvent) else highlight_id(job.goal)


def highlight_for_job(settings: ClipSettings, ledger: PublicationLedger, *, job: ClipJob) -> dict[str, Any]:
    """Make the job's highlight in a scratch folder; returns the event as JSON (idempotent on the job id)."""
    with tempfile.TemporaryDirectory(prefix="clip-") as scratch:
        highlight = make_highlight(
            job, settings=settings, s3=aws_client("s3"), sns=aws_client("sns"), workdir=Path(scratch),
            ledger=ledger,
        )  # fmt: skip
    count_clip_made(job, published_at=datetime.now(UTC))
    result: dict[str, Any] = json.loads(highlight.to_json())
    return result


def reel_for_match(
    settings: ClipSettings, ledger: PublicationLedger, last_attempt: bool = False, *, match: MatchEndEvent
) -> dict[str, Any]:
    """Make the match's reel (idempotent on the match id); {} for a goalless match.

    On the message's ``last_attempt`` a goal whose clip is still unaccounted for is listed as missing
    instead of holding the reel back (see ``functions.clip.reel``).
    """
    with tempfile.TemporaryDirectory(prefix="reel-") as scratch:
        reel = make_reel(
            match, settings=settings, s3=aws_client("s3"), sns=aws_client("sns"), workdir=Path(scratch),
            ledger=ledger, without_clip=goals_without_clip(settings), last_attempt=last_attempt,
        )  # fmt: skip
    result: dict[str, Any] = json.loads(reel.to_json()) if reel else {}
    return result


def dead_letter(queue_url: str, record: SQSRecord, reason: str) -> None:
    """Park a job no retry can fix, at once, with the message as received and the reason."""
    dead_letter_message(queue_url, kind=DEAD_LETTER_KIND, message_id=record.message_id, body=record.body, reason=reason)
    logger.error("dead-lettered a clip job no retry can fix", extra={"reason": reason[:500]})


def goals_without_clip(settings: ClipSettings) -> GoalsWithoutClip:
    """The goals known never to get a clip (written by enrich and here), in the idempotency table."""
    return GoalsWithoutClip(
        aws_client("dynamodb"), settings.idempotency_table, ttl_hours=settings.idempotency_ttl_hours
    )


def ledger_for(settings: ClipSettings) -> PublicationLedger:
    """The publication ledger, in the idempotency table (its own ``publication#`` items)."""
    return PublicationLedger(
        aws_client("dynamodb"), settings.idempotency_table, ttl_hours=settings.idempotency_ttl_hours
    )


def count_clip_made(job: ClipJob, *, published_at: datetime) -> None:
    """`ClipsMade` and `ClipLatencySeconds` (published − goal's first frame) with the job's `channel`."""
    count_made(
        ClipMetric.CLIPS_MADE, ClipMetric.CLIP_LATENCY_SECONDS, channel=job.channel, goal_at=job.goal.at,
        published_at=published_at,
    )  # fmt: skip


def count_clip_failed() -> None:
    """`ClipFailures` (no channel: a message that is not a clip job has none)."""
    count_failed(ClipMetric.CLIP_FAILURES)


def clip_job_from(body: str) -> ClipJob | MatchEndEvent:
    """The clip job (or, for the match reel, the match end) in an SQS message body; else InvalidClipJobError."""
    try:
        event = parse_event(body)
    except InvalidEventError as error:
        logger.error(
            "message is not a clip job; it goes to the clip DLQ after the queue's retries", extra={"reason": str(error)}
        )
        raise InvalidClipJobError(f"message is not a clip job: {error}") from error
    if not isinstance(event, ClipJob | MatchEndEvent):
        reason = f"message is a {event.type} event, not a clip_job or match_end"
        logger.error(
            "message is not a clip job; it goes to the clip DLQ after the queue's retries", extra={"reason": reason}
        )
        raise InvalidClipJobError(reason)
    return event
