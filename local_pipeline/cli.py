"""`python -m local_pipeline`: the sample broadcast (or any source) through the capture task, live.

With no options it renders the embedded sample broadcast once, serves it as a
live HLS stream on 127.0.0.1, follows it with the real capture task and shows
what it finds; at the end, a summary table compared with the sample's truth.
Errors are sentences, and the exit code is non-zero when the run failed.
"""

from __future__ import annotations

import argparse
import logging
import threading
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler

from capture_task.capture import CaptureTask
from capture_task.cli import segments_of
from capture_task.exceptions import CaptureError
from capture_task.publisher import JsonLinesSink
from capture_task.segment_store import LocalSegmentStore
from contracts import GoalEvent, highlight_title
from local_pipeline.display import GoalRow, PipelineStatus, live_view, print_summary
from local_pipeline.sample import demo_stream, serve_live
from sample_broadcast import SampleBroadcastError

TRUTH_TOLERANCE_S = 1.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local_pipeline", description=__doc__)
    parser.add_argument("--source", help="an HLS URL or a video file instead of the sample broadcast")
    parser.add_argument("--channel", help="a real Twitch channel (needs internet), or the name events carry")
    parser.add_argument("--out", default="highlights", help="output folder (default: ./highlights)")
    parser.add_argument("--speed", type=float, default=2.0, help="sample broadcast speed (default: 2x real time)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the capture task's log")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )
    try:
        return run(args, console)
    except (CaptureError, SampleBroadcastError, ValueError, OSError) as error:
        console.print(f"[bold red]error:[/] {error}")
        return 1
    except KeyboardInterrupt:
        console.print("stopped.")
        return 130


def run(args: argparse.Namespace, console: Console) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    truth: dict[str, Any] | None = None
    with ExitStack() as stack:
        if args.source:
            source = args.source
        elif args.channel:
            source = f"twitch:{args.channel}"
        else:
            with console.status("rendering the sample broadcast (once; cached in .cache/)"):
                info = demo_stream()
            truth = info.truth()
            source = stack.enter_context(serve_live(info, args.speed)).playlist_url
        channel = args.channel or "sample"
        task = CaptureTask(
            channel,
            sink=stack.enter_context(JsonLinesSink(out / "events.jsonl")),
            store=LocalSegmentStore(out / "segments"),
        )
        status = PipelineStatus(channel, source, capture=task.stats)
        failure: list[BaseException] = []
        stop = threading.Event()

        def capture() -> None:
            locations: dict[int, str] = {}
            try:
                task.run(segments_of(source, "best", stop, locations), location_of=locations)
            except BaseException as error:  # handed to the main thread, which reports it
                failure.append(error)

        worker = threading.Thread(target=capture, name="capture", daemon=True)
        worker.start()
        try:
            with Live(live_view(status), console=console, refresh_per_second=4) as live:
                while worker.is_alive():
                    worker.join(0.25)
                    live.update(live_view(status))
        finally:
            stop.set()
            worker.join(10)
    if failure:
        raise failure[0]
    return _summarise(console, status, task.stats.goals, truth)


def _summarise(console: Console, status: PipelineStatus, goals: list[GoalEvent], truth: dict[str, Any] | None) -> int:
    expected = truth["goals"] if truth else None
    rows = []
    for goal in goals:
        error = None
        if expected is not None:
            errors = [
                (goal.at - datetime.fromisoformat(want["at"].replace("Z", "+00:00"))).total_seconds()
                for want in expected
                if want["score"] == goal.score.model_dump()
            ]
            error = min(errors, key=abs) if errors else None
        rows.append(GoalRow(goal.at.strftime("%H:%M:%S.%f")[:-3], highlight_title(goal), "-", error))
    print_summary(console, status, rows, len(expected) if expected is not None else None)
    if expected is None:
        return 0
    matched = [row for row in rows if row.truth_error_s is not None and abs(row.truth_error_s) <= TRUTH_TOLERANCE_S]
    if len(matched) != len(expected) or len(rows) != len(expected):
        console.print(
            f"[bold red]The sample has {len(expected)} goals; {len(matched)} were found on time "
            f"and {len(rows) - len(matched)} were not in the truth.[/]"
        )
        return 1
    console.print(f"[bold green]All {len(expected)} goals of the sample broadcast found, each within 1 s.[/]")
    return 0
