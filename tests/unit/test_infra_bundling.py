"""Local asset bundling: source trees keep package paths, layers are pinned and the right size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from infra_fixtures import REPO_ROOT

from infra.constructs.bundling import (
    LAMBDA_REQUIREMENTS,
    BundlingError,
    FfmpegLayerBundler,
    PlaceholderLayerBundler,
    dependencies_fingerprint,
    stage_source_tree,
    static_ffmpeg_path,
)

PIN = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)")


def pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, names normalised as pip does."""
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1).lower())] = match.group(2)
    return found


def _tree(root: Path) -> Path:
    for package in ("functions/enrich", "functions/shared", "contracts"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text(f"# {package}\n")
    (root / "functions" / "__init__.py").write_text("# functions root\n")
    (root / "functions" / "enrich" / "handler.py").write_text("def handler(e, c): ...\n")
    (root / "functions" / "enrich" / "__pycache__").mkdir()
    (root / "functions" / "enrich" / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"")
    return root


def test_staging_keeps_package_paths_and_parent_inits(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src")
    out = tmp_path / "out"
    stage_source_tree(
        {"functions/enrich": root / "functions/enrich", "functions/shared": root / "functions/shared",
         "contracts": root / "contracts"},
        out,
    )  # fmt: skip
    staged = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert staged == [
        "contracts/__init__.py",
        "functions/__init__.py",
        "functions/enrich/__init__.py",
        "functions/enrich/handler.py",
        "functions/shared/__init__.py",
    ]
    assert (out / "functions" / "__init__.py").read_text() == "# functions root\n"


def test_staging_creates_a_missing_parent_init_and_skips_optional_packages(tmp_path: Path) -> None:
    (tmp_path / "elsewhere" / "webhook").mkdir(parents=True)
    (tmp_path / "elsewhere" / "webhook" / "handler.py").write_text("")
    out = tmp_path / "out"
    stage_source_tree(
        {"hooks/webhook": tmp_path / "elsewhere" / "webhook", "hooks/shared": tmp_path / "elsewhere" / "shared"},
        out,
        optional=["hooks/shared"],
    )
    assert (out / "hooks" / "__init__.py").read_text() == ""
    assert not (out / "hooks" / "shared").exists()


def test_staging_names_a_missing_required_package(tmp_path: Path) -> None:
    with pytest.raises(BundlingError, match="contracts"):
        stage_source_tree({"contracts": tmp_path / "contracts"}, tmp_path / "out")


def test_lambda_requirements_pin_what_requirements_txt_pins() -> None:
    lambda_pins = pins(LAMBDA_REQUIREMENTS)
    assert set(lambda_pins) == {"aws-lambda-powertools", "pydantic", "requests"}
    root_pins = pins(REPO_ROOT / "requirements.txt")
    for name, version in lambda_pins.items():
        assert root_pins.get(name) == version, (
            f"{name}: infra/lambda-requirements.txt has {version}, requirements.txt {root_pins.get(name)}"
        )


def test_dependencies_fingerprint_follows_the_pins(tmp_path: Path) -> None:
    changed = tmp_path / "requirements.txt"
    changed.write_text(LAMBDA_REQUIREMENTS.read_text() + "boto3==1.0.0\n")
    assert dependencies_fingerprint() == dependencies_fingerprint(LAMBDA_REQUIREMENTS)
    assert dependencies_fingerprint(changed) != dependencies_fingerprint()


def test_placeholder_layer_is_an_empty_python_folder(tmp_path: Path) -> None:
    assert PlaceholderLayerBundler().try_bundle(str(tmp_path), None)  # type: ignore[arg-type]
    assert [p.name for p in (tmp_path / "python").iterdir()] == ["PLACEHOLDER.txt"]


def test_ffmpeg_comes_from_the_pinned_imageio_ffmpeg_wheel() -> None:
    dev_pins = pins(REPO_ROOT / "requirements-dev.txt")
    assert dev_pins["imageio-ffmpeg"] == "0.8.1"
    ffmpeg = static_ffmpeg_path()
    assert ffmpeg.is_file() and "x86_64" in ffmpeg.name


def test_ffmpeg_layer_bundler_installs_bin_ffmpeg_executable(tmp_path: Path) -> None:
    source = tmp_path / "ffmpeg-static"
    source.write_bytes(b"\x7fELF stand-in")
    source.chmod(0o644)
    out = tmp_path / "layer"
    out.mkdir()
    assert FfmpegLayerBundler(source).try_bundle(str(out), None)  # type: ignore[arg-type]
    assert (out / "bin" / "ffmpeg").read_bytes() == b"\x7fELF stand-in"
    assert (out / "bin" / "ffmpeg").stat().st_mode & 0o777 == 0o755
