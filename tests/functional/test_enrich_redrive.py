"""The operator's re-drive command against moto: batches named by the on-failure queue, read back from the stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest

from contracts import ClipJob, parse_event
from functions.enrich import handler as enrich
from functions.enrich.redrive import main, redrive
from tests.functional.functions_fixtures import (
    REGION,
    START,
    EnrichWorld,
    FakeLambdaContext,
    a_goal,
    a_segment,
    create_queue,
    drain_queue,
    emulated_aws,
)

GOAL = a_goal(START + timedelta(seconds=21.3))


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[EnrichWorld]:
    with emulated_aws(monkeypatch):
        yield EnrichWorld.create(monkeypatch)


def on_failure_message(event: dict[str, Any], stream_arn: str) -> str:
    """What Lambda sends the on-failure destination when it gives a Kinesis batch up (AWS's documented shape)."""
    records = event["Records"]
    return json.dumps(
        {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 4},
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": "2026-11-25T20:01:00.000Z",
            "KinesisBatchInfo": {
                "shardId": records[0]["eventID"].split(":")[0],
                "startSequenceNumber": records[0]["kinesis"]["sequenceNumber"],
                "endSequenceNumber": records[-1]["kinesis"]["sequenceNumber"],
                "approximateArrivalOfFirstRecord": "2026-11-25T20:00:00.000Z",
                "approximateArrivalOfLastRecord": "2026-11-25T20:00:30.000Z",
                "batchSize": len(records),
                "streamArn": stream_arn,
            },
        }
    )


def given_up_batch(world: EnrichWorld) -> str:
    """A goal window Lambda gave up on (enrich never saw it), named in a fresh on-failure queue; returns its URL."""
    world.stream.event_for(a_segment(99, channel="earlier"))  # the given-up batch does not start the shard
    event = world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)
    failures = create_queue("highlight-bot-enrich-batch-failures")
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=failures, MessageBody=on_failure_message(event, world.stream.arn)
    )
    return failures


def test_a_given_up_batch_is_read_back_and_clipped_and_its_message_deleted(world: EnrichWorld) -> None:
    failures = given_up_batch(world)

    assert main(["--queue-url", failures, "--stream-name", world.stream.name]) == 0

    ((job_message),) = drain_queue(world.clip_queue_url)
    job = parse_event(job_message["Body"])
    assert isinstance(job, ClipJob) and job.goal == GOAL and [s.sequence for s in job.segments] == list(range(14))
    assert drain_queue(failures) == []


def test_a_batch_that_fails_again_keeps_its_message(world: EnrichWorld) -> None:
    failures = given_up_batch(world)
    sqs, kinesis = boto3.client("sqs", region_name=REGION), boto3.client("kinesis", region_name=REGION)

    def still_failing(event: dict[str, Any]) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": event["Records"][3]["kinesis"]["sequenceNumber"]}]}

    # Visible again at once afterwards (in the cloud: after the visibility timeout, for a later run).
    report = redrive(failures, world.stream.name, still_failing, sqs=sqs, kinesis=kinesis, visibility_timeout_s=0)
    assert not report.ok and "failed 1 of its 17 records again; message kept" in report.kept[0]

    # Once the cause is fixed, the same message re-drives.
    report = redrive(
        failures, world.stream.name, lambda e: enrich.handler(e, FakeLambdaContext()), sqs=sqs, kinesis=kinesis
    )
    assert report.ok and report.redriven == [report.redriven[0]] and "17 records" in report.redriven[0]
    assert len(drain_queue(world.clip_queue_url)) == 1


def test_a_message_that_names_no_batch_is_kept_with_a_sentence(world: EnrichWorld) -> None:
    failures = create_queue("highlight-bot-enrich-batch-failures")
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=failures, MessageBody='{"something": "else"}')
    report = redrive(failures, world.stream.name, lambda e: {}, sqs=sqs, kinesis=boto3.client("kinesis", REGION))
    assert not report.ok and "not a Kinesis on-failure message" in report.kept[0]
