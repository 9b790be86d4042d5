"""`cdk synth` with the real CDK CLI from the repo root, exactly as a developer runs it.

Beyond the exit code: both templates hold the resources of every part (one Lambda per real hook,
one secret per secret name of the real hook.json files), the dashboard output is there, every asset
a deploy would upload exists, and each Python function's handler imports from its asset alone.

The Makefile installs the pinned CLI into ./node_modules (see infra/README.md); without it, or
before functions/enrich and functions/clip have handlers, the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_HANDLERS = ("functions/enrich/handler.py", "functions/clip/handler.py")


def _cdk_cli() -> str | None:
    local = REPO_ROOT / "node_modules" / ".bin" / "cdk"
    return str(local) if local.exists() else shutil.which("cdk")


@pytest.mark.slow
def test_cdk_synth_from_the_repo_root(tmp_path: Path) -> None:
    cli = _cdk_cli()
    if cli is None:
        pytest.skip("CDK CLI not installed: `npm install --no-save --no-package-lock aws-cdk@2.1148.1` (make setup)")
    missing = [path for path in REQUIRED_HANDLERS if not (REPO_ROOT / path).is_file()]
    if missing:
        pytest.skip(f"the Lambda handlers are not written yet: {missing}")
    environment = os.environ | {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CDK_DISABLE_VERSION_CHECK": "1"}
    result = subprocess.run(
        [cli, "synth", "--quiet", "--no-notices", "-o", str(tmp_path), "-c", "skip_dependency_bundling=true"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    stacks = {
        name for name, artifact in manifest["artifacts"].items() if artifact["type"] == "aws:cloudformation:stack"
    }
    assert stacks == {"HighlightBotStateful", "HighlightBotStateless"}
    stateful = _template(tmp_path, "HighlightBotStateful")
    stateless = _template(tmp_path, "HighlightBotStateless")

    _assert_at_least(
        stateful,
        {
            "AWS::Kinesis::Stream": 1,
            "AWS::S3::Bucket": 3,
            "AWS::DynamoDB::Table": 2,
            "AWS::SQS::Queue": 4,
            "AWS::SNS::Topic": 1,
            "AWS::SSM::Parameter": 1,
            "AWS::CloudFront::Distribution": 1,
        },
    )
    hooks = sorted(path.parent.name for path in (REPO_ROOT / "hooks").glob("*/hook.json"))
    secret_names = {
        name
        for hook in hooks
        for name in json.loads((REPO_ROOT / "hooks" / hook / "hook.json").read_text())["secrets"].values()
    }
    assert _count(stateful).get("AWS::SecretsManager::Secret", 0) == len(secret_names)

    handlers = {r["Properties"]["Handler"] for r in _resources(stateless, "AWS::Lambda::Function").values()}
    expected_handlers = {f"functions/{name}/handler.handler" for name in ("enrich", "clip", "reconciler")}
    expected_handlers |= {f"hooks/{hook}/handler.handler" for hook in hooks}
    assert expected_handlers <= handlers
    _assert_at_least(
        stateless, {"AWS::ECS::TaskDefinition": 1, "AWS::CloudWatch::Dashboard": 1, "AWS::CloudWatch::Alarm": 10}
    )
    assert any(name.startswith("MonitoringDashboardUrl") for name in stateless.get("Outputs", {}))

    # Every asset a deploy would upload was written, and each function's asset holds its handler.
    for stack in sorted(stacks):
        assets = json.loads((tmp_path / f"{stack}.assets.json").read_text())
        for asset in assets.get("files", {}).values():
            assert (tmp_path / asset["source"]["path"]).exists(), asset["source"]
        for image in assets.get("dockerImages", {}).values():
            context = tmp_path / image["source"]["directory"]
            assert (context / image["source"]["dockerFile"]).is_file(), image["source"]
    for function in _resources(stateless, "AWS::Lambda::Function").values():
        properties = function["Properties"]
        if not properties.get("Runtime", "").startswith("python"):
            continue  # CDK's own custom-resource handlers (Node.js)
        asset_dir = tmp_path / f"asset.{properties['Code']['S3Key'].removesuffix('.zip')}"
        module = properties["Handler"].removesuffix(".handler")
        assert (asset_dir / f"{module}.py").is_file(), f"{module}.py missing from {asset_dir}"
        _assert_imports_alone(asset_dir, module.replace("/", "."), properties.get("Environment", {}))


def _assert_imports_alone(asset_dir: Path, module: str, environment: dict[str, Any]) -> None:
    """Import the handler as Lambda would: only its asset and the installed dependencies on the path.

    Why: a merge once made `lambda_runtime` import `capture_task`, which no Lambda asset holds; every
    function would have failed at import while every in-repo test (which sees the whole checkout)
    passed. `-I` keeps the repo off the path; the venv's site-packages stands in for the layer.
    """
    variables = {
        name: value if isinstance(value, str) else "unresolved-by-synth"
        for name, value in environment.get("Variables", {}).items()
    }
    check = f"import importlib, sys; sys.path.insert(0, {str(asset_dir)!r}); importlib.import_module({module!r})"
    result = subprocess.run(
        [sys.executable, "-I", "-c", check],
        cwd=asset_dir.parent,
        env={"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1", **variables},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{module} does not import from {asset_dir.name} alone:\n{result.stderr[-3000:]}"


def _template(outdir: Path, stack: str) -> dict[str, Any]:
    return dict(json.loads((outdir / f"{stack}.template.json").read_text()))


def _resources(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}


def _count(template: dict[str, Any]) -> dict[str, int]:
    return dict(Counter(resource["Type"] for resource in template["Resources"].values()))


def _assert_at_least(template: dict[str, Any], minimum: dict[str, int]) -> None:
    counts = _count(template)
    short = {kind: counts.get(kind, 0) for kind, least in minimum.items() if counts.get(kind, 0) < least}
    assert short == {}, f"fewer resources than expected (found): {short}"
