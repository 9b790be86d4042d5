"""The in-order Kinesis processor: after a failed record, later records are reported failed unprocessed.

Why it matters (functions/enrich/ordered_batch.py): Lambda retries a shard from the lowest failed
sequence number, so a later record processed now would be processed again, and out of order.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from functions.enrich.ordered_batch import EarlierRecordFailedError, InOrderKinesisProcessor


def kinesis_event(*payloads: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventID": f"shardId-000000000000:{index}",
                "eventSource": "aws:kinesis",
                "eventName": "aws:kinesis:record",
                "eventVersion": "1.0",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/highlight-bot-events",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/enrich",
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": "sample",
                    "sequenceNumber": f"4959{index:04d}",
                    "approximateArrivalTimestamp": 1_764_000_000.0 + index,
                    "data": base64.b64encode(payload.encode()).decode(),
                },
            }
            for index, payload in enumerate(payloads)
        ]
    }


class Handler:
    """Records what it was given; raises on payloads starting with 'fail'."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, record: KinesisStreamRecord) -> str:
        payload = record.kinesis.data_as_text()
        self.seen.append(payload)
        if payload.startswith("fail"):
            raise ValueError(f"cannot process {payload}")
        return payload


def run(*payloads: str) -> tuple[list[str], list[str]]:
    """(payloads the handler saw, sequence numbers reported failed)."""
    handler = Handler()
    response = process_partial_response(
        event=kinesis_event(*payloads), record_handler=handler, processor=InOrderKinesisProcessor()
    )
    return handler.seen, [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_a_batch_without_failures_is_processed_whole_in_order() -> None:
    assert run("a", "b", "c") == (["a", "b", "c"], [])


def test_records_after_a_failure_are_reported_failed_without_being_processed() -> None:
    seen, failed = run("a", "fail-b", "c", "d")
    assert seen == ["a", "fail-b"]
    assert failed == ["49590001", "49590002", "49590003"]


def test_a_failure_in_the_first_record_fails_the_whole_batch_unprocessed() -> None:
    handler = Handler()
    with pytest.raises(BatchProcessingError, match="All records failed processing"):
        process_partial_response(
            event=kinesis_event("fail-a", "b"), record_handler=handler, processor=InOrderKinesisProcessor()
        )
    assert handler.seen == ["fail-a"]  # Lambda retries the whole batch; "b" was never processed


def test_the_skipped_records_say_why() -> None:
    processor = InOrderKinesisProcessor()
    with processor(records=kinesis_event("a", "fail-b", "c")["Records"], handler=Handler()):
        (ok, _, _), (failed, failed_reason, _), (skipped, skipped_reason, _) = processor.process()
    assert (ok, failed, skipped) == ("success", "fail", "fail")
    assert "cannot process fail-b" in failed_reason
    assert EarlierRecordFailedError.__name__ in skipped_reason
    assert "an earlier record of this shard failed; retrying from there, in order" in skipped_reason
