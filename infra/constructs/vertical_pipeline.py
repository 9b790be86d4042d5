"""The vertical cut: a 9:16 rendition of every highlight, made apart from the clip so the clip never waits.

    SNS highlights ──(event_type = highlight, raw delivery)──▶ SQS vertical jobs ──▶ vertical λ (ffmpeg)
         ▲                                                        │ 5 receives          │
         └───────────── `vertical` event ◀──── S3 highlights ◀────┼─────────────────────┘
                                                                  ▼
                                              SQS vertical DLQ (also: refused at once, with the reason;
                                                                and SNS deliveries that failed)

Split like the clip pipeline: the queues and the subscription hold data, so they live in the stateful
stack (`VerticalQueues`); the function and its event source are code (`VerticalCut`, stateless).

* The queue gets only `highlight` events (a filter policy on the `event_type` attribute), with raw
  message delivery: the body is the event itself.
* Redrive after `VERTICAL_MAX_RECEIVE_COUNT` (5) receives: AWS advises at least 5 for a Lambda source,
  since a receive whose invocation was throttled counts too. Messages no retry can fix (not a
  highlight, a clip that is gone or is not an MP4) are sent to the same DLQ at once by the function,
  with their reason (`VERTICAL_DEAD_LETTER_QUEUE_URL`).
* The event source's maximum concurrency bounds a burst (a re-encode is ~11-22 CPU seconds), so it
  waits in the queue instead of taking the account's concurrency from clip and the hooks.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from contracts.settings import DEFAULT_SETTINGS
from functions.vertical.settings import (
    JOBS_VISIBILITY_TIMEOUT_S,
    MAX_CONCURRENCY,
    MAX_RECEIVE_COUNT,
    TIMEOUT_S,
    VerticalSettings,
)
from infra.config import InfraConfig
from infra.constructs.layers import FFMPEG_PATH, LambdaLayers
from infra.constructs.messaging import MESSAGE_RETENTION, dead_letter_queue, explain_sse_sqs_to_checkov
from infra.constructs.nag import acknowledge_grant_wildcards
from infra.constructs.python_function import PythonFunction
from infra.constructs.storage import MediaBucket
from lambda_runtime.metric_names import Service

VERTICAL_MAX_RECEIVE_COUNT = MAX_RECEIVE_COUNT
VERTICAL_MEMORY_MB = 3008
"""~1.7 vCPU: libx264 uses every core it gets, and Lambda bills GB-seconds, so more memory costs about the
same and finishes sooner (docs/cost.md)."""
VERTICAL_TIMEOUT_S = TIMEOUT_S
VERTICAL_JOBS_VISIBILITY_TIMEOUT_S = JOBS_VISIBILITY_TIMEOUT_S
VERTICAL_EPHEMERAL_STORAGE_MB = 1024
"""The 16:9 clip (~10 MB at 1080p60), its vertical cut and a thumbnail."""
VERTICAL_BATCH_SIZE = 1
"""One highlight per invocation: a failure retries only itself."""
VERTICAL_MAX_CONCURRENCY = MAX_CONCURRENCY
"""At most 2 re-encodes at once (the smallest maximum concurrency Lambda accepts): goals rarely coincide,
and vertical cuts are not urgent. The local run polls with as many workers."""
HIGHLIGHT_KEYS = "highlights/*"
"""The only keys the function reads and writes: clips live there, and their vertical cuts beside them."""


class VerticalQueues(Construct):
    """The vertical job queue, subscribed to the highlight topic for `highlight` events, and its DLQ (stateful)."""

    def __init__(self, scope: Construct, construct_id: str, *, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetters",
            holds=f"highlights whose vertical cut failed {VERTICAL_MAX_RECEIVE_COUNT} times or was refused with "
            "a reason, and SNS deliveries to the vertical queue that failed",
        )
        self.jobs = explain_sse_sqs_to_checkov(
            sqs.Queue(
                self,
                "Jobs",
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=MESSAGE_RETENTION,
                visibility_timeout=cdk.Duration.seconds(VERTICAL_JOBS_VISIBILITY_TIMEOUT_S),
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=self.dead_letters, max_receive_count=VERTICAL_MAX_RECEIVE_COUNT
                ),
            )
        )
        topic.add_subscription(
            subscriptions.SqsSubscription(
                self.jobs,
                raw_message_delivery=True,
                dead_letter_queue=self.dead_letters,
                filter_policy={
                    DEFAULT_SETTINGS.highlight_event_type_attribute: sns.SubscriptionFilter.string_filter(
                        allowlist=["highlight"]
                    )
                },
            )
        )


@dataclass(frozen=True)
class VerticalCutResources:
    """The stateful resources the vertical function reads and writes."""

    jobs: sqs.IQueue
    dead_letters: sqs.IQueue
    highlights_bucket: s3.IBucket
    highlights_base_url: str
    idempotency_table: dynamodb.ITable
    highlight_topic: sns.ITopic


class VerticalCut(Construct):
    """The vertical function, fed by its queue, with the least it needs: read clips, write cuts, publish."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        layers: LambdaLayers,
        resources: VerticalCutResources,
    ) -> None:
        super().__init__(scope, construct_id)
        res = resources
        environment = VerticalSettings(
            highlights_bucket=res.highlights_bucket.bucket_name,
            highlight_topic_arn=res.highlight_topic.topic_arn,
            idempotency_table=res.idempotency_table.table_name,
            ffmpeg_path=FFMPEG_PATH,
            dead_letter_queue_url=res.dead_letters.queue_url,
            highlights_base_url=res.highlights_base_url,
            url_expiry_s=config.settings.clip_url_expiry_s,
            idempotency_ttl_hours=config.settings.idempotency_ttl_hours,
        ).environment()
        self.function = PythonFunction(
            self,
            "Vertical",
            package="functions/vertical",
            source=config.source_root / "functions" / "vertical",
            source_root=config.source_root,
            layers=[layers.dependencies, layers.ffmpeg],
            service_name=Service.VERTICAL,
            description="Renders a 9:16 cut of each highlight with ffmpeg and publishes it",
            memory_mb=VERTICAL_MEMORY_MB,
            timeout_s=VERTICAL_TIMEOUT_S,
            ephemeral_storage_size=cdk.Size.mebibytes(VERTICAL_EPHEMERAL_STORAGE_MB),
            environment=environment,
        ).function
        res.highlights_bucket.grant_read(self.function, HIGHLIGHT_KEYS)
        res.highlights_bucket.grant_put(self.function, HIGHLIGHT_KEYS)
        res.idempotency_table.grant_read_write_data(self.function)
        res.highlight_topic.grant_publish(self.function)
        res.dead_letters.grant_send_messages(self.function)
        highlight_objects = MediaBucket.HIGHLIGHTS.objects_in_nag_finding.removesuffix("*") + HIGHLIGHT_KEYS
        acknowledge_grant_wildcards(
            self.function,
            ["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:Abort*",
             f"Resource::{highlight_objects}"],
            "grant_read/grant_put on the highlights/ prefix of the highlights bucket: vertical reads the clip a "
            "highlight names and writes its cut beside it, under keys derived from the clip's.",
        )  # fmt: skip
        acknowledge_grant_wildcards(
            self.function,
            ["Action::kms:GenerateDataKey*", "Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*"],
            "grant_publish on a topic encrypted with alias/aws/sns: the key is only known by its alias, and the "
            "statement is conditioned on kms:ResourceAliases = alias/aws/sns.",
        )
        self.function.add_event_source(
            event_sources.SqsEventSource(
                res.jobs,
                batch_size=VERTICAL_BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=VERTICAL_MAX_CONCURRENCY,
            )
        )
