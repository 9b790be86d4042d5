"""The reconciler's pure rules: which channels the parameter lists, what to start and what to stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.channels import channel_entry
from functions.reconciler import CaptureTask, ReconcilerSettings, channel_names, plan_reconciliation
from functions.shared import ConfigurationError

FAMILY_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/HighlightBotStatelessCaptureTask1234"
CURRENT = f"{FAMILY_ARN}:7"
OLDER = f"{FAMILY_ARN}:6"
T0 = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def a_task(
    channel: str | None, *, number: int = 1, definition: str = CURRENT, status: str = "RUNNING", age_s: int = 0
) -> CaptureTask:
    return CaptureTask(
        arn=f"arn:aws:ecs:us-east-1:123456789012:task/cluster/{channel}-{number}",
        channel=channel,
        task_definition_arn=definition,
        last_status=status,
        created_at=T0 - timedelta(seconds=age_s),
    )


def stopped_arns(wanted: list[str], tasks: list[CaptureTask]) -> list[str]:
    return [stop.task.arn for stop in plan_reconciliation(wanted, tasks, task_definition_arn=CURRENT).stop]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("fifa_pro", ("fifa_pro",)),
        (" a , b=https://example.com/live.m3u8,, a ", ("a", "b")),
        ("sample=/tmp/sample/index.m3u8", ("sample",)),
        ("", ()),
        (" , ", ()),
    ],
)
def test_channel_names_are_the_entry_names_in_order_each_once(value: str, names: tuple[str, ...]) -> None:
    assert channel_names(value) == names


@pytest.mark.parametrize("value", ["a,b=https://example.com/x.m3u8", " c = twitch:c , d", "solo"])
def test_every_name_the_reconciler_starts_is_one_the_capture_task_finds(value: str) -> None:
    for name in channel_names(value):
        entry = channel_entry(value, name)
        assert entry is not None and entry.channel == name


def test_a_wanted_channel_without_a_task_gets_one_and_the_others_are_left_alone() -> None:
    plan = plan_reconciliation(["a", "b"], [a_task("a")], task_definition_arn=CURRENT)
    assert plan.start == ("b",) and plan.stop == ()


def test_the_tasks_of_a_channel_that_left_the_parameter_are_stopped() -> None:
    plan = plan_reconciliation(
        ["a"], [a_task("a"), a_task("gone"), a_task("gone", number=2)], task_definition_arn=CURRENT
    )
    assert plan.start == ()
    assert [stop.task.arn for stop in plan.stop] == [a_task("gone").arn, a_task("gone", number=2).arn]
    assert plan.stop[0].reason == "channel gone is no longer in the channel parameter"


def test_an_empty_parameter_stops_everything() -> None:
    assert stopped_arns([], [a_task("a"), a_task("b")]) == [a_task("a").arn, a_task("b").arn]


def test_one_current_task_per_wanted_channel_needs_nothing() -> None:
    plan = plan_reconciliation(["a", "b"], [a_task("a"), a_task("b", status="PENDING")], task_definition_arn=CURRENT)
    assert not plan.changes_something


def test_of_duplicates_the_oldest_running_task_is_kept() -> None:
    older_pending = a_task("a", number=1, status="PENDING", age_s=300)
    running = a_task("a", number=2, age_s=60)
    newer = a_task("a", number=3, age_s=0)
    assert sorted(stopped_arns(["a"], [older_pending, running, newer])) == [older_pending.arn, newer.arn]


def test_after_a_deploy_the_old_task_runs_until_its_replacement_does() -> None:
    old = a_task("a", number=1, definition=OLDER, age_s=3600)
    plan = plan_reconciliation(["a"], [old], task_definition_arn=CURRENT)
    assert plan.start == ("a",) and plan.stop == ()  # make before break

    pending = a_task("a", number=2, status="PROVISIONING")
    assert stopped_arns(["a"], [old, pending]) == []

    running = a_task("a", number=2)
    plan = plan_reconciliation(["a"], [old, running], task_definition_arn=CURRENT)
    assert [stop.task.arn for stop in plan.stop] == [old.arn] and plan.start == ()
    assert "a-2" in plan.stop[0].reason


def test_tasks_without_a_channel_tag_are_never_touched() -> None:
    by_hand = a_task(None)
    plan = plan_reconciliation([], [by_hand], task_definition_arn=CURRENT)
    assert plan.unmanaged == (by_hand,) and not plan.changes_something


def test_settings_name_the_task_family_and_every_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = {
        "CHANNEL_PARAMETER_NAME": "/highlight-bot/channel",
        "CLUSTER_ARN": "arn:aws:ecs:us-east-1:123456789012:cluster/capture",
        "TASK_DEFINITION_ARN": CURRENT,
        "CONTAINER_NAME": "Capture",
        "SUBNET_IDS": "subnet-1, subnet-2",
        "SECURITY_GROUP_IDS": "sg-1",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings = ReconcilerSettings.from_env()
    assert settings.task_family == "HighlightBotStatelessCaptureTask1234"
    assert settings.subnet_ids == ("subnet-1", "subnet-2") and settings.security_group_ids == ("sg-1",)

    monkeypatch.delenv("TASK_DEFINITION_ARN")
    with pytest.raises(ConfigurationError, match="set TASK_DEFINITION_ARN to the ARN of the capture task definition"):
        ReconcilerSettings.from_env()


def test_the_stack_writes_exactly_the_variables_the_function_reads() -> None:
    written = ReconcilerSettings(
        channel_parameter_name="/highlight-bot/channel",
        cluster_arn="arn:aws:ecs:us-east-1:123456789012:cluster/capture",
        task_definition_arn=CURRENT,
        container_name="Capture",
        subnet_ids=("subnet-1", "subnet-2"),
        security_group_ids=("sg-1",),
    )
    assert set(written.environment()) == {
        "CHANNEL_PARAMETER_NAME", "CLUSTER_ARN", "TASK_DEFINITION_ARN", "CONTAINER_NAME", "SUBNET_IDS",
        "SECURITY_GROUP_IDS",
    }  # fmt: skip
    assert ReconcilerSettings.from_env(written.environment()) == written
