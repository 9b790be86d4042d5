"""HighlightBotStateless, capture task: Fargate task definition, public-only VPC, least-privilege task role."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template
from infra_fixtures import (  # noqa: F401  (fixtures, used by name)
    SynthesizedApp,
    default_app_fixture,
    resources,
    role_statements,
    stateless_fixture,
    statement_actions,
    synthesized,
)

from contracts.settings import ALLOW_PRIVATE_STREAM_URLS_ENV, TWITCH_OAUTH_SECRET_ENV, PipelineSettings


def _task(template: Template) -> dict[str, Any]:
    (task,) = resources(template, "AWS::ECS::TaskDefinition").values()
    return dict(task["Properties"])


def test_task_is_a_quarter_vcpu_arm64_fargate_task(stateless: Template) -> None:
    task = _task(stateless)
    assert task["Cpu"] == "256"
    assert task["Memory"] == "512"
    assert task["RequiresCompatibilities"] == ["FARGATE"]
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"}


def test_container_runs_capture_with_its_environment(stateless: Template) -> None:
    (container,) = _task(stateless)["ContainerDefinitions"]
    assert container["Command"] == ["run"]
    environment = {pair["Name"]: pair["Value"] for pair in container["Environment"]}
    assert set(environment) == {
        "CHANNEL_PARAMETER_NAME",
        "KINESIS_STREAM_NAME",
        "SEGMENTS_BUCKET",
        "CHANNEL_POLL_INTERVAL_S",
        "KEEP_SEGMENTS",
        "PRE_ROLL_S",
        "POST_ROLL_S",
        ALLOW_PRIVATE_STREAM_URLS_ENV,
    }
    settings = PipelineSettings()
    # Channel entries naming http://, private addresses or files are refused unless deployed with the flag.
    assert environment[ALLOW_PRIVATE_STREAM_URLS_ENV] == "false"
    assert environment["CHANNEL_POLL_INTERVAL_S"] == str(settings.channel_poll_interval_s)
    # The capture task keeps the segments of the same windows enrich cuts.
    assert environment["KEEP_SEGMENTS"] == "around_goals"
    assert environment["PRE_ROLL_S"] == str(settings.pre_roll_s)
    assert environment["POST_ROLL_S"] == str(settings.post_roll_s)
    assert "ChannelParameter" in json.dumps(environment["CHANNEL_PARAMETER_NAME"])
    assert "EventsStream" in json.dumps(environment["KINESIS_STREAM_NAME"])
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"
    log_group = container["LogConfiguration"]["Options"]["awslogs-group"]["Ref"]
    assert stateless.to_json()["Resources"][log_group]["Properties"]["RetentionInDays"] == 14


def test_image_is_built_for_arm64_from_the_repo_root(default_app: SynthesizedApp) -> None:
    assets = json.loads((default_app.outdir / "HighlightBotStateless.assets.json").read_text())
    (image,) = assets["dockerImages"].values()
    assert image["source"]["dockerFile"] == "capture_task/Dockerfile"
    assert image["source"]["platform"] == "linux/arm64"
    context = default_app.outdir / image["source"]["directory"]
    top_level = {path.name for path in context.iterdir()}
    assert top_level == {".dockerignore", "capture_task", "contracts"}  # .dockerignore keeps the rest out


def test_no_ecs_service_runs_the_task_the_reconciler_does(stateless: Template) -> None:
    stateless.resource_count_is("AWS::ECS::Service", 0)
    (container,) = _task(stateless)["ContainerDefinitions"]
    assert container["Name"] == "Capture"  # the reconciler's container override names it


def test_vpc_has_two_public_subnets_and_no_nat(stateless: Template) -> None:
    stateless.resource_count_is("AWS::EC2::NatGateway", 0)
    subnets = resources(stateless, "AWS::EC2::Subnet")
    assert len(subnets) == 2
    assert all(subnet["Properties"]["MapPublicIpOnLaunch"] for subnet in subnets.values())


def test_security_group_admits_nothing(stateless: Template) -> None:
    (group,) = resources(stateless, "AWS::EC2::SecurityGroup").values()
    assert "SecurityGroupIngress" not in group["Properties"]
    stateless.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)


def test_task_role_may_only_put_records_put_segments_and_read_the_channel(stateless: Template) -> None:
    role = _task(stateless)["TaskRoleArn"]["Fn::GetAtt"][0]
    by_service: dict[str, set[str]] = {}
    for statement in role_statements(stateless, role):
        for action in statement_actions(statement):
            by_service.setdefault(action.split(":")[0], set()).add(action)
    assert set(by_service) == {"kinesis", "s3", "ssm"}
    assert {"kinesis:PutRecord", "kinesis:PutRecords"} <= by_service["kinesis"]
    assert "s3:PutObject" in by_service["s3"]
    assert not any(action.startswith("s3:Delete") for action in by_service["s3"])
    reads = [s for s in role_statements(stateless, role) if "s3:GetObject*" in statement_actions(s)]
    assert len(reads) == 1, "the task reads back only its checkpoints"
    assert "/checkpoints/*" in json.dumps(reads[0]["Resource"])
    assert by_service["ssm"] >= {"ssm:GetParameter"}
    assert not any(action.startswith(("ssm:Put", "ssm:Delete")) for action in by_service["ssm"])


def test_without_a_twitch_secret_the_task_gets_no_token_variable(stateless: Template) -> None:
    (container,) = _task(stateless)["ContainerDefinitions"]
    assert TWITCH_OAUTH_SECRET_ENV not in {pair["Name"] for pair in container["Environment"]}


def test_a_twitch_oauth_secret_is_read_by_arn_and_only_by_the_task() -> None:
    """Context `twitch_oauth_secret`: the container gets the secret's ARN (never the token) and may read only it."""
    stateless = synthesized((("twitch_oauth_secret", "highlight-bot/twitch-oauth"),)).stateless
    (container,) = _task(stateless)["ContainerDefinitions"]
    environment = {pair["Name"]: pair["Value"] for pair in container["Environment"]}
    assert "secret:highlight-bot/twitch-oauth" in json.dumps(environment[TWITCH_OAUTH_SECRET_ENV])
    role = _task(stateless)["TaskRoleArn"]["Fn::GetAtt"][0]
    reads = [s for s in role_statements(stateless, role) if "secretsmanager:GetSecretValue" in statement_actions(s)]
    assert len(reads) == 1
    assert "secret:highlight-bot/twitch-oauth" in json.dumps(reads[0]["Resource"])


def test_context_flag_lets_the_task_follow_private_stream_urls() -> None:
    app = synthesized((("allow_private_stream_urls", "true"),))
    (container,) = _task(app.stateless)["ContainerDefinitions"]
    environment = {pair["Name"]: pair["Value"] for pair in container["Environment"]}
    assert environment[ALLOW_PRIVATE_STREAM_URLS_ENV] == "true"
