"""One reconcile: read the channel parameter, compare with the capture tasks, start and stop tasks.

Idempotent: a second run right after the first finds nothing to do. Every run reads everything
again (parameter and tasks), so it needs no state of its own and any trigger — the minutely
schedule, the parameter's change event, a manual invoke — does the same thing.

A failure to start or stop one channel's task does not stop the others; it is reported in the
result (`failures`) and the handler raises after counting, so the run shows as a Lambda error.

Example:
    >>> result = reconcile(settings, ecs=aws_client("ecs"), ssm=aws_client("ssm"))
    >>> result.started
    {'fifa_pro': 'arn:aws:ecs:…:task/…/0f3c…'}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import BotoCoreError, ClientError

from functions.reconciler.channels import channel_names
from functions.reconciler.cluster import CaptureCluster
from functions.reconciler.exceptions import CaptureTaskStartError, ChannelParameterError
from functions.reconciler.plan import plan_reconciliation
from functions.reconciler.settings import ReconcilerSettings
from lambda_runtime.parameters import parameter_value

logger = Logger(child=True)


@dataclass
class ReconcileResult:
    """What one run found and did; `failures` maps a channel to why its start or stop failed."""

    wanted: tuple[str, ...]
    started: dict[str, str] = field(default_factory=dict)
    """Channel → ARN of the task started for it."""
    stopped: dict[str, str] = field(default_factory=dict)
    """Task ARN → why it was stopped."""
    failures: dict[str, str] = field(default_factory=dict)
    unmanaged: tuple[str, ...] = ()
    """ARNs of capture-family tasks without a channel tag (run by hand), left alone."""


def read_channels(ssm: Any, parameter_name: str) -> tuple[str, ...]:
    """The channel names the parameter lists; ChannelParameterError if it cannot be read."""
    try:
        value = parameter_value(parameter_name, ssm_client=ssm)
    except GetParameterError as error:
        raise ChannelParameterError(
            f"could not read the channel parameter {parameter_name} ({error}); no capture task was started or "
            f"stopped. Check that it exists (aws ssm get-parameter --name {parameter_name}) and that the "
            f"reconciler may read it."
        ) from error
    return channel_names(value)


def reconcile(settings: ReconcilerSettings, *, ecs: Any, ssm: Any) -> ReconcileResult:
    """Start a task for every wanted channel that has none, stop the tasks of channels no longer wanted."""
    wanted = read_channels(ssm, settings.channel_parameter_name)
    cluster = CaptureCluster(ecs, settings)
    plan = plan_reconciliation(wanted, cluster.capture_tasks(), task_definition_arn=settings.task_definition_arn)
    result = ReconcileResult(wanted=wanted, unmanaged=tuple(task.arn for task in plan.unmanaged))
    for task in plan.unmanaged:
        logger.warning("a capture task without a channel tag is left alone", extra={"task_arn": task.arn})
    for channel in plan.start:
        try:
            result.started[channel] = cluster.start(channel)
        except (CaptureTaskStartError, ClientError, BotoCoreError) as error:
            result.failures[channel] = str(error)
            logger.error("could not start a capture task", extra={"channel": channel, "reason": str(error)})
            continue
        logger.info("started a capture task", extra={"channel": channel, "task_arn": result.started[channel]})
    for stop in plan.stop:
        try:
            cluster.stop(stop.task.arn, stop.reason)
        except (ClientError, BotoCoreError) as error:
            result.failures[stop.task.channel or stop.task.arn] = f"could not stop {stop.task.arn}: {error}"
            logger.error("could not stop a capture task", extra={"channel": stop.task.channel, "reason": str(error)})
            continue
        result.stopped[stop.task.arn] = stop.reason
        logger.info(
            "stopped a capture task",
            extra={"channel": stop.task.channel, "task_arn": stop.task.arn, "reason": stop.reason},
        )
    return result
