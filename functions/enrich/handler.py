"""Lambda entry point of enrich: Kinesis segment and goal events in, clip jobs (or dead letters) out.

Thin on purpose: decode and validate each record, hand it to ``Enricher``,
count what happened. Invalid records, and valid ones whose processing fails
for a reason no retry can fix (``functions.shared.failures``: validation,
overflow, recursion, a missing key, a bug), are dead-lettered at once with the
record and the reason, and reported as processed: a failed record would block
its shard, which every channel shares. Only transient errors (throttling, an
unreachable queue) make the record an item failure that the event source
retries, from that record on, in order.

The same function also gets ``WAITING_GOALS_SWEEP_EVENT`` from a schedule: it then looks at
the waiting goals of every channel in the channel parameter, so a goal whose
post-roll never came is clipped with what exists (or, if no segment shows it,
given up to the dead-letter queue with its reason) even when its channel sends
nothing more.
"""

from __future__ import annotations

import binascii
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from contracts import ClipJob, GoalEvent, InvalidEventError, MatchEndEvent, SegmentEvent, parse_event
from contracts.channels import channel_entries
from contracts.settings import WAITING_GOALS_SWEEP_EVENT
from functions.enrich.alerts import goal_alerts
from functions.enrich.enricher import Enricher, GoalOutcome
from functions.enrich.ordered_batch import InOrderKinesisProcessor
from functions.enrich.queues import ClipJobQueue, DeadLetterQueue
from functions.enrich.segment_index import SegmentIndex
from functions.enrich.settings import EnrichSettings
from functions.shared import aws_client, is_transient, once_per_id, reason_of
from functions.shared.goals_without_clip import GoalsWithoutClip
from lambda_runtime.metric_names import NAMESPACE, EnrichMetric
from lambda_runtime.parameters import parameter_value

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse | dict[str, Any]:
    """Process one Kinesis batch; returns ``{"batchItemFailures": [...]}`` for the records to retry.

    Given ``WAITING_GOALS_SWEEP_EVENT`` instead (the schedule), settles every listed channel's waiting goals and
    returns what became of them, by channel.
    """
    # Powertools keeps metrics it did not flush (POWERTOOLS_METRICS_DISABLED, as in the local pipeline):
    # start every invocation from an empty set so they never pile up.
    metrics.clear_metrics()
    settings = EnrichSettings.from_env()
    sqs = aws_client("sqs")
    dead_letters = DeadLetterQueue(sqs, settings.dead_letter_queue_url)
    once = partial(
        once_per_id,
        table_name=settings.idempotency_table,
        ttl_hours=settings.idempotency_ttl_hours,
        lambda_context=context,
    )
    send_job_once = once(send_clip_job, data_keyword_argument="job")
    give_up_once = once(give_up_goal, data_keyword_argument="goal")
    queue = ClipJobQueue(sqs, settings.clip_queue_url)
    without_clip = GoalsWithoutClip(
        aws_client("dynamodb"), settings.idempotency_table, ttl_hours=settings.idempotency_ttl_hours
    )
    enricher = Enricher(
        SegmentIndex(aws_client("dynamodb"), settings.segment_table, ttl_hours=settings.segment_ttl_hours),
        send_job=lambda job: send_job_once(queue, job=job),
        dead_letters=dead_letters,
        settings=settings,
        give_up=lambda reason, goal: give_up_once(dead_letters, without_clip, reason, goal=goal),
    )
    if event == WAITING_GOALS_SWEEP_EVENT:
        return sweep_waiting_goals(enricher, settings.channel_parameter_name)
    settle_goal_once = once(settle_goal, data_keyword_argument="goal")
    send_reel_once = once(send_reel_job, data_keyword_argument="match")
    alert_goal = goal_alerts(settings, dead_letters, context)  # "GOAL — LIV 1-0 MCI (23')" before the clip

    def handle_record(record: KinesisStreamRecord) -> None:
        try:
            event = event_from(record)
        except InvalidEventError as error:
            dead_letters.invalid_record(str(error), record_as_received(record))
            metrics.add_metric(name=EnrichMetric.RECORDS_DEAD_LETTERED, unit=MetricUnit.Count, value=1)
            logger.warning("dead-lettered an invalid record", extra={"reason": str(error)[:500]})
            return
        # Every log line about this record carries its channel, and a goal's carry its id: one goal is
        # traced by `goal_id` from the capture task through enrich and clip to the hooks.
        keys = {"channel": event.channel} | ({"goal_id": event.id} if isinstance(event, GoalEvent) else {})
        logger.append_keys(**keys)
        try:
            process_event(event)
        except Exception as error:
            if is_transient(error):
                raise  # AWS or the network: the record and every later one of the shard are retried, in order
            reason = f"processing this {event.type} event failed in a way no retry can fix: {reason_of(error)}"
            dead_letters.unprocessable_record(reason, record_as_received(record))
            metrics.add_metric(name=EnrichMetric.RECORDS_DEAD_LETTERED, unit=MetricUnit.Count, value=1)
            logger.exception("dead-lettered a record that cannot be processed", extra={"reason": reason[:500]})
        finally:
            logger.remove_keys(list(keys))

    def process_event(event: SegmentEvent | GoalEvent | MatchEndEvent) -> None:
        if isinstance(event, SegmentEvent):
            metrics.add_metric(name=EnrichMetric.SEGMENTS_INDEXED, unit=MetricUnit.Count, value=1)
            count_given_up(*enricher.on_segment(event).values())
            return
        # A goal parked earlier may have waited too long: any event of the channel looks again.
        count_given_up(*enricher.settle_waiting(event.channel).values())
        if isinstance(event, MatchEndEvent):
            # The match reel is cut by the clip function from the goals' clips: pass it on, once.
            send_reel_once(queue, match=event)
        else:
            metrics.add_metric(name=EnrichMetric.GOALS_RECEIVED, unit=MetricUnit.Count, value=1)
            alert_goal(event)
            settle_goal_once(enricher, goal=event)

    return process_partial_response(
        event=event, record_handler=handle_record, processor=InOrderKinesisProcessor(), context=context
    )


# The two guarded functions count what they do themselves: a replayed (duplicate) call returns the
# stored result without running them, so nothing is counted twice.


def send_clip_job(queue: ClipJobQueue, *, job: ClipJob) -> dict[str, str]:
    """Send one clip job (guarded by idempotency on the job id: one goal, one job)."""
    message_id = queue.send(job)
    metrics.add_metric(name=EnrichMetric.CLIP_JOBS_SENT, unit=MetricUnit.Count, value=1)
    if job.partial is not None:
        metrics.add_metric(name=EnrichMetric.PARTIAL_CLIP_JOBS_SENT, unit=MetricUnit.Count, value=1)
    return {"message_id": message_id}


def send_reel_job(queue: ClipJobQueue, *, match: MatchEndEvent) -> dict[str, str]:
    """Ask the clip function for the match reel (guarded by idempotency on the match id)."""
    message_id = queue.send(match)
    metrics.add_metric(name=EnrichMetric.REEL_JOBS_SENT, unit=MetricUnit.Count, value=1)
    return {"message_id": message_id}


def give_up_goal(
    dead_letters: DeadLetterQueue, without_clip: GoalsWithoutClip, reason: str, *, goal: GoalEvent
) -> dict[str, str]:
    """Dead-letter a goal no segment shows, and record it for the match reel (idempotent on the goal id)."""
    without_clip.record(goal.id, reason)
    dead_letters.goal_given_up(reason, goal)
    return {"given_up": goal.id}


def event_from(record: KinesisStreamRecord) -> SegmentEvent | GoalEvent | MatchEndEvent:
    """The capture event in a Kinesis record; InvalidEventError says why it is not one."""
    try:
        event = parse_event(record.kinesis.data_as_bytes())
    except (binascii.Error, KeyError, TypeError) as error:
        raise InvalidEventError(f"the Kinesis record carries no readable data: {reason_of(error)}") from error
    if not isinstance(event, SegmentEvent | GoalEvent | MatchEndEvent):
        raise InvalidEventError(f"a {event.type} event does not belong on the capture stream")
    return event


def settle_goal(enricher: Enricher, *, goal: GoalEvent) -> GoalOutcome:
    """Clip or park one goal (guarded by idempotency on the goal id, so a redelivered goal is a no-op)."""
    outcome = enricher.on_goal(goal)
    count_given_up(outcome)
    return outcome


def sweep_waiting_goals(enricher: Enricher, parameter_name: str) -> dict[str, Any]:
    """Settle the waiting goals of every channel the parameter lists (a channel removed from it is not swept)."""
    swept: dict[str, dict[str, GoalOutcome]] = {}
    for entry in channel_entries(parameter_value(parameter_name)):
        swept[entry.channel] = enricher.settle_waiting(entry.channel)
        count_given_up(*swept[entry.channel].values())
    logger.info("swept waiting goals", extra={"channels": len(swept), "settled": swept})
    return {"swept": swept}


def count_given_up(*outcomes: GoalOutcome) -> None:
    for outcome in outcomes:
        if outcome == "given_up":
            metrics.add_metric(name=EnrichMetric.GOALS_GIVEN_UP, unit=MetricUnit.Count, value=1)


def record_as_received(record: KinesisStreamRecord) -> dict[str, Any]:
    """The record for a dead letter: data still base64, and where it came from in the stream (fields as present)."""
    raw: dict[str, Any] = record.raw_event if isinstance(record.raw_event, dict) else {}
    found = raw.get("kinesis")
    kinesis: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "data": kinesis.get("data"),
        "sequenceNumber": kinesis.get("sequenceNumber"),
        "partitionKey": kinesis.get("partitionKey"),
        "approximateArrivalTimestamp": kinesis.get("approximateArrivalTimestamp"),
        "eventSourceARN": raw.get("eventSourceARN"),
        "eventID": raw.get("eventID"),
    }
