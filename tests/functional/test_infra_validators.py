"""cfn-lint and checkov over the synthesized templates: both must be clean in `make test`.

cdk-nag checks constructs; these two check what CloudFormation receives. A checkov finding that is
a deliberate choice is skipped on its resource with the reason (`infra.constructs.nag.skip_checkov`,
rendered as `Metadata: checkov: skip: [{id, comment}]`), so a new resource is checked in full.

The templates are the ones the infra unit tests build (`infra_fixtures.synthesized()`, one synth per
test session). cfn-lint is a dev dependency of the venv; checkov pins an old boto3, so `make setup`
installs it into its own venv, `.cache/validators` (requirements-validators.txt).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "unit"))  # the shared synth of the infra unit tests

from infra_fixtures import SynthesizedApp, synthesized  # noqa: E402

CHECKOV = Path(os.environ.get("HIGHLIGHT_BOT_CHECKOV", REPO_ROOT / ".cache" / "validators" / "bin" / "checkov"))
CFN_LINT_IGNORED = {
    "W3005": "CDK gives each function a DependsOn on its role beside the Role GetAtt; the duplicate is harmless.",
}


@pytest.fixture(scope="module", name="templates")
def templates_fixture() -> list[Path]:
    app: SynthesizedApp = synthesized()
    found = sorted(app.outdir.glob("*.template.json"))
    assert [path.name for path in found] == [
        "HighlightBotStateful.template.json",
        "HighlightBotStateless.template.json",
    ]
    return found


def _cfn_lint() -> str:
    executable = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    assert executable, "cfn-lint is missing from the venv: run `make setup` (requirements-dev.txt pins it)."
    return executable


def test_cfn_lint_finds_nothing(templates: list[Path]) -> None:
    result = subprocess.run(
        [_cfn_lint(), "--format", "json", "--ignore-checks", *CFN_LINT_IGNORED, "--", *map(str, templates)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode in (0, 2, 4, 6, 8, 10, 12, 14), result.stderr[-2000:]  # bit 1 = cfn-lint crashed
    findings = json.loads(result.stdout or "[]")
    listed = [
        f"{finding['Rule']['Id']} {Path(finding['Filename']).name}:{finding['Location']['Start']['LineNumber']} "
        f"{finding['Message']}"
        for finding in findings
    ]
    assert listed == [], "cfn-lint findings:\n" + "\n".join(listed)


def _checkov(templates: list[Path]) -> dict[str, Any]:
    if not CHECKOV.exists():
        pytest.fail(
            f"checkov is not installed at {CHECKOV}: run `make setup`, which installs requirements-validators.txt."
        )
    files = [argument for path in templates for argument in ("-f", str(path))]
    result = subprocess.run(
        # --skip-download: no call to Prisma Cloud for guidelines (the tests use the network only on loopback).
        [str(CHECKOV), *files, "--framework", "cloudformation", "--skip-download", "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env=os.environ | {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1 = findings, anything else = checkov failed
    report = json.loads(result.stdout)
    (cloudformation,) = report if isinstance(report, list) else [report]
    assert cloudformation["check_type"] == "cloudformation"
    return dict(cloudformation)


def test_checkov_finds_nothing_unexplained(templates: list[Path]) -> None:
    report = _checkov(templates)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] > 50  # both templates were read
    failed = [
        f"{check['check_id']} {check['resource']} ({Path(check['file_path']).name}): {check['check_name']}"
        for check in report["results"]["failed_checks"]
    ]
    assert failed == [], (
        "checkov findings; fix each, or skip it on its construct with infra.constructs.nag.skip_checkov and the "
        "reason:\n" + "\n".join(failed)
    )
    for skipped in report["results"]["skipped_checks"]:
        comment = skipped["check_result"].get("suppress_comment", "")
        assert len(comment) >= 20, f"{skipped['check_id']} on {skipped['resource']} is skipped without a reason"
