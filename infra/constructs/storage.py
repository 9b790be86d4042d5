"""Where highlight-bot keeps bytes and indexes: the segment and highlight buckets and the two tables.

The two media buckets have fixed names, `highlight-bot-<purpose>-<account>-<region>`: people
browse the highlights with `aws s3 ls`, and the stateless stack imports both by name, so its IAM
policies name them plainly (and cdk-nag's findings on `<bucket>/*` have stable ids) instead of
pointing through cross-stack outputs.

Segments are a cache: the capture task stores each live segment because Twitch's playlist forgets
it after ~28 s, the clip Lambda reads the few around a goal, and after `segment_ttl_hours` both
the object (S3 lifecycle) and its index row (DynamoDB TTL) disappear. Highlights are the product
and are retained.
"""

from __future__ import annotations

import math
from enum import StrEnum

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from contracts.settings import PipelineSettings
from infra.constructs.nag import acknowledge, skip_checkov

SEGMENT_TABLE_TTL_ATTRIBUTE = "expires_at"
IDEMPOTENCY_TABLE_TTL_ATTRIBUTE = "expiration"
"""Powertools idempotency's default attribute names (`id`, `expiration`)."""


class MediaBucket(StrEnum):
    """The two media buckets, named `highlight-bot-<purpose>-<account>-<region>` (unique, ≤ 63 characters)."""

    SEGMENTS = "segments"
    HIGHLIGHTS = "highlights"

    @property
    def bucket_name(self) -> str:
        return f"highlight-bot-{self.value}-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}"

    @property
    def objects_in_nag_finding(self) -> str:
        """How cdk-nag spells this bucket's object ARNs (`arn:...:s3:::<bucket>/*`) in an IAM5 finding."""
        return f"arn:<AWS::Partition>:s3:::highlight-bot-{self.value}-<AWS::AccountId>-<AWS::Region>/*"

    def imported(self, scope: Construct, construct_id: str) -> s3.IBucket:
        """This bucket as seen from another stack: by name, no cross-stack output needed."""
        return s3.Bucket.from_bucket_name(scope, construct_id, self.bucket_name)


def _private_bucket(scope: Construct, construct_id: str, **overrides: object) -> s3.Bucket:
    """A bucket nobody reaches without IAM, over TLS only, encrypted with S3-managed keys.

    Access logs are delivered under a bucket policy, not ACLs (cdk.json's
    `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`), so ACLs stay disabled everywhere.
    """
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        **overrides,  # type: ignore[arg-type]
    )


class MediaBuckets(Construct):
    """The segments cache, the highlights it is cut into, and the access log of both."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: PipelineSettings) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = _private_bucket(
            self,
            "AccessLogs",
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the server access log bucket of the other buckets; logging it into itself would loop.",
        )
        skip_checkov(
            self.access_logs,
            "CKV_AWS_18",
            "This is the server access log bucket of the other buckets; logging it into itself would loop.",
        )
        skip_checkov(
            self.access_logs,
            "CKV_AWS_21",
            "S3 writes each access log object once and never changes it; they expire after 90 days.",
        )
        self.segments = _private_bucket(
            self,
            "Segments",
            bucket_name=MediaBucket.SEGMENTS.bucket_name,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=cdk.Duration.days(math.ceil(settings.segment_ttl_hours / 24)),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="segments/",
            # A cache that expires within a day: nothing to keep when the stack is destroyed.
            removal_policy=cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        skip_checkov(
            self.segments,
            "CKV_AWS_21",
            "A cache whose objects expire within two days and are written once each; versions would only "
            "keep expired segments longer.",
        )
        self.highlights = _private_bucket(
            self,
            "Highlights",
            bucket_name=MediaBucket.HIGHLIGHTS.bucket_name,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="highlights/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        skip_checkov(
            self.highlights,
            "CKV_AWS_21",
            "Each clip is written under a key derived from its goal id and never changed (a re-cut after a crash "
            "writes the same clip again, which versioning would keep twice); no role may delete from the bucket, "
            "and it is retained when the stack is destroyed.",
        )


class PipelineTables(Construct):
    """The segment index enrich writes and reads, and the idempotency records of enrich and clip."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Point-in-time recovery is off for both: the segment index is rebuilt from the stream within
        # a day and every row expires after segment_ttl_hours; losing idempotency records at worst
        # lets one goal be clipped twice. PITR would cost more than the data it protects.
        self.segments = dynamodb.Table(
            self,
            "Segments",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=SEGMENT_TABLE_TTL_ATTRIBUTE,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.idempotency = dynamodb.Table(
            self,
            "Idempotency",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=IDEMPOTENCY_TABLE_TTL_ATTRIBUTE,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        for table in (self.segments, self.idempotency):
            no_pitr = (
                "Cache-like table whose rows expire within 48 h and can be rebuilt from the stream; "
                "point-in-time recovery would protect nothing worth its cost."
            )
            acknowledge(table, "AwsSolutions-DDB3", no_pitr)
            skip_checkov(table, "CKV_AWS_28", no_pitr)
            skip_checkov(
                table,
                "CKV_AWS_119",
                "Encrypted at rest with the AWS-managed key: the rows are segment keys and goal ids, nothing a "
                "customer key ($1/month plus requests) would need to guard from other roles of this account.",
            )
