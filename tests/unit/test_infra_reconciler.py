"""HighlightBotStateless, capture reconciler: one task per channel, its triggers and its narrow permissions."""

from __future__ import annotations

import json

from aws_cdk.assertions import Template
from infra_fixtures import (  # noqa: F401  (fixtures, used by name)
    SynthesizedApp,
    default_app_fixture,
    function_by_handler,
    function_statements,
    resources,
    stateless_fixture,
    statement_actions,
)

RECONCILER = "functions/reconciler/handler.handler"


def _logical_id(template: Template, resource_type: str) -> str:
    (logical_id,) = resources(template, resource_type)
    return logical_id


def test_reconciler_knows_how_to_run_a_capture_task(stateless: Template) -> None:
    _, reconciler = function_by_handler(stateless, RECONCILER)
    env = reconciler["Environment"]["Variables"]
    assert env["CLUSTER_ARN"] == {"Fn::GetAtt": [_logical_id(stateless, "AWS::ECS::Cluster"), "Arn"]}
    assert env["TASK_DEFINITION_ARN"] == {"Ref": _logical_id(stateless, "AWS::ECS::TaskDefinition")}
    assert env["CONTAINER_NAME"] == "Capture"
    assert env["SECURITY_GROUP_IDS"] == {"Fn::GetAtt": [_logical_id(stateless, "AWS::EC2::SecurityGroup"), "GroupId"]}
    subnets = {logical_id for logical_id in resources(stateless, "AWS::EC2::Subnet")}
    assert {part["Ref"] for part in env["SUBNET_IDS"]["Fn::Join"][1] if isinstance(part, dict)} == subnets
    assert "ChannelParameter" in json.dumps(env["CHANNEL_PARAMETER_NAME"])
    assert env["POWERTOOLS_SERVICE_NAME"] == "reconciler"


def test_reconciler_runs_every_minute_and_when_the_parameter_changes(stateless: Template) -> None:
    reconciler_id, _ = function_by_handler(stateless, RECONCILER)
    rules = [
        rule["Properties"]
        for rule in resources(stateless, "AWS::Events::Rule").values()
        if rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [reconciler_id, "Arn"]}
    ]
    assert len(rules) == 2
    (schedule,) = [rule for rule in rules if "ScheduleExpression" in rule]
    assert schedule["ScheduleExpression"] == "rate(1 minute)"
    (change,) = [rule for rule in rules if "EventPattern" in rule]
    assert change["EventPattern"]["source"] == ["aws.ssm"]
    assert change["EventPattern"]["detail-type"] == ["Parameter Store Change"]
    assert "ChannelParameter" in json.dumps(change["EventPattern"]["detail"]["name"])


def test_a_failed_run_is_not_retried_the_next_minute_is(stateless: Template) -> None:
    reconciler_id, _ = function_by_handler(stateless, RECONCILER)
    stateless.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {"FunctionName": {"Ref": reconciler_id}, "MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60},
    )


def test_reconciler_may_run_only_the_capture_task_and_pass_only_its_roles(stateless: Template) -> None:
    reconciler_id, _ = function_by_handler(stateless, RECONCILER)
    statements = function_statements(stateless, reconciler_id)
    by_action = {action: statement for statement in statements for action in statement_actions(statement)}
    assert {action for action in by_action if not action.startswith("ssm:")} == {
        "ecs:RunTask",
        "ecs:ListTasks",
        "ecs:DescribeTasks",
        "ecs:StopTask",
        "ecs:TagResource",
        "iam:PassRole",
    }
    assert by_action["ecs:RunTask"]["Resource"] == {"Ref": _logical_id(stateless, "AWS::ECS::TaskDefinition")}
    task = next(iter(resources(stateless, "AWS::ECS::TaskDefinition").values()))["Properties"]
    assert sorted(json.dumps(arn) for arn in by_action["iam:PassRole"]["Resource"]) == sorted(
        json.dumps(task[role]) for role in ("TaskRoleArn", "ExecutionRoleArn")
    )
    assert by_action["iam:PassRole"]["Condition"] == {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_reconciler_lists_describes_and_stops_tasks_of_its_cluster_only(stateless: Template) -> None:
    reconciler_id, _ = function_by_handler(stateless, RECONCILER)
    cluster = _logical_id(stateless, "AWS::ECS::Cluster")
    in_cluster = {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": [cluster, "Arn"]}}}
    for statement in function_statements(stateless, reconciler_id):
        actions = statement_actions(statement)
        if {"ecs:ListTasks", "ecs:DescribeTasks", "ecs:StopTask"} & set(actions):
            assert statement["Condition"] == in_cluster, statement
        if "ecs:TagResource" in actions:
            assert statement["Condition"] == {"StringEquals": {"ecs:CreateAction": "RunTask"}}
        if statement["Resource"] == "*":
            assert actions == ["ecs:ListTasks"], statement  # ListTasks has no resource type
        elif any(action.startswith("ecs:") for action in actions) and "ecs:RunTask" not in actions:
            assert {"Ref": cluster} in statement["Resource"]["Fn::Join"][1], statement


def test_reconciler_reads_the_channel_parameter_and_writes_nothing_to_ssm(stateless: Template) -> None:
    reconciler_id, _ = function_by_handler(stateless, RECONCILER)
    ssm = [
        statement
        for statement in function_statements(stateless, reconciler_id)
        if "ssm:GetParameter" in statement_actions(statement)
    ]
    (statement,) = ssm
    assert not any(action.startswith(("ssm:Put", "ssm:Delete")) for action in statement_actions(statement))
    assert "ChannelParameter" in json.dumps(statement["Resource"])


def test_reconciler_asset_holds_its_package_and_the_shared_one(default_app: SynthesizedApp) -> None:
    _, reconciler = function_by_handler(default_app.stateless, RECONCILER)
    asset = default_app.outdir / f"asset.{reconciler['Code']['S3Key'].removesuffix('.zip')}"
    staged = {str(path.relative_to(asset)) for path in asset.rglob("*.py")}
    assert {"functions/reconciler/handler.py", "functions/shared/__init__.py", "functions/__init__.py"} <= staged
    assert not any(path.startswith(("functions/enrich", "functions/clip", "hooks")) for path in staged)
