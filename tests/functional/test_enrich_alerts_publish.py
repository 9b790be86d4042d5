"""enrich's goal alerts straight (no handler, no Kinesis batch): fast enough to judge mutants.

`GoalAlerts` and `goal_alerts` against moto (SNS, SQS, DynamoDB): the message and its attributes, one
alert per goal id, the letter and metric when SNS refuses or cannot be reached, nothing without a topic.
(`test_enrich_alerts.py` drives the same path through the enrich handler.)
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from botocore.config import Config

from contracts import alert_id, goal_alert, parse_event
from contracts.settings import DEFAULT_SETTINGS
from functions.enrich import alerts as enrich_alerts
from functions.enrich.queues import DeadLetterQueue
from functions.enrich.settings import EnrichSettings
from tests.functional.functions_fixtures import (
    CHANNEL,
    REGION,
    START,
    FakeLambdaContext,
    a_goal,
    alerts_heard,
    create_queue,
    create_table,
    drain_queue,
    emulated_aws,
    hooks_topic_heard_by,
)

GOAL = a_goal(START + timedelta(seconds=21.3))
IDEMPOTENCY_TABLE = "highlight-bot-idempotency"
ALERTS_OF_THIS_CHANNEL = {"event_type": ["goal"], "channel": [CHANNEL]}
"""The filter policy of a hook that hears this channel's goal alerts."""


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with emulated_aws(monkeypatch):
        enrich_alerts.metrics.clear_metrics()
        yield
        enrich_alerts.metrics.clear_metrics()


def metric_values() -> dict[str, list[float]]:
    return {name: list(metric["Value"]) for name, metric in enrich_alerts.metrics.metric_set.items()}


def settings(topic_arn: str | None) -> EnrichSettings:
    return EnrichSettings.of(
        DEFAULT_SETTINGS,
        segment_table="segments",
        clip_queue_url="unused",
        dead_letter_queue_url="unused",
        idempotency_table=IDEMPOTENCY_TABLE,
        channel_parameter_name="/highlight-bot/channel",
        highlight_topic_arn=topic_arn,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_alert_goes_to_the_topic_with_the_attributes_hooks_filter_on(aws: None) -> None:
    topic_arn, queue_url = hooks_topic_heard_by("hears-alerts", ALERTS_OF_THIS_CHANNEL)
    dead_letters = create_queue("enrich-dlq")
    alerts = enrich_alerts.GoalAlerts(boto3.client("sns", region_name=REGION), topic_arn, DeadLetterQueue(
        boto3.client("sqs", region_name=REGION), dead_letters
    ))  # fmt: skip

    outcome = alerts.publish(GOAL)

    ((alert, attributes),) = alerts_heard(queue_url)
    assert alert == goal_alert(GOAL) and alert.id == alert_id(GOAL.id)
    assert attributes == {
        "channel": {"Type": "String", "Value": CHANNEL},
        "event_type": {"Type": "String", "Value": "goal"},
    }
    assert outcome == {"outcome": "published", "alert_id": alert.id, "message_id": outcome["message_id"]}
    assert len(outcome["message_id"]) == 36  # SNS's message id, a UUID
    assert metric_values() == {"GoalAlertsPublished": [1.0]}
    assert drain_queue(dead_letters) == []


def test_a_topic_sns_refuses_dead_letters_the_alert_with_why(aws: None) -> None:
    dead_letters = create_queue("enrich-dlq")
    missing_topic = f"arn:aws:sns:{REGION}:123456789012:no-such-topic"
    alerts = enrich_alerts.GoalAlerts(boto3.client("sns", region_name=REGION), missing_topic, DeadLetterQueue(
        boto3.client("sqs", region_name=REGION), dead_letters
    ))  # fmt: skip

    outcome = alerts.publish(GOAL)

    assert outcome == {"outcome": "dead_lettered", "alert_id": alert_id(GOAL.id)}
    (letter,) = [json.loads(message["Body"]) for message in drain_queue(dead_letters)]
    assert letter["kind"] == "alert_not_published"
    assert parse_event(json.dumps(letter["alert"])) == goal_alert(GOAL)
    assert letter["reason"].startswith(
        f"the alert for goal {GOAL.id} (LIV 1-0 MCI (23')) could not be published to the hooks' topic: NotFound"
    )
    assert letter["reason"].endswith("; its highlight still reaches the hooks when the clip is made")
    assert metric_values() == {"GoalAlertsFailed": [1.0]}


def test_an_unreachable_sns_dead_letters_the_alert_too(aws: None) -> None:
    dead_letters = create_queue("enrich-dlq")
    unreachable = boto3.client(
        "sns",
        region_name=REGION,
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5),
    )
    alerts = enrich_alerts.GoalAlerts(unreachable, "arn:aws:sns:us-east-1:123456789012:t", DeadLetterQueue(
        boto3.client("sqs", region_name=REGION), dead_letters
    ))  # fmt: skip

    assert alerts.publish(GOAL) == {"outcome": "dead_lettered", "alert_id": alert_id(GOAL.id)}
    (letter,) = [json.loads(message["Body"]) for message in drain_queue(dead_letters)]
    assert "could not be published to the hooks' topic: EndpointConnectionError" in letter["reason"]


def test_each_goal_is_alerted_once_whatever_the_redeliveries(aws: None) -> None:
    create_table(IDEMPOTENCY_TABLE, keys=("id",), ttl_attribute="expiration")
    topic_arn, queue_url = hooks_topic_heard_by("hears-alerts", ALERTS_OF_THIS_CHANNEL)
    dead_letters = DeadLetterQueue(boto3.client("sqs", region_name=REGION), create_queue("enrich-dlq"))
    alert = enrich_alerts.goal_alerts(settings(topic_arn), dead_letters, FakeLambdaContext())
    other_goal = a_goal(START + timedelta(seconds=41.3)).model_copy(update={"id": "g-other"})

    for goal in (GOAL, GOAL, other_goal, GOAL):
        assert alert(goal) is None

    assert [a.goal.id for a, _ in alerts_heard(queue_url)] == [GOAL.id, "g-other"]
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    assert [item["status"]["S"] for item in items] == ["COMPLETED", "COMPLETED"]  # one record per goal id


def test_without_a_topic_nothing_is_published_and_no_client_is_made(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_client(service: str) -> None:
        raise AssertionError(f"a {service} client was made without a topic")

    monkeypatch.setattr(enrich_alerts, "aws_client", no_client)
    alert = enrich_alerts.goal_alerts(settings(None), DeadLetterQueue(None, "unused"), FakeLambdaContext())
    assert alert(GOAL) is None
    assert metric_values() == {}
