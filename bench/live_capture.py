"""Live-capture benchmark: the capture on a quarter of one core, following a broadcast served live in real time.

Why: production runs the capture task on a quarter vCPU (Fargate, 256 CPU units) against Twitch, whose
playlist lists a segment for ~28 s (14 x 2 s). Before fetching was apart from analysis, the capture
missed 3-4 of 50 segments this way. This measures what matters there: segments lost (must be 0), goals
found against the truth, how far behind live the analysis fell at worst, and how often the capture
decoded a segment's tail at the live edge or fell back to its keyframe because segments were waiting.

How: the stream is served by ``LiveHlsServer`` at real time with a 14-segment window on 127.0.0.1.
The capture runs in its own process (the same wiring as ``python -m capture_task detect``:
``FetchAhead(source_segments(...))`` into ``CaptureTask``), pinned to one core that three busy
neighbour processes are pinned to as well, so it gets about a quarter of that core. The server and
this orchestrating process run on the other cores.

Example:
    $ .venv/bin/python -m bench.live_capture                           # the four bench streams (~6 min)
    $ .venv/bin/python -m bench.live_capture --streams bench-1080p60-a --neighbours 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.capture import BROADCAST_CACHE_DIR, REPO_ROOT, SINGLE_THREAD_ENV, _CollectingSink, _pin_to_core
from bench.measurements import GoalMoment
from bench.scoring import match_goals
from capture_task.capture import CaptureTask
from capture_task.ingest.buffer import FetchAhead
from capture_task.ingest.segments import source_segments
from sample_broadcast import TWITCH_WINDOW_SEGMENTS, LiveHlsServer, SampleBroadcast, bench_suite, ensure_broadcast

BENCH_LOG_DIR = REPO_ROOT / ".cache" / "bench"
"""Each measuring process's log (the capture's own warnings), for when a figure needs explaining."""
NEIGHBOURS = 3
"""Busy processes sharing the capture's core: the capture gets about 1 / (1 + 3) of it, a quarter vCPU."""
PRELOADED_SEGMENTS = 2
SEGMENT_S = 2.0
READY = "ready"


# -- inside the measuring process ----------------------------------------------------------------


def measure_here(playlist_url: str, core: int, *, tail: bool = True) -> dict[str, Any]:
    """Follow the live playlist to its end on ``core``; the figures as JSON-ready data.

    ``tail`` False reads it as a file is read, keyframes only (the capture before the live edge was used).
    """
    import cv2

    _pin_to_core(core)
    cv2.setNumThreads(1)
    sink = _CollectingSink()
    task = CaptureTask("bench", sink=sink)
    stop = threading.Event()
    analysed: list[tuple[int, float]] = []
    goals_found_at: list[tuple[float, float]] = []
    """(the goal's stream time, wall time its event was made): how long after it was on screen."""
    original_process = task.process

    def process_and_note(segment: Any) -> Any:
        goals = original_process(segment)
        if segment.data:  # a segment never downloaded arrives without bytes, as a gap: it was lost
            analysed.append((segment.sequence, time.time()))
        goals_found_at.extend((goal.stream_time, time.time()) for goal in goals)
        return goals

    task.process = process_and_note  # type: ignore[method-assign]
    # Imports and set-up are done: the first playlist request below starts the live stream (the
    # orchestrator serves it live from that request), so a slow start is not counted as segments lost.
    print(READY, flush=True)
    segments = FetchAhead(
        source_segments(playlist_url, "best", stop, allow_private_stream_urls=True), stop_event=stop, live=tail
    )
    stats = task.run(segments)
    buffer = segments.stats
    return {
        "analysed": analysed,
        "goals": [GoalMoment.from_event(goal).to_json() for goal in sink.goals],
        "goals_found_at": goals_found_at,
        "cpu_s": round(stats.cpu_s, 2),
        "wall_s": round(stats.wall_s, 2),
        "stream_s": stats.stream_seconds,
        "unreadable": stats.segments_unreadable,
        "tail_decodes": stats.tail_decodes,
        "tail_fallbacks": stats.tail_fallbacks,
        "buffer": {
            "worst_lag_s": round(buffer.worst_lag_s, 2),
            "most_waiting": buffer.most_waiting,
            "spilled": buffer.spilled,
            "dropped": buffer.dropped,
        },
    }


# -- in the orchestrating process ----------------------------------------------------------------


@contextmanager
def busy_neighbours(core: int, count: int) -> Iterator[None]:
    """``count`` processes spinning on ``core`` until the block ends (killed by pid)."""
    spin = "while :; do :; done"
    processes = [
        subprocess.Popen(["bash", "-c", spin], preexec_fn=lambda: os.sched_setaffinity(0, {core})) for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in processes:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class LiveResult:
    stream: str
    segments: int
    lost: int
    truth_goals: int
    found: int
    detected: int
    worst_behind_live_s: float
    worst_fetch_to_analysis_s: float
    goal_seen_after_s: list[float]
    """Per goal found: its event made minus the moment its first frame was broadcast (the capture's share of
    a goal alert's latency)."""
    most_waiting: int
    tail_decodes: int
    """Segments whose later frames were decoded too, at the live edge (``capture_task.ingest.buffer.LiveEdge``)."""
    tail_fallbacks: int
    """Segments analysed by their keyframe alone because later ones were already waiting."""
    cpu_s: float
    stream_s: float


def run_stream(sample: SampleBroadcast, *, core: int, neighbours: int, tail: bool = True) -> LiveResult:
    info = ensure_broadcast(BROADCAST_CACHE_DIR, sample.script, sample.style, sample.start_pdt)
    truth = info.truth()
    count = truth["stream"]["segment_count"]
    others = set(range(os.cpu_count() or 1)) - {core} or {core}
    os.sched_setaffinity(0, others)
    # The stream goes live at the capture's first playlist request, made once its process has imported
    # everything: a slow start on a starved core is not a lost segment (in production the task starts
    # before it follows). Wall-clock time, so "behind live" compares with the capture's own stamps.
    with (
        busy_neighbours(core, neighbours),
        LiveHlsServer(
            info.directory,
            speed=1.0,
            window_segments=TWITCH_WINDOW_SEGMENTS,
            preloaded_segments=PRELOADED_SEGMENTS,
            clock=time.time,
            live_from_first_request=True,
        ) as server,
    ):
        command = [sys.executable, "-m", "bench.live_capture", "--measure", server.playlist_url, "--core", str(core)]
        command += [] if tail else ["--keyframes-only"]
        result = subprocess.run(
            command, cwd=REPO_ROOT, env=os.environ | SINGLE_THREAD_ENV, capture_output=True, text=True, check=False
        )
        served_at = server.live_since
    BENCH_LOG_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_LOG_DIR / f"live-{sample.name}.log").write_text(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"measuring {sample.name} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    if served_at is None:
        raise SystemExit(f"measuring {sample.name}: the capture never asked for the playlist")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    analysed = {sequence: done for sequence, done in figures["analysed"]}
    # Segment i goes live when the server has run (i + 1 - preloaded) segment lengths: "live" is then.
    behind = [
        done - (served_at + max(0, sequence + 1 - PRELOADED_SEGMENTS) * SEGMENT_S)
        for sequence, done in analysed.items()
    ]
    # Stream time t is broadcast at served_at + t - preloaded x segment length (segment i ends as it goes live).
    seen_after = sorted(
        round(found - (served_at + max(0.0, stream_time - PRELOADED_SEGMENTS * SEGMENT_S)), 2)
        for stream_time, found in figures["goals_found_at"]
    )
    score = match_goals(
        [GoalMoment.from_truth(goal) for goal in truth["goals"]],
        [GoalMoment.from_json(goal) for goal in figures["goals"]],
    )
    return LiveResult(
        stream=sample.name,
        segments=count,
        lost=len(set(range(count)) - set(analysed)),
        truth_goals=len(truth["goals"]),
        found=len(score.matches),
        detected=len(figures["goals"]),
        worst_behind_live_s=round(max(behind, default=0.0), 1),
        worst_fetch_to_analysis_s=figures["buffer"]["worst_lag_s"],
        goal_seen_after_s=seen_after,
        most_waiting=figures["buffer"]["most_waiting"],
        tail_decodes=figures["tail_decodes"],
        tail_fallbacks=figures["tail_fallbacks"],
        cpu_s=figures["cpu_s"],
        stream_s=figures["stream_s"],
    )


def _table(results: list[LiveResult], neighbours: int) -> str:
    lines = [
        f"Capture on a 1/{neighbours + 1} share of one core, stream served live at real time, "
        f"{TWITCH_WINDOW_SEGMENTS}-segment window ({datetime.now().astimezone():%Y-%m-%d %H:%M %Z})",
        "",
        "| stream | segments | lost | goals found / truth | invented | worst behind live s | "
        "worst fetch→analysis s | most waiting | goals seen after s | tail decoded / fell back | CPU s / stream s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.stream} | {r.segments} | {r.lost} | {r.found} / {r.truth_goals} | {r.detected - r.found} | "
            f"{r.worst_behind_live_s} | {r.worst_fetch_to_analysis_s} | {r.most_waiting} | "
            f"{', '.join(f'{s:.1f}' for s in r.goal_seen_after_s)} | "
            f"{r.tail_decodes} / {r.tail_fallbacks} | {r.cpu_s} / {r.stream_s:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_capture", description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", nargs="*", help="bench stream names (default: all four)")
    parser.add_argument("--core", type=int, default=(os.cpu_count() or 1) - 1, help="the capture's core")
    parser.add_argument("--neighbours", type=int, default=NEIGHBOURS, help="busy processes on that core")
    parser.add_argument(
        "--keyframes-only", action="store_true", help="never decode a segment's tail (the capture before the live edge)"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure_here(args.measure, args.core, tail=not args.keyframes_only)))
        return 0
    samples = [s for s in bench_suite() if not args.streams or s.name in args.streams]
    results = []
    for sample in samples:
        result = run_stream(sample, core=args.core, neighbours=args.neighbours, tail=not args.keyframes_only)
        print(result, file=sys.stderr)
        results.append(result)
    print(_table(results, args.neighbours))
    lost = sum(r.lost for r in results)
    return 1 if lost or any(r.found < r.truth_goals for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
