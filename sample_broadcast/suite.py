"""The team's named sample broadcasts: one demo, a benchmark suite, short ones for tests.

Why: everyone should test against the same streams, and those streams must come from
:func:`random_script` and :func:`random_style` with fixed seeds — never hand-tuned until
the detector passes. Only the overlay switches the brief asks for are set explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from sample_broadcast.script import MatchScript, random_script
from sample_broadcast.style import BroadcastStyle, Resolution, random_style

TestKind = Literal["720p30", "1080p60"]
SUITE_EPOCH = datetime(2024, 5, 18, 19, 30, 7, 250000, tzinfo=UTC)


@dataclass(frozen=True)
class SampleBroadcast:
    """A named (script, style, start time) ready for :func:`ensure_broadcast`."""

    name: str
    script: MatchScript
    style: BroadcastStyle
    start_pdt: datetime


def _sample(
    name: str, seed: int, duration_s: int, resolution: Resolution, fps: int, **script_options: int | bool
) -> SampleBroadcast:
    script = random_script(seed, duration_s, **script_options)  # type: ignore[arg-type]
    start = SUITE_EPOCH + timedelta(hours=seed % 24, milliseconds=137 * seed)
    return SampleBroadcast(name, script, random_style(seed, resolution, fps), start)


def demo_broadcast() -> SampleBroadcast:
    """About a minute of 720p30 with three goals, each followed by a replay, chat on screen."""
    sample = _sample("demo", 2024, 60, "720p", 30, n_goals=3, half_time=False, new_match=False)
    return replace(sample, style=replace(sample.style, chat_overlay=True))


def bench_suite() -> list[SampleBroadcast]:
    """Four varied streams for benchmarks: 720p30 and 1080p60, with a half time and a new match."""
    return [
        _sample("bench-720p30-a", 101, 90, "720p", 30, n_goals=3, half_time=True, new_match=False),
        _sample("bench-720p30-b", 102, 72, "720p", 30, n_goals=2, half_time=False, new_match=True),
        _sample("bench-1080p60-a", 103, 60, "1080p", 60, n_goals=2, half_time=False, new_match=False),
        _sample("bench-1080p60-b", 104, 80, "1080p", 60, n_goals=2, half_time=True, new_match=True),
    ]


def test_broadcast(kind: TestKind = "720p30") -> SampleBroadcast:
    """Short streams with two goals for functional and end-to-end tests."""
    if kind == "720p30":
        return _sample("test-720p30", 7, 32, "720p", 30, n_goals=2, half_time=False, new_match=False)
    return _sample("test-1080p60", 8, 28, "1080p", 60, n_goals=2, half_time=False, new_match=False)


test_broadcast.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name
