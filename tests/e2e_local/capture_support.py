"""Helpers for the capture end-to-end tests: render, serve, run the CLI, compare with truth, load the CPU."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sample_broadcast import TWITCH_WINDOW_SEGMENTS, BroadcastInfo, LiveHlsServer, SampleBroadcast, ensure_broadcast

REPO_ROOT = Path(__file__).resolve().parents[2]
GOAL_TIME_FRAMES = 1
"""Goal times are checked to one frame period (1/fps): the detector stamps a goal with the first frame
showing the new score, so its error is 0; a goal stamped at the confirming read fails."""
REAL_TIME = 1.0
"""Live-capture tests serve their stream at real time with Twitch's window (``TWITCH_WINDOW_SEGMENTS``):
what a capture must keep up with in production, and nothing tighter."""
BUSY_NEIGHBOUR_MAX_S = 900
"""A busy neighbour ends by itself after this long, should a test die before it could stop it."""
HUNG_AFTER_S = 900
"""Only a hung test waits this long; every wait ends on the condition it waits for. Generous on purpose: on a
2-core machine at load ~12 one live test spent ~5 min rendering its sample broadcast before the capture ran."""
NOT_HUNG = pytest.mark.timeout(2 * HUNG_AFTER_S)
"""Raises pytest's per-test bound (300 s, which counts fixtures and rendering too) above the tests' own hang bounds,
so a slow machine is never mistaken for a hung test."""


def served_like_twitch(directory: Path, **options: Any) -> LiveHlsServer:
    """The broadcast served live at real time with Twitch's window; ``options`` add faults or ads.

    The stream goes live at the capture's first playlist request, so however long the capture takes
    to start on a loaded machine, it joins at the first segment.
    """
    return LiveHlsServer(
        directory,
        speed=REAL_TIME,
        window_segments=TWITCH_WINDOW_SEGMENTS,
        preloaded_segments=2,
        live_from_first_request=True,
        **options,
    )


@contextmanager
def busy_neighbour() -> Iterator[subprocess.Popen[bytes]]:
    """A process spinning on the CPU while the block runs: live-capture tests prove they need no spare CPU.

    It is bounded (it stops itself after ``BUSY_NEIGHBOUR_MAX_S``) and killed by its own pid on exit.
    """
    spin = f"end=$((SECONDS+{BUSY_NEIGHBOUR_MAX_S})); while [ $SECONDS -lt $end ]; do :; done"
    process = subprocess.Popen(["bash", "-c", spin])
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def rendered(cache: Path, sample: SampleBroadcast) -> BroadcastInfo:
    return ensure_broadcast(cache, sample.script, sample.style, sample.start_pdt)


def run_detect(source: str, out: Path, *extra: str, timeout_s: float = HUNG_AFTER_S) -> list[dict[str, Any]]:
    """The exact command the team measures detection with, as a subprocess."""
    command = [sys.executable, "-m", "capture_task", "detect", source, "--out", str(out), *extra]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in out.read_text().splitlines()]


def goal_time_tolerance_s(truth: dict[str, Any]) -> float:
    """One frame period of the broadcast (plus a microsecond for the times' millisecond rounding)."""
    return GOAL_TIME_FRAMES / truth["stream"]["fps"] + 1e-6


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_goals_match_truth(events: list[dict[str, Any]], truth: dict[str, Any], *, by: str = "at") -> None:
    """Every truth goal found once, within one frame period, with its score and side; nothing else."""
    goals = [e for e in events if e["type"] == "goal"]
    expected = truth["goals"]
    assert len(goals) == len(expected), (goals, expected)
    for goal, want in zip(sorted(goals, key=lambda g: g[by]), expected, strict=True):
        assert goal["score"] == want["score"]
        assert goal["side"] == want["side"]
        assert goal["teams"] == want["teams"]
        if by == "at":
            error = abs((_when(goal["at"]) - _when(want["at"])).total_seconds())
        else:
            error = abs(goal["stream_time"] - want["stream_time"])
        assert error <= goal_time_tolerance_s(truth), (goal, want)
