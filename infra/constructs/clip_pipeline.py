"""From events on the stream to a published highlight: the enrich and clip Lambdas and their sources.

enrich reads the Kinesis stream, indexes `segment` events in the segment table and, for each
`goal`, sends a clip job (the goal plus the segments covering its window) to the clip queue.
clip takes one job at a time, cuts MP4 + JPEG with ffmpeg into the highlights bucket and
publishes a `highlight` event to the topic.

Kinesis source settings, each because the default is dangerous (see FIELD-NOTES):
* `TRIM_HORIZON`: a new or re-created mapping starts at the oldest retained record, so events the
  capture task put before the mapping existed are not lost; idempotency makes a replay harmless
  and `max_record_age` sends stale ones to the failure queue rather than processing them late.
* `retry_attempts=3` + `bisect_batch_on_error` + `report_batch_item_failures`: one poison record
  is isolated and retried a few times instead of blocking the shard for the whole retention.
* `max_record_age=10 min`: longer than `post_roll_wait_s` (a goal may wait for its post-roll).
* `parallelization_factor=1`: one batch per shard at a time keeps each channel's events in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from contracts.settings import WAITING_GOALS_SWEEP_EVENT
from functions.clip.settings import ClipSettings
from functions.enrich.settings import EnrichSettings
from infra.config import InfraConfig
from infra.constructs.layers import FFMPEG_PATH, LambdaLayers
from infra.constructs.nag import acknowledge_grant_wildcards
from infra.constructs.python_function import PythonFunction
from infra.constructs.storage import MediaBucket
from lambda_runtime.metric_names import Service

ENRICH_BATCH_SIZE = 100
ENRICH_MAX_BATCHING_WINDOW_S = 0
"""No batching window: enrich publishes the goal alert, and each second of window would be a second more before it
reaches the chat (Lambda already polls a shard about once a second). Invocations stay few either way: only the
segments of goals' windows are announced, and the capture's sink sends a goal's pre-roll in one PutRecords."""
ENRICH_RETRY_ATTEMPTS = 3
ENRICH_MAX_RECORD_AGE_S = 600
CLIP_BATCH_SIZE = 1
"""One job per invocation: a clip takes seconds of ffmpeg, and a failure then retries only itself."""
CLIP_MAX_CONCURRENCY = 4
"""At most 4 clips at once: goals rarely coincide, and a burst then waits in the queue instead of scaling
clip into the account's concurrency quota (10 in a new account), where throttled receives would use up
the job's `maxReceiveCount`."""


@dataclass(frozen=True)
class ClipPipelineResources:
    """The stateful resources the pipeline reads and writes (they live in the stateful stack)."""

    stream: kinesis.IStream
    segments_bucket: s3.IBucket
    highlights_bucket: s3.IBucket
    highlights_base_url: str
    """`https://<CloudFront domain>`: highlight links are this plus the object key (see HighlightLinks)."""
    segment_table: dynamodb.ITable
    idempotency_table: dynamodb.ITable
    clip_jobs: sqs.IQueue
    clip_dead_letters: sqs.IQueue
    """Jobs no retry can fix go here at once, with their reason (the redrive catches the rest)."""
    enrich_dead_letters: sqs.IQueue
    enrich_batch_failures: sqs.IQueue
    highlight_topic: sns.ITopic
    channel_parameter: ssm.IStringParameter


class ClipPipeline(Construct):
    """The enrich and clip functions, wired to the stream, the queue, the tables, buckets and topic."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        layers: LambdaLayers,
        resources: ClipPipelineResources,
    ) -> None:
        super().__init__(scope, construct_id)
        settings, sizing, res = config.settings, config.sizing, resources
        if settings.post_roll_wait_s >= ENRICH_MAX_RECORD_AGE_S:
            raise ValueError(
                f"post_roll_wait_s={settings.post_roll_wait_s} must stay below the Kinesis max record age "
                f"({ENRICH_MAX_RECORD_AGE_S} s), or goals waiting for their post-roll would be discarded."
            )

        self.enrich = PythonFunction(
            self,
            "Enrich",
            package="functions/enrich",
            source=config.source_root / "functions" / "enrich",
            source_root=config.source_root,
            layers=[layers.dependencies],
            service_name=Service.ENRICH,
            description="Indexes segments and turns goals into clip jobs",
            memory_mb=sizing.enrich_memory_mb,
            timeout_s=sizing.enrich_timeout_s,
            environment=EnrichSettings.of(
                settings,
                segment_table=res.segment_table.table_name,
                idempotency_table=res.idempotency_table.table_name,
                clip_queue_url=res.clip_jobs.queue_url,
                dead_letter_queue_url=res.enrich_dead_letters.queue_url,
                channel_parameter_name=res.channel_parameter.parameter_name,
                highlight_topic_arn=res.highlight_topic.topic_arn,  # each goal's alert, before its clip exists
            ).environment(),
        ).function
        res.segment_table.grant_read_write_data(self.enrich)
        res.idempotency_table.grant_read_write_data(self.enrich)
        res.clip_jobs.grant_send_messages(self.enrich)
        res.enrich_dead_letters.grant_send_messages(self.enrich)
        res.channel_parameter.grant_read(self.enrich)
        res.highlight_topic.grant_publish(self.enrich)
        _acknowledge_sns_key(self.enrich)
        self.enrich.add_event_source(
            event_sources.KinesisEventSource(
                res.stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=ENRICH_BATCH_SIZE,
                max_batching_window=cdk.Duration.seconds(ENRICH_MAX_BATCHING_WINDOW_S),
                bisect_batch_on_error=True,
                retry_attempts=ENRICH_RETRY_ATTEMPTS,
                max_record_age=cdk.Duration.seconds(ENRICH_MAX_RECORD_AGE_S),
                report_batch_item_failures=True,
                parallelization_factor=1,
                on_failure=event_sources.SqsDlq(res.enrich_batch_failures),
            )
        )
        # Goals wait in the index for their post-roll and are re-decided when their channel sends an
        # event; the capture task sends few (segments only around goals), so a schedule looks too,
        # and a goal whose post-roll never came reaches the dead-letter queue without a next event.
        self.waiting_goals_sweep = events.Rule(
            self,
            "WaitingGoalsSweep",
            description="enrich looks at every listed channel's goals waiting for their segments",
            schedule=events.Schedule.rate(cdk.Duration.minutes(settings.waiting_goals_sweep_minutes)),
            targets=[
                targets.LambdaFunction(
                    self.enrich,
                    event=events.RuleTargetInput.from_object(WAITING_GOALS_SWEEP_EVENT),
                    retry_attempts=1,
                    max_event_age=cdk.Duration.minutes(settings.waiting_goals_sweep_minutes),
                )
            ],
        )

        self.clip = PythonFunction(
            self,
            "Clip",
            package="functions/clip",
            source=config.source_root / "functions" / "clip",
            source_root=config.source_root,
            layers=[layers.dependencies, layers.ffmpeg],
            service_name=Service.CLIP,
            description="Cuts a highlight MP4 + thumbnail with ffmpeg and publishes it",
            memory_mb=sizing.clip_memory_mb,
            timeout_s=sizing.clip_timeout_s,
            ephemeral_storage_size=cdk.Size.mebibytes(sizing.clip_ephemeral_storage_mb),
            environment=ClipSettings(
                highlights_bucket=res.highlights_bucket.bucket_name,
                highlight_topic_arn=res.highlight_topic.topic_arn,
                idempotency_table=res.idempotency_table.table_name,
                ffmpeg_path=FFMPEG_PATH,
                clip_url_expiry_s=settings.clip_url_expiry_s,
                idempotency_ttl_hours=settings.idempotency_ttl_hours,
                highlights_base_url=res.highlights_base_url,
                dead_letter_queue_url=res.clip_dead_letters.queue_url,
            ).environment(),
        ).function
        res.clip_dead_letters.grant_send_messages(self.clip)
        res.segments_bucket.grant_read(self.clip)
        res.highlights_bucket.grant_put(self.clip)
        # Read too: the presigned clip URLs clip hands out are signed with its own role.
        res.highlights_bucket.grant_read(self.clip)
        res.idempotency_table.grant_read_write_data(self.clip)
        res.highlight_topic.grant_publish(self.clip)
        acknowledge_grant_wildcards(
            self.clip,
            [
                "Action::s3:GetObject*",
                "Action::s3:GetBucket*",
                "Action::s3:List*",
                "Action::s3:Abort*",
                f"Resource::{MediaBucket.SEGMENTS.objects_in_nag_finding}",
                f"Resource::{MediaBucket.HIGHLIGHTS.objects_in_nag_finding}",
            ],
            "grant_read on segments and grant_put/grant_read on highlights: clip reads the segments a job "
            "names and writes clips under keys it derives, so access is per bucket, not per key.",
        )
        _acknowledge_sns_key(self.clip)
        self.clip.add_event_source(
            event_sources.SqsEventSource(
                res.clip_jobs,
                batch_size=CLIP_BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=CLIP_MAX_CONCURRENCY,
            )
        )


def _acknowledge_sns_key(function: lambda_.IFunction) -> None:
    acknowledge_grant_wildcards(
        function,
        ["Action::kms:GenerateDataKey*", "Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*"],
        "grant_publish on a topic encrypted with alias/aws/sns: the key is only known by its alias, and the "
        "statement is conditioned on kms:ResourceAliases = alias/aws/sns.",
    )
