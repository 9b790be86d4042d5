"""enrich's instant goal alert against moto: one `goal_alert` per goal on the topic, before (and without) the clip."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from contracts import GoalAlert, alert_id, parse_event
from functions.enrich import alerts as enrich_alerts
from functions.enrich import handler as enrich
from tests.functional.functions_fixtures import (
    CHANNEL,
    START,
    EnrichWorld,
    FakeLambdaContext,
    a_goal,
    a_segment,
    alerts_heard,
    drain_queue,
    emulated_aws,
    hooks_topic_heard_by,
)

GOAL = a_goal(START + timedelta(seconds=21.3))


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[EnrichWorld, str]]:
    """enrich's resources plus the hooks' topic, and a queue subscribed to it like a hook that hears alerts."""
    with emulated_aws(monkeypatch):
        topic_arn, alerts_url = hooks_topic_heard_by("hears-alerts", {"event_type": ["goal"]})  # as a hook.json says it
        yield EnrichWorld.create(monkeypatch, HIGHLIGHT_TOPIC_ARN=topic_arn), alerts_url


def run(event: dict[str, Any]) -> list[str]:
    response = enrich.handler(event, FakeLambdaContext())
    return [str(failure["itemIdentifier"]) for failure in response["batchItemFailures"]]


def test_a_goal_is_alerted_at_once_even_while_its_clip_waits_for_the_post_roll(world: tuple[EnrichWorld, str]) -> None:
    enrich_world, alerts_url = world
    assert run(enrich_world.stream.event_for(*(a_segment(n) for n in range(5)), GOAL)) == []

    ((alert, attributes),) = alerts_heard(alerts_url)
    assert alert.id == alert_id(GOAL.id) and alert.goal == GOAL and alert.title == "LIV 1-0 MCI (23')"
    assert attributes["event_type"] == {"Type": "String", "Value": "goal"}
    assert attributes["channel"] == {"Type": "String", "Value": CHANNEL}
    assert drain_queue(enrich_world.clip_queue_url) == []  # the clip still waits for its segments


def test_a_redelivered_goal_is_alerted_once(world: tuple[EnrichWorld, str]) -> None:
    enrich_world, alerts_url = world
    batch = enrich_world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL, GOAL)
    for _ in range(3):  # Kinesis is at-least-once: the same batch, again and again
        assert run(batch) == []
    assert len(alerts_heard(alerts_url)) == 1
    assert len(drain_queue(enrich_world.clip_queue_url)) == 1


def test_sns_down_dead_letters_the_alert_and_the_goal_is_still_clipped(
    world: tuple[EnrichWorld, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    enrich_world, alerts_url = world

    def unreachable(self: enrich_alerts.GoalAlerts, alert: GoalAlert) -> str:
        raise EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")

    monkeypatch.setattr(enrich_alerts.GoalAlerts, "_publish", unreachable)
    assert run(enrich_world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)) == []

    assert alerts_heard(alerts_url) == []
    assert len(drain_queue(enrich_world.clip_queue_url)) == 1  # the clip path never waits for an alert
    (letter,) = [json.loads(m["Body"]) for m in drain_queue(enrich_world.dead_letter_queue_url)]
    assert letter["kind"] == "alert_not_published"
    kept = parse_event(json.dumps(letter["alert"]))  # the letter holds the whole alert, as it would have gone out
    assert isinstance(kept, GoalAlert) and kept.goal == GOAL
    assert "could not be published" in letter["reason"] and "still reaches the hooks" in letter["reason"]


def test_without_a_topic_no_alert_is_published_and_the_clip_goes_on(
    world: tuple[EnrichWorld, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    enrich_world, alerts_url = world
    monkeypatch.delenv("HIGHLIGHT_TOPIC_ARN")
    assert run(enrich_world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)) == []
    assert alerts_heard(alerts_url) == []
    assert len(drain_queue(enrich_world.clip_queue_url)) == 1
