"""Command line of the capture task: `detect` (any source, no AWS needed) and `run` (the Fargate service).

`python -m capture_task detect SOURCE --out events.jsonl` must keep working
exactly like this: the team measures detection with it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from capture_task.capture import CaptureStats, CaptureTask, default_channel
from capture_task.exceptions import CaptureError
from capture_task.ingest.buffer import FetchAhead
from capture_task.ingest.segments import source_segments
from capture_task.ingest.sources import is_live_source
from capture_task.publish.checkpoints import (
    CheckpointStore,
    LocalCheckpointStore,
    S3CheckpointStore,
    saved_checkpoint,
)
from capture_task.publish.keeper import KEEP_SEGMENTS_CHOICES, KeepPolicy
from capture_task.publish.publisher import sink_for
from capture_task.publish.segment_store import LocalSegmentStore, S3SegmentStore, SegmentStore, s3_client_with_retries
from capture_task.service import run_from_environment

logger = logging.getLogger("highlight_bot.capture")


def _store_from(args: argparse.Namespace) -> SegmentStore | None:
    if args.segments_bucket:
        return S3SegmentStore(s3_client_with_retries(), args.segments_bucket)
    if args.segments_dir:
        return LocalSegmentStore(Path(args.segments_dir))
    return None


def _checkpoints_from(args: argparse.Namespace) -> CheckpointStore | None:
    if not args.resume:
        return None
    if args.segments_bucket:
        return S3CheckpointStore(s3_client_with_retries(), args.segments_bucket)
    if args.segments_dir:
        return LocalCheckpointStore(Path(args.segments_dir))
    raise ValueError("--resume keeps the match state beside the segments: pass --segments-dir or --segments-bucket too")


def detect(args: argparse.Namespace) -> int:
    """Run the capture task on one source until it ends (or forever, when live)."""
    stop_event = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_event.set())
    channel = args.channel or default_channel(args.source)
    checkpoints = _checkpoints_from(args)
    sink = sink_for(args.out, kinesis_stream=args.kinesis_stream)
    task = CaptureTask(
        channel,
        sink=sink,
        store=_store_from(args),
        keep=KeepPolicy(keep=args.keep_segments),
        resume_from=saved_checkpoint(checkpoints, channel),
        checkpoints=checkpoints,
    )
    try:
        # The operator's own command line, not a channel parameter: whatever URL they give is fetched.
        segments = source_segments(args.source, args.quality, stop_event, allow_private_stream_urls=True)
        stats = task.run(FetchAhead(segments, stop_event=stop_event, live=is_live_source(args.source)))
    except KeyboardInterrupt:
        stats = task.stats
    finally:
        sink.close()
    _report(stats)
    return 0


def _report(stats: CaptureStats) -> None:
    print(
        f"{stats.segments} segments ({stats.stream_seconds:.0f} s of stream) in {stats.wall_s:.1f} s, "
        f"{stats.cpu_s:.1f} CPU s (realtime factor {stats.realtime_factor:.1f}x); {len(stats.goals)} goals",
        file=sys.stderr,
    )
    if stats.buffer is not None:
        print(
            f"analysis fell at most {stats.buffer.worst_lag_s:.1f} s behind fetching "
            f"({stats.buffer.most_waiting} segments waiting at most, {stats.buffer.spilled} spilled to disk, "
            f"{stats.buffer.dropped} dropped); {stats.segments_unreadable} unreadable, "
            f"{stats.segments_unstored} announced as missing",
            file=sys.stderr,
        )
    for goal in stats.goals:
        print(
            f"  {goal.at.isoformat()}  t={goal.stream_time:7.2f}s  {goal.teams.home} {goal.score} "
            f"{goal.teams.away}  ({goal.clock}, {goal.side})",
            file=sys.stderr,
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m capture_task", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every decision")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("detect", help="detect goals in a Twitch channel, an HLS URL or a video file")
    run.add_argument("source", help="twitch:CHANNEL, a twitch.tv URL, an HLS playlist URL, or a local video file")
    run.add_argument("--out", help="write events as JSON lines to this file ('-' for stdout)")
    run.add_argument("--kinesis-stream", help="put events on this Kinesis stream instead of --out")
    run.add_argument("--channel", help="channel name carried by events (default: from the source)")
    run.add_argument("--quality", default="best", help="stream quality to read (default: best)")
    run.add_argument("--segments-bucket", help="keep segment bytes in this S3 bucket")
    run.add_argument("--segments-dir", help="keep segment bytes in this folder")
    run.add_argument(
        "--keep-segments",
        choices=KEEP_SEGMENTS_CHOICES,
        default="all",
        help="announce (and store) every segment (default: this command shows all it read), "
        "or only those a goal's clip needs, as the service does",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="keep the match state beside the segments (checkpoints/CHANNEL.json) and resume from it: "
        "goals scored while the capture was down are reported, flagged found_after_gap",
    )
    run.set_defaults(handler=detect)

    service = commands.add_parser("run", help="the Fargate service: follow the channel named in SSM, to Kinesis")
    service.set_defaults(handler=_run_service)

    return parser


def _run_service(args: argparse.Namespace) -> int:
    return run_from_environment()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    started = time.monotonic()
    try:
        code: int = args.handler(args)
    except CaptureError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    logger.debug("finished in %.1f s", time.monotonic() - started)
    return code
