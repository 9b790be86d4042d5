"""One place that turns CDK context into the settings every construct builds from.

The numbers come from `contracts.PipelineSettings`, which the local pipeline uses too, so the cloud
and the laptop cannot drift apart; any field can be overridden with `-c FIELD=VALUE`. Constructs
receive an `InfraConfig` and never read context or the environment themselves.

Example:
    >>> config = InfraConfig.from_context(app.node)
    >>> config.settings.pre_roll_s
    20.0
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from contracts.settings import DEFAULT_SETTINGS, PipelineSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The checkout this app lives in: default source of the Lambda and container assets."""


class ContextReader(Protocol):
    """What `InfraConfig.from_context` needs of a construct node (`app.node`)."""

    def try_get_context(self, key: str) -> Any: ...


class InfraConfigError(ValueError):
    """A context value that cannot be used; the message says which key and what to pass instead."""


@dataclass(frozen=True)
class LambdaSizing:
    """Memory and timeouts of the pipeline Lambdas, kept together because the clip queue depends on them."""

    enrich_memory_mb: int = 256
    enrich_timeout_s: int = 30
    clip_memory_mb: int = 2048
    """Above 1769 MB a function gets a second vCPU, which ffmpeg's re-encode uses."""
    clip_timeout_s: int = 120
    clip_ephemeral_storage_mb: int = 2048
    """Room in /tmp for ~30 s of 1080p segments, the cut MP4 and its thumbnail."""
    reconciler_memory_mb: int = 256
    reconciler_timeout_s: int = 60

    @property
    def clip_queue_visibility_timeout_s(self) -> int:
        """AWS advises at least six times the consumer's timeout, so a slow clip is not redelivered meanwhile."""
        return 6 * self.clip_timeout_s


@dataclass(frozen=True)
class InfraConfig:
    """Everything the stacks need to know at synth time, read once from context."""

    settings: PipelineSettings = field(default_factory=PipelineSettings)
    channel: str = DEFAULT_SETTINGS.default_channel
    """Initial value of the channel parameter; change it later with `aws ssm put-parameter`."""
    source_root: Path = REPO_ROOT
    """Where `functions/`, `hooks/`, `contracts/` and `capture_task/` are read from."""
    hooks_dir: Path = REPO_ROOT / "hooks"
    external_hook_arns: tuple[str, ...] = ()
    alarm_emails: tuple[str, ...] = ()
    """Addresses subscribed to the alarm topic (each confirms by mail once); kept in code so deploys keep them."""
    twitch_oauth_secret: str | None = None
    """Name or ARN of a Secrets Manager secret you created that holds a Twitch OAuth token (optional).

    With a Turbo or subscriber account's token Twitch serves the stream without ads (each ad is
    otherwise a ~30 s hole in the capture). Opt-in by name rather than a secret this app creates:
    a placeholder value would be sent to Twitch as a token and refused."""
    skip_dependency_bundling: bool = False
    """Use an empty placeholder for the dependencies layer (fast offline synth in tests; never deploy it)."""
    cache_dir: Path = REPO_ROOT / ".cache"
    sizing: LambdaSizing = field(default_factory=LambdaSizing)

    @classmethod
    def from_context(cls, node: ContextReader) -> InfraConfig:
        """Read every supported context key; unknown keys are ignored, malformed values raise `InfraConfigError`."""
        settings = _settings_from_context(node)
        source_root = _path(node, "source_root", REPO_ROOT)
        return cls(
            settings=settings,
            channel=str(node.try_get_context("channel") or settings.default_channel),
            source_root=source_root,
            hooks_dir=_path(node, "hooks_dir", source_root / "hooks"),
            external_hook_arns=_string_list(node, "external_hook_arns"),
            alarm_emails=_string_list(node, "alarm_emails"),
            twitch_oauth_secret=str(node.try_get_context("twitch_oauth_secret") or "").strip() or None,
            skip_dependency_bundling=_flag(node, "skip_dependency_bundling"),
            cache_dir=_path(node, "cache_dir", REPO_ROOT / ".cache"),
        )


def _settings_from_context(node: ContextReader) -> PipelineSettings:
    """`-c pre_roll_s=15` overrides that field of `PipelineSettings`; values from `-c` arrive as strings."""
    types = typing.get_type_hints(PipelineSettings)
    overrides: dict[str, Any] = {}
    for name in (setting.name for setting in dataclasses.fields(PipelineSettings)):
        raw = node.try_get_context(name)
        if raw is None:
            continue
        if typing.get_origin(types[name]) is typing.Literal:
            choices = typing.get_args(types[name])
            if raw not in choices:
                raise InfraConfigError(
                    f"Context value {name}={raw!r} is not one of {', '.join(map(str, choices))}: pass e.g. "
                    f"-c {name}={getattr(DEFAULT_SETTINGS, name)}."
                )
            overrides[name] = raw
            continue
        if types[name] is bool:
            overrides[name] = _flag(node, name)
            continue
        try:
            overrides[name] = types[name](raw)
        except (TypeError, ValueError) as error:
            raise InfraConfigError(
                f"Context value {name}={raw!r} is not a {types[name].__name__}: pass e.g. "
                f"-c {name}={getattr(DEFAULT_SETTINGS, name)}."
            ) from error
    return dataclasses.replace(DEFAULT_SETTINGS, **overrides)


def _path(node: ContextReader, key: str, default: Path) -> Path:
    raw = node.try_get_context(key)
    return Path(raw).resolve() if raw else default


def _flag(node: ContextReader, key: str) -> bool:
    raw = node.try_get_context(key)
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if str(raw).lower() in {"true", "1", "yes"}:
        return True
    if str(raw).lower() in {"false", "0", "no", ""}:
        return False
    raise InfraConfigError(f"Context value {key}={raw!r} is not a boolean: pass -c {key}=true or -c {key}=false.")


def _string_list(node: ContextReader, key: str) -> tuple[str, ...]:
    """A list in cdk.json, or from the command line a JSON list or comma-separated string."""
    raw = node.try_get_context(key)
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        raw = json.loads(raw) if raw.lstrip().startswith("[") else [part.strip() for part in raw.split(",")]
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise InfraConfigError(f"Context value {key} must be a list of strings, e.g. -c {key}='[\"arn:aws:...\"]'.")
    return tuple(item for item in raw if item)
