"""The reconciler Lambda against moto: channels in the parameter become capture tasks, and leave as stopped ones.

moto's ECS `run_task` records a task's metadata (tags, overrides, network) without running a
container, which is all the reconciler looks at. moto also advances a task's `lastStatus` on every
`describe_tasks` (RUNNING → DEACTIVATING → …); the fixture pins it at RUNNING, as a real healthy
task stays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.moto_api import state_manager

from functions.reconciler import CaptureTaskStartError, ChannelParameterError
from functions.reconciler import handler as reconciler
from lambda_runtime.metric_names import ReconcilerMetric
from tests.functional.functions_fixtures import REGION, FakeLambdaContext, emulated_aws

PARAMETER = "/highlight-bot/channel"
FAMILY = "HighlightBotStatelessCaptureTask"
SCHEDULED = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
PARAMETER_CHANGED = {
    "source": "aws.ssm",
    "detail-type": "Parameter Store Change",
    "detail": {"name": PARAMETER, "operation": "Update", "type": "String"},
}


@dataclass
class CaptureWorld:
    """A moto VPC, cluster and capture task definition, the channel parameter, and the reconciler's environment."""

    ecs: Any
    ssm: Any
    cluster_arn: str
    subnet_id: str
    security_group_id: str
    monkeypatch: pytest.MonkeyPatch

    def register_capture_task(self) -> str:
        """A new revision of the capture task definition, which the reconciler is then told to run."""
        arn = str(
            self.ecs.register_task_definition(
                family=FAMILY,
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu="256",
                memory="512",
                containerDefinitions=[
                    {"name": "Capture", "image": "capture:latest", "command": ["run"], "memory": 512}
                ],
            )["taskDefinition"]["taskDefinitionArn"]
        )
        self.monkeypatch.setenv("TASK_DEFINITION_ARN", arn)
        return arn

    def list_channels(self, value: str) -> None:
        self.ssm.put_parameter(Name=PARAMETER, Value=value, Type="String", Overwrite=True)

    def tasks(self, desired_status: str = "RUNNING") -> list[dict[str, Any]]:
        arns = self.ecs.list_tasks(cluster=self.cluster_arn, family=FAMILY, desiredStatus=desired_status)["taskArns"]
        if not arns:
            return []
        return list(self.ecs.describe_tasks(cluster=self.cluster_arn, tasks=arns, include=["TAGS"])["tasks"])

    def channels_running(self) -> list[str]:
        return sorted(_tags(task)["channel"] for task in self.tasks())


def _tags(task: dict[str, Any]) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in task.get("tags", [])}


def _environment(task: dict[str, Any]) -> dict[str, str]:
    (override,) = task["overrides"]["containerOverrides"]
    return {pair["name"]: pair["value"] for pair in override["environment"]}


def run(event: dict[str, Any] = SCHEDULED) -> dict[str, Any]:
    return reconciler.handler(event, FakeLambdaContext("highlight-bot-reconciler"))


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[CaptureWorld]:
    with emulated_aws(monkeypatch):
        state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**6})
        try:
            ec2 = boto3.client("ec2", region_name=REGION)
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # moto's ENIs need it
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
            group = ec2.create_security_group(GroupName="capture", Description="capture", VpcId=vpc)["GroupId"]
            ecs = boto3.client("ecs", region_name=REGION)
            cluster_arn = ecs.create_cluster(clusterName="capture")["cluster"]["clusterArn"]
            world = CaptureWorld(ecs, boto3.client("ssm", region_name=REGION), cluster_arn, subnet, group, monkeypatch)
            for name, value in {
                "CHANNEL_PARAMETER_NAME": PARAMETER,
                "CLUSTER_ARN": cluster_arn,
                "CONTAINER_NAME": "Capture",
                "SUBNET_IDS": subnet,
                "SECURITY_GROUP_IDS": group,
                "POWERTOOLS_SERVICE_NAME": "reconciler",
            }.items():
                monkeypatch.setenv(name, value)
            world.register_capture_task()
            world.list_channels("sample")
            yield world
        finally:
            state_manager.unset_transition("ecs::task")


def test_each_listed_channel_gets_one_public_capture_task(world: CaptureWorld) -> None:
    world.list_channels("fifa_pro, sample=https://example.com/live.m3u8")
    result = run()

    assert sorted(result["started"]) == ["fifa_pro", "sample"]
    assert world.channels_running() == ["fifa_pro", "sample"]
    for task in world.tasks():
        channel = _tags(task)["channel"]
        assert _environment(task) == {"CHANNEL": channel}
        assert task["startedBy"] == "highlight-bot-reconciler"
        assert task["launchType"] == "FARGATE"
        network = task["attachments"][0]["details"]
        assert {"name": "subnetId", "value": world.subnet_id} in network
        assert result["started"][channel] == task["taskArn"]


def test_running_again_starts_nothing(world: CaptureWorld) -> None:
    run()
    assert run(PARAMETER_CHANGED) == {"wanted": ["sample"], "started": {}, "stopped": {}}
    assert run() == {"wanted": ["sample"], "started": {}, "stopped": {}}
    assert world.channels_running() == ["sample"]


def test_adding_a_channel_starts_only_its_task(world: CaptureWorld) -> None:
    run()
    (first,) = world.tasks()
    world.list_channels("sample,fifa_pro")
    result = run(PARAMETER_CHANGED)
    assert list(result["started"]) == ["fifa_pro"]
    assert world.channels_running() == ["fifa_pro", "sample"]
    assert first["taskArn"] in {task["taskArn"] for task in world.tasks()}


def test_removing_a_channel_stops_its_task(world: CaptureWorld) -> None:
    world.list_channels("sample,fifa_pro")
    run()
    fifa_task = next(task for task in world.tasks() if _tags(task)["channel"] == "fifa_pro")

    world.list_channels("sample")
    result = run(PARAMETER_CHANGED)

    assert result["started"] == {} and list(result["stopped"]) == [fifa_task["taskArn"]]
    assert world.channels_running() == ["sample"]
    (stopped,) = world.tasks("STOPPED")
    assert stopped["taskArn"] == fifa_task["taskArn"]
    assert stopped["stoppedReason"] == "channel fifa_pro is no longer in the channel parameter"


def test_a_dead_task_is_replaced_on_the_next_run(world: CaptureWorld) -> None:
    run()
    (task,) = world.tasks()
    world.ecs.stop_task(cluster=world.cluster_arn, task=task["taskArn"], reason="Essential container exited")
    assert world.channels_running() == []
    assert list(run()["started"]) == ["sample"]
    assert world.channels_running() == ["sample"]


def test_a_new_task_definition_replaces_each_task_make_before_break(world: CaptureWorld) -> None:
    run()
    (old,) = world.tasks()
    new_definition = world.register_capture_task()

    first = run()  # starts the new revision's task, keeps the old one meanwhile
    assert list(first["started"]) == ["sample"] and first["stopped"] == {}
    assert len(world.tasks()) == 2

    second = run()  # the new one runs: the old one goes
    assert list(second["stopped"]) == [old["taskArn"]]
    (current,) = world.tasks()
    assert current["taskDefinitionArn"] == new_definition


def test_tasks_run_by_hand_are_left_alone(world: CaptureWorld) -> None:
    world.ecs.run_task(
        cluster=world.cluster_arn,
        taskDefinition=world.register_capture_task(),
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [world.subnet_id], "securityGroups": [world.security_group_id]}
        },
    )
    world.list_channels(",")  # SSM refuses an empty value: a lone comma lists no channel
    assert run() == {"wanted": [], "started": {}, "stopped": {}}
    assert len(world.tasks()) == 1


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_an_unreadable_parameter_stops_nothing(world: CaptureWorld) -> None:
    run()
    world.ssm.delete_parameter(Name=PARAMETER)
    with pytest.raises(ChannelParameterError, match="could not read the channel parameter /highlight-bot/channel"):
        run()
    assert world.channels_running() == ["sample"]


def test_a_channel_ecs_refuses_does_not_keep_the_others_from_starting(
    world: CaptureWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    ecs = world.ecs
    real_run_task = ecs.run_task

    def run_task(**kwargs: Any) -> Any:
        if kwargs["tags"] == [{"key": "channel", "value": "broken"}]:
            raise ClientError({"Error": {"Code": "InvalidParameterException", "Message": "bad"}}, "RunTask")
        return real_run_task(**kwargs)

    monkeypatch.setattr(ecs, "run_task", run_task)
    monkeypatch.setattr(reconciler, "aws_client", lambda service: ecs if service == "ecs" else world.ssm)
    world.list_channels("broken,sample")
    with pytest.raises(CaptureTaskStartError, match=r"broken: .*InvalidParameterException"):
        run()
    assert world.channels_running() == ["sample"]


def test_each_run_counts_the_channels_and_what_it_changed(
    world: CaptureWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    # In Lambda, POWERTOOLS_SERVICE_NAME is set before the handler module creates its Metrics; here it was not.
    monkeypatch.setattr(reconciler.metrics.provider, "service", "reconciler")
    world.list_channels("sample,fifa_pro")
    capsys.readouterr()

    run()
    world.list_channels("sample")
    run()
    run()

    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    for emf in documents:
        (directive,) = emf["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "HighlightBot" and directive["Dimensions"] == [["service"]]
        assert emf["service"] == "reconciler"
    counts = [
        {metric["Name"]: emf[metric["Name"]] for metric in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
        for emf in documents
    ]
    assert counts == [
        {"ChannelsWanted": [2.0], "CaptureTasksStarted": [2.0]},
        {"ChannelsWanted": [1.0], "CaptureTasksStopped": [1.0]},
        {"ChannelsWanted": [1.0]},  # zeros are not sent: a metric costs only in the hours it is sent
    ]
    assert {name for count in counts for name in count} <= {metric.value for metric in ReconcilerMetric}
