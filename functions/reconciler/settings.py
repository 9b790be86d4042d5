"""The reconciler's settings: the stack writes its environment from them, the function reads them back."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from lambda_runtime.settings import FunctionSettings

RECONCILER_STARTED_BY = "highlight-bot-reconciler"
"""`startedBy` of every task the reconciler runs: tells them apart from tasks run by hand."""
CHANNEL_TAG = "channel"
"""Tag of every capture task naming its channel (also the capture container's `CHANNEL` variable)."""


def _ids(value: object) -> object:
    """``"subnet-1, subnet-2"`` (the variable) → a tuple of ids; a tuple (the stack) as it is."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


Ids = Annotated[tuple[str, ...], BeforeValidator(_ids), Field(min_length=1)]


class ReconcilerSettings(FunctionSettings):
    """Where the channel list is, and how to run one capture task (cluster, task definition, network).

    The stack writes the variables with ``environment()``; the handler reads them with ``from_env()``.
    """

    channel_parameter_name: str = Field(
        alias="CHANNEL_PARAMETER_NAME", description="the SSM parameter listing the channels"
    )
    cluster_arn: str = Field(alias="CLUSTER_ARN", description="the ARN of the ECS cluster the capture tasks run in")
    task_definition_arn: str = Field(alias="TASK_DEFINITION_ARN", description="the ARN of the capture task definition")
    container_name: str = Field(
        alias="CONTAINER_NAME", description="the name of the capture container in that definition"
    )
    subnet_ids: Ids = Field(alias="SUBNET_IDS", description="comma-separated public subnet ids for the tasks")
    security_group_ids: Ids = Field(
        alias="SECURITY_GROUP_IDS", description="comma-separated security group ids for the tasks"
    )

    @property
    def task_family(self) -> str:
        """`arn:aws:ecs:…:task-definition/<family>:<revision>` → `<family>`: every revision's tasks are ours."""
        return self.task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]
