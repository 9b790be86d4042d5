"""The capture tasks of the cluster, through the ECS API: list them, start one per channel, stop one.

Every task is started with `startedBy="highlight-bot-reconciler"`, a `channel` tag and the capture
container's `CHANNEL` variable set to that channel, in the stack's public subnets with a public IP
(no NAT gateway: see `infra/constructs/capture_service.py`).

Example:
    >>> cluster = CaptureCluster(aws_client("ecs"), settings)
    >>> arn = cluster.start("fifa_pro")
    >>> [task.channel for task in cluster.capture_tasks()]
    ['fifa_pro']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from functions.reconciler.exceptions import CaptureTaskStartError
from functions.reconciler.plan import CaptureTask
from functions.reconciler.settings import CHANNEL_TAG, RECONCILER_STARTED_BY, ReconcilerSettings

DESCRIBE_TASKS_LIMIT = 100
"""DescribeTasks accepts at most 100 task ARNs per call."""


class CaptureCluster:
    """Lists, starts and stops the capture tasks of one cluster and task definition family."""

    def __init__(self, ecs: Any, settings: ReconcilerSettings) -> None:
        self._ecs = ecs
        self.settings = settings

    def capture_tasks(self) -> list[CaptureTask]:
        """Every task of the capture family whose desired status is RUNNING (pending ones included)."""
        arns: list[str] = []
        pages = self._ecs.get_paginator("list_tasks").paginate(
            cluster=self.settings.cluster_arn, family=self.settings.task_family, desiredStatus="RUNNING"
        )
        for page in pages:
            arns.extend(page["taskArns"])
        tasks: list[CaptureTask] = []
        for chunk in _chunks(arns, DESCRIBE_TASKS_LIMIT):
            reply = self._ecs.describe_tasks(cluster=self.settings.cluster_arn, tasks=list(chunk), include=["TAGS"])
            tasks.extend(_capture_task(described) for described in reply["tasks"])
        return tasks

    def start(self, channel: str) -> str:
        """Run one capture task following `channel`; returns its ARN or raises CaptureTaskStartError."""
        settings = self.settings
        reply = self._ecs.run_task(
            cluster=settings.cluster_arn,
            taskDefinition=settings.task_definition_arn,
            launchType="FARGATE",
            count=1,
            startedBy=RECONCILER_STARTED_BY,
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": list(settings.subnet_ids),
                    "securityGroups": list(settings.security_group_ids),
                    "assignPublicIp": "ENABLED",
                }
            },
            overrides={
                "containerOverrides": [
                    {"name": settings.container_name, "environment": [{"name": "CHANNEL", "value": channel}]}
                ]
            },
            tags=[{"key": CHANNEL_TAG, "value": channel}],
        )
        if reply.get("failures") or not reply.get("tasks"):
            reasons = "; ".join(f"{failure.get('reason')} {failure.get('detail', '')}" for failure in reply["failures"])
            raise CaptureTaskStartError(
                f"ECS did not start the capture task of channel {channel} ({reasons or 'no task returned'}); "
                f"the next reconcile, within a minute, tries again."
            )
        return str(reply["tasks"][0]["taskArn"])

    def stop(self, task_arn: str, reason: str) -> None:
        """Stop one task; the capture container gets SIGTERM and flushes its events before it exits."""
        self._ecs.stop_task(cluster=self.settings.cluster_arn, task=task_arn, reason=reason[:255])


def _capture_task(described: dict[str, Any]) -> CaptureTask:
    tags = {tag["key"]: tag["value"] for tag in described.get("tags", [])}
    return CaptureTask(
        arn=str(described["taskArn"]),
        channel=tags.get(CHANNEL_TAG),
        task_definition_arn=str(described["taskDefinitionArn"]),
        last_status=str(described.get("lastStatus", "")),
        created_at=described.get("createdAt") or datetime.now(UTC),
    )


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
