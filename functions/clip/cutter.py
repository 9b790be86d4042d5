"""Cuts one MP4 highlight and a JPEG thumbnail out of consecutive HLS segments with ffmpeg, no re-encoding.

Only the ``ffmpeg`` binary is needed (the Lambda layer ships imageio-ffmpeg's
static build, which has no ffprobe): durations come from the ``Duration:``
line ffmpeg prints for a file.

How the cut is made, and why:

- The segment files are joined with the concat *demuxer*, which lays them end
  to end on one timeline even across timestamp discontinuities (Twitch
  restarts timestamps after ads); each file's playlist duration is written
  into the list, so file N starts exactly where the segment times say (left
  alone, ffmpeg would stretch each by its audio track, ~50 ms a segment).
- The clip starts on the first frame of the segment holding the window's
  start: HLS segments open on a keyframe, so stream copy starts cleanly there
  with no seek at all (a copy seek drops packets by decode time, and with
  B-frames a keyframe decodes before it shows: it would be dropped and the
  clip would start a whole segment late). The goal is always inside.
- ``-t`` ends the clip at the window's end (a copy may end on any frame).
- ``-movflags +faststart`` puts ``moov`` first so browsers and chat previews
  start playing before the whole file arrives; ``-avoid_negative_ts make_zero``
  makes the clip start at 0, as players and Streamable expect.
- Only the first video and (if any) audio streams are kept: Twitch's MPEG-TS
  also carries ID3 timed metadata, which the MP4 muxer refuses.
- Segment bytes come from the network, and ffmpeg *probes* an input whose
  format is not forced: a "segment" holding an HLS playlist would make it
  fetch the URLs inside (server-side request forgery). So every input is
  opened with ``-protocol_whitelist file`` (nested opens inherit it) and its
  format forced (``-f mpegts``/``-f mp4``; ``-f concat`` for the list), and
  the concat demuxer, which probes the files it lists, is only given files
  whose first bytes are MPEG-TS or MP4 (``check_container``).

Example:
    >>> result = cut_clip([Path("a.ts"), Path("b.ts")], 1.5, 3.9, 2.8, Path("out"))
    >>> result.duration_s, result.goal_offset_in_clip_s
    (2.4, 0.8)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from functions.clip.exceptions import FfmpegError
from functions.shared.ffmpeg import FILE_ONLY, describe_input, duration_s_in, looks_like_mp4
from functions.shared.ffmpeg import run_ffmpeg as shared_run_ffmpeg

KEYFRAME_SLACK_S = 0.1
"""A segment starting this close after the window's start still counts as holding it (float rounding)."""

THUMBNAIL_AFTER_GOAL_S = 0.15
"""The thumbnail is taken this long after the goal's first frame (a few frames at 30-60 fps)."""

FFMPEG_TIMEOUT_S = 300.0

_TS_PACKET_BYTES = 188

_PTS_TIME = re.compile(r"pts_time:\s*(-?[0-9.]+)")


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
    durations_s: Sequence[float] | None = None,
) -> ClipResult:
    """Cut ``[window_start_offset_s, window_end_offset_s]`` (widened back to a keyframe) into ``out_dir/clip.mp4``.

    Offsets are seconds from the start of the first segment, on the timeline of
    the segments laid end to end. ``segment_paths`` are MPEG-TS files or whole
    fragmented MP4s (init section followed by its fragments). ``durations_s``
    (each file's duration per the playlist) pins every file's start on the
    timeline: without it ffmpeg lays files end to end by their own durations,
    which the audio track stretches by ~50 ms per segment. Raises
    FfmpegError, with ffmpeg's last words, when ffmpeg fails.
    """
    if not segment_paths:
        raise ValueError("cut_clip needs at least one segment file")
    if window_end_offset_s <= window_start_offset_s:
        raise ValueError(f"the window ends ({window_end_offset_s} s) before it starts ({window_start_offset_s} s)")
    for path in segment_paths:
        check_container(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    durations = (
        list(durations_s) if durations_s is not None else [media_duration_s(p, ffmpeg=ffmpeg) for p in segment_paths]
    )
    starts = [sum(durations[:index]) for index in range(len(durations))]
    # HLS segments open on a keyframe: starting the copy at the segment holding the window's start needs
    # no seek at all (a seek in stream copy drops by decode time, and B-frames put a keyframe's before it).
    first = max(
        [index for index, start in enumerate(starts) if start <= window_start_offset_s + KEYFRAME_SLACK_S] or [0]
    )
    start_s = starts[first]
    playlist = _concat_list(segment_paths[first:], out_dir / "segments.txt", durations[first:])
    clip_path = out_dir / "clip.mp4"
    run_ffmpeg(
        ffmpeg,
        *("-f", "concat", *FILE_ONLY, "-safe", "0", "-i", str(playlist)),
        *("-t", f"{window_end_offset_s - start_s:.3f}"),
        *("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"),
        *("-movflags", "+faststart", "-avoid_negative_ts", "make_zero"),
        str(clip_path),
        what=f"cut {clip_path.name} from {len(segment_paths) - first} segments",
    )
    duration_s = media_duration_s(clip_path, ffmpeg=ffmpeg)

    goal_in_clip_s = min(max(goal_offset_s - start_s, 0.0), max(duration_s - 0.1, 0.0))
    thumbnail_path = out_dir / "thumbnail.jpg"
    # The MP4's first frame may sit a few ms after zero (stream copy keeps the source's timing), so
    # seeking exactly to the goal can land on the frame before it; a little later shows the new score.
    thumbnail_at_s = min(goal_in_clip_s + THUMBNAIL_AFTER_GOAL_S, max(duration_s - 0.1, 0.0))
    run_ffmpeg(
        ffmpeg,
        *("-ss", f"{thumbnail_at_s:.3f}", *input_format(clip_path), "-i", str(clip_path)),
        *("-map", "0:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1"),
        str(thumbnail_path),
        what=f"take the thumbnail at {goal_in_clip_s:.3f} s",
    )
    if not thumbnail_path.exists():
        raise FfmpegError(
            f"ffmpeg wrote no thumbnail at {goal_in_clip_s:.3f} s of {clip_path}; the clip has no frame there"
        )
    return ClipResult(clip_path, thumbnail_path, start_s, duration_s, goal_in_clip_s)


def input_format(path: Path) -> tuple[str, ...]:
    """The options that open ``path`` as what its name says it is, from local files only (no probing)."""
    forced = "mpegts" if path.suffix == ".ts" else "mp4"
    return ("-f", forced, *FILE_ONLY)


def check_container(path: Path, *, what: str | None = None) -> None:
    """Refuse a file whose first bytes are not MPEG-TS (``.ts``) or MP4 (anything else): ffmpeg must not probe it.

    Raises FfmpegError naming the file (``what``, default "segment file NAME") and what its bytes look like
    instead (a playlist, text, nothing).
    """
    with path.open("rb") as media:
        head = media.read(_TS_PACKET_BYTES + 1)
    if path.suffix == ".ts":
        looks_right = len(head) > 0 and head[0] == 0x47 and (len(head) <= _TS_PACKET_BYTES or head[-1] == 0x47)
    else:
        looks_right = looks_like_mp4(head)
    if not looks_right:
        shown = head[:16].decode("ascii", "replace").replace("\n", " ") if head else "nothing"
        kind = "MPEG-TS" if path.suffix == ".ts" else "MP4"
        name = what or f"segment file {path.name}"
        raise FfmpegError(
            f"{name} is not {kind} (it starts with {shown!r}); refusing to let ffmpeg guess its format, since a "
            "playlist posing as media would make ffmpeg fetch the URLs inside it"
        )


def media_duration_s(path: Path, *, ffmpeg: str = "ffmpeg") -> float:
    """A media file's duration as ffmpeg reads it from the container (``Duration: 00:00:26.03``)."""
    description = describe_input(
        ffmpeg, *input_format(path), "-i", str(path), error=FfmpegError, timeout_s=FFMPEG_TIMEOUT_S
    )
    duration_s = duration_s_in(description)
    if duration_s is None:
        raise FfmpegError(f"ffmpeg could not read the duration of {path}: {description.strip()[-400:]}")
    return duration_s


def _concat_list(segment_paths: Sequence[Path], playlist: Path, durations_s: Sequence[float] | None = None) -> Path:
    # The concat demuxer's quoting: single quotes, with ' written as '\''.
    lines = ["ffconcat version 1.0"]
    for index, path in enumerate(segment_paths):
        lines.append("file '" + str(path.resolve()).replace("'", "'\\''") + "'")
        if durations_s is not None:
            lines.append(f"duration {durations_s[index]:.6f}")
    playlist.write_text("\n".join(lines) + "\n")
    return playlist


def run_ffmpeg(ffmpeg: str, *arguments: str, what: str, loglevel: str = "error") -> str:
    """``functions.shared.ffmpeg.run_ffmpeg`` with the clip function's error and time limit."""
    return shared_run_ffmpeg(
        ffmpeg, *arguments, what=what, error=FfmpegError, timeout_s=FFMPEG_TIMEOUT_S, loglevel=loglevel
    )
