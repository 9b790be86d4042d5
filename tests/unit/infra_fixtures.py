"""Shared fixtures of the infra tests: a throwaway source tree and the app synthesized from it once.

The real `functions/` and `hooks/` are written by other people at the same time, so the template
tests build the app from a temporary checkout: the real `contracts/`, `capture_task/Dockerfile`
and `.dockerignore`, plus stub handlers and two hooks. Synthesis (~10 s) happens once per
distinct context and is shared by every test module through `synthesized()`.

Import the fixtures into a test module with `from infra_fixtures import default_app_fixture, ...`
(pytest puts this folder on sys.path) and ask for them by name (`default_app`, `stateful`,
`stateless`); there is deliberately no conftest.py.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # after the environment above: jsii starts node on import
import pytest
from aws_cdk.assertions import Template

from infra.app import STATEFUL_STACK_NAME, STATELESS_STACK_NAME, build_app
from infra.constructs.python_function import RUNTIME_PACKAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_HOOK_ARN = "arn:aws:lambda:us-east-1:123456789012:function:someone-elses-hook"

WEBHOOK_MANIFEST = {
    "description": "Posts each highlight to a chat webhook",
    "secrets": {"WEBHOOK_URL_SECRET_ARN": "highlight-bot/webhook-url"},
    "environment": {"WEBHOOK_TIMEOUT_S": "10"},
    "timeout_s": 20,
    "memory_mb": 192,
    "filter_policy": {"event_type": ["highlight"], "channel": ["sample", "fifa_pro"]},
    "needs_highlights_bucket_read": False,
}
UPLOADER_MANIFEST = {
    "description": "Uploads each clip to a video host",
    "secrets": {"UPLOAD_TOKEN_SECRET_ARN": "highlight-bot/uploader-token"},
    "timeout_s": 120,
    "memory_mb": 512,
    "needs_highlights_bucket_read": True,
}


def cdk_json_context() -> dict[str, Any]:
    """The context `cdk synth` passes from cdk.json (feature flags included), as the tests must use it too."""
    return dict(json.loads((REPO_ROOT / "cdk.json").read_text())["context"])


def write_source_tree(root: Path) -> Path:
    """A minimal checkout: real contracts, lambda_runtime, Dockerfile; stub handlers, two hooks, a non-hook folder."""
    for package in RUNTIME_PACKAGES:
        shutil.copytree(REPO_ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "capture_task").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "capture_task" / "Dockerfile", root / "capture_task" / "Dockerfile")
    (root / "capture_task" / "__init__.py").write_text("")
    (root / "capture_task" / "__main__.py").write_text("")
    shutil.copy(REPO_ROOT / ".dockerignore", root / ".dockerignore")
    stub = "def handler(event, context):\n    return {}\n"
    for package in ("functions", "functions/shared", "hooks", "hooks/shared"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("")
    for name in ("enrich", "clip", "reconciler", "vertical"):
        (root / "functions" / name).mkdir()
        (root / "functions" / name / "handler.py").write_text(stub)
    for name, manifest in (("webhook", WEBHOOK_MANIFEST), ("uploader", UPLOADER_MANIFEST)):
        (root / "hooks" / name).mkdir()
        (root / "hooks" / name / "handler.py").write_text(stub)
        (root / "hooks" / name / "hook.json").write_text(json.dumps(manifest))
    (root / "hooks" / "drafts").mkdir()  # no hook.json: not a hook
    (root / "hooks" / "drafts" / "handler.py").write_text(stub)
    return root


def scratch_folder(prefix: str) -> Path:
    """A temporary folder removed when the test process exits: a synthesized app's cloud assembly is ~170 MB."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def shared_source_tree() -> Path:
    return write_source_tree(scratch_folder("highlight-bot-src-"))


@dataclass(frozen=True)
class SynthesizedApp:
    app: cdk.App
    stateful: Template
    stateless: Template
    outdir: Path


@functools.cache
def synthesized(overrides: tuple[tuple[str, Any], ...] = ()) -> SynthesizedApp:
    """The app synthesized (cdk-nag attached) from the shared source tree, once per distinct `overrides`."""
    source_root = shared_source_tree()
    context = cdk_json_context() | {
        "source_root": str(source_root),
        "skip_dependency_bundling": True,
        "external_hook_arns": [EXTERNAL_HOOK_ARN],
        **dict(overrides),
    }
    outdir = scratch_folder("highlight-bot-cdk-out-")
    app = build_app(context, outdir=str(outdir))
    stateful = app.node.find_child(STATEFUL_STACK_NAME)
    stateless = app.node.find_child(STATELESS_STACK_NAME)
    assert isinstance(stateful, cdk.Stack) and isinstance(stateless, cdk.Stack)
    return SynthesizedApp(app, Template.from_stack(stateful), Template.from_stack(stateless), outdir)


# Fixture functions have private names so that test parameters (`stateless`) do not shadow the imports.
@pytest.fixture(scope="module", name="default_app")
def default_app_fixture() -> SynthesizedApp:
    return synthesized()


@pytest.fixture(scope="module", name="stateful")
def stateful_fixture() -> Template:
    return synthesized().stateful


@pytest.fixture(scope="module", name="stateless")
def stateless_fixture() -> Template:
    return synthesized().stateless


def resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id → resource of one type, for assertions `has_resource_properties` cannot express."""
    return dict(template.find_resources(resource_type))


def role_statements(template: Template, role_logical_id: str) -> list[dict[str, Any]]:
    """Every IAM policy statement attached to one role."""
    return [
        statement
        for policy in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def function_statements(template: Template, function_logical_id: str) -> list[dict[str, Any]]:
    """Every IAM policy statement attached to a Lambda function's role."""
    role = template.to_json()["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_statements(template, role)


def statement_actions(statement: dict[str, Any]) -> list[str]:
    """A statement's actions as a list (CloudFormation allows a single string)."""
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def function_by_handler(template: Template, handler: str) -> tuple[str, dict[str, Any]]:
    """The one AWS::Lambda::Function whose Handler is `handler` (e.g. `functions/clip/handler.handler`)."""
    matches = [
        (logical_id, resource["Properties"])
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
        if resource["Properties"].get("Handler") == handler
    ]
    assert len(matches) == 1, f"expected one function with handler {handler}, found {len(matches)}"
    return matches[0]
