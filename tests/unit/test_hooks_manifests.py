"""Every hook folder follows the convention the infra deploys from (hooks/README.md)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

HOOKS_DIR = Path(__file__).resolve().parents[2] / "hooks"
HOOK_FOLDERS = sorted(path.parent for path in HOOKS_DIR.glob("*/handler.py"))
MANIFEST_KEYS = {
    "description": str,
    "secrets": dict,
    "environment": dict,
    "timeout_s": int,
    "memory_mb": int,
    "filter_policy": dict,
    "needs_highlights_bucket_read": bool,
}


def manifest(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "hook.json").read_text()))


def test_the_two_hooks_are_found_and_shared_is_not_one() -> None:
    assert [folder.name for folder in HOOK_FOLDERS] == ["streamable", "webhook"]
    assert not (HOOKS_DIR / "shared" / "hook.json").exists()


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_each_hook_has_a_complete_manifest(folder: Path) -> None:
    hook = manifest(folder)
    assert set(hook) == set(MANIFEST_KEYS)
    for key, kind in MANIFEST_KEYS.items():
        assert isinstance(hook[key], kind), key
    assert 3 <= hook["timeout_s"] <= 900 and 128 <= hook["memory_mb"] <= 10240
    assert hook["filter_policy"]["event_type"] == ["highlight"]
    for env_var, secret_name in hook["secrets"].items():
        assert env_var.endswith("_SECRET_ARN") and secret_name.startswith("highlight-bot/")
    assert all(isinstance(value, str) for value in hook["environment"].values())
    assert not set(hook["secrets"]) & set(hook["environment"])


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_each_handler_module_imports_without_aws_and_exposes_handler(folder: Path) -> None:
    module = importlib.import_module(f"hooks.{folder.name}.handler")
    assert callable(module.handler)
