"""The real gallery hook, synthesized: writes only under gallery/, knows the CloudFront URL, has its failure queue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from infra_fixtures import function_by_handler, function_statements, resources, statement_actions, synthesized

from infra.constructs.hooks import HookDefinitionError, discover_hooks

HOOKS_DIR = Path(__file__).resolve().parents[2] / "hooks"
GALLERY = "hooks/gallery/handler.handler"


@pytest.fixture(scope="module", name="stateless")
def stateless_fixture() -> Template:
    return synthesized((("hooks_dir", str(HOOKS_DIR)),)).stateless


def _flat(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def test_the_gallery_gets_the_bucket_and_the_cloudfront_url(stateless: Template) -> None:
    _, gallery = function_by_handler(stateless, GALLERY)
    variables = gallery["Environment"]["Variables"]
    assert "HIGHLIGHTS_BUCKET" in variables
    # The distribution lives in the stateful stack: its domain arrives as that stack's output.
    assert "Fn::GetStackOutput" in _flat(variables["HIGHLIGHTS_BASE_URL"])
    _, webhook = function_by_handler(stateless, "hooks/webhook/handler.handler")
    assert "HIGHLIGHTS_BASE_URL" not in webhook["Environment"]["Variables"]


def test_the_gallery_may_write_only_under_its_prefix(stateless: Template) -> None:
    function_id, _ = function_by_handler(stateless, GALLERY)
    statements = function_statements(stateless, function_id)
    writes = [s for s in statements if any(a.startswith("s3:PutObject") for a in statement_actions(s))]
    assert writes, "the gallery hook cannot write its pages"
    for statement in writes:
        resources_ = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert all(_flat(resource).endswith('/gallery/*"]]}') for resource in resources_), resources_
    reads = [s for s in statements if "s3:GetObject*" in statement_actions(s)]
    assert reads and all("/gallery/*" in _flat(s["Resource"]) for s in reads)
    assert not any("s3:DeleteObject*" in statement_actions(s) for s in statements)


def test_the_gallery_hears_highlights_verticals_and_reels_and_has_its_failure_queue(stateless: Template) -> None:
    function_id, _ = function_by_handler(stateless, GALLERY)
    (subscription,) = [
        s["Properties"]
        for s in resources(stateless, "AWS::SNS::Subscription").values()
        if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert subscription["FilterPolicy"] == {"event_type": ["highlight", "vertical", "reel"]}
    (config,) = [
        c["Properties"]
        for c in resources(stateless, "AWS::Lambda::EventInvokeConfig").values()
        if c["Properties"]["FunctionName"] == {"Ref": function_id}
    ]
    failure_queue = config["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert stateless.to_json()["Resources"][failure_queue]["Type"] == "AWS::SQS::Queue"


@pytest.mark.parametrize("prefix", ["/gallery/", "gallery", "highlights/../", "Gallery/"])
def test_a_write_prefix_must_be_one_plain_folder(tmp_path: Path, prefix: str) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "handler.py").write_text("")
    (tmp_path / "pages" / "hook.json").write_text(json.dumps({"description": "x", "highlights_bucket_writes": prefix}))
    with pytest.raises(HookDefinitionError, match="highlights_bucket_writes"):
        discover_hooks(tmp_path)
