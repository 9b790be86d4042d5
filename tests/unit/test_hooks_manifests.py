"""Every hook folder follows the convention the infra deploys from (hooks/README.md)."""

from __future__ import annotations

import ast
import importlib
import json
import re
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
OPTIONAL_MANIFEST_KEYS = {"highlights_bucket_writes": str}
EVENT_TYPES_A_HOOK_MAY_HEAR = {"goal", "highlight", "vertical", "reel"}
"""``goal`` is the attribute of goal alerts (``contracts.ALERT_EVENT_TYPE``); the rest are event types."""


def manifest(folder: Path) -> dict[str, Any]:
    return dict(json.loads((folder / "hook.json").read_text()))


def test_the_hooks_are_found_and_shared_is_not_one() -> None:
    assert [folder.name for folder in HOOK_FOLDERS] == ["gallery", "streamable", "twitch_chat", "webhook"]
    assert not (HOOKS_DIR / "shared" / "hook.json").exists()


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_each_hook_has_a_complete_manifest(folder: Path) -> None:
    hook = manifest(folder)
    assert set(MANIFEST_KEYS) <= set(hook) <= set(MANIFEST_KEYS) | set(OPTIONAL_MANIFEST_KEYS)
    for key, kind in (MANIFEST_KEYS | OPTIONAL_MANIFEST_KEYS).items():
        assert key not in hook or isinstance(hook[key], kind), key
    assert 3 <= hook["timeout_s"] <= 900 and 128 <= hook["memory_mb"] <= 10240
    assert "highlight" in hook["filter_policy"]["event_type"]
    assert set(hook["filter_policy"]["event_type"]) <= EVENT_TYPES_A_HOOK_MAY_HEAR
    for env_var, secret_name in hook["secrets"].items():
        assert env_var.endswith("_SECRET_ARN") and secret_name.startswith("highlight-bot/")
    assert all(isinstance(value, str) for value in hook["environment"].values())
    assert not set(hook["secrets"]) & set(hook["environment"])


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_each_handler_module_imports_without_aws_and_exposes_handler(folder: Path) -> None:
    module = importlib.import_module(f"hooks.{folder.name}.handler")
    assert callable(module.handler)


IDEMPOTENT_BY_NATURE = {
    "gallery": "it rebuilds the pages from what the bucket holds; a second delivery writes the same pages",
}
"""Hooks that need no once-per-highlight guard, each with the reason."""


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_each_hook_delivers_once_per_highlight(folder: Path) -> None:
    """SNS delivers at least once and clip may republish (README: reliability): a hook that posts somewhere
    must run its delivery through ``once_per_highlight``, or the chat gets the goal twice."""
    names = {
        node.id if isinstance(node, ast.Name) else node.attr
        for node in ast.walk(ast.parse((folder / "handler.py").read_text()))
        if isinstance(node, ast.Name | ast.Attribute)
    }
    if folder.name in IDEMPOTENT_BY_NATURE:
        assert "once_per_highlight" not in names, f"{folder.name} is guarded now: drop it from IDEMPOTENT_BY_NATURE"
        return
    assert "once_per_highlight" in names, (
        f"hooks/{folder.name}/handler.py never calls once_per_highlight: a redelivered highlight would be posted "
        "twice (see hooks/README.md, Adding a hook)"
    )


# ---------------------------------------------------------------- hook.json ↔ the code ↔ what infra writes
# The infra writes each hook's environment from its hook.json; the handler reads variables by name.
# Nothing else ties the two: these tests read the real hooks/ code (ast, no import side effects) and
# the real template the app synthesizes from this hooks/ folder.

ENV_READERS_REQUIRED = {"get_secret_json"}
"""Functions whose first argument names an environment variable that must be set (they raise otherwise)."""
PLATFORM_VARIABLES = re.compile(r"^(AWS_|LAMBDA_|_HANDLER$|_X_AMZN_)")
"""Set by the Lambda runtime itself, never by the infra."""


def _env_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "UPPER_CASE"` assignments: the names code passes around for variables."""
    constants = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]+", node.value.value)
        ):
            constants[node.targets[0].id] = node.value.value
    return constants


def _is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and ast.unparse(node.value) == "os"


def environment_reads(folders: list[Path]) -> tuple[set[str], set[str]]:
    """(every variable the code reads, those it reads without a default) in the .py files of `folders`.

    A read is `os.environ[X]` or `get_secret_json(X)` (required), `os.environ.get(X)` or `os.getenv(X)`
    (optional), where X is a literal or a module constant; a constant `*_ENV` used as a parameter's
    default (`from_secret(env_var=SECRET_ENV)`) is a required read.
    """
    trees = [ast.parse(path.read_text()) for folder in folders for path in sorted(folder.glob("*.py"))]
    constants = {name: value for tree in trees for name, value in _env_constants(tree).items()}

    def resolve(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return None

    read: set[str] = set()
    required: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            name, needed = None, False
            if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
                name, needed = resolve(node.slice), True
            elif isinstance(node, ast.Call) and node.args:
                function = ast.unparse(node.func)
                if function in ("os.environ.get", "os.getenv"):
                    name = resolve(node.args[0])
                elif function.rsplit(".", 1)[-1] in ENV_READERS_REQUIRED:
                    name, needed = resolve(node.args[0]), True
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for default in [*node.args.defaults, *node.args.kw_defaults]:
                    if isinstance(default, ast.Name) and default.id.endswith("_ENV") and default.id in constants:
                        read.add(constants[default.id])
                        required.add(constants[default.id])
            if name:
                read.add(name)
                if needed:
                    required.add(name)
    return read, required


@pytest.fixture(scope="module", name="deployed_environments")
def deployed_environments_fixture() -> dict[str, set[str]]:
    """Hook name → the environment variables the infra writes for it, synthesized from the real hooks/."""
    from infra_fixtures import resources, synthesized  # the synth only when these tests run

    app = synthesized((("hooks_dir", str(HOOKS_DIR)),))
    environments = {}
    for function in resources(app.stateless, "AWS::Lambda::Function").values():
        handler = function["Properties"].get("Handler", "")
        if handler.startswith("hooks/"):
            environments[handler.split("/")[1]] = set(function["Properties"]["Environment"]["Variables"])
    return environments


def test_every_hook_folder_is_deployed(deployed_environments: dict[str, set[str]]) -> None:
    assert sorted(deployed_environments) == [folder.name for folder in HOOK_FOLDERS]


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_hook_json_names_variables_its_code_reads(folder: Path) -> None:
    """A variable renamed in hook.json but not in the code (or the reverse) would reach a deployed hook unset."""
    read, _ = environment_reads([folder, HOOKS_DIR / "shared"])
    hook = manifest(folder)
    unread = sorted(set(hook["secrets"]) - read) + sorted(set(hook["environment"]) - read)
    assert unread == [], f"{folder.name}/hook.json sets {unread}, which its code never reads (it reads {sorted(read)})"


@pytest.mark.parametrize("folder", HOOK_FOLDERS, ids=lambda folder: folder.name)
def test_every_variable_a_hook_needs_is_written_by_the_infra(
    folder: Path, deployed_environments: dict[str, set[str]]
) -> None:
    _, required = environment_reads([folder, HOOKS_DIR / "shared"])
    needed = {name for name in required if not PLATFORM_VARIABLES.match(name)}
    assert needed, f"found no variable {folder.name} reads: the scan no longer understands its code"
    missing = sorted(needed - deployed_environments[folder.name])
    assert missing == [], f"{folder.name} needs {missing}, which the deployed function would not have"


def test_the_scan_sees_literals_constants_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "code.py").write_text(
        "import os\n"
        'SECRET_ENV = "MY_SECRET_ARN"\n'
        'URL_ENV = "MY_URL"\n'
        "def from_secret(env_var=SECRET_ENV):\n"
        "    return get_secret_json(env_var)\n"
        'timeout = os.environ.get("MY_TIMEOUT_S", "10")\n'
        "url = os.environ.get(URL_ENV)\n"
        'table = os.environ["MY_TABLE"]\n'
    )
    read, required = environment_reads([tmp_path])
    assert read == {"MY_SECRET_ARN", "MY_URL", "MY_TIMEOUT_S", "MY_TABLE"}
    assert required == {"MY_SECRET_ARN", "MY_TABLE"}
