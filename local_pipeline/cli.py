"""`python -m local_pipeline` (what `make demo` runs): the whole pipeline on this machine.

With no options it renders the embedded sample broadcast once, serves it live
on 127.0.0.1, and runs the real capture task, enrich, clip and hooks against
AWS emulated by moto on loopback; clips, thumbnails and an index.html gallery
land in ./highlights. Errors are sentences; the exit code says whether it worked.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler

from capture_task.exceptions import CaptureError
from contracts.settings import DEFAULT_SETTINGS
from local_pipeline.display import live_view, print_summary, verdict
from local_pipeline.pipeline import LocalRun, LocalRunOptions, run_pipeline
from sample_broadcast import SampleBroadcastError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local_pipeline", description=__doc__)
    parser.add_argument("--source", help="an HLS URL or a video file instead of the sample broadcast")
    parser.add_argument(
        "--channel", help="a real Twitch channel (needs internet); with --source, the name events carry"
    )
    parser.add_argument("--pre-roll", type=float, default=DEFAULT_SETTINGS.pre_roll_s, help="seconds before a goal")
    parser.add_argument("--post-roll", type=float, default=DEFAULT_SETTINGS.post_roll_s, help="seconds after it")
    parser.add_argument("--out", type=Path, default=Path("highlights"), help="output folder (default ./highlights)")
    parser.add_argument("--speed", type=float, default=2.0, help="sample broadcast speed (default 2x real time)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the components' logs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )
    # The handlers' Powertools loggers print JSON lines, as in CloudWatch; here only errors, unless -v.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO" if args.verbose else "ERROR")
    for noisy in ("werkzeug", "botocore", "urllib3", "aws_lambda_powertools"):
        logging.getLogger(noisy).setLevel(logging.WARNING if args.verbose else logging.ERROR)
    options = LocalRunOptions(
        source=args.source,
        channel=args.channel,
        pre_roll_s=args.pre_roll,
        post_roll_s=args.post_roll,
        out=args.out,
        speed=args.speed,
    )
    try:
        with Live(console=console, refresh_per_second=4, transient=False) as live:

            def show(run: LocalRun) -> None:
                live.update(live_view(run))

            run = run_pipeline(options, on_tick=show)
    except (CaptureError, SampleBroadcastError, ValueError, OSError) as error:
        console.print(f"[bold red]error:[/] {error}")
        return 1
    except KeyboardInterrupt:
        console.print("stopped.")
        return 130
    print_summary(console, run)
    ok, sentence = verdict(run)
    console.print(f"[bold {'green' if ok else 'red'}]{sentence}[/]")
    if run.entries:
        console.print(f"gallery: {(options.out / 'index.html').resolve()}")
    return 0 if ok else 1
