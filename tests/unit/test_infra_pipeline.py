"""HighlightBotStateless, clip pipeline: enrich and clip functions, their sources, layers and permissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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

from contracts.settings import WAITING_GOALS_SWEEP_EVENT, PipelineSettings

SETTINGS = PipelineSettings()
ENRICH = "functions/enrich/handler.handler"
CLIP = "functions/clip/handler.handler"


def _output_of(value: Any) -> str:
    """The stateful stack output a weak cross-stack reference points to (`Fn::GetStackOutput`)."""
    assert isinstance(value, dict) and "Fn::GetStackOutput" in value, value
    reference = value["Fn::GetStackOutput"]
    assert reference["StackName"] == "HighlightBotStateful"
    return str(reference["OutputName"])


def _layer_ids(properties: dict[str, Any]) -> set[str]:
    return {layer["Ref"] for layer in properties["Layers"]}


def _event_source_of(template: Template, handler: str) -> dict[str, Any]:
    """The properties of the one event source mapping that feeds the function with `handler`."""
    function_id, _ = function_by_handler(template, handler)
    (mapping,) = [
        r["Properties"]
        for r in resources(template, "AWS::Lambda::EventSourceMapping").values()
        if r["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    return mapping


def _layers(template: Template) -> dict[str, str]:
    """Logical id of each layer → its description."""
    return {lid: r["Properties"]["Description"] for lid, r in resources(template, "AWS::Lambda::LayerVersion").items()}


def test_enrich_environment_names_its_resources_and_the_settings(stateless: Template) -> None:
    _, enrich = function_by_handler(stateless, ENRICH)
    env = enrich["Environment"]["Variables"]
    assert "TablesSegments" in _output_of(env["SEGMENT_TABLE"])
    assert "TablesIdempotency" in _output_of(env["IDEMPOTENCY_TABLE"])
    assert "ClipJobs" in _output_of(env["CLIP_QUEUE_URL"])
    assert "EnrichFailuresDeadLetters" in _output_of(env["DEAD_LETTER_QUEUE_URL"])
    assert env["PRE_ROLL_S"] == str(SETTINGS.pre_roll_s)
    assert env["POST_ROLL_S"] == str(SETTINGS.post_roll_s)
    assert env["POST_ROLL_WAIT_S"] == str(SETTINGS.post_roll_wait_s)
    assert env["SEGMENT_TTL_HOURS"] == str(SETTINGS.segment_ttl_hours)
    assert env["POWERTOOLS_SERVICE_NAME"] == "enrich"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "HighlightBot"
    assert "ChannelParameter" in _output_of(env["CHANNEL_PARAMETER_NAME"])


def test_a_schedule_sends_enrich_the_waiting_goals_sweep(stateless: Template) -> None:
    enrich_id, _ = function_by_handler(stateless, ENRICH)
    (rule,) = [
        r["Properties"]
        for r in resources(stateless, "AWS::Events::Rule").values()
        if any(t["Arn"] == {"Fn::GetAtt": [enrich_id, "Arn"]} for t in r["Properties"].get("Targets", []))
    ]
    assert rule["ScheduleExpression"] == f"rate({SETTINGS.waiting_goals_sweep_minutes} minutes)"
    (target,) = rule["Targets"]
    assert json.loads(target["Input"]) == WAITING_GOALS_SWEEP_EVENT
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 1
    permissions = resources(stateless, "AWS::Lambda::Permission").values()
    assert any(
        p["Properties"]["FunctionName"] == {"Fn::GetAtt": [enrich_id, "Arn"]}
        and p["Properties"]["Principal"] == "events.amazonaws.com"
        for p in permissions
    )
    # The sweep lists the channels from the parameter: enrich may read it, and only read it.
    reads = [s for s in function_statements(stateless, enrich_id) if "ssm:GetParameter" in statement_actions(s)]
    (statement,) = reads
    assert not any(action.startswith(("ssm:Put", "ssm:Delete")) for action in statement_actions(statement))


def test_clip_environment_names_its_resources_and_ffmpeg(stateless: Template) -> None:
    _, clip = function_by_handler(stateless, CLIP)
    env = clip["Environment"]["Variables"]
    assert env["HIGHLIGHTS_BUCKET"] == {
        "Fn::Join": ["", ["highlight-bot-highlights-", {"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}]]
    }
    assert "HighlightsTopic" in _output_of(env["HIGHLIGHT_TOPIC_ARN"])
    assert "TablesIdempotency" in _output_of(env["IDEMPOTENCY_TABLE"])
    assert env["FFMPEG_PATH"] == "/opt/bin/ffmpeg"
    assert env["CLIP_URL_EXPIRY_S"] == str(SETTINGS.clip_url_expiry_s)
    assert env["POWERTOOLS_SERVICE_NAME"] == "clip"


def test_every_function_is_python312_x86_64_with_the_dependencies_layer(stateless: Template) -> None:
    layers = _layers(stateless)
    dependencies = next(lid for lid, description in layers.items() if "powertools" in description)
    ffmpeg = next(lid for lid, description in layers.items() if "ffmpeg" in description)
    ours = {
        lid: r["Properties"]
        for lid, r in resources(stateless, "AWS::Lambda::Function").items()
        if str(r["Properties"].get("Handler", "")).endswith("/handler.handler")
    }
    assert len(ours) == 6  # enrich, clip, vertical, reconciler, two hooks
    for properties in ours.values():
        assert properties["Runtime"] == "python3.12"
        assert properties["Architectures"] == ["x86_64"]
        assert dependencies in _layer_ids(properties)
    _, clip = function_by_handler(stateless, CLIP)
    assert _layer_ids(clip) == {dependencies, ffmpeg}
    _, enrich = function_by_handler(stateless, ENRICH)
    assert ffmpeg not in _layer_ids(enrich)


def test_clip_has_room_for_ffmpeg(stateless: Template) -> None:
    _, clip = function_by_handler(stateless, CLIP)
    assert clip["MemorySize"] >= 1769  # a second vCPU
    assert clip["EphemeralStorage"] == {"Size": 2048}


def test_enrich_reads_the_stream_safely(stateless: Template) -> None:
    enrich_id, _ = function_by_handler(stateless, ENRICH)
    stateless.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": enrich_id},
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 0,  # the goal alert waits for no batch
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 3,
            "MaximumRecordAgeInSeconds": 600,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ParallelizationFactor": 1,
        },
    )
    mapping = _event_source_of(stateless, ENRICH)
    assert "EventsStream" in _output_of(mapping["EventSourceArn"])
    assert "EnrichFailuresBatchFailures" in _output_of(mapping["DestinationConfig"]["OnFailure"]["Destination"])
    assert mapping["MaximumRecordAgeInSeconds"] > SETTINGS.post_roll_wait_s


def test_clip_takes_one_job_at_a_time_with_partial_failures(stateless: Template) -> None:
    mapping = _event_source_of(stateless, CLIP)
    assert mapping["BatchSize"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "ClipJobs" in _output_of(mapping["EventSourceArn"])


def test_clip_concurrency_is_bounded_by_its_event_source(stateless: Template) -> None:
    """Without a maximum, a burst of jobs scales clip until Lambda throttles, and throttled receives use up retries."""
    mapping = _event_source_of(stateless, CLIP)
    assert 2 <= mapping["ScalingConfig"]["MaximumConcurrency"] <= 5


def test_every_function_logs_to_a_two_week_log_group(stateless: Template) -> None:
    log_groups = resources(stateless, "AWS::Logs::LogGroup")
    assert log_groups and all(group["Properties"]["RetentionInDays"] == 14 for group in log_groups.values())
    for properties in (function_by_handler(stateless, handler)[1] for handler in (ENRICH, CLIP)):
        assert properties["LoggingConfig"]["LogGroup"]["Ref"] in log_groups


def _policy_statements(template: Template) -> list[dict[str, Any]]:
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_no_policy_grants_every_action(default_app: SynthesizedApp) -> None:
    for template in (default_app.stateful, default_app.stateless):
        for statement in _policy_statements(template):
            for action in statement_actions(statement):
                assert action != "*" and not action.endswith(":*"), statement


def test_clip_may_not_delete_highlights_or_write_segments(stateless: Template) -> None:
    clip_id, _ = function_by_handler(stateless, CLIP)
    statements = function_statements(stateless, clip_id)
    actions = {action for statement in statements for action in statement_actions(statement)}
    assert "s3:PutObject" in actions and "sns:Publish" in actions
    assert not any(action.startswith("s3:DeleteObject") for action in actions)
    for statement in statements:
        if "s3:PutObject" in statement_actions(statement):
            assert "highlight-bot-highlights-" in json.dumps(statement["Resource"])
            assert "highlight-bot-segments-" not in json.dumps(statement["Resource"])


def test_enrich_sends_to_both_of_its_queues(stateless: Template) -> None:
    enrich_id, _ = function_by_handler(stateless, ENRICH)
    senders = [
        json.dumps(statement["Resource"])
        for statement in function_statements(stateless, enrich_id)
        if "sqs:SendMessage" in statement_actions(statement)
    ]
    for queue in ("ClipJobs", "EnrichFailuresDeadLetters", "EnrichFailuresBatchFailures"):
        assert any(queue in resource for resource in senders), queue


def _asset_dir(app: SynthesizedApp, properties: dict[str, Any]) -> Path:
    """The staged asset folder of a function, from the zip name in its Code property."""
    asset_hash = properties["Code"]["S3Key"].removesuffix(".zip")
    return app.outdir / f"asset.{asset_hash}"


def test_function_assets_keep_package_paths(default_app: SynthesizedApp) -> None:
    enrich_dir = _asset_dir(default_app, function_by_handler(default_app.stateless, ENRICH)[1])
    staged = sorted(str(path.relative_to(enrich_dir)) for path in enrich_dir.rglob("*.py"))
    assert "functions/__init__.py" in staged
    assert "functions/shared/__init__.py" in staged
    assert "functions/enrich/handler.py" in staged
    assert "contracts/__init__.py" in staged and "contracts/settings.py" in staged
    assert not any(path.startswith(("functions/clip", "hooks", "capture_task")) for path in staged)


def test_every_lambda_asset_bundles_the_one_runtime(default_app: SynthesizedApp) -> None:
    handlers = [
        properties
        for properties in (f["Properties"] for f in resources(default_app.stateless, "AWS::Lambda::Function").values())
        if str(properties.get("Handler", "")).startswith(("functions/", "hooks/"))
    ]
    assert len(handlers) >= 6  # enrich, clip, vertical, reconciler and the stub tree's two hooks
    for properties in handlers:
        staged = {str(path.relative_to(_asset_dir(default_app, properties))) for path in
                  _asset_dir(default_app, properties).rglob("*.py")}  # fmt: skip
        assert {"lambda_runtime/aws.py", "lambda_runtime/parameters.py", "lambda_runtime/metric_names.py"} <= staged
        assert "contracts/__init__.py" in staged
        assert not any(path.endswith("shared/aws.py") for path in staged), properties["Handler"]


def test_ffmpeg_layer_holds_an_executable_at_bin_ffmpeg(default_app: SynthesizedApp) -> None:
    layer = next(
        r["Properties"]
        for r in resources(default_app.stateless, "AWS::Lambda::LayerVersion").values()
        if "ffmpeg" in r["Properties"]["Description"]
    )
    ffmpeg = _asset_dir(default_app, {"Code": layer["Content"]}) / "bin" / "ffmpeg"
    assert ffmpeg.is_file()
    assert ffmpeg.stat().st_mode & 0o777 == 0o755
    # Lambda's limit is 250 MB unzipped for a function and all its layers; leave room for deps and code.
    assert ffmpeg.stat().st_size < 200 * 1024 * 1024
