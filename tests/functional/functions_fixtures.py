"""What the enrich and clip tests share: contract events, moto resources, Lambda-shaped events, real segments.

Kinesis events are built the way Lambda builds them: the records are put on a
moto stream and read back with ``get_records``, so sequence numbers, partition
keys and base64 data are the real shapes. SQS events are built from messages
received from moto queues.

Example:
    >>> with emulated_aws(monkeypatch):
    ...     world = PipelineWorld.create(monkeypatch)
    ...     event = world.stream.event_for(a_segment(0), a_goal(at=START + timedelta(seconds=21.3)))
    ...     enrich_handler.handler(event, FakeLambdaContext())
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext
from moto import mock_aws

from contracts import GoalAlert, GoalEvent, Score, SegmentEvent, Teams, goal_id, parse_event, segment_id
from contracts.events import AnyEvent
from functions.shared import forget_aws_clients, forget_idempotent_functions
from tests.functional.fake_aws import REGION, use_fake_aws_environment

ACCOUNT = "123456789012"
CHANNEL = "sample"
START = datetime(2026, 11, 25, 20, 0, 0, tzinfo=UTC)
"""Program-date-time of segment 0; segment n starts 2 n seconds later."""
SEGMENT_S = 2.0
SEGMENTS_BUCKET = "highlight-bot-segments"
HIGHLIGHTS_BUCKET = "highlight-bot-highlights"
STREAM_NAME = "highlight-bot-events"


# ---------------------------------------------------------------- events


def a_segment(sequence: int, *, channel: str = CHANNEL, location: str | None = None, **changes: Any) -> SegmentEvent:
    """Segment ``sequence`` of a steady 2 s stream starting at START."""
    start = START + timedelta(seconds=SEGMENT_S * sequence)
    fields: dict[str, Any] = {
        "id": segment_id(channel, sequence, start),
        "channel": channel,
        "sequence": sequence,
        "start": start,
        "duration_s": SEGMENT_S,
        "stream_time": SEGMENT_S * sequence,
        "location": location or f"s3://{SEGMENTS_BUCKET}/segments/{channel}/{sequence:012d}.ts",
    }
    return SegmentEvent(**(fields | changes))


def a_goal(at: datetime, *, channel: str = CHANNEL) -> GoalEvent:
    """A LIV 1-0 MCI goal whose first frame is at ``at``."""
    teams, score = Teams(home="LIV", away="MCI"), Score(home=1, away=0)
    return GoalEvent(
        id=goal_id(channel, teams, score, at),
        channel=channel,
        at=at,
        stream_time=(at - START).total_seconds(),
        score=score,
        previous_score=Score(home=0, away=0),
        teams=teams,
        clock="22:10",
        side="home",
    )


class FakeLambdaContext(LambdaContext):
    """The attributes Powertools reads from a Lambda context, with plenty of time left."""

    def __init__(self, function_name: str = "highlight-bot-enrich") -> None:
        self._function_name = function_name
        self._function_version = "$LATEST"
        self._memory_limit_in_mb = 1024
        self._invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self._aws_request_id = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


# ---------------------------------------------------------------- AWS (moto)


@contextmanager
def emulated_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto for every AWS call, fake credentials, and the functions' cached clients forgotten on both sides."""
    use_fake_aws_environment(monkeypatch)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")  # keeps EMF lines out of the test output
    forget_aws_clients()
    forget_idempotent_functions()
    try:
        with mock_aws():
            yield
    finally:
        forget_aws_clients()
        forget_idempotent_functions()


def create_table(name: str, *, keys: tuple[str, ...], ttl_attribute: str) -> str:
    """A pay-per-request DynamoDB table with string keys (partition, then optional sort) and TTL."""
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
    )
    return name


def create_queue(name: str) -> str:
    return str(boto3.client("sqs", region_name=REGION).create_queue(QueueName=name)["QueueUrl"])


def drain_queue(url: str) -> list[dict[str, Any]]:
    """Every message waiting in a queue (received and deleted), with its attributes."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)


def hooks_topic_heard_by(queue_name: str, filter_policy: dict[str, list[str]]) -> tuple[str, str]:
    """The hooks' topic and a queue subscribed to it with ``filter_policy`` (as a hook.json says): (topic, queue)."""
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    topic_arn = str(sns.create_topic(Name="highlight-bot-highlights")["TopicArn"])
    queue_url = create_queue(queue_name)
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": json.dumps(filter_policy)},
    )
    return topic_arn, queue_url


def alerts_heard(queue_url: str) -> list[tuple[GoalAlert, dict[str, Any]]]:
    """The goal alerts a subscribed queue received, each with the SNS message attributes it came with."""
    heard = []
    for message in drain_queue(queue_url):
        envelope = json.loads(message["Body"])
        alert = parse_event(envelope["Message"])
        assert isinstance(alert, GoalAlert)
        heard.append((alert, envelope["MessageAttributes"]))
    return heard


def sqs_event(*messages: dict[str, Any], queue_name: str = "highlight-bot-clip-jobs") -> dict[str, Any]:
    """The event Lambda builds from messages received from an SQS queue."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {"ApproximateReceiveCount": "1"}),
                "messageAttributes": {
                    name: {"stringValue": value.get("StringValue"), "dataType": value["DataType"]}
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}",
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class KinesisStream:
    """A moto Kinesis stream that turns what is put on it into the event Lambda would deliver."""

    def __init__(self, name: str = STREAM_NAME) -> None:
        self.name = name
        self._client = boto3.client("kinesis", region_name=REGION)
        self._client.create_stream(StreamName=name, ShardCount=1)
        description = self._client.describe_stream(StreamName=name)["StreamDescription"]
        self.arn = description["StreamARN"]
        self._shard = description["Shards"][0]["ShardId"]
        self._iterator = self._client.get_shard_iterator(
            StreamName=name, ShardId=self._shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]

    def event_for(
        self, *payloads: AnyEvent | bytes | str | dict[str, Any], partition_key: str = CHANNEL
    ) -> dict[str, Any]:
        """Put each payload (an event, raw bytes, text or a dict as JSON) and return them as one Lambda event."""
        # One PutRecords call per 500 (its limit): one shard keeps them in this order, as put one by one.
        for first in range(0, len(payloads), 500):
            entries = [{"Data": _as_bytes(p), "PartitionKey": partition_key} for p in payloads[first : first + 500]]
            reply = self._client.put_records(StreamName=self.name, Records=entries)
            assert reply["FailedRecordCount"] == 0, reply
        reply = self._client.get_records(ShardIterator=self._iterator, Limit=1000)
        self._iterator = reply["NextShardIterator"]
        return {"Records": [self._lambda_record(record) for record in reply["Records"]]}

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": record["PartitionKey"],
                "sequenceNumber": record["SequenceNumber"],
                "data": base64.b64encode(record["Data"]).decode(),
                "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{self._shard}:{record['SequenceNumber']}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/highlight-bot-enrich",
            "awsRegion": REGION,
            "eventSourceARN": self.arn,
        }


def _as_bytes(payload: AnyEvent | bytes | str | dict[str, Any]) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode()
    if isinstance(payload, dict):
        return json.dumps(payload).encode()
    return payload.to_bytes()


@dataclass
class EnrichWorld:
    """The enrich function's resources in moto, and its environment set."""

    stream: KinesisStream
    segment_table: str
    clip_queue_url: str
    dead_letter_queue_url: str

    @classmethod
    def create(cls, monkeypatch: pytest.MonkeyPatch, **environment: str) -> EnrichWorld:
        world = cls(
            stream=KinesisStream(),
            segment_table=create_table("highlight-bot-segments", keys=("pk", "sk"), ttl_attribute="expires_at"),
            clip_queue_url=create_queue("highlight-bot-clip-jobs"),
            dead_letter_queue_url=create_queue("highlight-bot-enrich-dlq"),
        )
        create_table("highlight-bot-idempotency", keys=("id",), ttl_attribute="expiration")
        variables = {
            "SEGMENT_TABLE": world.segment_table,
            "CLIP_QUEUE_URL": world.clip_queue_url,
            "DEAD_LETTER_QUEUE_URL": world.dead_letter_queue_url,
            "IDEMPOTENCY_TABLE": "highlight-bot-idempotency",
            "POWERTOOLS_SERVICE_NAME": "enrich",
            "AWS_LAMBDA_FUNCTION_NAME": "highlight-bot-enrich",
        }
        for name, value in (variables | environment).items():
            monkeypatch.setenv(name, value)
        return world

    def items(self, partition: str) -> list[dict[str, Any]]:
        client = boto3.client("dynamodb", region_name=REGION)
        return list(
            client.query(
                TableName=self.segment_table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": partition}},
            )["Items"]
        )


# ---------------------------------------------------------------- real media


def render_ts_segments(folder: Path, *, count: int, ffmpeg: str = "ffmpeg", size: str = "320x180") -> list[Path]:
    """``count`` MPEG-TS segments of 2 s (30 fps, a keyframe every 2 s, AAC audio), like a Twitch rendition."""
    folder.mkdir(parents=True, exist_ok=True)
    _render(
        ffmpeg,
        folder,
        "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts", str(folder / "%06d.ts"),
        count=count,
        size=size,
    )  # fmt: skip
    return sorted(folder.glob("*.ts"))


def render_fmp4_segments(folder: Path, *, count: int, ffmpeg: str = "ffmpeg", size: str = "320x180") -> list[Path]:
    """``count`` fMP4 fragments of 2 s and their init section (``init.mp4``), as an HLS muxer writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    _render(
        ffmpeg,
        folder,
        "-f", "hls", "-hls_time", "2", "-hls_list_size", "0", "-hls_segment_type", "fmp4",
        "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", str(folder / "%06d.m4s"),
        str(folder / "index.m3u8"),
        count=count,
        size=size,
    )  # fmt: skip
    return sorted(folder.glob("*.m4s"))


def _render(ffmpeg: str, folder: Path, *output: str, count: int, size: str) -> None:
    subprocess.run(
        [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", f"{2 * count}", "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "32k",
            *output,
        ],
        check=True,
        cwd=folder,
    )  # fmt: skip
