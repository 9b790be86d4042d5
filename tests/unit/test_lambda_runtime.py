"""The one Lambda runtime: metric names spelt once, every emitter using them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lambda_runtime.settings import FunctionSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_SOURCES = sorted((REPO_ROOT / "functions").rglob("*.py")) + sorted((REPO_ROOT / "hooks").rglob("*.py"))


@pytest.mark.parametrize("source", LAMBDA_SOURCES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_lambdas_emit_metrics_by_the_names_in_lambda_runtime(source: Path) -> None:
    """A literal name would pass every test and still miss the dashboard if one side were renamed."""
    literals = [
        f"{source.name}:{node.lineno}"
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"add_metric", "add_dimension"}
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    ]
    assert literals == [], "use lambda_runtime.metric_names instead of a literal"


@pytest.mark.parametrize("source", LAMBDA_SOURCES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_lambdas_read_ssm_through_the_runtime(source: Path) -> None:
    assert ".get_parameter(" not in source.read_text(), "use lambda_runtime.parameter_value"


def test_a_malformed_variable_is_named_in_a_sentence() -> None:
    from functions.vertical.settings import VerticalSettings
    from lambda_runtime.exceptions import ConfigurationError

    variables = {"HIGHLIGHTS_BUCKET": "b", "HIGHLIGHT_TOPIC_ARN": "t", "IDEMPOTENCY_TABLE": "i"}
    with pytest.raises(ConfigurationError, match="IDEMPOTENCY_TTL_HOURS must be a valid integer, got 'two days'"):
        VerticalSettings.from_env(variables | {"IDEMPOTENCY_TTL_HOURS": "two days"})
    settings = VerticalSettings.from_env(variables | {"CLIP_URL_EXPIRY_S": str(30 * 24 * 3600), "FFMPEG_PATH": " "})
    assert settings.url_expiry_s == 7 * 24 * 3600  # SigV4's limit
    assert settings.ffmpeg_path  # blank means unset: the layer's or PATH's ffmpeg


def _every_function_settings() -> list[object]:
    from contracts.settings import DEFAULT_SETTINGS
    from functions.clip.settings import ClipSettings
    from functions.enrich.settings import EnrichSettings
    from functions.reconciler.settings import ReconcilerSettings
    from functions.vertical.settings import VerticalSettings

    return [
        ClipSettings(
            highlights_bucket="b", highlight_topic_arn="arn:aws:sns:us-east-1:1:t", idempotency_table="idem",
            ffmpeg_path="/opt/bin/ffmpeg", clip_url_expiry_s=3600, idempotency_ttl_hours=12,
            dead_letter_queue_url="https://sqs/clip-dlq", highlights_base_url="https://d.example",
            local_media_root=Path("/srv/media"),
        ),
        EnrichSettings.of(
            DEFAULT_SETTINGS, segment_table="segments", clip_queue_url="https://sqs/clip", idempotency_table="idem",
            dead_letter_queue_url="https://sqs/enrich-dlq", channel_parameter_name="/highlight-bot/channel",
        ),
        ReconcilerSettings(
            channel_parameter_name="/highlight-bot/channel", cluster_arn="arn:aws:ecs:us-east-1:1:cluster/c",
            task_definition_arn="arn:aws:ecs:us-east-1:1:task-definition/capture:3", container_name="capture",
            subnet_ids=("subnet-a", "subnet-b"), security_group_ids=("sg-1",),
        ),
        VerticalSettings(
            highlights_bucket="b", highlight_topic_arn="arn:aws:sns:us-east-1:1:t", idempotency_table="idem",
            ffmpeg_path="/opt/bin/ffmpeg", idempotency_ttl_hours=12, highlights_base_url="https://d.example",
            dead_letter_queue_url="https://sqs/vertical-dlq", url_expiry_s=3600, background=True,
        ),
    ]  # fmt: skip


@pytest.mark.parametrize("written", _every_function_settings(), ids=lambda settings: type(settings).__name__)
def test_each_function_reads_back_exactly_what_the_stack_writes(written: FunctionSettings) -> None:
    assert type(written).from_env(written.environment()) == written
    assert all(isinstance(value, str) and value for value in written.environment().values())
