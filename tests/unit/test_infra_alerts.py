"""Goal alerts, synthesized: enrich publishes to the hooks' topic, and hooks choose alerts by their filter policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from infra_fixtures import function_by_handler, function_statements, resources, statement_actions, synthesized

HOOKS_DIR = Path(__file__).resolve().parents[2] / "hooks"
ENRICH = "functions/enrich/handler.handler"
WEBHOOK = "hooks/webhook/handler.handler"


@pytest.fixture(scope="module", name="stateless")
def stateless_fixture() -> Template:
    return synthesized((("hooks_dir", str(HOOKS_DIR)),)).stateless


def _flat(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def test_enrich_knows_the_topic_and_may_publish_to_it(stateless: Template) -> None:
    enrich_id, enrich = function_by_handler(stateless, ENRICH)
    assert "HighlightsTopic" in _flat(enrich["Environment"]["Variables"]["HIGHLIGHT_TOPIC_ARN"])
    publishers = [s for s in function_statements(stateless, enrich_id) if "sns:Publish" in statement_actions(s)]
    assert publishers and all("HighlightsTopic" in _flat(s["Resource"]) for s in publishers)


def test_the_webhook_hears_goal_alerts_and_highlights_and_may_read_the_clips(stateless: Template) -> None:
    function_id, webhook = function_by_handler(stateless, WEBHOOK)
    (subscription,) = [
        s["Properties"]
        for s in resources(stateless, "AWS::SNS::Subscription").values()
        if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert subscription["FilterPolicy"] == {"event_type": ["goal", "highlight"]}
    assert "HIGHLIGHTS_BUCKET" in webhook["Environment"]["Variables"]  # it attaches the MP4 when it fits
    reads = [s for s in function_statements(stateless, function_id) if "s3:GetObject*" in statement_actions(s)]
    assert reads
