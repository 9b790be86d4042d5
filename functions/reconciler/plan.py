"""What to start and stop so that every wanted channel has exactly one up-to-date capture task.

Pure rules, no AWS: `plan_reconciliation(wanted, tasks, task_definition_arn=...)` looks at the
channels the parameter names and the capture tasks that exist, and decides:

* a wanted channel without a task of the current task definition gets one started;
* a channel no longer wanted has all its tasks stopped;
* a channel with several current tasks (two runs raced) keeps the oldest running one;
* tasks of an older task definition (before a deploy) are stopped only once their replacement
  runs, so an image update never leaves a channel without capture: make before break.

Tasks without a `channel` tag were not started by the reconciler (someone ran one by hand): they
are reported, never touched.

Example:
    >>> plan = plan_reconciliation(["a", "b"], [task_of("a"), task_of("c")], task_definition_arn=CURRENT)
    >>> plan.start, [stop.task.channel for stop in plan.stop]
    (('b',), ['c'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

RUNNING = "RUNNING"


@dataclass(frozen=True)
class CaptureTask:
    """One capture task as ECS describes it: which channel it follows, on which revision, in which state."""

    arn: str
    channel: str | None
    """Its `channel` tag; None when it has none (not started by the reconciler)."""
    task_definition_arn: str
    last_status: str
    """PROVISIONING, PENDING, ACTIVATING, RUNNING, … (desired status is RUNNING for all we look at)."""
    created_at: datetime

    @property
    def is_running(self) -> bool:
        return self.last_status == RUNNING


@dataclass(frozen=True)
class TaskToStop:
    """A task to stop, with the reason ECS records on it (`stoppedReason`, at most 255 characters)."""

    task: CaptureTask
    reason: str


@dataclass(frozen=True)
class ReconcilePlan:
    """Channels to start a task for, tasks to stop, and tasks left alone because they are not ours."""

    start: tuple[str, ...] = ()
    stop: tuple[TaskToStop, ...] = ()
    unmanaged: tuple[CaptureTask, ...] = ()

    @property
    def changes_something(self) -> bool:
        return bool(self.start or self.stop)


def plan_reconciliation(
    wanted: Sequence[str], tasks: Iterable[CaptureTask], *, task_definition_arn: str
) -> ReconcilePlan:
    """Decide the starts and stops that leave one task of `task_definition_arn` per wanted channel."""
    by_channel: dict[str, list[CaptureTask]] = {}
    unmanaged: list[CaptureTask] = []
    for task in tasks:
        if task.channel is None:
            unmanaged.append(task)
        else:
            by_channel.setdefault(task.channel, []).append(task)

    start: list[str] = []
    stop: list[TaskToStop] = []
    for channel, channel_tasks in sorted(by_channel.items()):
        if channel not in wanted:
            reason = f"channel {channel} is no longer in the channel parameter"
            stop.extend(TaskToStop(task, reason) for task in channel_tasks)
    for channel in wanted:
        channel_tasks = by_channel.get(channel, [])
        current = sorted(
            (task for task in channel_tasks if task.task_definition_arn == task_definition_arn),
            key=lambda task: (not task.is_running, task.created_at),
        )
        outdated = [task for task in channel_tasks if task.task_definition_arn != task_definition_arn]
        if not current:
            start.append(channel)
            continue
        kept, *duplicates = current
        stop.extend(TaskToStop(task, f"duplicate capture task of channel {channel}") for task in duplicates)
        if kept.is_running:
            reason = f"replaced by {kept.arn.rsplit('/', 1)[-1]} on the current task definition"
            stop.extend(TaskToStop(task, reason) for task in outdated)
    return ReconcilePlan(start=tuple(start), stop=tuple(stop), unmanaged=tuple(unmanaged))
