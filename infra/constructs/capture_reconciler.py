"""One capture task per channel: the reconciler Lambda, its triggers and its narrow permissions.

The SSM parameter lists the channels (`a,b=https://…`). Every minute, and within seconds of any
change to the parameter (EventBridge's "Parameter Store Change" event), the reconciler
(`functions/reconciler`) starts a Fargate task for each listed channel that has none and stops the
tasks of channels that left the list — no deploy involved.

Why not an ECS service: a service keeps N *identical* tasks, but each channel needs its own
`CHANNEL`; one service per channel would need a deploy per channel. The price is the restart
delay: a task that dies is replaced by the next minutely reconcile, so capture of that channel
pauses for at most ~1 minute plus the task's start (~30–60 s on Fargate). Segments of that gap are
lost (the live playlist only holds ~28 s), so a goal in it gets no clip or a clip with a gap.
A deploy that changes the task definition is make-before-break: the reconciler starts the new
revision's task and stops the old one once the new one runs (the overlap double-publishes
events, which their deterministic ids make harmless).

Concurrency is not reserved (reserving 1 fails on new accounts whose quota is 10); two runs that
race may both start a task for a new channel, and the next run stops the duplicate.

Permissions (least privilege): `ecs:RunTask` on the task definition and `iam:PassRole` on its two
roles (`grant_run`), `ecs:TagResource` only while creating tasks, `ecs:ListTasks`,
`ecs:DescribeTasks` and `ecs:StopTask` only in this cluster, read on the parameter.
"""

from __future__ import annotations

from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from functions.reconciler.settings import ReconcilerSettings
from infra.config import InfraConfig
from infra.constructs.capture_service import CaptureService
from infra.constructs.layers import LambdaLayers
from infra.constructs.nag import acknowledge_grant_wildcards
from infra.constructs.python_function import PythonFunction
from lambda_runtime.metric_names import Service

RECONCILE_INTERVAL = cdk.Duration.minutes(1)
"""Also the longest a dead capture task stays dead (plus Fargate's start time)."""


class CaptureReconciler(Construct):
    """The reconciler function, triggered every minute and by every change of the channel parameter."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        layers: LambdaLayers,
        capture: CaptureService,
        channel_parameter: ssm.IStringParameter,
    ) -> None:
        super().__init__(scope, construct_id)
        sizing = config.sizing
        self.function = PythonFunction(
            self,
            "Reconciler",
            package="functions/reconciler",
            source=config.source_root / "functions" / "reconciler",
            source_root=config.source_root,
            layers=[layers.dependencies],
            service_name=Service.RECONCILER,
            description="Runs one capture task per channel of the channel parameter",
            memory_mb=sizing.reconciler_memory_mb,
            timeout_s=sizing.reconciler_timeout_s,
            environment=ReconcilerSettings(
                channel_parameter_name=channel_parameter.parameter_name,
                cluster_arn=capture.cluster.cluster_arn,
                task_definition_arn=capture.task_definition.task_definition_arn,
                container_name=capture.container.container_name,
                subnet_ids=tuple(subnet.subnet_id for subnet in capture.subnets),
                security_group_ids=(capture.security_group.security_group_id,),
            ).environment(),
            # A run is only worth its freshness: no retries of a failed run, no stale queued runs;
            # the next minute's run starts from scratch anyway.
            retry_attempts=0,
            max_event_age=cdk.Duration.minutes(1),
        ).function
        self._grant_capture_task_control(capture)
        channel_parameter.grant_read(self.function)

        target = targets.LambdaFunction(self.function, retry_attempts=2, max_event_age=cdk.Duration.minutes(1))
        events.Rule(
            self,
            "EveryMinute",
            description="Reconcile the capture tasks with the channel parameter (restarts dead tasks)",
            schedule=events.Schedule.rate(RECONCILE_INTERVAL),
            targets=[target],
        )
        events.Rule(
            self,
            "ParameterChanged",
            description="Reconcile the capture tasks as soon as the channel parameter changes",
            event_pattern=events.EventPattern(
                source=["aws.ssm"],
                detail_type=["Parameter Store Change"],
                detail={"name": [channel_parameter.parameter_name]},
            ),
            targets=[target],
        )

    def _grant_capture_task_control(self, capture: CaptureService) -> None:
        """Run the capture task definition, and list, describe, tag and stop tasks of this cluster only."""
        capture.task_definition.grant_run(self.function)
        in_cluster = {"ArnEquals": {"ecs:cluster": capture.cluster.cluster_arn}}
        tasks_of_cluster = cdk.Stack.of(self).format_arn(
            service="ecs", resource="task", resource_name=f"{capture.cluster.cluster_name}/*"
        )
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ecs:DescribeTasks", "ecs:StopTask"], resources=[tasks_of_cluster], conditions=in_cluster
            )
        )
        # ListTasks has no resource type of its own; the cluster condition is what narrows it.
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["ecs:ListTasks"], resources=["*"], conditions=in_cluster)
        )
        # RunTask with tags needs TagResource on the new task; only as part of creating it.
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ecs:TagResource"],
                resources=[tasks_of_cluster],
                conditions={"StringEquals": {"ecs:CreateAction": "RunTask"}},
            )
        )
        cluster_logical_id = cdk.Stack.of(self).get_logical_id(cast(cdk.CfnElement, capture.cluster.node.default_child))
        acknowledge_grant_wildcards(
            self.function,
            [
                "Resource::*",
                f"Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<{cluster_logical_id}>/*",
            ],
            "ECS task ids are random, so tasks are named by their cluster (task/<cluster>/*), and every ECS "
            "statement is conditioned on ecs:cluster = the capture cluster; ListTasks has no resource type.",
        )
