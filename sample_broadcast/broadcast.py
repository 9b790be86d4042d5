"""Renders a whole sample broadcast to disk: HLS segments, playlist, ground truth, optional MP4.

Why: tests and benchmarks need the same broadcast many times; :func:`ensure_broadcast`
renders it once per (script, style, generator version) and lets parallel test workers
share the result: one renders while the others wait, and the finished directory appears by
one atomic rename.

Example:
    >>> info = ensure_broadcast(Path(".cache/broadcasts"), random_script(1, 32), random_style(1))
    >>> info.playlist, info.truth()["goals"][0]["at"]
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sample_broadcast.encode import concat_to_mp4, encode_segments
from sample_broadcast.exceptions import EncoderError
from sample_broadcast.hls import PLAYLIST_NAME, SEGMENT_DURATION_S, render_media_playlist, vod_segments
from sample_broadcast.render import FrameRenderer
from sample_broadcast.script import MatchScript
from sample_broadcast.style import BroadcastStyle
from sample_broadcast.truth import GENERATOR_VERSION, build_truth

DEFAULT_START_PDT = datetime(2024, 5, 18, 19, 30, 7, 250000, tzinfo=UTC)
TRUTH_NAME = "truth.json"
GENERATOR_NAME = "generator.json"
"""The script and style a broadcast was rendered from; kept apart from the truth on purpose."""
MP4_NAME = "broadcast.mp4"


@dataclass(frozen=True)
class BroadcastInfo:
    """Where a rendered broadcast's files are."""

    directory: Path
    playlist: Path
    segments: tuple[Path, ...]
    truth_path: Path
    mp4: Path | None

    def truth(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.truth_path.read_text())
        return result

    @classmethod
    def from_dir(cls, directory: Path) -> BroadcastInfo:
        mp4 = directory / MP4_NAME
        return cls(
            directory=directory,
            playlist=directory / PLAYLIST_NAME,
            segments=tuple(sorted(directory.glob("seg_*.ts"))),
            truth_path=directory / TRUTH_NAME,
            mp4=mp4 if mp4.exists() else None,
        )


def render_broadcast(
    out_dir: Path,
    script: MatchScript,
    style: BroadcastStyle,
    start_pdt: datetime = DEFAULT_START_PDT,
    *,
    mp4: bool = False,
) -> BroadcastInfo:
    """Render, encode and describe one broadcast into ``out_dir`` (created; must be empty)."""
    if start_pdt.tzinfo is None:
        raise ValueError("start_pdt must be timezone-aware (UTC), e.g. datetime(..., tzinfo=UTC).")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty; choose a new directory or delete it first.")
    renderer = FrameRenderer(script, style)
    segments = encode_segments(
        renderer.frames(), out_dir, width=style.width, height=style.height, fps=style.fps, crf=style.crf,
        duration_s=script.duration_s, audio=style.audio,
        bitrate_kbps=style.bitrate_kbps if style.rate_control == "capped" else 0, preset=style.x264_preset,
    )  # fmt: skip
    expected = script.duration_s // SEGMENT_DURATION_S
    if len(segments) != expected:
        raise EncoderError(f"ffmpeg wrote {len(segments)} segments instead of {expected}; check its version.")
    playlist = render_media_playlist(vod_segments(start_pdt, expected), 0, ended=True)
    (out_dir / PLAYLIST_NAME).write_text(playlist)
    (out_dir / TRUTH_NAME).write_text(json.dumps(build_truth(script, style, start_pdt), indent=2) + "\n")
    generator = {
        "generator_version": GENERATOR_VERSION,
        "script": dataclasses.asdict(script),
        "style": dataclasses.asdict(style),
    }
    (out_dir / GENERATOR_NAME).write_text(json.dumps(generator, indent=2) + "\n")
    if mp4:
        concat_to_mp4(segments, out_dir / MP4_NAME)
    return BroadcastInfo.from_dir(out_dir)


def broadcast_key(script: MatchScript, style: BroadcastStyle, start_pdt: datetime, mp4: bool) -> str:
    """A short hash naming the cache directory of one (script, style, version) combination."""
    identity = {
        "generator_version": GENERATOR_VERSION,
        "script": dataclasses.asdict(script),
        "style": dataclasses.asdict(style),
        "start_pdt": start_pdt.isoformat(),
        "mp4": mp4,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def ensure_broadcast(
    cache_root: Path,
    script: MatchScript,
    style: BroadcastStyle,
    start_pdt: datetime = DEFAULT_START_PDT,
    *,
    mp4: bool = False,
) -> BroadcastInfo:
    """The cached broadcast for these inputs, rendering it first if no worker has yet.

    A worker that finds another one rendering the same broadcast waits for it (a lock on the cache
    entry) instead of rendering it a second time beside it: on a fresh clone the test workers start
    with the same broadcasts.
    """
    cache_root = Path(cache_root)
    final = cache_root / broadcast_key(script, style, start_pdt, mp4)
    if (final / TRUTH_NAME).exists():
        return BroadcastInfo.from_dir(final)
    cache_root.mkdir(parents=True, exist_ok=True)
    # The lock file lives in the temporary folder, so the cache holds only finished broadcasts.
    lock_name = f"highlight-bot-render-{hashlib.sha256(str(final.resolve()).encode()).hexdigest()[:16]}.lock"
    with (Path(tempfile.gettempdir()) / lock_name).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if this process dies
        if (final / TRUTH_NAME).exists():
            return BroadcastInfo.from_dir(final)  # rendered by the worker that held the lock
        scratch = Path(tempfile.mkdtemp(prefix=".rendering-", dir=cache_root))
        try:
            render_broadcast(scratch, script, style, start_pdt, mp4=mp4)
            try:
                os.rename(scratch, final)
            except OSError:
                if not (final / TRUTH_NAME).exists():
                    raise
                # Another process finished the same broadcast first (one without this lock); theirs is identical.
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return BroadcastInfo.from_dir(final)
