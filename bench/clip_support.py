"""What a highlight clip really shows, read from its video packets rather than from what the cutter reports.

Why a module of its own: the clip benchmark must not take the cutter's word for where a clip
starts, because the cutter's arithmetic and ffmpeg's behaviour can part silently. Both have: the
concat demuxer places each file after the previous one's *container* duration (audio included,
~2.02 s for a 2 s segment) unless durations are pinned, and a stream-copy ``-ss`` drops a
B-frame stream's keyframe (it decodes before it shows), starting the clip a segment late while
the cutter reported the earlier keyframe. So the delivered window is found independently:

- **Stream copy** keeps every video packet byte for byte, so the clip's sequence of packet sizes
  occurs exactly once in the source segments; the matched source packets say which frames the
  clip shows, and each frame's stream time comes from its own segment (pts − the segment's first
  pts + the segment's stream time), free of any concat offset.
- **Re-encode** has no packets to match, so the baseline is cut on a timeline without gaps (the
  concat *protocol*, byte-joined MPEG-TS with continuous timestamps) at the exact frame of the
  requested start; what it delivered is that start plus the output's video ``start_time``, and
  its end is that start plus frames ÷ fps.

Example:
    >>> source = probe_segments(paths, stream_times)
    >>> window = delivered_by_packets(probe_clip(Path("clip.mp4")), source, fps=60)
    >>> window.start_s, window.end_s
    (22.0, 46.4)
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FFPROBE_TIMEOUT_S = 60.0
PROBE_THREADS = 2
"""Probing is not timed; two threads keep it short on the benchmark's two cores."""
PACKET_SIZE_SLACK_BYTES = 16
"""A copied packet may grow a few bytes: each 3-byte MPEG-TS start code becomes a 4-byte MP4 length prefix."""
FRAME_EPSILON_S = 0.001
"""A seek goes this far before the wanted frame's timestamp, so rounding never skips that frame."""


class ClipBenchError(Exception):
    """A clip could not be measured; the message says what was found and what to try."""


@dataclass(frozen=True)
class SegmentPackets:
    """One source segment's video packets in decode order, with the times needed to place them on the stream."""

    path: Path
    stream_time_s: float
    """When the segment's first frame is shown, on the stream (the ``SegmentEvent.stream_time``)."""
    first_video_pts_s: float
    """The pts of its first displayed frame (the keyframe opening it)."""
    container_start_s: float
    """The file's ``format=start_time``: the earliest packet of any stream (AAC priming makes it audio's)."""
    sizes: tuple[int, ...]
    pts_s: tuple[float, ...]

    def stream_time_of(self, pts_s: float) -> float:
        return self.stream_time_s + pts_s - self.first_video_pts_s


@dataclass(frozen=True)
class ClipProbe:
    """A delivered MP4 as ffprobe reads it: its video packets (decode order) and its container figures."""

    path: Path
    sizes: tuple[int, ...]
    pts_s: tuple[float, ...]
    video_start_s: float
    """The video stream's ``start_time`` in the clip (audio may start earlier)."""
    format_duration_s: float


@dataclass(frozen=True)
class DeliveredWindow:
    """The stretch of stream a clip shows: its first frame's time and the end of its last frame, in stream seconds."""

    start_s: float
    end_s: float
    frames: int


def ffprobe_json(path: Path | str, *arguments: str) -> dict[str, Any]:
    """ffprobe's JSON for ``path``; ClipBenchError, with ffprobe's words, if it fails or is missing."""
    command = ["ffprobe", "-v", "error", "-of", "json", *arguments, str(path)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=FFPROBE_TIMEOUT_S, check=False)
    except FileNotFoundError as error:
        raise ClipBenchError(
            "ffprobe is not on PATH; install ffmpeg (`apt-get install ffmpeg`) and run again"
        ) from error
    if completed.returncode != 0:
        raise ClipBenchError(f"ffprobe could not read {path}: {completed.stderr.strip()[-400:]}")
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _video_packets(data: dict[str, Any]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    packets = [p for p in data.get("packets", []) if "pts_time" in p]
    return tuple(int(p["size"]) for p in packets), tuple(float(p["pts_time"]) for p in packets)


def probe_segment(path: Path, stream_time_s: float) -> SegmentPackets:
    """Read one segment's video packets and start times (no decoding: cheap)."""
    data = ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "packet=pts_time,size:format=start_time")
    sizes, pts = _video_packets(data)
    if not sizes:
        raise ClipBenchError(f"{path} has no video packets; delete its broadcast folder so it is rendered again")
    return SegmentPackets(path, stream_time_s, min(pts), float(data["format"]["start_time"]), sizes, pts)


def probe_segments(paths: Sequence[Path], stream_times_s: Sequence[float]) -> list[SegmentPackets]:
    """Every segment of a broadcast, in order."""
    with ThreadPoolExecutor(max_workers=PROBE_THREADS) as pool:
        return list(pool.map(probe_segment, paths, stream_times_s))


def probe_clip(path: Path) -> ClipProbe:
    """Read a delivered clip's video packets and durations."""
    data = ffprobe_json(
        path, "-select_streams", "v:0", "-show_entries", "packet=pts_time,size:stream=start_time:format=duration"
    )
    sizes, pts = _video_packets(data)
    if not sizes:
        raise ClipBenchError(f"{path} has no video packets; the cut delivered no picture")
    streams = data.get("streams") or [{}]
    return ClipProbe(path, sizes, pts, float(streams[0].get("start_time", 0.0)), float(data["format"]["duration"]))


def delivered_by_packets(clip: ClipProbe, source: Sequence[SegmentPackets], *, fps: float) -> DeliveredWindow:
    """Where a stream-copied clip lies on the stream, found by matching its packet sizes to the source's.

    Stream copy moves packets unchanged but for their NAL framing (a 3-byte start code becomes a
    4-byte length), so the clip's packets are one contiguous run of the source's, in decode order,
    each within PACKET_SIZE_SLACK_BYTES of its original.
    """
    sizes = [size for segment in source for size in segment.sizes]
    times = [segment.stream_time_of(pts) for segment in source for pts in segment.pts_s]
    run = len(clip.sizes)
    matches = [at for at in range(len(sizes) - run + 1) if _same_packets(clip.sizes, sizes[at : at + run])]
    if len(matches) != 1:
        raise ClipBenchError(
            f"the {run} video packets of {clip.path} match the source {len(matches)} times instead of once; "
            "it was not a plain stream copy of these segments"
        )
    shown = times[matches[0] : matches[0] + run]
    return DeliveredWindow(min(shown), max(shown) + 1.0 / fps, run)


def _same_packets(clip_sizes: Sequence[int], source_sizes: Sequence[int]) -> bool:
    return all(
        0 <= clip - source <= PACKET_SIZE_SLACK_BYTES for clip, source in zip(clip_sizes, source_sizes, strict=True)
    )


def delivered_by_timestamps(clip: ClipProbe, requested_start_s: float, *, fps: float) -> DeliveredWindow:
    """Where a re-encoded clip lies on the stream: cut at the requested start's frame, shifted by its start_time."""
    start_s = requested_start_s + clip.video_start_s
    return DeliveredWindow(start_s, start_s + len(clip.sizes) / fps, len(clip.sizes))


def reencode_command(
    ffmpeg: str,
    segments: Sequence[SegmentPackets],
    start_s: float,
    end_s: float,
    *,
    crf: int,
    preset: str,
    audio_bitrate: str,
    out: Path,
) -> list[str]:
    """The re-encode baseline: exactly ``[start_s, end_s)`` of the stream (stream seconds) into ``out`` with libx264.

    The input is the concat protocol, whose timestamps run on without the gaps the concat
    demuxer puts between files. ``-ss``/``-to`` go after the input: ffmpeg's MPEG-TS seek lands
    on the keyframe *after* the target (a measured 0.5 s late), while output-side trimming
    decodes from the first segment's opening keyframe, at most one segment early, and drops the
    frames before the start: what an accurate seek costs anyway. Output times count from the
    input's ``start_time``, which is the first segment's container start.
    """
    first = segments[0]
    zero_s = first.first_video_pts_s - first.container_start_s - first.stream_time_s
    source = "concat:" + "|".join(str(segment.path.resolve()) for segment in segments)
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", source,
        "-ss", f"{zero_s + start_s - FRAME_EPSILON_S:.6f}", "-to", f"{zero_s + end_s - FRAME_EPSILON_S:.6f}",
        "-map", "0:v:0", "-map", "0:a:0?",
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", audio_bitrate, "-movflags", "+faststart", str(out),
    ]  # fmt: skip
