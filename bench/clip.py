"""Clip benchmark: what the clip Lambda's stream-copy cut costs and which stretch of stream it really delivers.

Why: the README claims stream copy makes a highlight for a fraction of a re-encode's CPU while
still showing the whole pre-roll (the goal always inside, the start never late). Both claims are
measured here the same way every time: every goal of the seeded :func:`sample_broadcast.bench_suite`
streams (real x264 HLS segments, a keyframe every 2 s), the window the Lambda asks for
(``goal − pre-roll`` … ``goal + post-roll``, widened to the covering segments by enrich's own
``segments_covering``), cut once with ``cut_clip`` as the Lambda calls it and once by a libx264
re-encode of the exact window. CPU is this process plus its finished children (ffmpeg), and what
a clip shows is read from its packets (``bench.clip_support``), not from what the cutter reports.

The vertical cut (``functions.vertical``) is priced beside them: ``render_vertical`` as the vertical
Lambda calls it, on the stream-copy clip (cut untimed first), 9:16 MP4 and thumbnail included, with
the static ffmpeg the Lambda layer ships (the system one with ``--skip-static``).

Example:
    $ .venv/bin/python -m bench.clip                      # whole suite, ~3 min on 2 cores
    $ .venv/bin/python -m bench.clip --streams bench-720p30-a --skip-static --markdown
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import imageio_ffmpeg
from rich.console import Console
from rich.table import Table

from bench.clip_support import (
    FRAME_EPSILON_S,
    ClipBenchError,
    SegmentPackets,
    delivered_by_packets,
    delivered_by_timestamps,
    probe_clip,
    probe_segments,
    reencode_command,
)
from bench.report import environment
from capture_task.capture import cpu_seconds
from contracts import SegmentEvent
from contracts.settings import DEFAULT_SETTINGS
from functions.clip.cutter import FFMPEG_TIMEOUT_S, cut_clip
from functions.clip.highlights import fetch_segments
from functions.clip.timeline import moment_on_timeline, offset_on_timeline
from functions.enrich.index import ClipWindow, segments_covering
from functions.vertical.renderer import render_vertical
from functions.vertical.verticals import THUMBNAIL_AFTER_GOAL_S
from sample_broadcast import SampleBroadcast, bench_suite, ensure_broadcast
from sample_broadcast.encode import AUDIO_BITRATE, X264_PRESET

REPO_ROOT = Path(__file__).resolve().parent.parent
BROADCAST_CACHE_DIR = REPO_ROOT / ".cache" / "broadcasts"
RESULTS_PATH = REPO_ROOT / "bench" / "results" / "clip.json"

PRE_ROLL_S = DEFAULT_SETTINGS.pre_roll_s
POST_ROLL_S = DEFAULT_SETTINGS.post_roll_s
CLIP_CHANNEL = "bench"

Method = Literal["copy", "re-encode", "vertical"]
FfmpegName = Literal["system", "static"]
METHOD_TITLES: dict[Method, str] = {"copy": "stream copy", "re-encode": "re-encode", "vertical": "vertical 9:16"}


@dataclass(frozen=True)
class Ffmpeg:
    """One ffmpeg build the benchmark cuts with: the system one or the static one the Lambda layer ships."""

    name: FfmpegName
    path: str
    version: str

    @classmethod
    def find(cls, name: FfmpegName) -> Ffmpeg:
        path = shutil.which("ffmpeg") if name == "system" else imageio_ffmpeg.get_ffmpeg_exe()
        if path is None:
            raise ClipBenchError("ffmpeg is not on PATH; install it (`apt-get install ffmpeg`) and run again")
        # The first line names the version; running it once also loads the binary before any clock starts.
        completed = subprocess.run([path, "-version"], capture_output=True, text=True, check=False)
        words = completed.stdout.split()
        return cls(name, path, words[2] if len(words) > 2 else "unknown")


@dataclass(frozen=True)
class Broadcast:
    """A rendered suite stream as the clip Lambda would see it: segment events, goals, and each segment's packets."""

    name: str
    kind: str
    """Resolution class, such as ``720p30``."""
    fps: int
    crf: int
    duration_s: float
    start: datetime
    """Program-date-time of the first segment: stream time 0."""
    segments: tuple[SegmentEvent, ...]
    packets: tuple[SegmentPackets, ...]
    goals_s: tuple[float, ...]
    """Stream times of the truth's goals (the first frame showing the new score)."""

    def packets_of(self, covering: Sequence[SegmentEvent]) -> list[SegmentPackets]:
        return [self.packets[segment.sequence] for segment in covering]


@dataclass(frozen=True)
class ClipRun:
    """One clip of one goal, cut one way with one ffmpeg: its cost and the window it asked for and delivered."""

    stream: str
    kind: str
    goal_s: float
    method: Method
    ffmpeg: FfmpegName
    requested_start_s: float
    requested_end_s: float
    full_window: bool
    """False when the pre-roll would start before the stream does (the window is then clamped to 0)."""
    delivered_start_s: float
    delivered_end_s: float
    frames: int
    cpu_s: float
    wall_s: float
    clip_bytes: int
    segments: int
    reported_start_s: float | None = None
    """What the Lambda publishes as ``clip_start`` (stream copy only), from the cutter's ``start_offset_s``."""
    reported_end_s: float | None = None
    """What the Lambda publishes as ``clip_end``: ``clip_start`` + the cutter's ``duration_s``."""

    @property
    def variant(self) -> str:
        return f"{METHOD_TITLES[self.method]}, {self.ffmpeg}"

    @property
    def start_error_s(self) -> float:
        """Delivered − requested start: ≤ 0 means the whole pre-roll is in the clip."""
        return self.delivered_start_s - self.requested_start_s

    @property
    def end_error_s(self) -> float:
        """Delivered − requested end: < 0 means part of the post-roll is missing."""
        return self.delivered_end_s - self.requested_end_s

    @property
    def goal_inside(self) -> bool:
        return self.delivered_start_s - FRAME_EPSILON_S <= self.goal_s < self.delivered_end_s - FRAME_EPSILON_S

    def to_json(self) -> dict[str, Any]:
        figures = {key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()}
        derived = {
            "start_error_s": round(self.start_error_s, 4),
            "end_error_s": round(self.end_error_s, 4),
            "goal_inside": self.goal_inside,
        }
        return figures | derived


# -- preparing the streams -------------------------------------------------------------------------


def load_broadcast(sample: SampleBroadcast) -> Broadcast:
    """Render (first time only) and describe one suite stream; probing its packets is not timed."""
    info = ensure_broadcast(BROADCAST_CACHE_DIR, sample.script, sample.style, sample.start_pdt)
    truth = info.truth()
    stream = truth["stream"]
    start = datetime.fromisoformat(stream["start_program_date_time"].replace("Z", "+00:00"))
    segment_s = float(stream["segment_duration"])
    segments = tuple(
        SegmentEvent(
            id=f"{sample.name}-{number}",
            channel=CLIP_CHANNEL,
            sequence=number,
            start=start + timedelta(seconds=segment_s * number),
            duration_s=segment_s,
            stream_time=segment_s * number,
            location=str(path),
        )
        for number, path in enumerate(info.segments)
    )
    packets = probe_segments(info.segments, [segment.stream_time for segment in segments])
    return Broadcast(
        name=sample.name,
        kind=f"{stream['height']}p{stream['fps']}",
        fps=int(stream["fps"]),
        crf=sample.style.crf,
        duration_s=float(stream["duration"]),
        start=start,
        segments=segments,
        packets=tuple(packets),
        goals_s=tuple(float(goal["stream_time"]) for goal in truth["goals"]),
    )


# -- one clip --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A goal's clip as the enrich Lambda asks for it: the window and the segments covering it."""

    broadcast: Broadcast
    goal_s: float
    start_s: float
    end_s: float
    full_window: bool
    covering: tuple[SegmentEvent, ...]

    @classmethod
    def around(cls, broadcast: Broadcast, goal_s: float) -> Request:
        goal_at = broadcast.start + timedelta(seconds=goal_s)
        window = ClipWindow(goal_at - timedelta(seconds=PRE_ROLL_S), goal_at + timedelta(seconds=POST_ROLL_S))
        covering = tuple(segments_covering(window, broadcast.segments))
        start_s, end_s = goal_s - PRE_ROLL_S, goal_s + POST_ROLL_S
        full = start_s >= 0 and end_s <= broadcast.duration_s
        return cls(broadcast, goal_s, max(start_s, 0.0), min(end_s, broadcast.duration_s), full, covering)

    def stream_time(self, moment: datetime) -> float:
        return (moment - self.broadcast.start).total_seconds()

    def run(self, method: Method, ffmpeg: Ffmpeg, **figures: Any) -> ClipRun:
        return ClipRun(
            stream=self.broadcast.name, kind=self.broadcast.kind, goal_s=self.goal_s, method=method,
            ffmpeg=ffmpeg.name, requested_start_s=self.start_s, requested_end_s=self.end_s,
            full_window=self.full_window, segments=len(self.covering), **figures,
        )  # fmt: skip


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``'s result, CPU seconds (this process and its finished children) and wall seconds."""
    cpu_before, wall_before = cpu_seconds(), time.perf_counter()
    result = work()
    return result, cpu_seconds() - cpu_before, time.perf_counter() - wall_before


def cut_by_stream_copy(request: Request, ffmpeg: Ffmpeg, scratch: Path) -> ClipRun:
    """``cut_clip`` with the arguments ``make_highlight`` gives it, thumbnail included.

    The files and their playlist durations come from the Lambda's own ``fetch_segments`` (given
    local paths, as the laptop run does), before the clock starts: fetching from S3 is not the cut.
    """
    covering = list(request.covering)
    start = request.broadcast.start
    local_root = Path(covering[0].location).parent  # the rendered broadcast's folder: the bench's own files
    files = fetch_segments(covering, scratch / "segments", s3_client=None, local_root=local_root)
    result, cpu_s, wall_s = _timed(
        lambda: cut_clip(
            [path for path, _ in files],
            offset_on_timeline(covering, start + timedelta(seconds=request.start_s)),
            offset_on_timeline(covering, start + timedelta(seconds=request.end_s)),
            offset_on_timeline(covering, start + timedelta(seconds=request.goal_s)),
            scratch / "out",
            ffmpeg=ffmpeg.path,
            durations_s=[duration for _, duration in files],
        )
    )
    clip = probe_clip(result.clip_path)
    delivered = delivered_by_packets(clip, request.broadcast.packets_of(covering), fps=request.broadcast.fps)
    reported_start_s = request.stream_time(moment_on_timeline(covering, result.start_offset_s))
    return request.run(
        "copy", ffmpeg, delivered_start_s=delivered.start_s, delivered_end_s=delivered.end_s,
        frames=delivered.frames, cpu_s=cpu_s, wall_s=wall_s, clip_bytes=result.clip_path.stat().st_size,
        reported_start_s=reported_start_s, reported_end_s=reported_start_s + result.duration_s,
    )  # fmt: skip


def cut_by_reencode(request: Request, ffmpeg: Ffmpeg, scratch: Path) -> ClipRun:
    """The baseline: libx264 at the broadcast's own preset and CRF over exactly the requested window, no thumbnail."""
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / "reencoded.mp4"
    command = reencode_command(
        ffmpeg.path, request.broadcast.packets_of(request.covering), request.start_s, request.end_s,
        crf=request.broadcast.crf, preset=X264_PRESET, audio_bitrate=AUDIO_BITRATE, out=out,
    )  # fmt: skip
    completed, cpu_s, wall_s = _timed(
        lambda: subprocess.run(command, capture_output=True, text=True, timeout=FFMPEG_TIMEOUT_S, check=False)
    )
    if completed.returncode != 0:
        raise ClipBenchError(f"the re-encode baseline failed (exit {completed.returncode}): {completed.stderr[-600:]}")
    delivered = delivered_by_timestamps(probe_clip(out), request.start_s, fps=request.broadcast.fps)
    return request.run(
        "re-encode", ffmpeg, delivered_start_s=delivered.start_s, delivered_end_s=delivered.end_s,
        frames=delivered.frames, cpu_s=cpu_s, wall_s=wall_s, clip_bytes=out.stat().st_size,
    )  # fmt: skip


def cut_vertical(request: Request, ffmpeg: Ffmpeg, scratch: Path) -> ClipRun:
    """The vertical Lambda's work on this goal's stream-copy clip: ``render_vertical``, thumbnail included.

    The clip is cut first, untimed (that is clip's cost); the vertical re-encodes every frame of it, so
    its window is the clip's, read from the clip's packets.
    """
    covering = list(request.covering)
    start = request.broadcast.start
    files = fetch_segments(covering, scratch / "segments", s3_client=None)
    clip = cut_clip(
        [path for path, _ in files],
        offset_on_timeline(covering, start + timedelta(seconds=request.start_s)),
        offset_on_timeline(covering, start + timedelta(seconds=request.end_s)),
        offset_on_timeline(covering, start + timedelta(seconds=request.goal_s)),
        scratch / "clip",
        ffmpeg=ffmpeg.path,
        durations_s=[duration for _, duration in files],
    )
    result, cpu_s, wall_s = _timed(
        lambda: render_vertical(
            clip.clip_path,
            scratch / "vertical",
            thumbnail_at_s=clip.goal_offset_in_clip_s + THUMBNAIL_AFTER_GOAL_S,
            ffmpeg=ffmpeg.path,
        )
    )
    delivered = delivered_by_packets(
        probe_clip(clip.clip_path), request.broadcast.packets_of(covering), fps=request.broadcast.fps
    )
    return request.run(
        "vertical", ffmpeg, delivered_start_s=delivered.start_s, delivered_end_s=delivered.end_s,
        frames=delivered.frames, cpu_s=cpu_s, wall_s=wall_s, clip_bytes=result.clip_path.stat().st_size,
    )  # fmt: skip


def measure_suite(
    broadcasts: Sequence[Broadcast], plan: Sequence[tuple[Method, Ffmpeg]], console: Console
) -> list[ClipRun]:
    """Every goal, cut every planned way; the ways alternate per goal so drift on the machine hits all alike."""
    cutters = {"copy": cut_by_stream_copy, "re-encode": cut_by_reencode, "vertical": cut_vertical}
    runs: list[ClipRun] = []
    with tempfile.TemporaryDirectory(prefix="clip-bench-") as scratch_root:
        for broadcast in broadcasts:
            for goal_s in broadcast.goals_s:
                request = Request.around(broadcast, goal_s)
                for method, ffmpeg in plan:
                    scratch = Path(scratch_root) / f"{broadcast.name}-{goal_s:.3f}-{method}-{ffmpeg.name}"
                    run = cutters[method](request, ffmpeg, scratch)
                    shutil.rmtree(scratch, ignore_errors=True)
                    runs.append(run)
                    console.print(
                        f"[dim]{broadcast.name} goal at {goal_s:6.2f} s  {run.variant:<21} "
                        f"{run.cpu_s:6.2f} CPU s  start {run.start_error_s:+.3f} s  end {run.end_error_s:+.3f} s[/]"
                    )
    return runs


# -- summaries -------------------------------------------------------------------------------------


def _median(values: Iterable[float]) -> float | None:
    listed = list(values)
    return statistics.median(listed) if listed else None


def variants(runs: Sequence[ClipRun]) -> list[tuple[Method, FfmpegName]]:
    return list(dict.fromkeys((run.method, run.ffmpeg) for run in runs))


def kinds(runs: Sequence[ClipRun]) -> list[str]:
    return list(dict.fromkeys(run.kind for run in runs))


def select(runs: Sequence[ClipRun], kind: str, method: Method, ffmpeg: FfmpegName) -> list[ClipRun]:
    return [run for run in runs if (run.kind, run.method, run.ffmpeg) == (kind, method, ffmpeg)]


def median_cpu_s(runs: Sequence[ClipRun]) -> float | None:
    """Over clips with the full pre- and post-roll only: a clamped window is shorter and cheaper."""
    return _median(run.cpu_s for run in runs if run.full_window)


def cost_summary(runs: Sequence[ClipRun]) -> list[dict[str, Any]]:
    """Per resolution class: median CPU and wall seconds per full clip for each variant, and re-encode ÷ copy."""
    rows = []
    for kind in kinds(runs):
        row: dict[str, Any] = {"kind": kind, "full_window_goals": 0, "cpu_s": {}, "wall_s": {}, "ratio": {}}
        for method, ffmpeg in variants(runs):
            chosen = select(runs, kind, method, ffmpeg)
            row["full_window_goals"] = sum(run.full_window for run in chosen)
            row["cpu_s"][f"{method}/{ffmpeg}"] = median_cpu_s(chosen)
            row["wall_s"][f"{method}/{ffmpeg}"] = _median(run.wall_s for run in chosen if run.full_window)
        for ffmpeg_name in ("system", "static"):
            copy, reencode = row["cpu_s"].get(f"copy/{ffmpeg_name}"), row["cpu_s"].get(f"re-encode/{ffmpeg_name}")
            if copy and reencode:
                row["ratio"][ffmpeg_name] = reencode / copy
        rows.append(row)
    return rows


def accuracy_summary(runs: Sequence[ClipRun]) -> list[dict[str, Any]]:
    """Per resolution class and variant: start and end errors (median, min, max) and goals inside, over every clip.

    The vertical cut is left out: it shows every frame of its stream-copy clip, so its window is that clip's.
    """
    rows = []
    for kind in kinds(runs):
        for method, ffmpeg in variants(runs):
            if method == "vertical":
                continue
            chosen = select(runs, kind, method, ffmpeg)
            if not chosen:
                continue
            starts, ends = [run.start_error_s for run in chosen], [run.end_error_s for run in chosen]
            reported = [
                run.reported_start_s - run.delivered_start_s for run in chosen if run.reported_start_s is not None
            ]
            rows.append({
                "kind": kind, "method": method, "ffmpeg": ffmpeg, "clips": len(chosen),
                "start_error_s": {"median": _median(starts), "min": min(starts), "max": max(starts)},
                "end_error_s": {"median": _median(ends), "min": min(ends), "max": max(ends)},
                "goals_inside": sum(run.goal_inside for run in chosen),
                "reported_minus_delivered_start_s": _spread(reported),
            })  # fmt: skip
    return rows


def _spread(values: Sequence[float]) -> dict[str, float | None] | None:
    if not values:
        return None
    return {"median": _median(values), "min": min(values), "max": max(values)}


@dataclass(frozen=True)
class Check:
    """One property every clip must have, and the clips that lack it."""

    name: str
    failures: tuple[ClipRun, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def checks(runs: Sequence[ClipRun]) -> list[Check]:
    """The goal inside every clip, and no clip starting after the requested start (the whole pre-roll shown)."""
    return [
        Check("the goal moment lies inside every delivered clip", tuple(r for r in runs if not r.goal_inside)),
        Check(
            "no clip starts after the requested start (start error ≤ 0)",
            tuple(r for r in runs if r.start_error_s > FRAME_EPSILON_S),
        ),
    ]


# -- what people read ------------------------------------------------------------------------------


def _s(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "–"
    value = round(value, 3) + 0.0  # no "-0.000"
    return f"{value:+.3f}" if signed else f"{value:.2f}"


def _range(spread: dict[str, Any] | None) -> str:
    """``median [min, max]``: the typical figure and both extremes, signed."""
    if spread is None:
        return "–"
    return f"{_s(spread['median'])} [{_s(spread['min'])}, {_s(spread['max'])}]"


def _variant_title(key: str) -> str:
    method, ffmpeg = key.split("/")
    return f"{METHOD_TITLES[method]} ({ffmpeg})"  # type: ignore[index]


def _ratio_title(ffmpeg: str) -> str:
    return f"re-encode ÷ copy ({ffmpeg})"


def cost_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(
        title=f"Clip cut time: CPU s per {PRE_ROLL_S + POST_ROLL_S:g} s clip, median over goals",
        caption="CPU = this process + its ffmpeg children; stream copy includes its duration probe and thumbnail",
    )
    table.add_column("format")
    table.add_column("goals", justify="right")
    keys = list(dict.fromkeys(key for row in rows for key in row["cpu_s"]))
    ratios = list(dict.fromkeys(name for row in rows for name in row["ratio"]))
    for key in keys:
        table.add_column(_variant_title(key), justify="right")
    for name in ratios:
        table.add_column(_ratio_title(name), justify="right")
    for row in rows:
        cells = [_s(row["cpu_s"].get(key), signed=False) for key in keys]
        table.add_row(row["kind"], str(row["full_window_goals"]), *cells, *(f"{row['ratio'][n]:.0f}x" for n in ratios))
    return table


def accuracy_table(rows: Sequence[dict[str, Any]]) -> Table:
    table = Table(
        title="Clip window accuracy: delivered − requested, seconds of stream, median [min, max]",
        caption="start ≤ 0 keeps the whole pre-roll; end < 0 loses post-roll; read from the clips' own packets",
    )
    for header in ("format", "method", "clips", "start error", "end error", "goal inside", "cutter's start − real"):
        table.add_column(header, justify="left" if header in ("format", "method") else "right")
    for row in rows:
        table.add_row(
            row["kind"],
            f"{METHOD_TITLES[row['method']]} ({row['ffmpeg']})",
            str(row["clips"]),
            _range(row["start_error_s"]),
            _range(row["end_error_s"]),
            f"{row['goals_inside']}/{row['clips']}",
            _range(row["reported_minus_delivered_start_s"]),
        )
    return table


def clips_table(runs: Sequence[ClipRun]) -> Table:
    table = Table(
        title="Every clip (stream seconds)", caption="* window clamped: the pre-roll starts before the stream"
    )
    for header in ("stream", "goal", "method", "requested", "delivered", "start err", "end err", "inside"):
        table.add_column(header, justify="left" if header in ("stream", "method") else "right")
    table.add_column("CPU s", justify="right")
    for run in runs:
        table.add_row(
            run.stream,
            f"{run.goal_s:.2f}{'' if run.full_window else '*'}",
            run.variant,
            f"{run.requested_start_s:.2f}–{run.requested_end_s:.2f}",
            f"{run.delivered_start_s:.2f}–{run.delivered_end_s:.2f}",
            _s(run.start_error_s),
            _s(run.end_error_s),
            "yes" if run.goal_inside else "[red]NO[/]",
            _s(run.cpu_s, signed=False),
        )
    return table


def markdown_tables(costs: Sequence[dict[str, Any]], accuracy: Sequence[dict[str, Any]]) -> str:
    """Two short tables for the README: cost per clip, and how close each method cuts to the window."""
    keys = list(dict.fromkeys(key for row in costs for key in row["cpu_s"]))
    ratios = list(dict.fromkeys(name for row in costs for name in row["ratio"]))
    headers = ["format", "goals", *(f"{_variant_title(key)}, CPU s" for key in keys), *map(_ratio_title, ratios)]
    lines = [f"| {' | '.join(headers)} |", f"|{'---|' * len(headers)}"]
    for row in costs:
        cells = [_s(row["cpu_s"].get(key), signed=False) for key in keys]
        ratio_cells = [f"{row['ratio'][name]:.0f}x" for name in ratios]
        lines.append(f"| {' | '.join([row['kind'], str(row['full_window_goals']), *cells, *ratio_cells])} |")
    lines += [
        "",
        "| format | method | clips | start error s | end error s | goal inside |",
        "|---|---|---|---|---|---|",
    ]
    for row in accuracy:
        method = f"{METHOD_TITLES[row['method']]} ({row['ffmpeg']})"
        start, end = _range(row["start_error_s"]), _range(row["end_error_s"])
        lines.append(
            f"| {row['kind']} | {method} | {row['clips']} | {start} | {end} | {row['goals_inside']}/{row['clips']} |"
        )
    lines.append("")
    lines.append(
        f"CPU s per {PRE_ROLL_S + POST_ROLL_S:g} s clip (pre-roll {PRE_ROLL_S:g} s, post-roll {POST_ROLL_S:g} s), "
        "median over goals with the full window; errors are delivered − requested in stream seconds, "
        "median [min, max] over every goal."
    )
    return "\n".join(lines)


def notes(runs: Sequence[ClipRun]) -> list[str]:
    """What the tables cannot say in a cell: clamped windows, and where the cutter's report and the clip disagree."""
    found = []
    clamped = sorted({(run.stream, run.goal_s) for run in runs if not run.full_window})
    if clamped:
        named = ", ".join(f"{stream} at {goal_s:.2f} s" for stream, goal_s in clamped)
        found.append(f"Window clamped to the stream's start (left out of the CPU medians): {named}.")
    copies = [run for run in runs if run.method == "copy" and run.reported_start_s is not None]
    late = [
        run for run in copies if run.reported_start_s is not None and run.delivered_start_s > run.reported_start_s + 0.1
    ]
    if late:
        shift = _median(run.delivered_start_s - (run.reported_start_s or 0.0) for run in late)
        found.append(
            f"{len(late)} of {len(copies)} stream-copy clips start later than the keyframe the cutter reports "
            f"(median {_s(shift)} s): their first video packet is the next keyframe, so the keyframe the cutter "
            "chose was dropped by the copy; the published clip_start is then early by as much."
        )
    ends = [run.reported_end_s - run.delivered_end_s for run in copies if run.reported_end_s is not None]
    if ends:
        found.append(
            f"The published clip_end (clip_start + duration_s) is off the last frame's end by median "
            f"{_s(_median(ends))} s [{_s(min(ends))}, {_s(max(ends))}]."
        )
    return found


def results_document(
    runs: Sequence[ClipRun], ffmpegs: Sequence[Ffmpeg], broadcasts: Sequence[Broadcast], partial: bool
) -> dict[str, Any]:
    """The JSON written to ``bench/results/clip.json``: environment, method, summaries, every clip."""
    return {
        "benchmark": "clip",
        "environment": environment(REPO_ROOT),
        "method": {
            "pre_roll_s": PRE_ROLL_S,
            "post_roll_s": POST_ROLL_S,
            "ffmpeg": {ffmpeg.name: {"path": ffmpeg.path, "version": ffmpeg.version} for ffmpeg in ffmpegs},
            "streams": {b.name: {"kind": b.kind, "crf": b.crf, "goals_s": list(b.goals_s)} for b in broadcasts},
            "partial_suite": partial,
            "cpu": "getrusage SELF + CHILDREN deltas around each cut; medians over goals with the full window",
            "copy": "cut_clip as make_highlight calls it, thumbnail included; delivered window from packet identity",
            "re-encode": f"libx264 -preset {X264_PRESET} -crf <stream's crf>, aac {AUDIO_BITRATE}, exact window, "
            "no thumbnail; delivered window from the output's video start_time and frame count",
            "vertical": "render_vertical as the vertical Lambda calls it on the stream-copy clip (cut untimed "
            "first): 9:16 H.264 and its thumbnail, audio copied",
        },
        "cost": cost_summary(runs),
        "accuracy": accuracy_summary(runs),
        "checks": [{"name": c.name, "passed": c.passed, "failures": len(c.failures)} for c in checks(runs)],
        "notes": notes(runs),
        "clips": [run.to_json() for run in runs],
    }


# -- command line ----------------------------------------------------------------------------------


def build_parser(suite_names: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.clip", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--streams", nargs="+", choices=suite_names, help="only these suite streams")
    parser.add_argument("--skip-static", action="store_true", help="leave out the static ffmpeg the Lambda layer ships")
    parser.add_argument(
        "--static-reencode",
        action="store_true",
        help="also re-encode with the static ffmpeg (about 2 more minutes; the default copies with it only)",
    )
    parser.add_argument(
        "--no-reencode", action="store_true", help="leave out the re-encode baseline (stream copy and vertical only)"
    )
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables for the README")
    parser.add_argument("--json", type=Path, default=RESULTS_PATH, help=f"results file (default {RESULTS_PATH})")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a goal is outside a clip or a clip starts late"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    suite = bench_suite()
    args = build_parser([sample.name for sample in suite]).parse_args(argv)
    console = Console()
    samples = [sample for sample in suite if not args.streams or sample.name in args.streams]
    try:
        ffmpegs = [Ffmpeg.find("system")] + ([] if args.skip_static else [Ffmpeg.find("static")])
        plan: list[tuple[Method, Ffmpeg]] = [("copy", ffmpeg) for ffmpeg in ffmpegs]
        if not args.no_reencode:
            plan += [("re-encode", f) for f in ffmpegs if f.name == "system" or args.static_reencode]
        plan += [("vertical", ffmpegs[-1])]  # the layer's ffmpeg: what the vertical Lambda runs
        console.print(f"Loading {len(samples)} streams (the first run renders them, ~2–3 min)…")
        broadcasts = [load_broadcast(sample) for sample in samples]
        runs = measure_suite(broadcasts, plan, console)
    except ClipBenchError as error:
        console.print(f"[red]{error}[/]")
        return 2
    costs, accuracy, verdicts = cost_summary(runs), accuracy_summary(runs), checks(runs)
    console.print(cost_table(costs))
    console.print(accuracy_table(accuracy))
    console.print(clips_table(runs))
    for verdict in verdicts:
        status = "[green]PASS[/]" if verdict.passed else f"[red]FAIL ({len(verdict.failures)} clips)[/]"
        console.print(f"{status}  {verdict.name}")
    for note in notes(runs):
        console.print(f"• {note}")
    for ffmpeg in ffmpegs:
        console.print(f"[dim]{ffmpeg.name} ffmpeg {ffmpeg.version}: {ffmpeg.path}[/]")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = results_document(runs, ffmpegs, broadcasts, partial=len(samples) < len(suite))
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    console.print(f"Results written to {args.json}")
    if args.markdown:
        print()
        print(markdown_tables(costs, accuracy))
    if args.check and not all(verdict.passed for verdict in verdicts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
