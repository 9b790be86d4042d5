"""The goal alert contract: one per goal, named after it, refused when it names another."""

from __future__ import annotations

import json

import pytest

from contracts import ALERT_EVENT_TYPE, GoalAlert, InvalidEventError, alert_id, goal_alert, parse_event
from tests.unit.test_contracts import a_goal


def test_an_alert_round_trips_and_is_titled_like_its_highlight() -> None:
    alert = goal_alert(a_goal())
    assert parse_event(alert.to_json()) == alert
    wire = json.loads(alert.to_json())
    assert (wire["type"], wire["v"], wire["id"]) == ("goal_alert", 1, f"alert-{a_goal().id}")
    assert alert.title == "LIV 1-0 MCI (23')" and alert.channel == "chan"
    assert ALERT_EVENT_TYPE == "goal"  # the SNS attribute hooks filter on


def test_an_alert_that_names_another_goal_or_channel_is_refused() -> None:
    wire = json.loads(goal_alert(a_goal()).to_json())
    with pytest.raises(InvalidEventError, match="alert's id must be"):
        parse_event(wire | {"id": alert_id("g-someoneelse")})
    with pytest.raises(InvalidEventError, match="its channel"):
        parse_event(wire | {"channel": "other"})


def test_a_future_alert_version_is_refused_with_a_sentence() -> None:
    wire = json.loads(goal_alert(a_goal()).to_json()) | {"v": 2}
    with pytest.raises(InvalidEventError, match="unsupported goal_alert event version 2"):
        parse_event(wire)


def test_alert_ids_never_collide_with_goal_ids() -> None:
    goal = a_goal()
    assert isinstance(goal_alert(goal), GoalAlert) and alert_id(goal.id) != goal.id
