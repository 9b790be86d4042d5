"""The real dependencies layer: pip installs the pinned Lambda wheels for cp312 / manylinux x86_64.

`make test` installs it first (`make lambda-layer`: ~15 MB from PyPI, the one registry install of the
layer), into `.cache/lambda-layer/<hash>` as `cdk synth` does; this test reads that cache and needs no network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.constructs.bundling import (
    LAMBDA_REQUIREMENTS,
    dependencies_fingerprint,
    ensure_dependencies_installed,
    static_ffmpeg_path,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@pytest.mark.slow
def test_dependencies_layer_holds_lambda_platform_wheels() -> None:
    cache_dir = REPO_ROOT / ".cache"
    cached = cache_dir / "lambda-layer" / dependencies_fingerprint()
    assert cached.is_dir(), f"{cached} is missing: run `make lambda-layer` (make test runs it first)"
    layer = ensure_dependencies_installed(LAMBDA_REQUIREMENTS, cache_dir)
    assert layer == cached
    python = layer / "python"
    for package in ("aws_lambda_powertools", "pydantic", "pydantic_core", "requests"):
        assert (python / package).is_dir(), package
    assert list((python / "pydantic_core").glob("*.cpython-312-x86_64-linux-gnu.so")), "pydantic_core built for Lambda"
    assert not (python / "bin").exists()
    # The clip function carries both layers; Lambda allows 250 MB unzipped for function + layers.
    clip_total = _size(layer) + static_ffmpeg_path().stat().st_size
    assert clip_total < LAMBDA_UNZIPPED_LIMIT_BYTES - 20 * 1024 * 1024, f"{clip_total / 2**20:.0f} MB leaves no room"
