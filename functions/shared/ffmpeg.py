"""What the clip and vertical functions both need of ffmpeg: local files only, checked MP4s, durations, a runner.

Only the ``ffmpeg`` binary is at hand (the Lambda layer's static build has no ffprobe), so durations come
from the ``Duration:`` line ffmpeg prints about an input. Media bytes come from the network: ffmpeg must
never probe them (a "segment" holding an HLS playlist would make it fetch the URLs inside), so inputs are
opened with ``FILE_ONLY`` and a forced format, and an MP4's first box is checked before ffmpeg sees it.

Example:
    >>> run_ffmpeg("ffmpeg", "-f", "mp4", *FILE_ONLY, "-i", "in.mp4", "out.jpg", what="take a frame",
    ...            error=FfmpegError, timeout_s=300)
"""

from __future__ import annotations

import os
import re
import subprocess

FILE_ONLY = ("-protocol_whitelist", "file")
"""ffmpeg may open local files only: never http, tcp, or a playlist's URLs."""
MP4_FIRST_BOXES = frozenset({b"ftyp", b"styp", b"moof", b"moov", b"sidx", b"free", b"mdat", b"wide", b"skip"})
"""Box types an MP4 (plain or fragmented) may open with: bytes 4–8 of the file."""

LOWEST_PRIORITY_NICE = 10
"""The nice value of a background ffmpeg: below the capture task sharing the machine, yet not starved.
At 19 (weight 15 against 1024) a laptop busy with anything else left a 10 CPU s cut waiting for many
minutes; at 10 (weight 110) it gets ~10 % of a core a nice-0 process contends for (it yields the other ~90 %),
and finishes."""

_DURATION = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


def looks_like_mp4(head: bytes) -> bool:
    """Whether a file's first bytes (at least 8) open with an MP4 box."""
    return head[4:8] in MP4_FIRST_BOXES


def duration_s_in(description: str) -> float | None:
    """The seconds of ffmpeg's ``Duration: 00:00:26.03`` line in its description of an input, if any."""
    match = _DURATION.search(description)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def run_ffmpeg(
    ffmpeg: str,
    *arguments: str,
    what: str,
    error: type[Exception],
    timeout_s: float,
    loglevel: str = "error",
    lowest_priority: bool = False,
) -> str:
    """Run ffmpeg (overwriting outputs) and return what it printed; ``error`` (the caller's type) says why not.

    ``what`` completes "ffmpeg could not …" in the message, which ends with ffmpeg's own last words.
    ``lowest_priority`` runs it at nice ``LOWEST_PRIORITY_NICE``, so work sharing the machine (the local
    capture task) goes first.
    """
    command = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", loglevel, *arguments]
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            preexec_fn=_lowest_priority if lowest_priority else None,
        )
    except FileNotFoundError as missing:
        raise error(f"ffmpeg not found at {ffmpeg!r}; set FFMPEG_PATH or install ffmpeg") from missing
    except subprocess.TimeoutExpired as slow:
        raise error(f"ffmpeg took over {timeout_s:g} s to {what}") from slow
    if completed.returncode != 0:
        raise error(f"ffmpeg could not {what} (exit {completed.returncode}): {completed.stderr.strip()[-600:]}")
    return completed.stderr


def _lowest_priority() -> None:
    os.nice(LOWEST_PRIORITY_NICE)


def describe_input(ffmpeg: str, *input_options: str, error: type[Exception], timeout_s: float) -> str:
    """ffmpeg's description of one input (``input_options`` end with ``-i PATH``); it exits 1 without an output."""
    try:
        completed = subprocess.run(
            [ffmpeg, "-hide_banner", "-nostdin", *input_options],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except FileNotFoundError as missing:
        raise error(f"ffmpeg not found at {ffmpeg!r}; set FFMPEG_PATH or install ffmpeg") from missing
    return completed.stderr
