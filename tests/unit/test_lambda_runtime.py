"""The one Lambda runtime: metric names spelt once, every emitter using them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_SOURCES = sorted((REPO_ROOT / "functions").rglob("*.py")) + sorted((REPO_ROOT / "hooks").rglob("*.py"))


@pytest.mark.parametrize("source", LAMBDA_SOURCES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_lambdas_emit_metrics_by_the_names_in_lambda_runtime(source: Path) -> None:
    """A literal name would pass every test and still miss the dashboard if one side were renamed."""
    literals = [
        f"{source.name}:{node.lineno}"
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"add_metric", "add_dimension"}
        for keyword in node.keywords
        if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
    ]
    assert literals == [], "use lambda_runtime.metric_names instead of a literal"


@pytest.mark.parametrize("source", LAMBDA_SOURCES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_lambdas_read_ssm_through_the_runtime(source: Path) -> None:
    assert ".get_parameter(" not in source.read_text(), "use lambda_runtime.parameter_value"
