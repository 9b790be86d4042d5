"""The vertical cut's infrastructure: its queue on the highlight topic, its DLQ, its function and what it may do."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template
from infra_fixtures import (  # noqa: F401  (fixtures, used by name)
    function_by_handler,
    function_statements,
    resources,
    stateful_fixture,
    stateless_fixture,
    statement_actions,
)

from infra.constructs.vertical_pipeline import (
    VERTICAL_MAX_CONCURRENCY,
    VERTICAL_MAX_RECEIVE_COUNT,
    VERTICAL_TIMEOUT_S,
)

VERTICAL = "functions/vertical/handler.handler"


def _queue_ids(template: Template) -> tuple[str, str]:
    """Logical ids of the vertical job queue and its dead-letter queue."""
    queues = resources(template, "AWS::SQS::Queue")
    (jobs,) = [lid for lid in queues if lid.startswith("VerticalsJobs")]
    (dead_letters,) = [lid for lid in queues if lid.startswith("VerticalsDeadLetters")]
    return jobs, dead_letters


def _output_of(value: Any) -> str:
    assert isinstance(value, dict) and "Fn::GetStackOutput" in value, value
    return str(value["Fn::GetStackOutput"]["OutputName"])


def test_the_queue_gets_only_highlights_from_the_topic_as_raw_messages(stateful: Template) -> None:
    jobs, dead_letters = _queue_ids(stateful)
    subscriptions = [
        r["Properties"]
        for r in resources(stateful, "AWS::SNS::Subscription").values()
        if r["Properties"]["Endpoint"] == {"Fn::GetAtt": [jobs, "Arn"]}
    ]
    (subscription,) = subscriptions
    assert subscription["Protocol"] == "sqs" and subscription["RawMessageDelivery"] is True
    assert subscription["FilterPolicy"] == {"event_type": ["highlight"]}
    assert subscription["TopicArn"]["Ref"].startswith("HighlightsTopic")
    # A delivery SNS could not make is kept too, in the same DLQ.
    assert subscription["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]}}


def test_the_queue_redrives_to_its_own_dlq_after_five_receives(stateful: Template) -> None:
    jobs, dead_letters = _queue_ids(stateful)
    queues = resources(stateful, "AWS::SQS::Queue")
    properties = queues[jobs]["Properties"]
    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
        "maxReceiveCount": VERTICAL_MAX_RECEIVE_COUNT,
    }
    assert VERTICAL_MAX_RECEIVE_COUNT >= 5  # AWS's advice for a Lambda source: throttled receives count
    assert properties["VisibilityTimeout"] >= 6 * VERTICAL_TIMEOUT_S
    for queue in (jobs, dead_letters):
        assert queues[queue]["Properties"]["SqsManagedSseEnabled"] is True
    assert queues[dead_letters]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_the_function_is_fed_one_highlight_at_a_time_with_bounded_concurrency(stateless: Template) -> None:
    function_id, function = function_by_handler(stateless, VERTICAL)
    (mapping,) = [
        r["Properties"]
        for r in resources(stateless, "AWS::Lambda::EventSourceMapping").values()
        if r["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    assert "VerticalsJobs" in _output_of(mapping["EventSourceArn"])
    assert mapping["BatchSize"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": VERTICAL_MAX_CONCURRENCY}
    assert function["Timeout"] == VERTICAL_TIMEOUT_S and function["MemorySize"] >= 1769  # a second vCPU for x264
    layers = resources(stateless, "AWS::Lambda::LayerVersion")
    described = {layers[layer["Ref"]]["Properties"]["Description"] for layer in function["Layers"]}
    assert any("ffmpeg" in description for description in described)


def test_the_environment_names_its_bucket_topic_table_dlq_and_the_layers_ffmpeg(stateless: Template) -> None:
    _, function = function_by_handler(stateless, VERTICAL)
    env = function["Environment"]["Variables"]
    assert "VerticalsDeadLetters" in _output_of(env["VERTICAL_DEAD_LETTER_QUEUE_URL"])
    assert "HighlightsTopic" in _output_of(env["HIGHLIGHT_TOPIC_ARN"])
    assert "TablesIdempotency" in _output_of(env["IDEMPOTENCY_TABLE"])
    assert "highlight-bot-highlights-" in json.dumps(env["HIGHLIGHTS_BUCKET"])
    assert env["FFMPEG_PATH"] == "/opt/bin/ffmpeg"
    assert env["POWERTOOLS_SERVICE_NAME"] == "vertical"
    assert "HIGHLIGHTS_BASE_URL" in env


def test_permissions_are_the_least_the_cut_needs(stateless: Template) -> None:
    function_id, _ = function_by_handler(stateless, VERTICAL)
    statements = function_statements(stateless, function_id)
    actions = {action for statement in statements for action in statement_actions(statement)}
    assert "*" not in actions and not any(action.endswith(":*") for action in actions)
    s3_statements = [s for s in statements if any(a.startswith("s3:") for a in statement_actions(s))]
    s3_resources = json.dumps([s["Resource"] for s in s3_statements])
    assert "highlight-bot-segments" not in s3_resources  # no access to the segments
    for statement in s3_statements:
        objects = [r for r in _as_list(statement["Resource"]) if json.dumps(r).endswith('/*"]]}')]
        assert all('"/highlights/*"' in json.dumps(r) for r in objects)  # objects only under highlights/
    assert "s3:DeleteObject*" not in actions
    writes = {a for a in actions if a.startswith("s3:Put")}
    assert "s3:PutObject" in writes and "s3:PutBucketPolicy" not in writes
    by_action = {action: statement for statement in statements for action in statement_actions(statement)}
    assert "HighlightsTopic" in _output_of(by_action["sns:Publish"]["Resource"])
    assert "VerticalsDeadLetters" in _output_of(by_action["sqs:SendMessage"]["Resource"])
    assert "VerticalsJobs" in _output_of(by_action["sqs:DeleteMessage"]["Resource"])
    assert "TablesIdempotency" in _output_of(by_action["dynamodb:PutItem"]["Resource"])
    assert not any(a.startswith(("kinesis:", "ssm:", "secretsmanager:", "ecs:")) for a in actions)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
