"""The capture task on Fargate: the container that watches one channel and feeds the stream.

This construct defines *how* a capture task runs (VPC, cluster, task definition, security group,
log group); `CaptureReconciler` decides *how many*: one task per channel of the SSM parameter,
each started with `CHANNEL=<name>`. There is no ECS service: a service runs N identical tasks, while
each channel needs a task of its own, and the set of channels changes without a deploy.

Networking is public subnets only, with a public IP and a security group without ingress: the
task only calls out (Twitch, Kinesis, S3, SSM), and a NAT gateway would cost $0.045/h, over
four times a task. Graviton (ARM64) is ~20 % cheaper than x86 for the same size.

Fargate Spot is not used: Spot does not run ARM64 tasks, and an interruption would leave a gap
in the stored segments, i.e. goals without a clip (see docs/cost.md for the trade).

The image is built from the repository root with `capture_task/Dockerfile` (`.dockerignore` keeps
the context to `contracts/` and `capture_task/`).
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from contracts.settings import CHECKPOINTS_PREFIX, TWITCH_OAUTH_SECRET_ENV
from infra.config import InfraConfig
from infra.constructs.nag import LOGS_WITHOUT_CUSTOMER_KEY, acknowledge, acknowledge_grant_wildcards, skip_checkov
from infra.constructs.storage import MediaBucket

TASK_CPU_UNITS = 256
"""0.25 vCPU: the sampler decodes about one keyframe per second."""
TASK_MEMORY_MIB = 512
DOCKERFILE = "capture_task/Dockerfile"
CONTAINER_NAME = "Capture"


@dataclass(frozen=True)
class CaptureResources:
    """What the capture task writes to and reads from."""

    stream: kinesis.IStream
    segments_bucket: s3.IBucket
    channel_parameter: ssm.IStringParameter


class CaptureService(Construct):
    """VPC, cluster, security group and the task definition running `python -m capture_task run`.

    Attributes the reconciler needs to run a task: `cluster`, `task_definition`, `container`,
    `subnets`, `security_group`.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, config: InfraConfig, resources: CaptureResources
    ) -> None:
        super().__init__(scope, construct_id)
        vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)
            ],
        )
        acknowledge(
            vpc,
            "AwsSolutions-VPC7",
            "The VPC holds only outbound capture tasks whose security group admits no traffic; flow logs would "
            "record only their calls to AWS and Twitch, at a cost above the tasks'.",
        )
        self.subnets = vpc.public_subnets
        self.cluster = ecs.Cluster(self, "Cluster", vpc=vpc, container_insights_v2=ecs.ContainerInsights.DISABLED)
        no_insights = (
            "The capture tasks report their own per-channel metrics (EMF) and logs; Container Insights would add "
            "per-metric charges for CPU and memory figures the dashboard does not need."
        )
        acknowledge(self.cluster, "AwsSolutions-ECS4", no_insights)
        skip_checkov(self.cluster, "CKV_AWS_65", no_insights)

        self.log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.TWO_WEEKS, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        skip_checkov(self.log_group, "CKV_AWS_158", LOGS_WITHOUT_CUSTOMER_KEY)
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "Task",
            cpu=TASK_CPU_UNITS,
            memory_limit_mib=TASK_MEMORY_MIB,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        # CHANNEL is not set here: the reconciler sets it per task (a container override).
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            image=ecs.ContainerImage.from_asset(
                str(config.source_root),
                file=DOCKERFILE,
                platform=ecr_assets.Platform.LINUX_ARM64,
            ),
            command=["run"],
            environment=config.settings.capture_environment(
                channel_parameter=resources.channel_parameter.parameter_name,
                kinesis_stream=resources.stream.stream_name,
                segments_bucket=resources.segments_bucket.bucket_name,
            ),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="capture", log_group=self.log_group),
        )
        acknowledge(
            self.task_definition,
            "AwsSolutions-ECS2",
            "The environment holds only resource names, the channel name and timing settings; nothing secret.",
        )
        resources.stream.grant_write(self.task_definition.task_role)
        resources.segments_bucket.grant_put(self.task_definition.task_role)
        # The match checkpoint it wrote before a restart (capture_task.publish.checkpoints): only that prefix.
        resources.segments_bucket.grant_read(self.task_definition.task_role, f"{CHECKPOINTS_PREFIX}/*")
        resources.channel_parameter.grant_read(self.task_definition.task_role)
        if config.twitch_oauth_secret:
            self._read_twitch_token_from(config.twitch_oauth_secret)
        acknowledge_grant_wildcards(
            self.task_definition,
            ["Action::s3:Abort*", f"Resource::{MediaBucket.SEGMENTS.objects_in_nag_finding}"],
            "grant_put on the segments bucket: the task writes one object per kept segment under keys it derives "
            "(hence <bucket>/*), and may abort its own multipart uploads.",
        )
        acknowledge_grant_wildcards(
            self.task_definition,
            [
                "Action::s3:GetObject*",
                "Action::s3:GetBucket*",
                "Action::s3:List*",
                "Resource::"
                + MediaBucket.SEGMENTS.objects_in_nag_finding.removesuffix("*")
                + f"{CHECKPOINTS_PREFIX}/*",
            ],
            "grant_read of the checkpoints prefix only: after a restart the task reads back the match state it "
            "wrote (one object per channel), so no goal scored while it was down is lost.",
        )
        acknowledge_grant_wildcards(
            self.task_definition,
            ["Resource::*"],
            "The execution role's ecr:GetAuthorizationToken has no resource-level permissions; pulling the image "
            "itself is limited to the asset repository.",
        )

        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            allow_all_outbound=True,
            description="capture task: no ingress; egress to Twitch (HTTPS) and AWS APIs",
        )

    def _read_twitch_token_from(self, name_or_arn: str) -> None:
        """Let the task read the Twitch OAuth secret; the container gets its ARN, never the token."""
        if name_or_arn.startswith("arn:"):
            secret = secretsmanager.Secret.from_secret_complete_arn(self, "TwitchOAuth", name_or_arn)
        else:
            secret = secretsmanager.Secret.from_secret_name_v2(self, "TwitchOAuth", name_or_arn)
        secret.grant_read(self.task_definition.task_role)
        self.container.add_environment(TWITCH_OAUTH_SECRET_ENV, secret.secret_arn)
