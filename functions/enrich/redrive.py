"""An operator's command: re-drive the Kinesis batches named in enrich's on-failure queue through enrich.

When enrich fails a batch for longer than its retries (an outage of DynamoDB
or SQS, a bug since fixed), Lambda gives the batch up and sends the on-failure
queue a message naming it (shard, first and last sequence number), not its
records. The records stay readable in the stream for its retention (24 h by
default). This command reads each such message, reads that range back from
the stream, hands it to enrich as the Kinesis event Lambda would build, and
deletes the message once enrich took every record (processed or dead-lettered
with its reason). A batch that fails again keeps its message, for later.

Run it from the repository with AWS credentials, after fixing what failed::

    python -m functions.enrich.redrive --queue-url URL --stream-name NAME --function-name ENRICH_FUNCTION

Without ``--function-name`` it calls the enrich handler in this process, which
then needs enrich's environment (the local run and the tests do that).
Replaying a record enrich already handled is harmless: its work is idempotent.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambda_runtime.aws import aws_client

Deliver = Callable[[dict[str, Any]], dict[str, Any]]
RECORDS_PER_READ = 1000
VISIBILITY_TIMEOUT_S = 300
"""A message being re-driven stays hidden this long; a kept one is seen again by a later run."""


@dataclass(frozen=True)
class FailedBatch:
    """What the on-failure message says of a batch Lambda gave up on (its ``KinesisBatchInfo``)."""

    shard_id: str
    start_sequence: str
    end_sequence: str
    stream_arn: str

    @classmethod
    def from_message(cls, body: str) -> FailedBatch:
        """Parse an on-failure message; ValueError says what is missing."""
        try:
            info = json.loads(body)["KinesisBatchInfo"]
            return cls(
                str(info["shardId"]),
                str(info["startSequenceNumber"]),
                str(info["endSequenceNumber"]),
                str(info["streamArn"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not a Kinesis on-failure message ({error!r}); leaving it in the queue") from error


@dataclass
class RedriveReport:
    """What one run did, batch by batch, in sentences."""

    redriven: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.kept


def read_batch(kinesis: Any, stream_name: str, batch: FailedBatch) -> list[dict[str, Any]]:
    """The batch's records, read back from the stream (from its first to its last sequence number)."""
    iterator = kinesis.get_shard_iterator(
        StreamName=stream_name,
        ShardId=batch.shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=batch.start_sequence,
    )["ShardIterator"]
    last = int(batch.end_sequence)
    records: list[dict[str, Any]] = []
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=RECORDS_PER_READ)
        for record in page["Records"]:
            if int(record["SequenceNumber"]) > last:
                return records
            records.append(record)
        if not page["Records"] or page.get("MillisBehindLatest", 1) == 0:
            return records
        iterator = page.get("NextShardIterator")
    return records


def lambda_event(batch: FailedBatch, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The Kinesis event Lambda would have delivered for these records."""
    region = batch.stream_arn.split(":")[3] if batch.stream_arn.count(":") >= 5 else ""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode(),
                    "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{batch.shard_id}:{record['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "awsRegion": region,
                "eventSourceARN": batch.stream_arn,
            }
            for record in records
        ]
    }


def redrive(
    queue_url: str,
    stream_name: str,
    deliver: Deliver,
    *,
    sqs: Any,
    kinesis: Any,
    visibility_timeout_s: int = VISIBILITY_TIMEOUT_S,
) -> RedriveReport:
    """Re-drive every batch the queue names; delete each message whose batch enrich then took whole."""
    report = RedriveReport()
    for message in _messages(sqs, queue_url, visibility_timeout_s):
        try:
            batch = FailedBatch.from_message(message["Body"])
        except ValueError as error:
            report.kept.append(f"message {message['MessageId']}: {error}")
            continue
        where = f"{batch.shard_id} {batch.start_sequence}..{batch.end_sequence}"
        records = read_batch(kinesis, stream_name, batch)
        if not records:
            report.kept.append(
                f"batch {where}: no record is left in the stream (older than its retention?); message kept"
            )
            continue
        failures = deliver(lambda_event(batch, records)).get("batchItemFailures", [])
        if failures:
            report.kept.append(
                f"batch {where}: enrich failed {len(failures)} of its {len(records)} records again; message kept"
            )
            continue
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        report.redriven.append(f"batch {where}: {len(records)} records re-driven through enrich")
    return report


def _messages(sqs: Any, queue_url: str, visibility_timeout_s: int) -> Iterator[dict[str, Any]]:
    """Each message once per run (a kept one becomes visible again after ``visibility_timeout_s``)."""
    seen: set[str] = set()
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=visibility_timeout_s
        ).get("Messages", [])
        fresh = [message for message in batch if message["MessageId"] not in seen]
        if not fresh:
            return
        seen.update(message["MessageId"] for message in fresh)
        yield from fresh


def invoke_function(function_name: str) -> Deliver:
    """Deliver by invoking the deployed enrich function synchronously."""
    client = aws_client("lambda")

    def deliver(event: dict[str, Any]) -> dict[str, Any]:
        reply = client.invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
        payload = json.loads(reply["Payload"].read() or b"{}")
        if reply.get("FunctionError"):
            return {"batchItemFailures": [{"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r in event["Records"]]}
        return dict(payload)

    return deliver


def in_process() -> Deliver:
    """Deliver by calling the enrich handler here (it reads enrich's environment)."""
    from functions.enrich.handler import handler

    def deliver(event: dict[str, Any]) -> dict[str, Any]:
        return dict(handler(event, RedriveContext()))

    return deliver


class RedriveContext(LambdaContext):
    """What Powertools reads from a Lambda context, for the handler run in this process (15 minutes left)."""

    def __init__(self) -> None:
        self._function_name = "highlight-bot-enrich-redrive"
        self._function_version = "$LATEST"
        self._memory_limit_in_mb = 1024
        self._invoked_function_arn = "arn:aws:lambda:local:000000000000:function:highlight-bot-enrich-redrive"
        self._aws_request_id = "redrive"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.enrich.redrive", description=__doc__.split("\n")[0])
    parser.add_argument("--queue-url", required=True, help="enrich's on-failure queue (batch failures)")
    parser.add_argument("--stream-name", required=True, help="the event stream the batches came from")
    parser.add_argument("--function-name", help="the deployed enrich function; omitted: the handler in this process")
    options = parser.parse_args(argv)
    deliver = invoke_function(options.function_name) if options.function_name else in_process()
    report = redrive(
        options.queue_url, options.stream_name, deliver, sqs=aws_client("sqs"), kinesis=aws_client("kinesis")
    )
    for line in report.redriven:
        print(line)
    for line in report.kept:
        print(line, file=sys.stderr)
    print(f"{len(report.redriven)} batch(es) re-driven, {len(report.kept)} kept in the queue.")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
