"""`cdk synth` with the real CDK CLI from the repo root, exactly as a developer runs it.

The Makefile installs the pinned CLI into ./node_modules (see infra/README.md); without it, or
before functions/enrich and functions/clip have handlers, the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

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
