"""Context → InfraConfig, and cdk-nag as the security gate of every synth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from infra_fixtures import (
    SynthesizedApp,
    cdk_json_context,
    default_app_fixture,  # noqa: F401  (fixtures, used by name)
    shared_source_tree,
)

from contracts.settings import PipelineSettings
from infra.app import STATELESS_STACK_NAME, build_app
from infra.config import REPO_ROOT, InfraConfig, InfraConfigError
from infra.constructs.nag import skip_checkov


class FakeNode:
    def __init__(self, context: dict[str, Any]) -> None:
        self._context = context

    def try_get_context(self, key: str) -> Any:
        return self._context.get(key)


def test_defaults_come_from_pipeline_settings() -> None:
    config = InfraConfig.from_context(FakeNode({}))
    assert config.settings == PipelineSettings()
    assert config.channel == PipelineSettings().default_channel
    assert config.hooks_dir == REPO_ROOT / "hooks"
    assert config.external_hook_arns == ()
    assert config.skip_dependency_bundling is False


def test_command_line_strings_override_settings_with_their_types(tmp_path: Path) -> None:
    config = InfraConfig.from_context(
        FakeNode(
            {
                "pre_roll_s": "12.5",
                "segment_ttl_hours": "48",
                "keep_segments": "all",
                "channel_parameter_name": "/other/channel",
                "channel": "fifa_pro",
                "source_root": str(tmp_path),
                "skip_dependency_bundling": "true",
                "external_hook_arns": "arn:aws:lambda:us-east-1:1:function:a, arn:aws:lambda:us-east-1:1:function:b",
            }
        )
    )
    assert config.settings.pre_roll_s == 12.5
    assert config.settings.segment_ttl_hours == 48
    assert config.settings.keep_segments == "all"
    assert config.settings.channel_parameter_name == "/other/channel"
    assert config.channel == "fifa_pro"
    assert config.hooks_dir == tmp_path.resolve() / "hooks"
    assert config.skip_dependency_bundling is True
    assert len(config.external_hook_arns) == 2


@pytest.mark.parametrize(("raw", "allowed"), [(None, False), ("false", False), ("true", True), (True, True)])
def test_private_stream_urls_are_refused_unless_the_context_flag_allows_them(raw: object, allowed: bool) -> None:
    # A bool setting from -c arrives as a string: bool("false") would be True.
    context = {} if raw is None else {"allow_private_stream_urls": raw}
    assert InfraConfig.from_context(FakeNode(context)).settings.allow_private_stream_urls is allowed


def test_external_hook_arns_accept_a_json_list() -> None:
    config = InfraConfig.from_context(FakeNode({"external_hook_arns": '["arn:aws:lambda:us-east-1:1:function:a"]'}))
    assert config.external_hook_arns == ("arn:aws:lambda:us-east-1:1:function:a",)


@pytest.mark.parametrize(
    ("context", "complaint"),
    [
        ({"pre_roll_s": "soon"}, "pre_roll_s"),
        ({"keep_segments": "some"}, "keep_segments='some' is not one of around_goals, all"),
        ({"skip_dependency_bundling": "maybe"}, "skip_dependency_bundling"),
        ({"allow_private_stream_urls": "perhaps"}, "allow_private_stream_urls='perhaps' is not a boolean"),
        ({"external_hook_arns": {"not": "a list"}}, "external_hook_arns"),
    ],
)
def test_malformed_context_says_what_to_pass(context: dict[str, Any], complaint: str) -> None:
    with pytest.raises(InfraConfigError, match=complaint):
        InfraConfig.from_context(FakeNode(context))


def test_clip_queue_visibility_follows_the_clip_timeout() -> None:
    sizing = InfraConfig().sizing
    assert sizing.clip_queue_visibility_timeout_s == 6 * sizing.clip_timeout_s


def test_cdk_json_runs_the_app_from_the_repo_root() -> None:
    cdk_json = json.loads((REPO_ROOT / "cdk.json").read_text())
    assert cdk_json["app"] == ".venv/bin/python -m infra.app"
    assert cdk_json["context"]["@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"] is True


def test_the_app_has_no_unacknowledged_cdk_nag_finding(default_app: SynthesizedApp) -> None:
    # Template.from_stack already raised ValidationFailed if there were any; the report says which remain.
    # The report is written on every synth with a validation plugin; lists only plugins with violations.
    report_path = default_app.outdir / "validation-report.json"
    assert report_path.is_file(), f"no validation report in {default_app.outdir}: did the synth run its plugins?"
    report = json.loads(report_path.read_text())
    nag = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert all(not plugin["violations"] for plugin in nag), nag
    # The app's own annotation (the placeholder layer warning) shows this is the report of this synth.
    assert any(r["pluginName"] == "Construct Annotations" for r in report["pluginReports"]), report


def test_build_app_attaches_cdk_nag(tmp_path: Path) -> None:
    """Proves the gate is live in the real app: one careless queue added to it must fail the synth."""
    context = cdk_json_context() | {"source_root": str(shared_source_tree()), "skip_dependency_bundling": True}
    app = build_app(context, outdir=str(tmp_path))
    stateless = app.node.find_child(STATELESS_STACK_NAME)
    sqs.Queue(stateless, "Careless", encryption=sqs.QueueEncryption.UNENCRYPTED)
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert any("Careless" in c["constructPath"] for v in nag["violations"] for c in v["violatingConstructs"]), nag


def test_skip_checkov_writes_the_metadata_checkov_reads() -> None:
    stack = cdk.Stack(cdk.App(), "Skips")
    queue = sqs.Queue(stack, "Queue")
    skip_checkov(queue, "CKV_AWS_27", "SSE-SQS is on; checkov recognises only KMS.")
    skip_checkov(queue, "CKV_AWS_999", "A second skip is added beside the first one.")
    skip_checkov(queue, "CKV_AWS_27", "The same id twice is written once.")
    (resource,) = Template.from_stack(stack).find_resources("AWS::SQS::Queue").values()
    assert resource["Metadata"]["checkov"] == {
        "skip": [
            {"id": "CKV_AWS_27", "comment": "SSE-SQS is on; checkov recognises only KMS."},
            {"id": "CKV_AWS_999", "comment": "A second skip is added beside the first one."},
        ]
    }
    with pytest.raises(ValueError, match="reason"):
        skip_checkov(queue, "CKV_AWS_1", "because")


def test_cdk_provider_handlers_get_their_checkov_skips(default_app: SynthesizedApp) -> None:
    handlers = {
        logical_id: resource
        for logical_id, resource in default_app.stateful.find_resources("AWS::Lambda::Function").items()
        if "CustomResourceProvider" in logical_id
    }
    assert handlers
    for resource in handlers.values():
        skipped = {skip["id"] for skip in resource["Metadata"]["checkov"]["skip"]}
        assert skipped == {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"}


def test_cdk_nag_does_fail_the_synth_on_a_finding(tmp_path: Path) -> None:
    """Proves the gate is live: an unencrypted queue without a DLQ must not synthesize."""
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Careless")
    sqs.Queue(stack, "Plain", encryption=sqs.QueueEncryption.UNENCRYPTED)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match=r"ValidationFailed|Validation failed"):
        app.synth()
