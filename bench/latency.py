"""End-to-end latency of the whole local pipeline: goal first on screen -> alert, and -> highlight, delivered.

Each stream of the benchmark suite is served live on 127.0.0.1 (real time by
default: latency in accelerated time would mean little) and run through
`local_pipeline.run_pipeline`: the real capture task, enrich, clip and hooks
against moto on loopback. "On screen" is when a live viewer could first see
the goal's frame (its moment on the served stream's clock); "delivered" is
when the gallery hook received the highlight event from SNS. The clip latency
includes the post-roll (the clip cannot be cut before the 5 s after the goal
have been broadcast) and the live playlist's own granularity (2 s segments).
The alert latency ends when the webhook hook has posted the goal alert
("GOAL — LIV 1-0 MCI (23')") to the local chat receiver: it waits for no
post-roll and no ffmpeg, only for the goal to be read and confirmed (issue 12's
target: p50 <= 4 s at real-time serving).

    .venv/bin/python -m bench.latency                     # whole suite, real time (~6 min)
    .venv/bin/python -m bench.latency --speed 2 --streams bench-720p30-a
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from capture_task.publish.announcer import Announcer
from contracts import Event, GoalEvent
from local_pipeline.display import verdict
from local_pipeline.pipeline import LocalRunOptions, run_pipeline
from sample_broadcast import bench_suite

RESULTS = Path(__file__).resolve().parent / "results" / "latency.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--speed", type=float, default=1.0, help="serve the streams this much faster than real time")
    parser.add_argument("--streams", nargs="+", help="only these streams of the suite")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table for the README")
    parser.add_argument("--one", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one, args.speed)))
        return 0
    console = Console()
    suite = [s for s in bench_suite() if not args.streams or s.name in args.streams]
    rows: list[dict[str, Any]] = []
    for sample in suite:
        # One fresh process per stream: a run's emulator, handlers and their cached clients start clean.
        command = [sys.executable, "-m", "bench.latency", "--one", sample.name, "--speed", str(args.speed)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            console.print(f"[red]{sample.name} failed:[/] {done.stderr.strip()[-800:]}")
            rows.append(
                {
                    "stream": sample.name,
                    "goals": 0,
                    "delivered": 0,
                    "latencies_s": [],
                    "alert_latencies_s": [],
                    "alert_path_s": [],
                    "ok": False,
                }
            )
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        console.print(
            f"{sample.name}: {row['verdict']} alert latencies {row['alert_latencies_s']} "
            f"clip latencies {row['latencies_s']} (goal on screen -> its event made by the capture: "
            f"{row.get('detected_s')}; -> reached enrich: {row.get('published_s')}; "
            f"-> alert in the chat: {row['alert_path_s']}); "
            f"capture: {row['tail_decodes']} of {row['segments']} segments tail-decoded at the live edge, "
            f"{row['tail_fallbacks']} fell back to keyframes"
        )
    every = sorted(v for row in rows for v in row["latencies_s"])
    every_alert = sorted(v for row in rows for v in row["alert_latencies_s"])
    every_path = sorted(v for row in rows for v in row["alert_path_s"])
    table = Table(
        title=f"Goal on screen -> alert, and -> highlight, delivered to the hooks (stream speed {args.speed:g}x)"
    )
    columns = ("stream", "goals", "alerted", "alert p50 s", "alert max s", "clipped", "clip p50 s", "clip max s")
    for column in (*columns, "tail-decoded / fell back"):
        table.add_column(column, justify="right" if column != "stream" else "left")
    for row in rows:
        cells = _columns(row["alert_latencies_s"], row["latencies_s"])
        table.add_row(row["stream"], str(row["goals"]), *cells, _tail(row))
    if every:
        table.add_row("suite", str(sum(r["goals"] for r in rows)), *_columns(every_alert, every), _tail(*rows))
    console.print(table)
    if every_path:
        console.print(
            f"Of the alert latency, goal record handed to enrich -> alert posted in the chat (the alert path alone, "
            f"without the capture task's detection): p50 {statistics.median(every_path):.2f} s, "
            f"max {max(every_path):.2f} s"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": platform.platform(),
                "speed": args.speed,
                "streams": rows,
                "p50_s": statistics.median(every) if every else None,
                "max_s": max(every) if every else None,
                "alert_p50_s": statistics.median(every_alert) if every_alert else None,
                "alert_max_s": max(every_alert) if every_alert else None,
                "alert_path_p50_s": statistics.median(every_path) if every_path else None,
                "alert_path_max_s": max(every_path) if every_path else None,
            },
            indent=2,
        )
    )
    if args.markdown and every:
        print(
            "\n| stream | goals | alerted | alert p50 | alert max | clipped | clip p50 | clip max "
            "| segments tail-decoded / fell back |"
            "\n|---|---|---|---|---|---|---|---|---|"
        )
        for row in rows:
            cells = _columns(row["alert_latencies_s"], row["latencies_s"], unit=" s")
            print(f"| {row['stream']} | {row['goals']} | " + " | ".join(cells) + f" | {_tail(row)} |")
        cells = _columns(every_alert, every, unit=" s")
        print("| **suite** | | " + " | ".join(f"**{cell}**" for cell in cells) + f" | {_tail(*rows)} |")
    return 0 if all(row["ok"] for row in rows) else 1


def _columns(alert_s: list[float], clip_s: list[float], unit: str = "") -> list[str]:
    """count, p50 and max of the alert latencies, then of the clip latencies."""
    cells = []
    for values in (alert_s, clip_s):
        cells.append(str(len(values)))
        cells.append(f"{statistics.median(values):.1f}{unit}" if values else "-")
        cells.append(f"{max(values):.1f}{unit}" if values else "-")
    return cells


def _tail(*rows: dict[str, Any]) -> str:
    """Segments whose later frames the capture decoded at the live edge, and those it read by keyframe alone
    because later segments were waiting, of all it read."""
    decoded, fell_back = (sum(row.get(key, 0) for row in rows) for key in ("tail_decodes", "tail_fallbacks"))
    return f"{decoded} / {fell_back} of {sum(row.get('segments', 0) for row in rows)}"


def _noting_goals_made(made_at: dict[str, float]) -> None:
    """Make every capture in this process note when it made each goal event (wall clock, as the alert's times):
    when it hands the event to its announcer, which puts it on the stream ahead of any waiting segment."""
    hand_over = Announcer.event

    def noting(announcer: Announcer, event: Event) -> None:
        if isinstance(event, GoalEvent):
            made_at.setdefault(event.id, time.time())
        hand_over(announcer, event)

    Announcer.event = noting  # type: ignore[method-assign,assignment]


def measure_one(name: str, speed: float) -> dict[str, Any]:
    """Run the local pipeline on one stream of the suite; its latencies and verdict."""
    sample = next(s for s in bench_suite() if s.name == name)
    made_at: dict[str, float] = {}
    _noting_goals_made(made_at)
    with tempfile.TemporaryDirectory(prefix="latency-") as out:
        run = run_pipeline(LocalRunOptions(out=Path(out), speed=speed, sample=sample))
    ok, sentence = verdict(run)
    on_screen = run.goal_on_screen
    goals = {goal.id: goal for goal in run.goals}
    # The alert's latency in three parts: the capture seeing and confirming the goal; its event reaching enrich
    # (the pre-roll's segments stored first, then Kinesis); enrich to the alert in the chat (alert_path_s).
    detected_s = [made_at[i] - on_screen(goals[i]) for i in made_at if i in goals] if on_screen else []
    published_s = [run.goal_reached_enrich_at[i] - made_at[i] for i in made_at if i in run.goal_reached_enrich_at]
    return {
        "stream": name,
        "goals": len(run.truth["goals"]) if run.truth else 0,
        "delivered": len(run.highlights),
        "latencies_s": [round(v, 2) for v in sorted(run.latencies_s.values())],
        "alert_latencies_s": [round(v, 2) for v in sorted(run.alert_latencies_s.values())],
        "alert_path_s": [round(v, 2) for v in sorted(run.alert_path_s.values())],
        "detected_s": [round(v, 2) for v in sorted(detected_s)],
        "published_s": [round(v, 2) for v in sorted(published_s)],
        # How often the capture was at the live edge (a segment's later frames decoded) or fell back to keyframes.
        "tail_decodes": sum(stats.tail_decodes for stats in run.capture_stats),
        "tail_fallbacks": sum(stats.tail_fallbacks for stats in run.capture_stats),
        "segments": sum(stats.segments for stats in run.capture_stats),
        "ok": ok,
        "verdict": sentence,
    }


if __name__ == "__main__":
    raise SystemExit(main())
