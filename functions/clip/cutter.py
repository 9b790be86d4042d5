"""Cuts one MP4 highlight and a JPEG thumbnail out of consecutive HLS segments with ffmpeg, no re-encoding.

Only the ``ffmpeg`` binary is needed (the Lambda layer ships imageio-ffmpeg's
static build, which has no ffprobe): keyframe times come from decoding only
the keyframes through the ``showinfo`` filter, the real duration from the
``Duration:`` line ffmpeg prints for the finished file.

How the cut is made, and why:

- The segment files are joined with the concat *demuxer*, which lays them end
  to end on one timeline even across timestamp discontinuities (Twitch
  restarts timestamps after ads); offsets below are on that timeline, 0 being
  the first segment's start.
- The start is moved back to the last keyframe at or before the window's
  start, so stream copy can start cleanly and the goal is always inside. The
  output-side ``-ss`` is put just before that keyframe: when copying, ffmpeg
  drops packets before ``-ss`` and then non-keyframes until the first keyframe.
- ``-t`` ends the clip at the window's end (a copy may end on any frame).
- ``-movflags +faststart`` puts ``moov`` first so browsers and chat previews
  start playing before the whole file arrives; ``-avoid_negative_ts make_zero``
  makes the clip start at 0, as players and Streamable expect.
- Only the first video and (if any) audio streams are kept: Twitch's MPEG-TS
  also carries ID3 timed metadata, which the MP4 muxer refuses.

Example:
    >>> result = cut_clip([Path("a.ts"), Path("b.ts")], 1.5, 3.9, 2.8, Path("out"))
    >>> result.duration_s, result.goal_offset_in_clip_s
    (2.4, 0.8)
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.clip.exceptions import FfmpegError

KEYFRAME_SLACK_S = 0.1
"""A keyframe this close after the window's start still counts as "at" it (audio priming shifts video by ~20 ms)."""

SEEK_BEFORE_KEYFRAME_S = 0.005
"""``-ss`` goes this far before the chosen keyframe, so float rounding never skips it."""

FFMPEG_TIMEOUT_S = 300.0

_PTS_TIME = re.compile(r"pts_time:\s*(-?[0-9.]+)")
_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


@dataclass(frozen=True)
class ClipResult:
    """What ``cut_clip`` wrote, and where it sits on the segments' timeline (seconds)."""

    clip_path: Path
    thumbnail_path: Path
    start_offset_s: float
    """Where the clip starts, from the first segment's start (a keyframe at or before the window's start)."""
    duration_s: float
    """The real duration of the MP4, as ffmpeg reads it back."""
    goal_offset_in_clip_s: float
    """Where the goal is inside the clip (the thumbnail's moment)."""


def cut_clip(
    segment_paths: Sequence[Path],
    window_start_offset_s: float,
    window_end_offset_s: float,
    goal_offset_s: float,
    out_dir: Path,
    *,
    ffmpeg: str = "ffmpeg",
) -> ClipResult:
    """Cut ``[window_start_offset_s, window_end_offset_s]`` (widened back to a keyframe) into ``out_dir/clip.mp4``.

    Offsets are seconds from the start of the first segment, on the timeline of
    the segments laid end to end. ``segment_paths`` are MPEG-TS files or whole
    fragmented MP4s (init section followed by its fragments). Raises
    FfmpegError, with ffmpeg's last words, when ffmpeg fails.
    """
    if not segment_paths:
        raise ValueError("cut_clip needs at least one segment file")
    if window_end_offset_s <= window_start_offset_s:
        raise ValueError(f"the window ends ({window_end_offset_s} s) before it starts ({window_start_offset_s} s)")
    out_dir.mkdir(parents=True, exist_ok=True)
    playlist = _concat_list(segment_paths, out_dir / "segments.txt")

    keyframes = keyframe_offsets(playlist, ffmpeg=ffmpeg)
    start_s = clip_start_offset(keyframes, max(window_start_offset_s, 0.0))
    clip_path = out_dir / "clip.mp4"
    _run(
        ffmpeg,
        *("-f", "concat", "-safe", "0", "-i", str(playlist)),
        *("-ss", f"{max(start_s - SEEK_BEFORE_KEYFRAME_S, 0.0):.3f}"),
        *("-t", f"{window_end_offset_s - start_s:.3f}"),
        *("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"),
        *("-movflags", "+faststart", "-avoid_negative_ts", "make_zero"),
        str(clip_path),
        what=f"cut {clip_path.name} from {len(segment_paths)} segments",
    )
    duration_s = media_duration_s(clip_path, ffmpeg=ffmpeg)

    goal_in_clip_s = min(max(goal_offset_s - start_s, 0.0), max(duration_s - 0.1, 0.0))
    thumbnail_path = out_dir / "thumbnail.jpg"
    _run(
        ffmpeg,
        *("-ss", f"{goal_in_clip_s:.3f}", "-i", str(clip_path)),
        *("-map", "0:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1"),
        str(thumbnail_path),
        what=f"take the thumbnail at {goal_in_clip_s:.3f} s",
    )
    if not thumbnail_path.exists():
        raise FfmpegError(
            f"ffmpeg wrote no thumbnail at {goal_in_clip_s:.3f} s of {clip_path}; the clip has no frame there"
        )
    return ClipResult(clip_path, thumbnail_path, start_s, duration_s, goal_in_clip_s)


def clip_start_offset(keyframes: Sequence[float], window_start_offset_s: float) -> float:
    """The last keyframe at (or within KEYFRAME_SLACK_S after) the window's start; the first keyframe if none.

    Example:
        >>> clip_start_offset([0.02, 2.02, 4.02], 3.0)
        2.02
    """
    eligible = [k for k in keyframes if k <= window_start_offset_s + KEYFRAME_SLACK_S]
    if eligible:
        return max(eligible)
    return min(keyframes) if keyframes else 0.0


def keyframe_offsets(playlist: Path, *, ffmpeg: str = "ffmpeg") -> list[float]:
    """Times of the video keyframes on the concat timeline (only keyframes are decoded: cheap)."""
    output = _run(
        ffmpeg,
        *("-skip_frame", "nokey", "-f", "concat", "-safe", "0", "-i", str(playlist)),
        *("-map", "0:v:0", "-vf", "showinfo", "-f", "null", "-"),
        what="list the keyframes",
        loglevel="info",
    )
    return sorted(float(match) for match in _PTS_TIME.findall(output))


def media_duration_s(path: Path, *, ffmpeg: str = "ffmpeg") -> float:
    """A media file's duration as ffmpeg reads it from the container (``Duration: 00:00:26.03``)."""
    # Without an output ffmpeg exits 1 after printing the input's description; that is expected here.
    completed = subprocess.run(
        [ffmpeg, "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=FFMPEG_TIMEOUT_S,
        check=False,
    )
    match = _DURATION.search(completed.stderr)
    if match is None:
        raise FfmpegError(f"ffmpeg reports no duration for {path}: {completed.stderr.strip()[-400:]}")
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _concat_list(segment_paths: Sequence[Path], playlist: Path) -> Path:
    # The concat demuxer's quoting: single quotes, with ' written as '\''.
    lines = ["ffconcat version 1.0"]
    lines += ["file '" + str(path.resolve()).replace("'", "'\\''") + "'" for path in segment_paths]
    playlist.write_text("\n".join(lines) + "\n")
    return playlist


def _run(ffmpeg: str, *arguments: str, what: str, loglevel: str = "error") -> str:
    command = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", loglevel, *arguments]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=FFMPEG_TIMEOUT_S, check=False)
    except FileNotFoundError as error:
        raise FfmpegError(f"ffmpeg not found at {ffmpeg!r}; set FFMPEG_PATH or install ffmpeg") from error
    except subprocess.TimeoutExpired as error:
        raise FfmpegError(f"ffmpeg took over {FFMPEG_TIMEOUT_S:g} s to {what}") from error
    if completed.returncode != 0:
        raise FfmpegError(f"ffmpeg could not {what} (exit {completed.returncode}): {completed.stderr.strip()[-600:]}")
    return completed.stderr
