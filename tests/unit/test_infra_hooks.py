"""Hooks: discovered from hooks/<name>/ (handler.py + hook.json), subscribed with both failure paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk.assertions import Template
from infra_fixtures import (
    EXTERNAL_HOOK_ARN,
    function_by_handler,
    function_statements,
    resources,
    stateful_fixture,  # noqa: F401  (fixtures, used by name)
    stateless_fixture,  # noqa: F401  (fixtures, used by name)
    statement_actions,
)

from infra.constructs.hooks import HookDefinitionError, HookManifest, discover_hooks

WEBHOOK = "hooks/webhook/handler.handler"
UPLOADER = "hooks/uploader/handler.handler"


def _write_hook(hooks_dir: Path, name: str, manifest: object, *, handler: bool = True) -> None:
    (hooks_dir / name).mkdir(parents=True)
    if handler:
        (hooks_dir / name / "handler.py").write_text("def handler(event, context):\n    return None\n")
    (hooks_dir / name / "hook.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))


def test_a_folder_with_handler_and_manifest_is_a_hook(tmp_path: Path) -> None:
    _write_hook(tmp_path, "webhook", {"description": "posts"})
    _write_hook(tmp_path, "half_done", {"description": "no handler yet"}, handler=False)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "handler.py").write_text("")
    hooks = discover_hooks(tmp_path)
    assert list(hooks) == ["webhook"]
    assert hooks["webhook"] == HookManifest(description="posts")
    assert hooks["webhook"].filter_policy == {"event_type": ["highlight"]}


def test_a_missing_hooks_dir_means_no_hooks(tmp_path: Path) -> None:
    assert discover_hooks(tmp_path / "nowhere") == {}


@pytest.mark.parametrize(
    ("name", "manifest", "complaint"),
    [
        ("typo", {"description": "x", "timeout": 10}, "timeout"),
        ("broken", "{not json", "hook.json"),
        ("no_description", {}, "description"),
        ("Bad-Name", {"description": "x"}, "Python package name"),
        ("lower_env", {"description": "x", "environment": {"url": "y"}}, "UPPER_CASE"),
        ("clash", {"description": "x", "environment": {"A": "1"}, "secrets": {"A": "s"}}, "both a secret"),
    ],
)
def test_an_invalid_hook_is_reported_with_its_file(tmp_path: Path, name: str, manifest: object, complaint: str) -> None:
    _write_hook(tmp_path, name, manifest)
    with pytest.raises(HookDefinitionError, match=complaint) as error:
        discover_hooks(tmp_path)
    assert name in str(error.value)


def test_each_hook_is_a_function_with_its_manifest_settings(stateless: Template) -> None:
    _, webhook = function_by_handler(stateless, WEBHOOK)
    assert webhook["Timeout"] == 20
    assert webhook["MemorySize"] == 192
    assert webhook["Description"] == "Posts each highlight to a chat webhook"
    env = webhook["Environment"]["Variables"]
    assert env["WEBHOOK_TIMEOUT_S"] == "10"
    assert env["POWERTOOLS_SERVICE_NAME"] == "hook-webhook"
    assert "HIGHLIGHTS_BUCKET" not in env
    _, uploader = function_by_handler(stateless, UPLOADER)
    assert uploader["Timeout"] == 120
    assert "HIGHLIGHTS_BUCKET" in uploader["Environment"]["Variables"]


def test_the_folder_without_hook_json_is_not_deployed(stateless: Template) -> None:
    handlers = {r["Properties"].get("Handler") for r in resources(stateless, "AWS::Lambda::Function").values()}
    assert "hooks/drafts/handler.handler" not in handlers


def _stateful_secrets(stateful: Template) -> dict[str, str]:
    """Secret name → logical id of the hook secrets, which live in the stateful stack."""
    return {s["Properties"]["Name"]: lid for lid, s in resources(stateful, "AWS::SecretsManager::Secret").items()}


def _secret_output(stateful: Template, secret_logical_id: str) -> str:
    """The stateful stack's output that carries this secret's ARN to the stateless stack."""
    (name,) = [
        name for name, output in stateful.to_json()["Outputs"].items() if output["Value"] == {"Ref": secret_logical_id}
    ]
    return name


def _cross_stack(output_name: str) -> dict[str, object]:
    return {
        "Fn::GetStackOutput": {
            "StackName": "HighlightBotStateful",
            "Region": {"Ref": "AWS::Region"},
            "OutputName": output_name,
        }
    }


def test_secrets_are_kept_in_the_stateful_stack_with_the_names_people_type(stateful: Template) -> None:
    secrets = resources(stateful, "AWS::SecretsManager::Secret")
    assert set(_stateful_secrets(stateful)) == {"highlight-bot/webhook-url", "highlight-bot/uploader-token"}
    for secret in secrets.values():
        assert "GenerateSecretString" in secret["Properties"] and "SecretString" not in secret["Properties"]
        assert secret["DeletionPolicy"] == "Retain"
        assert "put-secret-value --secret-id highlight-bot/" in secret["Properties"]["Description"]


def test_the_stateless_stack_retains_and_names_nothing_so_it_can_be_redeployed(stateless: Template) -> None:
    """A retained resource with a fixed name outlives `cdk destroy`, and the next deploy fails with "already exists"."""
    template = stateless.to_json()["Resources"]
    retained = [
        lid for lid, r in template.items() if "Retain" in (r.get("DeletionPolicy"), r.get("UpdateReplacePolicy"))
    ]
    assert retained == []
    assert resources(stateless, "AWS::SecretsManager::Secret") == {}
    own_name = {
        "AWS::SecretsManager::Secret": "Name",
        "AWS::SQS::Queue": "QueueName",
        "AWS::SNS::Topic": "TopicName",
        "AWS::Lambda::Function": "FunctionName",
        "AWS::Logs::LogGroup": "LogGroupName",
        "AWS::KMS::Alias": "AliasName",
        "AWS::IAM::Role": "RoleName",
        "AWS::ECS::Cluster": "ClusterName",
        "AWS::S3::Bucket": "BucketName",
        "AWS::DynamoDB::Table": "TableName",
    }
    named = [lid for lid, r in template.items() if own_name.get(r["Type"], "") in r.get("Properties", {})]
    assert named == []


def test_secrets_are_passed_as_arns_never_values(stateful: Template, stateless: Template) -> None:
    names = _stateful_secrets(stateful)
    _, webhook = function_by_handler(stateless, WEBHOOK)
    assert webhook["Environment"]["Variables"]["WEBHOOK_URL_SECRET_ARN"] == _cross_stack(
        _secret_output(stateful, names["highlight-bot/webhook-url"])
    )
    _, uploader = function_by_handler(stateless, UPLOADER)
    assert uploader["Environment"]["Variables"]["UPLOAD_TOKEN_SECRET_ARN"] == _cross_stack(
        _secret_output(stateful, names["highlight-bot/uploader-token"])
    )


def test_no_function_environment_holds_a_secret_value(stateless: Template) -> None:
    for function in resources(stateless, "AWS::Lambda::Function").values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        for name, value in variables.items():
            if "SECRET" in name or "TOKEN" in name or "PASSWORD" in name:
                assert isinstance(value, dict) and set(value) <= {"Ref", "Fn::GetStackOutput"}, (
                    f"{name} must be a secret's ARN"
                )


def test_each_hook_may_read_only_its_own_secret(stateful: Template, stateless: Template) -> None:
    webhook_secret = _stateful_secrets(stateful)["highlight-bot/webhook-url"]
    webhook_id, _ = function_by_handler(stateless, WEBHOOK)
    readable = [
        statement["Resource"]
        for statement in function_statements(stateless, webhook_id)
        if "secretsmanager:GetSecretValue" in statement_actions(statement)
    ]
    assert readable == [_cross_stack(_secret_output(stateful, webhook_secret))]


def test_each_hook_has_a_filtered_subscription_with_a_delivery_dlq(stateless: Template) -> None:
    for handler, expected_filter in (
        (WEBHOOK, {"event_type": ["highlight"], "channel": ["sample", "fifa_pro"]}),
        (UPLOADER, {"event_type": ["highlight"]}),
    ):
        function_id, _ = function_by_handler(stateless, handler)
        (subscription,) = [
            s["Properties"]
            for s in resources(stateless, "AWS::SNS::Subscription").values()
            if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [function_id, "Arn"]}
        ]
        assert subscription["Protocol"] == "lambda"
        assert subscription["FilterPolicy"] == expected_filter
        dlq = subscription["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert stateless.to_json()["Resources"][dlq]["Type"] == "AWS::SQS::Queue"


def test_each_hook_retries_then_sends_failures_to_its_own_queue(stateless: Template) -> None:
    destinations = set()
    for handler in (WEBHOOK, UPLOADER):
        function_id, _ = function_by_handler(stateless, handler)
        (config,) = [
            c["Properties"]
            for c in resources(stateless, "AWS::Lambda::EventInvokeConfig").values()
            if c["Properties"]["FunctionName"] == {"Ref": function_id}
        ]
        assert config["MaximumRetryAttempts"] == 2
        destination = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        assert stateless.to_json()["Resources"][destination]["Type"] == "AWS::SQS::Queue"
        destinations.add(destination)
    assert len(destinations) == 2


def test_external_hook_arns_are_subscribed_and_allowed(stateless: Template) -> None:
    (subscription,) = [
        s["Properties"]
        for s in resources(stateless, "AWS::SNS::Subscription").values()
        if s["Properties"]["Endpoint"] == EXTERNAL_HOOK_ARN
    ]
    assert subscription["FilterPolicy"] == {"event_type": ["highlight"]}
    assert "RedrivePolicy" in subscription
    stateless.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Action": "lambda:InvokeFunction", "FunctionName": EXTERNAL_HOOK_ARN, "Principal": "sns.amazonaws.com"},
    )
