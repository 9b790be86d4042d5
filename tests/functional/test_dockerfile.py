"""capture_task/Dockerfile, read as text (no Docker engine here): base, packages, pins, user, entrypoint."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "capture_task" / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


def _all(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in _instructions() if instruction == keyword]


def _pins(text: str) -> dict[str, str]:
    return {name.lower(): version for name, version in re.findall(r"([A-Za-z0-9_.\-]+)==([^\s#]+)", text)}


def test_base_image_is_python_312_slim() -> None:
    (base,) = _all("FROM")
    assert re.fullmatch(r"python:3\.12-slim(-\w+)?", base), base


def test_system_packages_include_tesseract_and_ffmpeg_without_recommends() -> None:
    (install,) = [run for run in _all("RUN") if "apt-get install" in run]
    assert "--no-install-recommends" in install
    for package in ("tesseract-ocr", "tesseract-ocr-eng", "ffmpeg"):
        assert re.search(rf"(?<![\w-]){package}(?![\w-])", install), package
    assert "rm -rf /var/lib/apt/lists/*" in install


def test_every_pip_pin_matches_requirements_txt() -> None:
    (install,) = [run for run in _all("RUN") if "pip install" in run]
    assert "--no-cache-dir" in install
    image_pins = _pins(install)
    root_pins = _pins(re.sub(r"#.*", "", (REPO_ROOT / "requirements.txt").read_text()))
    assert {"pydantic", "boto3", "requests", "m3u8", "streamlink", "opencv-python-headless", "tesserocr"} <= set(
        image_pins
    )
    drifted = {
        name: (version, root_pins.get(name)) for name, version in image_pins.items() if root_pins.get(name) != version
    }
    assert not drifted, f"Dockerfile pin → requirements.txt pin: {drifted}"


def test_image_copies_contracts_and_the_capture_task() -> None:
    copies = _all("COPY")
    assert any(copy.startswith("contracts/") for copy in copies)
    assert any(copy.startswith("capture_task/") for copy in copies)


def test_runs_as_a_non_root_user() -> None:
    assert any("useradd" in run and "--uid 10001" in run for run in _all("RUN"))
    users = _all("USER")
    assert users and users[-1] in {"10001", "capture"}


def test_entrypoint_runs_the_capture_task_module() -> None:
    assert _all("ENTRYPOINT") == ['["python", "-m", "capture_task"]']
    assert _all("CMD") == ['["run"]']
    assert (REPO_ROOT / "capture_task" / "__main__.py").is_file()


def test_dockerignore_keeps_the_context_to_what_the_image_copies() -> None:
    lines = [line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns[0] == "*"
    assert {"!contracts/", "!capture_task/"} <= set(patterns)


def test_every_third_party_import_of_the_image_code_is_installed_in_it() -> None:
    """What capture_task/ and contracts/ import must be pip-installed by the Dockerfile (or ship with Python)."""
    import ast
    import sys
    from importlib.metadata import packages_distributions

    (install,) = [run for run in _all("RUN") if "pip install" in run]
    installed = {name.replace("_", "-") for name in _pins(install)}
    distributions = packages_distributions()
    missing = {}
    for source in [*(REPO_ROOT / "capture_task").rglob("*.py"), *(REPO_ROOT / "contracts").rglob("*.py")]:
        for node in ast.walk(ast.parse(source.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in {"capture_task", "contracts", "__future__"}:
                    continue
                providers = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
                # boto3 brings botocore; everything else must be named in the Dockerfile.
                if not providers & installed and not (top == "botocore" and "boto3" in installed):
                    missing[f"{source.name}: {top}"] = providers
    assert not missing, f"imported by the image's code but not installed by the Dockerfile: {missing}"
