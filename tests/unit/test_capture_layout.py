"""The capture task's layout follows its stages, and no module imports one that imports it back.

Why a test: a flat package drifted into an import loop (cli ↔ service) and into shipping
test-only and benchmark-only code in the container; this pins the shape the README describes.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "capture_task"

ALLOWED_STAGE_IMPORTS = {
    "ingest": {"ingest"},
    "vision": {"ingest", "vision"},
    "detect": {"vision", "detect"},
    "publish": {"ingest", "vision", "detect", "publish"},
}
"""Which stages a stage's modules may import (besides the package's top-level exceptions and metrics)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("capture_task"):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names if alias.name.startswith("capture_task")}
        graph[_module_name(path)] = imported
    return graph


def test_modules_are_grouped_by_stage() -> None:
    stages = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file())
    assert stages == sorted(ALLOWED_STAGE_IMPORTS)
    assert len(list(PACKAGE.glob("*.py"))) <= 7, "only the wiring (capture, cli, service, …) stays at the top"


def test_each_stage_imports_only_the_stages_before_it() -> None:
    wrong = []
    for module, imported in _imports().items():
        parts = module.split(".")
        if len(parts) < 3:
            continue
        stage = parts[1]
        for target in imported:
            target_parts = target.split(".")
            if len(target_parts) >= 3 and target_parts[1] not in ALLOWED_STAGE_IMPORTS[stage]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_no_import_cycles() -> None:
    graph = _imports()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, f"import cycle: {' -> '.join([*visiting, module])}"
        visiting.append(module)
        for target in graph.get(module, set()):
            if target in graph:
                visit(target)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)


def test_container_code_holds_no_benchmark_or_test_only_code() -> None:
    source = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))
    assert "EveryFrameSampler" not in source, "the naive baseline belongs to bench/"
    assert "def read_segment" not in source, "reading segments back is the clip function's job"
