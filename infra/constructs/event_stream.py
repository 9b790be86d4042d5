"""The Kinesis stream that carries `segment` and `goal` events from the capture task to enrich.

Capacity mode is PROVISIONED with one shard, on cost (us-east-1, Nov 2026 public prices):
one shard is $0.015/h plus $0.014 per million 25 KB PUT units — a channel puts ~50 records an
hour (the ~15 segments kept around each goal, the goals; ≈1,800/h with `keep_segments=all`, still
far under a shard's 1,000 records/s), so ≈ $0.0150/h ($10.95/month). ON_DEMAND bills $0.04 per
stream-hour plus $0.08/GB in and $0.04/GB out (≈ $0.040/h, $29/month) for throughput we never use.
Every channel shares the shard, each in order (partition key = channel). enrich takes a shard's
records one batch after another (`parallelization_factor=1`): with every segment kept, some
10–20 channels at ~50–100 ms a record; around goals only, far more. Raising the parallelization
factor (up to 10; Lambda still keeps each partition key in order) or adding shards lifts that.
Itemised costs: docs/cost.md.

Encryption uses the AWS-managed key `alias/aws/kinesis`: free, and neither the producer nor the
Lambda poller needs key grants.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kinesis as kinesis
from constructs import Construct

from contracts.settings import PipelineSettings

STREAM_SHARD_COUNT = 1


class EventStream(Construct):
    """One encrypted stream, partitioned by channel so each channel's events stay in order."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: PipelineSettings) -> None:
        super().__init__(scope, construct_id)
        self.stream = kinesis.Stream(
            self,
            "Stream",
            stream_mode=kinesis.StreamMode.PROVISIONED,
            shard_count=STREAM_SHARD_COUNT,
            retention_period=cdk.Duration.hours(settings.kinesis_retention_hours),
            encryption=kinesis.StreamEncryption.MANAGED,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
