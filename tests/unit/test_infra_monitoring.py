"""HighlightBotStateless, monitoring: the encrypted alarm topic, the alarms and the dashboard."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template
from infra_fixtures import function_by_handler, resources, stateless_fixture, synthesized  # noqa: F401  (fixtures, used by name)

from capture_task.metrics import NAMESPACE as CAPTURE_NAMESPACE
from capture_task.metrics import CaptureMetric
from lambda_runtime.metric_names import NAMESPACE, ClipMetric, EnrichMetric, ReconcilerMetric

ENRICH = "functions/enrich/handler.handler"
CLIP = "functions/clip/handler.handler"
RECONCILER = "functions/reconciler/handler.handler"
VERTICAL = "functions/vertical/handler.handler"
FAILURE_QUEUES = {
    "EnrichDeadLetters",
    "EnrichBatchFailures",
    "ClipDeadLetters",
    "VerticalDeadLetters",
    "WebhookHandlerFailures",
    "WebhookDeliveryFailures",
    "UploaderHandlerFailures",
    "UploaderDeliveryFailures",
    "External0DeliveryFailures",
}


def _alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {lid: r["Properties"] for lid, r in resources(template, "AWS::CloudWatch::Alarm").items()}


def _alarm(template: Template, name: str) -> dict[str, Any]:
    (alarm,) = [properties for lid, properties in _alarms(template).items() if lid.startswith(f"Monitoring{name}")]
    return alarm


def _topic_ref(template: Template) -> dict[str, str]:
    (topic_id,) = [lid for lid in resources(template, "AWS::SNS::Topic") if lid.startswith("MonitoringAlarmTopic")]
    return {"Ref": topic_id}


def _dashboard_text(template: Template) -> str:
    """The dashboard body's literal parts joined (tokens such as queue names left out)."""
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    return "".join(part for part in body["Fn::Join"][1] if isinstance(part, str))


def test_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use_and_tls_only(stateless: Template) -> None:
    topic = _topic_ref(stateless)["Ref"]
    key_arn = resources(stateless, "AWS::SNS::Topic")[topic]["Properties"]["KmsMasterKeyId"]
    key = resources(stateless, "AWS::KMS::Key")[key_arn["Fn::GetAtt"][0]]["Properties"]
    assert key["EnableKeyRotation"] is True
    assert any(
        statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
        and set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
        for statement in key["KeyPolicy"]["Statement"]
    )
    stateless.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )


def _alarm_source_guard() -> dict[str, Any]:
    """The condition that lets only this account's CloudWatch alarms act (confused-deputy guard)."""
    return {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        "ArnLike": {
            "aws:SourceArn": {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        ":cloudwatch:",
                        {"Ref": "AWS::Region"},
                        ":",
                        {"Ref": "AWS::AccountId"},
                        ":alarm:*",
                    ],
                ]
            }
        },
    }


def test_cloudwatch_alarms_may_publish_to_the_alarm_topic(stateless: Template) -> None:
    """enforce_ssl writes a TopicPolicy, which replaces SNS's default one: without this statement no alarm arrives."""
    topic = _topic_ref(stateless)
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(stateless, "AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [topic]
    ]
    publishers = [
        {key: value for key, value in statement.items() if key != "Sid"}
        for statement in policy
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert publishers == [
        {
            "Effect": "Allow",
            "Action": "sns:Publish",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Resource": topic,
            "Condition": _alarm_source_guard(),
        }
    ]


def test_the_alarm_key_admits_cloudwatch_only_for_this_accounts_alarms(stateless: Template) -> None:
    topic = _topic_ref(stateless)["Ref"]
    key_arn = resources(stateless, "AWS::SNS::Topic")[topic]["Properties"]["KmsMasterKeyId"]
    key = resources(stateless, "AWS::KMS::Key")[key_arn["Fn::GetAtt"][0]]["Properties"]
    (grant,) = [
        s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert grant["Condition"] == _alarm_source_guard()


def test_every_failure_queue_alarms_when_it_holds_a_message(stateless: Template) -> None:
    topic = _topic_ref(stateless)
    for name in FAILURE_QUEUES:
        alarm = _alarm(stateless, f"{name}NotEmpty")
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Namespace"] == "AWS/SQS"
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
    assert len([lid for lid in _alarms(stateless) if "NotEmpty" in lid]) == len(FAILURE_QUEUES)


def test_enrich_falling_behind_the_stream_alarms(stateless: Template) -> None:
    enrich_id, _ = function_by_handler(stateless, ENRICH)
    alarm = _alarm(stateless, "EnrichBehind")
    assert alarm["MetricName"] == "IteratorAge" and alarm["Statistic"] == "Maximum"
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": enrich_id}}]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (60_000, "GreaterThanThreshold")
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"], alarm["Period"]) == (3, 3, 60)


def test_clip_and_reconciler_errors_alarm(stateless: Template) -> None:
    for name, handler, periods in (("ClipFailed", CLIP, 1), ("ReconcilerFailing", RECONCILER, 3)):
        function_id, _ = function_by_handler(stateless, handler)
        alarm = _alarm(stateless, name)
        assert alarm["MetricName"] == "Errors"
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
        assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (1, periods)
        assert alarm["AlarmActions"] == [_topic_ref(stateless)]


def test_clip_jobs_waiting_too_long_alarms(stateless: Template) -> None:
    alarm = _alarm(stateless, "ClipJobsWaiting")
    assert alarm["Namespace"] == "AWS/SQS" and alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert alarm["Statistic"] == "Maximum"
    (dimension,) = alarm["Dimensions"]
    assert dimension["Name"] == "QueueName" and "ClipJobs" in json.dumps(dimension["Value"])
    # Above one visibility timeout (a job retried once is not late yet), below an hour.
    assert 6 * 120 < alarm["Threshold"] <= 3600
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [_topic_ref(stateless)] and alarm["OKActions"] == [_topic_ref(stateless)]


def test_highlights_waiting_too_long_for_their_vertical_cut_alarm(stateless: Template) -> None:
    alarm = _alarm(stateless, "VerticalJobsWaiting")
    assert alarm["Namespace"] == "AWS/SQS" and alarm["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert alarm["Statistic"] == "Maximum"
    (dimension,) = alarm["Dimensions"]
    assert dimension["Name"] == "QueueName" and "VerticalsJobs" in json.dumps(dimension["Value"])
    # Above one visibility timeout (six times the function's 300 s: a job retried once is not late yet).
    assert alarm["Threshold"] == 6 * 300 + 180
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [_topic_ref(stateless)] and alarm["OKActions"] == [_topic_ref(stateless)]


def test_any_throttled_function_alarms(stateless: Template) -> None:
    alarm = _alarm(stateless, "LambdaThrottled")
    throttles = [query for query in alarm["Metrics"] if "MetricStat" in query]
    watched = {json.dumps(query["MetricStat"]["Metric"]["Dimensions"]) for query in throttles}
    handlers = (ENRICH, CLIP, VERTICAL, RECONCILER, "hooks/webhook/handler.handler", "hooks/uploader/handler.handler")
    for handler in handlers:
        function_id, _ = function_by_handler(stateless, handler)
        assert json.dumps([{"Name": "FunctionName", "Value": {"Ref": function_id}}]) in watched, handler
    assert all(query["MetricStat"]["Metric"]["MetricName"] == "Throttles" for query in throttles)
    assert all(query["ReturnData"] is False for query in throttles)
    (total,) = [query for query in alarm["Metrics"] if "Expression" in query]
    assert total["Expression"].startswith("SUM(")
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["AlarmActions"] == [_topic_ref(stateless)]


def test_capture_silence_alarms_only_while_channels_are_listed(stateless: Template) -> None:
    no_segments = _alarm(stateless, "NoSegmentsRead")
    (query,) = no_segments["Metrics"]
    assert query["Expression"] == f'SELECT SUM({CaptureMetric.SEGMENTS_READ}) FROM "HighlightBot"'
    assert query["Period"] == 300
    assert (no_segments["Threshold"], no_segments["ComparisonOperator"]) == (1, "LessThanThreshold")
    assert no_segments["TreatMissingData"] == "breaching"  # a task that died sends nothing at all
    listed = _alarm(stateless, "ChannelsListed")
    assert listed["MetricName"] == ReconcilerMetric.CHANNELS_WANTED
    assert listed["Dimensions"] == [{"Name": "service", "Value": "reconciler"}]
    assert (listed["Threshold"], listed["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    for component in (no_segments, listed):
        assert "AlarmActions" not in component  # only the composite notifies

    (composite,) = resources(stateless, "AWS::CloudWatch::CompositeAlarm").values()
    rule = json.dumps(composite["Properties"]["AlarmRule"])
    assert "AND" in rule and "MonitoringNoSegmentsRead" in rule and "MonitoringChannelsListed" in rule
    assert composite["Properties"]["AlarmActions"] == [_topic_ref(stateless)]


def test_dashboard_shows_capture_per_channel_and_every_part(stateless: Template) -> None:
    text = _dashboard_text(stateless)
    for metric in CaptureMetric:
        assert f"SEARCH('{{HighlightBot,channel}} MetricName=\\\"{metric}\\\"'" in text, metric
    for metric in (ClipMetric.CLIPS_MADE, ClipMetric.CLIP_LATENCY_SECONDS):
        assert f"SEARCH('{{HighlightBot,channel,service}} MetricName=\\\"{metric}\\\"'" in text, metric
    for metric in (*EnrichMetric, *ReconcilerMetric, ClipMetric.CLIP_FAILURES):
        assert f'"{metric}"' in text, metric
    assert '"IteratorAge"' in text and '"IncomingRecords"' in text
    assert text.count('"ApproximateNumberOfMessagesVisible"') == len(FAILURE_QUEUES) + 1  # + the clip job queue
    assert text.count('"Errors"') == 5 and text.count('"Duration"') == 5  # enrich, clip, reconciler, two hooks
    assert '"type":"alarm"' in text


def test_alarm_emails_context_subscribes_each_address() -> None:
    app = synthesized((("alarm_emails", "ops@example.com,oncall@example.com"),))
    topic = _topic_ref(app.stateless)
    subscriptions = [
        r["Properties"]
        for r in resources(app.stateless, "AWS::SNS::Subscription").values()
        if r["Properties"]["Protocol"] == "email"
    ]
    assert sorted(s["Endpoint"] for s in subscriptions) == ["oncall@example.com", "ops@example.com"]
    assert all(s["TopicArn"] == topic for s in subscriptions)


def test_every_capture_metric_name_is_spelt_once_in_the_capture_and_shown_per_channel() -> None:
    from capture_task import exceptions
    from capture_task.metrics import CaptureMetric as Emitted
    from infra.constructs import monitoring

    assert CaptureMetric is Emitted, "infra reads the capture's own names"
    kinds = [getattr(exceptions, name) for name in dir(exceptions)]
    named = {kind.metric_name for kind in kinds if isinstance(kind, type) and hasattr(kind, "metric_name")}
    assert named and named <= set(Emitted), "the source problems' metric names are capture metrics"
    graphed = {
        CaptureMetric.SEGMENTS_READ,
        CaptureMetric.SEGMENTS_BEHIND_LIVE,
        CaptureMetric.GOALS_DETECTED,
        CaptureMetric.OCR_READS,
        CaptureMetric.OCR_FAILURES,
        *monitoring.CAPTURE_LOSSES,
        *monitoring.CAPTURE_BACKLOGS,
        *monitoring.CAPTURE_SOURCE_PROBLEMS,
    }
    assert graphed == set(CaptureMetric), "every capture metric has a graph"


def test_the_capture_task_emits_under_the_functions_namespace() -> None:
    # The container does not ship lambda_runtime, so it names the namespace itself; the dashboard reads one.
    assert CAPTURE_NAMESPACE == NAMESPACE
