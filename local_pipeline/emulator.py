"""Emulated AWS on loopback: moto in server mode, and the resources the stack would create.

Names, roll lengths, TTLs and the channel parameter come from the same
`PipelineSettings` the CDK app reads, and the Lambdas' variables from the same
settings models (`EnrichSettings`, `ClipSettings`, `VerticalSettings`), so the laptop and the
cloud cannot drift apart. Every boto3 client in this process (the capture
task's, the handlers') reaches moto through `AWS_ENDPOINT_URL`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from moto.server import ThreadedMotoServer

from contracts.settings import PipelineSettings
from functions.clip.settings import ClipSettings
from functions.enrich.settings import EnrichSettings
from functions.vertical.settings import JOBS_VISIBILITY_TIMEOUT_S, MAX_RECEIVE_COUNT, VerticalSettings
from lambda_runtime.metric_names import NAMESPACE

REGION = "us-east-1"
STACK_PREFIX = "highlight-bot-local"


@dataclass(frozen=True)
class LocalResources:
    """What the local run created, by the names and addresses the handlers need."""

    endpoint_url: str
    stream_name: str
    segments_bucket: str
    highlights_bucket: str
    segment_table: str
    idempotency_table: str
    clip_queue_url: str
    clip_dead_letter_url: str
    enrich_dead_letter_url: str
    topic_arn: str
    parameter_name: str
    vertical_queue_url: str
    vertical_dead_letter_url: str

    def lambda_environment(self, settings: PipelineSettings) -> dict[str, str]:
        """Both pipeline functions' variables (their names do not overlap), as the stack sets them."""
        ffmpeg = local_ffmpeg()
        return {
            **EnrichSettings.of(
                settings,
                segment_table=self.segment_table,
                idempotency_table=self.idempotency_table,
                clip_queue_url=self.clip_queue_url,
                dead_letter_queue_url=self.enrich_dead_letter_url,
                channel_parameter_name=self.parameter_name,
                highlight_topic_arn=self.topic_arn,  # goal alerts
            ).environment(),
            **ClipSettings(
                highlights_bucket=self.highlights_bucket,
                highlight_topic_arn=self.topic_arn,
                idempotency_table=self.idempotency_table,
                ffmpeg_path=ffmpeg,
                clip_url_expiry_s=settings.clip_url_expiry_s,
                idempotency_ttl_hours=settings.idempotency_ttl_hours,
                dead_letter_queue_url=self.clip_dead_letter_url,
            ).environment(),
            **self.vertical_settings(settings).environment(),
            "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
            "POWERTOOLS_METRICS_DISABLED": "true",
        }

    def vertical_settings(self, settings: PipelineSettings, *, background: bool = True) -> VerticalSettings:
        """The vertical function's settings (names shared with clip hold the same values).

        ``background`` (one ffmpeg thread at a low priority, nice 10) while the capture task shares the machine;
        once the source has ended, ``False``: the cuts still to come may use every core at normal priority.
        """
        return VerticalSettings(
            highlights_bucket=self.highlights_bucket,
            highlight_topic_arn=self.topic_arn,
            idempotency_table=self.idempotency_table,
            ffmpeg_path=local_ffmpeg(),
            dead_letter_queue_url=self.vertical_dead_letter_url,
            url_expiry_s=settings.clip_url_expiry_s,
            idempotency_ttl_hours=settings.idempotency_ttl_hours,
            background=background,
        )


def local_ffmpeg() -> str:
    """The ffmpeg on this machine's PATH, which the local clip and vertical functions run."""
    return shutil.which("ffmpeg") or "ffmpeg"


class EmulatedAws:
    """moto's server on 127.0.0.1 (an ephemeral port) with fake credentials for this process.

    Example:
        >>> with EmulatedAws() as aws:
        ...     resources = aws.create_resources(PipelineSettings(), channel_value="sample=http://…")
    """

    def __init__(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint_url = ""
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> EmulatedAws:
        # moto's HTTP server (werkzeug) logs every request; a run makes thousands.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        # moto's backends live in this process, shared by every server it starts: begin empty.
        requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=10).raise_for_status()
        self.set_env(
            {
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
            }
        )
        return self

    def __exit__(self, *_: object) -> None:
        self._server.stop()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def set_env(self, values: dict[str, str]) -> None:
        """Set variables for this run only; they are restored when the emulator stops."""
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=REGION)

    def create_resources(self, settings: PipelineSettings, *, channel_value: str) -> LocalResources:
        """The stack's stateful resources, emulated; also sets the Lambdas' variables in this process."""
        kinesis, s3, dynamodb, sqs, sns, ssm = (
            self.client(name) for name in ("kinesis", "s3", "dynamodb", "sqs", "sns", "ssm")
        )
        stream = f"{STACK_PREFIX}-events"
        kinesis.create_stream(StreamName=stream, ShardCount=1)
        kinesis.get_waiter("stream_exists").wait(StreamName=stream)
        buckets = f"{STACK_PREFIX}-segments", f"{STACK_PREFIX}-highlights"
        for bucket in buckets:
            s3.create_bucket(Bucket=bucket)
        segment_table, idempotency_table = f"{STACK_PREFIX}-segments", f"{STACK_PREFIX}-idempotency"
        dynamodb.create_table(
            TableName=segment_table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.create_table(
            TableName=idempotency_table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        clip_dlq = sqs.create_queue(QueueName=f"{STACK_PREFIX}-clip-dlq")["QueueUrl"]
        clip_dlq_arn = sqs.get_queue_attributes(QueueUrl=clip_dlq, AttributeNames=["QueueArn"])["Attributes"]
        clip_queue = sqs.create_queue(
            QueueName=f"{STACK_PREFIX}-clip-jobs",
            Attributes={
                "VisibilityTimeout": "30",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": clip_dlq_arn["QueueArn"], "maxReceiveCount": "3"}),
            },
        )["QueueUrl"]
        enrich_dlq = sqs.create_queue(QueueName=f"{STACK_PREFIX}-enrich-dlq")["QueueUrl"]
        topic = sns.create_topic(Name=f"{STACK_PREFIX}-highlights")["TopicArn"]
        vertical_queue, vertical_dlq = self._vertical_queues(sqs, sns, topic)
        ssm.put_parameter(Name=settings.channel_parameter_name, Value=channel_value, Type="String", Overwrite=True)
        resources = LocalResources(
            endpoint_url=self.endpoint_url,
            stream_name=stream,
            segments_bucket=buckets[0],
            highlights_bucket=buckets[1],
            segment_table=segment_table,
            idempotency_table=idempotency_table,
            clip_queue_url=clip_queue,
            clip_dead_letter_url=clip_dlq,
            enrich_dead_letter_url=enrich_dlq,
            topic_arn=topic,
            parameter_name=settings.channel_parameter_name,
            vertical_queue_url=vertical_queue,
            vertical_dead_letter_url=vertical_dlq,
        )
        self.set_env(resources.lambda_environment(settings))
        return resources

    @staticmethod
    def _vertical_queues(sqs: Any, sns: Any, topic_arn: str) -> tuple[str, str]:
        """The vertical job queue (highlights only, raw delivery, redriven after 5 receives) and its DLQ, as infra."""
        dead_letters = sqs.create_queue(QueueName=f"{STACK_PREFIX}-vertical-dlq")["QueueUrl"]
        dead_letters_arn = sqs.get_queue_attributes(QueueUrl=dead_letters, AttributeNames=["QueueArn"])["Attributes"]
        redrive = {"deadLetterTargetArn": dead_letters_arn["QueueArn"], "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
        jobs = sqs.create_queue(
            QueueName=f"{STACK_PREFIX}-vertical-jobs",
            Attributes={
                "VisibilityTimeout": str(JOBS_VISIBILITY_TIMEOUT_S),
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
        jobs_arn = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=jobs_arn,
            Attributes={"FilterPolicy": json.dumps({"event_type": ["highlight"]}), "RawMessageDelivery": "true"},
        )
        return jobs, dead_letters
