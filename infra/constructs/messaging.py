"""The queues and the topic between the pipeline's stages, and where their failures go.

* clip jobs: enrich → clip, redriven to a clip DLQ after 5 receives (AWS advises at least 5 for a
  Lambda source, because a receive whose invocation was throttled counts too);
* enrich DLQ (`DEAD_LETTER_QUEUE_URL`): records enrich can never process, sent with the reason;
* enrich on-failure queue: Kinesis batch metadata (shard, sequence range) after retries run out;
* highlight topic: clip → hooks, KMS-encrypted with `alias/aws/sns`, TLS-only.

All queues use SSE-SQS (free, and SNS can deliver to them without key grants) and refuse non-TLS
requests. They hold 14 days, the maximum, so an operator has time to look.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import LambdaSizing
from infra.constructs.nag import acknowledge, skip_checkov

CLIP_MAX_RECEIVE_COUNT = 5
MESSAGE_RETENTION = cdk.Duration.days(14)


def explain_sse_sqs_to_checkov(queue: sqs.Queue) -> sqs.Queue:
    skip_checkov(
        queue,
        "CKV_AWS_27",
        "The queue is encrypted with SSE-SQS (SqsManagedSseEnabled); checkov recognises only KMS encryption.",
    )
    return queue


def dead_letter_queue(scope: Construct, construct_id: str, *, holds: str) -> sqs.Queue:
    """An encrypted, TLS-only queue that collects what failed; `holds` says what, for the nag reason."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=MESSAGE_RETENTION,
    )
    acknowledge(queue, "AwsSolutions-SQS3", f"This queue is itself a dead-letter queue ({holds}).")
    return explain_sse_sqs_to_checkov(queue)


class ClipJobQueues(Construct):
    """The clip job queue and its DLQ, sized from the clip Lambda's timeout."""

    def __init__(self, scope: Construct, construct_id: str, *, sizing: LambdaSizing) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self, "DeadLetters", holds=f"clip jobs that failed {CLIP_MAX_RECEIVE_COUNT} times"
        )
        self.jobs = explain_sse_sqs_to_checkov(
            sqs.Queue(
                self,
                "Jobs",
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=MESSAGE_RETENTION,
                visibility_timeout=cdk.Duration.seconds(sizing.clip_queue_visibility_timeout_s),
                dead_letter_queue=sqs.DeadLetterQueue(
                    queue=self.dead_letters, max_receive_count=CLIP_MAX_RECEIVE_COUNT
                ),
            )
        )


class EnrichFailureQueues(Construct):
    """Where enrich's failures go: rejected records (with reasons) and exhausted Kinesis batches."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = dead_letter_queue(
            self, "DeadLetters", holds="records enrich rejected as malformed, unknown or too late, with the reason"
        )
        self.batch_failures = dead_letter_queue(
            self, "BatchFailures", holds="shard and sequence ranges of Kinesis batches whose retries ran out"
        )


class HighlightTopic(Construct):
    """The topic clip publishes `highlight` events to, with `channel` and `event_type` message attributes."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # The AWS-managed SNS key: free, and publishers and Lambda subscribers in this account may use
        # it through SNS without key-policy grants. A customer key ($1/month) buys nothing here.
        sns_key = kms.Alias.from_alias_name(self, "AwsManagedKey", "alias/aws/sns")
        self.topic = sns.Topic(self, "Topic", master_key=sns_key, enforce_ssl=True)
