"""highlight-bot on AWS, read top to bottom like the architecture diagram (see the README).

    SSM channel list ──▶ reconciler λ (every minute, and on change) ──▶ one capture task per channel

    capture tasks (Fargate) ──segments──▶ S3 segments
          │ events (key = channel)         │
          ▼                                ▼
    Kinesis ──▶ enrich λ ──clip jobs──▶ SQS ──▶ clip λ (ffmpeg) ──▶ S3 highlights
                  │                                  │
                  ▼                                  ▼
           DynamoDB segments                   SNS highlights ──▶ hook λs
                                                     │ ▲ highlight → SQS → vertical λ (9:16) → vertical event
                                       S3 highlights ◀── CloudFront (OAC) ◀── https links in events

    every part ──EMF metrics, logs──▶ CloudWatch dashboard and alarms ──▶ SNS alarm topic

`HighlightBotStateful` holds everything that keeps data (stream, buckets, tables, queues, topic,
channel parameter, hook secrets, and the CloudFront distribution whose domain is in every
highlight link); its logical ids must never change by accident. `HighlightBotStateless` holds the
code (Lambdas, layers, hooks, the capture task definition and its reconciler, monitoring), retains
and names nothing, and may be destroyed and redeployed freely.

Run from the repo root: `cdk synth` (cdk.json runs `.venv/bin/python -m infra.app`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from infra.config import InfraConfig
from infra.constructs.capture_reconciler import CaptureReconciler
from infra.constructs.capture_service import CaptureResources, CaptureService
from infra.constructs.channel_parameter import ChannelParameter
from infra.constructs.clip_pipeline import ClipPipeline, ClipPipelineResources
from infra.constructs.event_stream import EventStream
from infra.constructs.highlight_links import HighlightLinks
from infra.constructs.hooks import Hooks, HookSecrets, discover_hooks
from infra.constructs.layers import LambdaLayers
from infra.constructs.messaging import ClipJobQueues, EnrichFailureQueues, HighlightTopic
from infra.constructs.monitoring import MonitoredResources, Monitoring
from infra.constructs.nag import CdkProviderHandlerSkips
from infra.constructs.storage import MediaBucket, MediaBuckets, PipelineTables
from infra.constructs.vertical_pipeline import (
    VERTICAL_JOBS_VISIBILITY_TIMEOUT_S,
    VerticalCut,
    VerticalCutResources,
    VerticalQueues,
)

STATEFUL_STACK_NAME = "HighlightBotStateful"
STATELESS_STACK_NAME = "HighlightBotStateless"


class StatefulStack(cdk.Stack):
    """Everything that holds data; other stacks only reference it."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.events = EventStream(self, "Events", settings=config.settings)
        self.media = MediaBuckets(self, "Media", settings=config.settings)
        self.tables = PipelineTables(self, "Tables")
        self.clip_jobs = ClipJobQueues(self, "ClipJobs", sizing=config.sizing)
        self.enrich_failures = EnrichFailureQueues(self, "EnrichFailures")
        self.highlights = HighlightTopic(self, "Highlights")
        self.verticals = VerticalQueues(self, "Verticals", topic=self.highlights.topic)
        self.channel = ChannelParameter(
            self, "Channel", name=config.settings.channel_parameter_name, initial_channel=config.channel
        )
        self.highlight_links = HighlightLinks(self, "HighlightLinks", bucket=self.media.highlights)
        self.hook_secrets = HookSecrets(self, "HookSecrets", hooks=discover_hooks(config.hooks_dir))


class StatelessStack(cdk.Stack):
    """The code: capture tasks and their reconciler, clip pipeline, hooks and monitoring, wired to the state."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: InfraConfig, state: StatefulStack, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.add_stack_dependency(state)
        segments_bucket = MediaBucket.SEGMENTS.imported(self, "SegmentsBucket")
        highlights_bucket = MediaBucket.HIGHLIGHTS.imported(self, "HighlightsBucket")
        self.capture = CaptureService(
            self,
            "Capture",
            config=config,
            resources=CaptureResources(
                stream=state.events.stream,
                segments_bucket=segments_bucket,
                channel_parameter=state.channel.parameter,
            ),
        )
        layers = LambdaLayers(self, "Layers", config=config)
        self.reconciler = CaptureReconciler(
            self,
            "CaptureReconciler",
            config=config,
            layers=layers,
            capture=self.capture,
            channel_parameter=state.channel.parameter,
        )
        self.pipeline = ClipPipeline(
            self,
            "ClipPipeline",
            config=config,
            layers=layers,
            resources=ClipPipelineResources(
                stream=state.events.stream,
                segments_bucket=segments_bucket,
                highlights_bucket=highlights_bucket,
                highlights_base_url=state.highlight_links.base_url,
                segment_table=state.tables.segments,
                idempotency_table=state.tables.idempotency,
                clip_jobs=state.clip_jobs.jobs,
                clip_dead_letters=state.clip_jobs.dead_letters,
                enrich_dead_letters=state.enrich_failures.dead_letters,
                enrich_batch_failures=state.enrich_failures.batch_failures,
                highlight_topic=state.highlights.topic,
                channel_parameter=state.channel.parameter,
            ),
        )
        self.vertical = VerticalCut(
            self,
            "VerticalCut",
            config=config,
            layers=layers,
            resources=VerticalCutResources(
                jobs=state.verticals.jobs,
                dead_letters=state.verticals.dead_letters,
                highlights_bucket=highlights_bucket,
                highlights_base_url=state.highlight_links.base_url,
                idempotency_table=state.tables.idempotency,
                highlight_topic=state.highlights.topic,
            ),
        )
        self.hooks = Hooks(
            self,
            "Hooks",
            config=config,
            layers=layers,
            topic=state.highlights.topic,
            highlights_bucket=highlights_bucket,
            highlights_base_url=state.highlight_links.base_url,
            secrets=state.hook_secrets.secrets,
            idempotency_table=state.tables.idempotency,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            config=config,
            watched=MonitoredResources(
                stream=state.events.stream,
                enrich=self.pipeline.enrich,
                clip=self.pipeline.clip,
                reconciler=self.reconciler.function,
                hooks=self.hooks.functions,
                clip_jobs=state.clip_jobs.jobs,
                vertical=self.vertical.function,
                vertical_jobs=state.verticals.jobs,
                vertical_visibility_timeout_s=VERTICAL_JOBS_VISIBILITY_TIMEOUT_S,
                failure_queues={
                    "EnrichDeadLetters": state.enrich_failures.dead_letters,
                    "EnrichBatchFailures": state.enrich_failures.batch_failures,
                    "ClipDeadLetters": state.clip_jobs.dead_letters,
                    "VerticalDeadLetters": state.verticals.dead_letters,
                    **self.hooks.failure_queues,
                },
            ),
        )


def build_app(context: Mapping[str, Any] | None = None, *, outdir: str | None = None) -> cdk.App:
    """The whole app with cdk-nag's AwsSolutions checks attached: synth fails on any unacknowledged finding."""
    app = cdk.App(context=dict(context) if context else None, outdir=outdir)
    config = InfraConfig.from_context(app.node)
    state = StatefulStack(app, STATEFUL_STACK_NAME, config=config, description="highlight-bot: data (stateful)")
    StatelessStack(app, STATELESS_STACK_NAME, config=config, state=state, description="highlight-bot: code")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    cdk.Aspects.of(app).add(CdkProviderHandlerSkips())
    return app


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
