"""Lambda assets assembled on this machine, because `cdk synth` here has no Docker daemon.

CDK's own Python bundling runs pip inside a Docker image. Instead, each class below implements
`cdk.ILocalBundling`: CDK calls `try_bundle(output_dir)` and uploads whatever it leaves there.

* `SourceTreeBundler` copies a Lambda's folder together with the packages it imports
  (`contracts/`, `functions/shared/` or `hooks/shared/`) keeping their package paths, so the
  handler `functions/enrich/handler.handler` can `from contracts import ...`.
* `PipLayerBundler` installs the pinned third-party wheels of `infra/lambda-requirements.txt`
  for the Lambda platform (cp312, manylinux x86_64) into `python/`, cached in
  `.cache/lambda-layer/<hash>` so a second synth is offline and instant.
* `FfmpegLayerBundler` copies the static ffmpeg of the pinned imageio-ffmpeg wheel to `bin/ffmpeg`
  (`/opt/bin/ffmpeg` in Lambda).

Example:
    >>> code = source_tree_code({"functions/enrich": root / "functions/enrich", "contracts": root / "contracts"})
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

LAMBDA_REQUIREMENTS = Path(__file__).resolve().parent.parent / "lambda-requirements.txt"
"""Pinned third-party packages of every Lambda (one shared layer); pins agree with requirements.txt."""

LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_WHEEL_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")
"""Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34), so both wheel tags load there."""

_IGNORED_WHILE_COPYING = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", "tests")

# CDK requires an image even when local bundling succeeds; it is only used if try_bundle returns False,
# which these bundlers never do (they raise with a message instead).
_UNUSED_BUNDLING_IMAGE = cdk.DockerImage.from_registry("public.ecr.aws/sam/build-python3.12")


def _bundle_locally(local: object) -> cdk.BundlingOptions:
    """Options whose `local` bundler always succeeds, so CDK never falls back to Docker.

    jsii passes `try_bundle` the options as one positional struct, while the generated Python protocol
    declares them as keywords; hence the cast.
    """
    return cdk.BundlingOptions(image=_UNUSED_BUNDLING_IMAGE, local=cast(cdk.ILocalBundling, local))


class BundlingError(RuntimeError):
    """An asset could not be assembled; the message says what is missing and how to provide it."""


@jsii.implements(cdk.ILocalBundling)
class SourceTreeBundler:
    """Copies package folders into the asset at their package paths (see `stage_source_tree`)."""

    def __init__(self, packages: Mapping[str, Path], optional: Collection[str]) -> None:
        self._packages = dict(packages)
        self._optional = frozenset(optional)

    def try_bundle(self, output_dir: str, _options: cdk.BundlingOptions) -> bool:
        stage_source_tree(self._packages, Path(output_dir), optional=self._optional)
        return True


def stage_source_tree(packages: Mapping[str, Path], output_dir: Path, *, optional: Collection[str] = ()) -> None:
    """Copy each source folder to `output_dir/<package path>`, adding the parents' `__init__.py`.

    `{"functions/enrich": ..., "contracts": ...}` yields `functions/__init__.py`,
    `functions/enrich/...` and `contracts/...`. A missing folder is an error unless it is `optional`.
    """
    for package, source in packages.items():
        if not source.is_dir():
            if package in optional:
                continue
            raise BundlingError(
                f"{source} does not exist, and the Lambda asset needs it as package {package!r}. Create it, "
                f"or point the app at another checkout with -c source_root=PATH."
            )
        shutil.copytree(source, output_dir / package, ignore=_IGNORED_WHILE_COPYING, dirs_exist_ok=True)
        for parent in Path(package).parents:
            if parent == Path("."):
                break
            init = output_dir / parent / "__init__.py"
            if not init.exists():
                original = source.parents[len(Path(package).parts) - len(parent.parts) - 1] / "__init__.py"
                init.write_bytes(original.read_bytes() if original.is_file() else b"")


def source_tree_code(packages: Mapping[str, Path], *, optional: Collection[str] = ()) -> lambda_.Code:
    """Lambda code made of `packages`; its hash is that of the copied files, so any change redeploys."""
    return lambda_.Code.from_asset(
        str(next(iter(packages.values()))),
        asset_hash_type=cdk.AssetHashType.OUTPUT,
        bundling=_bundle_locally(SourceTreeBundler(packages, optional)),
    )


def dependencies_fingerprint(requirements: Path = LAMBDA_REQUIREMENTS) -> str:
    """Names the cached layer: changes when a pin or the target platform changes, nothing else."""
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(" ".join((LAMBDA_PYTHON_VERSION, *LAMBDA_WHEEL_PLATFORMS)).encode())
    return digest.hexdigest()[:16]


@jsii.implements(cdk.ILocalBundling)
class PipLayerBundler:
    """Installs the pinned Lambda dependencies into `python/` (a layer's import path), from a cache when it can."""

    def __init__(self, requirements: Path, cache_dir: Path) -> None:
        self._requirements = requirements
        self._cache_dir = cache_dir

    def try_bundle(self, output_dir: str, _options: cdk.BundlingOptions) -> bool:
        cached = ensure_dependencies_installed(self._requirements, self._cache_dir)
        shutil.copytree(cached, output_dir, dirs_exist_ok=True)
        return True


def ensure_dependencies_installed(requirements: Path, cache_dir: Path) -> Path:
    """Return `cache_dir/lambda-layer/<hash>` holding `python/...`, running pip only when it is missing."""
    target = cache_dir / "lambda-layer" / dependencies_fingerprint(requirements)
    if target.is_dir():
        return target
    staging = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    platform_args = [arg for platform in LAMBDA_WHEEL_PLATFORMS for arg in ("--platform", platform)]
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
        "--target", str(staging / "python"), *platform_args, "--implementation", "cp",
        "--python-version", LAMBDA_PYTHON_VERSION, "--only-binary=:all:", "-r", str(requirements),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise BundlingError(
            f"pip could not install the Lambda dependencies of {requirements} (exit {result.returncode}):\n"
            f"{result.stderr.strip()}\nCheck the network to PyPI, or synthesize without them with "
            f"-c skip_dependency_bundling=true (tests only: that layer is an empty placeholder)."
        )
    # Console scripts carry this machine's interpreter in their shebang; Lambda never runs them.
    shutil.rmtree(staging / "python" / "bin", ignore_errors=True)
    staging.rename(target)
    return target


@jsii.implements(cdk.ILocalBundling)
class PlaceholderLayerBundler:
    """An empty `python/` folder standing in for the dependencies layer in offline template tests."""

    def try_bundle(self, output_dir: str, _options: cdk.BundlingOptions) -> bool:
        placeholder = Path(output_dir) / "python"
        placeholder.mkdir(parents=True, exist_ok=True)
        (placeholder / "PLACEHOLDER.txt").write_text(
            "Synthesized with skip_dependency_bundling=true: this layer has no packages. Do not deploy it.\n"
        )
        return True


def dependencies_layer_code(cache_dir: Path, *, placeholder: bool) -> lambda_.Code:
    """The shared dependencies layer: real wheels, or an empty placeholder when `placeholder` is set."""
    local: PipLayerBundler | PlaceholderLayerBundler = (
        PlaceholderLayerBundler() if placeholder else PipLayerBundler(LAMBDA_REQUIREMENTS, cache_dir)
    )
    return lambda_.Code.from_asset(
        str(LAMBDA_REQUIREMENTS.parent),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash="placeholder" if placeholder else dependencies_fingerprint(),
        bundling=_bundle_locally(local),
    )


def static_ffmpeg_path() -> Path:
    """The static x86_64 ffmpeg inside the pinned imageio-ffmpeg wheel (requirements-dev.txt)."""
    try:
        import imageio_ffmpeg
    except ImportError as error:
        raise BundlingError(
            "imageio-ffmpeg is not installed, and the clip Lambda's ffmpeg layer is taken from its wheel: "
            "run `make setup` (it installs requirements-dev.txt)."
        ) from error
    return Path(imageio_ffmpeg.get_ffmpeg_exe())


@jsii.implements(cdk.ILocalBundling)
class FfmpegLayerBundler:
    """Puts the static ffmpeg at `bin/ffmpeg`, which Lambda mounts as `/opt/bin/ffmpeg`."""

    def __init__(self, ffmpeg: Path) -> None:
        self._ffmpeg = ffmpeg

    def try_bundle(self, output_dir: str, _options: cdk.BundlingOptions) -> bool:
        target = Path(output_dir) / "bin" / "ffmpeg"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self._ffmpeg, target)  # 165 MB: a hard link when on the same disk, a copy otherwise
        except OSError:
            shutil.copyfile(self._ffmpeg, target)
        target.chmod(0o755)
        return True


def ffmpeg_layer_code() -> lambda_.Code:
    """The ffmpeg layer; its hash is the wheel's binary name and size, so it uploads once per version."""
    ffmpeg = static_ffmpeg_path()
    return lambda_.Code.from_asset(
        str(ffmpeg.parent),
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=f"{ffmpeg.name}-{ffmpeg.stat().st_size}",
        bundling=_bundle_locally(FfmpegLayerBundler(ffmpeg)),
    )
