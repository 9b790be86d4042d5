"""The reconciler's settings, read from its environment when it runs (the stack sets every variable)."""

from __future__ import annotations

from dataclasses import dataclass

from functions.shared.env import required_env

RECONCILER_STARTED_BY = "highlight-bot-reconciler"
"""`startedBy` of every task the reconciler runs: tells them apart from tasks run by hand."""
CHANNEL_TAG = "channel"
"""Tag of every capture task naming its channel (also the capture container's `CHANNEL` variable)."""


@dataclass(frozen=True)
class ReconcilerSettings:
    """Where the channel list is, and how to run one capture task (cluster, task definition, network)."""

    channel_parameter_name: str
    cluster_arn: str
    task_definition_arn: str
    container_name: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]

    @property
    def task_family(self) -> str:
        """`arn:aws:ecs:…:task-definition/<family>:<revision>` → `<family>`: every revision's tasks are ours."""
        return self.task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]

    @classmethod
    def from_env(cls) -> ReconcilerSettings:
        """Read the variables listed in `functions/reconciler/README.md`."""
        return cls(
            channel_parameter_name=required_env("CHANNEL_PARAMETER_NAME", "the SSM parameter listing the channels"),
            cluster_arn=required_env("CLUSTER_ARN", "the ARN of the ECS cluster the capture tasks run in"),
            task_definition_arn=required_env("TASK_DEFINITION_ARN", "the ARN of the capture task definition"),
            container_name=required_env("CONTAINER_NAME", "the name of the capture container in that definition"),
            subnet_ids=_ids(required_env("SUBNET_IDS", "comma-separated public subnet ids for the tasks")),
            security_group_ids=_ids(
                required_env("SECURITY_GROUP_IDS", "comma-separated security group ids for the tasks")
            ),
        )


def _ids(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
