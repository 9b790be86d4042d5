"""Pipes rendered frames into a system ffmpeg: libx264, a keyframe every 2 s, 2 s MPEG-TS segments.

Why: Twitch cuts its HLS at keyframes every 2 s; clients (and the capture task) rely on
every segment starting with a keyframe and lasting exactly 2.000 s, so the GOP is
pinned (``-g``/``-keyint_min`` = 2 s of frames, no scene-cut keyframes) and the segment
muxer cuts on those keyframes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from sample_broadcast.exceptions import EncoderError
from sample_broadcast.hls import SEGMENT_DURATION_S, SEGMENT_NAME_PATTERN
from sample_broadcast.sprites import Frame

X264_PRESET = "veryfast"
AUDIO_SAMPLE_RATE_HZ = 48000
AUDIO_BITRATE = "96k"
CROWD_NOISE_AMPLITUDE = 0.04


def ffmpeg_binary() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        raise EncoderError("ffmpeg is not on PATH; install it (`apt-get install ffmpeg`) and run again.")
    return path


def _input_args(width: int, height: int, fps: int, duration_s: float, audio: bool) -> list[str]:
    args = ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}", "-r", str(fps), "-i", "pipe:0"]
    if audio:
        # Pink noise stands in for crowd sound: Twitch segments always carry an audio stream.
        source = f"anoisesrc=color=pink:amplitude={CROWD_NOISE_AMPLITUDE}:sample_rate={AUDIO_SAMPLE_RATE_HZ}:seed=1"
        args += ["-f", "lavfi", "-t", f"{duration_s:.3f}", "-i", source]
    return args


def _codec_args(fps: int, crf: int, audio: bool, bitrate_kbps: int = 0, preset: str = X264_PRESET) -> list[str]:
    gop = SEGMENT_DURATION_S * fps
    # A streamer's OBS caps the bitrate (Twitch allows up to ~8 Mbit/s); CRF is what a recording uses.
    # x264's VBV rate control on several threads is not deterministic: the same frames encoded twice at a capped
    # bitrate differed in 78 % of their pixels by up to 67 grey levels (dev-1109, rendered twice), so a stream's goals
    # and a test's outcome could change from one render to the next. On one thread it is; CRF is on any number.
    capped = ["-b:v", f"{bitrate_kbps}k", "-maxrate", f"{bitrate_kbps}k", "-bufsize", f"{2 * bitrate_kbps}k"]
    rate = [*capped, "-threads", "1"] if bitrate_kbps else ["-crf", str(crf)]
    args = [
        "-map", "0:v",
        "-c:v", "libx264", "-preset", preset, *rate, "-pix_fmt", "yuv420p",
        "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_DURATION_S})",
    ]  # fmt: skip
    if audio:
        args += ["-map", "1:a", "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2"]
    return args


def _run(command: list[str], frames: Iterable[Frame]) -> None:
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stderr is not None
    try:
        for frame in frames:
            process.stdin.write(frame.data if frame.flags.c_contiguous else frame.tobytes())
        process.stdin.close()
    except BrokenPipeError:
        pass
    stderr = process.stderr.read().decode(errors="replace")
    if process.wait() != 0:
        raise EncoderError(f"ffmpeg failed (exit {process.returncode}): {stderr.strip()[-2000:]}")


def encode_segments(
    frames: Iterable[Frame], out_dir: Path, *, width: int, height: int, fps: int, crf: int, duration_s: float,
    audio: bool = True, bitrate_kbps: int = 0, preset: str = X264_PRESET,
) -> list[Path]:  # fmt: skip
    """Encode ``frames`` into ``out_dir/seg_00000.ts``..., one file per 2 s; returns them in order.

    ``bitrate_kbps`` > 0 caps the video bitrate instead of encoding at constant quality ``crf``;
    ``preset`` is x264's speed preset (OBS's default is veryfast; weak PCs stream ultrafast).
    """
    command = [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y",
        *_input_args(width, height, fps, duration_s, audio),
        *_codec_args(fps, crf, audio, bitrate_kbps, preset),
        "-f", "segment", "-segment_time", str(SEGMENT_DURATION_S), "-segment_format", "mpegts",
        str(out_dir / SEGMENT_NAME_PATTERN),
    ]  # fmt: skip
    _run(command, frames)
    return sorted(out_dir.glob("seg_*.ts"))


def encode_clip(
    frames: Iterable[Frame], path: Path, *, width: int, height: int, fps: int, crf: int, duration_s: float,
    audio: bool = True,
) -> None:  # fmt: skip
    """Encode ``frames`` into one MPEG-TS file with the same settings (used for ad slates)."""
    command = [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y",
        *_input_args(width, height, fps, duration_s, audio),
        *_codec_args(fps, crf, audio),
        "-f", "mpegts", str(path),
    ]  # fmt: skip
    _run(command, frames)


def concat_to_mp4(segments: list[Path], path: Path) -> None:
    """Join the segments into one MP4 without re-encoding, for "local file" sources."""
    listing = path.with_suffix(".concat.txt")
    listing.write_text("".join(f"file '{segment.resolve()}'\n" for segment in segments))
    command = [
        ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", str(listing),
        "-c", "copy", "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    try:
        _run(command, [])
    finally:
        listing.unlink(missing_ok=True)
