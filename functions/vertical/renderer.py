"""Renders a 9:16 cut of a 16:9 clip with ffmpeg: the scoreboard band on top, the play area below.

Only the ``ffmpeg`` binary is needed (the Lambda layer's static build has no
ffprobe): the source's size and duration come from what ffmpeg prints about it.

How the frame is built, and why:

- Output 720×1280 for sources under 1080 lines, else 1080×1920: never
  upscaled past what the source holds, and the sizes Shorts, TikTok and Reels
  take as they are.
- **Band**: the scoreboard sits top-left in FIFA broadcasts (the capture task
  searches the left 60 % and top 25 % for it), and a centre crop would cut it
  off. So the top-left ``BAND_WIDTH_FRACTION`` × ``BAND_HEIGHT_FRACTION`` of the
  source (which holds the HUD at every offset the sample broadcasts use) is
  scaled to the output's width (1.25× its source size) and stacked on top.
- **Play area**: the rest of the output, filled with the centre of the source
  cropped to the same aspect (full source height), so nothing is letterboxed.
- At most ``MAX_OUTPUT_FPS`` (30) frames a second: Shorts, TikTok and Reels play 30 fps, and a
  1080p60 source re-encoded at 60 costs twice the CPU (docs/cost.md).
- H.264 ``veryfast`` / CRF 23, ``yuv420p`` (what phones play), audio copied
  (it already is AAC in an MP4), ``+faststart`` so previews start at once.
  Faster presets cost less CPU but more bytes for the same CRF (on a 720p
  cut: ``superfast`` −30 % CPU, 2.5× the bytes; ``ultrafast`` −50 %, 4×), and
  a cut is stored once but downloaded and played many times.
- The thumbnail (``vertical.jpg``) comes out of the same ffmpeg run, from a
  branch of the built frame: the cut is decoded once, not again to find it.
- The clip comes from our own bucket, yet it is bytes from elsewhere: it is
  opened with ``-f mp4`` and ``-protocol_whitelist file`` so ffmpeg never
  probes it as something else (a playlist would make it fetch URLs), and its
  first bytes must be an MP4 box (``check_mp4``).

Example:
    >>> result = render_vertical(Path("clip.mp4"), Path("out"), thumbnail_at_s=20.15)
    >>> result.width, result.height
    (720, 1280)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from functions.shared.ffmpeg import FILE_ONLY, describe_input, duration_s_in, looks_like_mp4
from functions.shared.ffmpeg import run_ffmpeg as shared_run_ffmpeg
from functions.vertical.exceptions import FfmpegError, UnusableSourceError

BAND_WIDTH_FRACTION = 0.45
"""Left part of the source width the scoreboard band shows (the HUD ends before ~40 % in every style)."""
BAND_HEIGHT_FRACTION = 0.15
"""Top part of the source height it shows (HUD offset ≤ 6 % plus a box ≤ 8 % tall)."""
TALL_OUTPUT_FROM_LINES = 1080
"""Sources with at least this many lines get 1080×1920; others 720×1280."""
MAX_OUTPUT_FPS = 30
"""Faster sources are cut to this rate (``fps`` filter); slower ones keep theirs."""
X264_PRESET = "veryfast"
X264_CRF = 23
FFMPEG_TIMEOUT_S = 600.0

MP4_INPUT = ("-f", "mp4", *FILE_ONLY)
_VIDEO_SIZE = re.compile(r"Stream #\d+:\d+.*?: Video: .*?\b(\d{2,5})x(\d{2,5})\b")
_VIDEO_FPS = re.compile(r"Stream #\d+:\d+.*?: Video: .*?, (\d+(?:\.\d+)?) fps")


@dataclass(frozen=True)
class Region:
    """A rectangle of a frame, in pixels."""

    x: int
    y: int
    width: int
    height: int

    def crop_filter(self) -> str:
        return f"crop={self.width}:{self.height}:{self.x}:{self.y}"


@dataclass(frozen=True)
class VideoInfo:
    """What ffmpeg says about a video file."""

    width: int
    height: int
    duration_s: float
    fps: float | None = None
    """Frames a second, when ffmpeg states it."""


@dataclass(frozen=True)
class VerticalLayout:
    """Where the band and the play area come from in the source, and where they go in the output."""

    width: int
    height: int
    band: Region
    """Source pixels of the scoreboard band."""
    band_height: int
    """Its height in the output (full output width)."""
    play: Region
    """Source pixels of the play area, shown below the band."""

    @property
    def play_height(self) -> int:
        return self.height - self.band_height

    def filter_graph(self, source_fps: float | None = None, *, thumbnail_at_s: float | None = None) -> str:
        """The ``-filter_complex`` that builds the frame as ``[v]`` (at most ``MAX_OUTPUT_FPS``).

        With ``thumbnail_at_s``, also ``[still]``: the first frame from that second on (only that one, so no later
        frame is converted for nothing), so the cut is decoded once for both rather than again for its thumbnail.
        """
        scale = "flags=bicubic"
        rate = f"fps={MAX_OUTPUT_FPS}," if source_fps and source_fps > MAX_OUTPUT_FPS + 0.5 else ""
        frame = (
            f"[0:v:0]{rate}split=2[top][rest];"
            f"[top]{self.band.crop_filter()},scale={self.width}:{self.band_height}:{scale},setsar=1[band];"
            f"[rest]{self.play.crop_filter()},scale={self.width}:{self.play_height}:{scale},setsar=1[play];"
            "[band][play]vstack=inputs=2,format=yuv420p"
        )
        if thumbnail_at_s is None:
            return f"{frame}[v]"
        # The thumbnail's own `scale` converts to the JPEG's full range; without it newer ffmpegs (the layer's 9)
        # negotiate that range back through `split` and the cut becomes full-range (yuvj420p) too.
        first_from = f"gte(t,{thumbnail_at_s:.3f})*isnan(prev_selected_t)"
        return f"{frame},split=2[v][from];[from]select='{first_from}',scale[still]"


@dataclass(frozen=True)
class VerticalResult:
    """What ``render_vertical`` wrote."""

    clip_path: Path
    thumbnail_path: Path
    width: int
    height: int
    duration_s: float
    source: VideoInfo
    layout: VerticalLayout


def vertical_layout(source_width: int, source_height: int) -> VerticalLayout:
    """The 9:16 layout for a source of this size (even sizes everywhere: H.264 4:2:0 needs them).

    Example:
        >>> layout = vertical_layout(1280, 720)
        >>> (layout.width, layout.height, layout.band, layout.band_height)
        (720, 1280, Region(x=0, y=0, width=576, height=108), 134)
    """
    if source_width < 16 or source_height < 16:
        raise UnusableSourceError(f"the clip is {source_width}×{source_height}; too small to cut a vertical from")
    width = 1080 if source_height >= TALL_OUTPUT_FROM_LINES else 720
    height = width * 16 // 9
    band = Region(0, 0, _even(source_width * BAND_WIDTH_FRACTION), _even(source_height * BAND_HEIGHT_FRACTION))
    band_height = _even(width * band.height / band.width)
    play_height = height - band_height
    play_width = min(_even(source_height * width / play_height), _even(source_width))
    play = Region(_even((source_width - play_width) / 2), 0, play_width, _even(source_height))
    return VerticalLayout(width=width, height=height, band=band, band_height=band_height, play=play)


def render_vertical(
    source: Path,
    out_dir: Path,
    *,
    thumbnail_at_s: float,
    ffmpeg: str = "ffmpeg",
    source_name: str | None = None,
    background: bool = False,
) -> VerticalResult:
    """Write ``out_dir/vertical.mp4`` and ``out_dir/vertical.jpg`` (the frame at ``thumbnail_at_s``).

    Raises UnusableSourceError when ``source`` is not an MP4 with video, FfmpegError when ffmpeg fails;
    errors name the source as ``source_name`` (e.g. its S3 location) when given. ``background`` runs
    ffmpeg with one thread at a low CPU priority (nice 10) (default: every core, normal priority).
    """
    check_mp4(source, name=source_name)
    info = probe_video(source, ffmpeg=ffmpeg)
    layout = vertical_layout(info.width, info.height)
    out_dir.mkdir(parents=True, exist_ok=True)
    clip_path, thumbnail_path = out_dir / "vertical.mp4", out_dir / "vertical.jpg"
    # The cut is as long as its source (frames are dropped only to cap the rate), so a moment within the source's
    # last 0.1 s exists in the cut too.
    at_s = min(max(thumbnail_at_s, 0.0), max(info.duration_s - 0.1, 0.0))
    one_thread = ("-threads", "1") if background else ()
    run_ffmpeg(
        ffmpeg,
        *one_thread, *MP4_INPUT, "-i", str(source),
        *(("-filter_complex_threads", "1") if background else ()),
        "-filter_complex", layout.filter_graph(info.fps, thumbnail_at_s=at_s),
        *("-map", "[v]", "-map", "0:a:0?"),
        *("-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF)),
        *one_thread,
        *("-c:a", "copy", "-movflags", "+faststart"),
        str(clip_path),
        *("-map", "[still]", "-frames:v", "1", "-q:v", "3", "-update", "1", str(thumbnail_path)),
        what=f"render the {layout.width}×{layout.height} cut of {source.name} and its thumbnail at {at_s:.3f} s",
        lowest_priority=background,
    )  # fmt: skip
    if not thumbnail_path.exists():
        raise FfmpegError(f"ffmpeg wrote no thumbnail at {at_s:.3f} s of {clip_path}; the cut has no frame there")
    rendered = probe_video(clip_path, ffmpeg=ffmpeg)
    return VerticalResult(clip_path, thumbnail_path, rendered.width, rendered.height, rendered.duration_s, info, layout)


def check_mp4(path: Path, *, name: str | None = None) -> None:
    """Refuse a file whose first box is not an MP4 one: ffmpeg must not be left to guess what it is."""
    with path.open("rb") as media:
        head = media.read(12)
    if not looks_like_mp4(head):
        shown = head.decode("ascii", "replace").replace("\n", " ") if head else "nothing"
        raise UnusableSourceError(
            f"the clip {name or path.name} is not an MP4 (it starts with {shown!r}); the vertical cut is made only "
            "from the MP4s the clip function writes"
        )


def probe_video(path: Path, *, ffmpeg: str = "ffmpeg") -> VideoInfo:
    """Size and duration of an MP4's first video stream, from ffmpeg's description of it."""
    description = describe_input(ffmpeg, *MP4_INPUT, "-i", str(path), error=FfmpegError, timeout_s=FFMPEG_TIMEOUT_S)
    duration_s, size = duration_s_in(description), _VIDEO_SIZE.search(description)
    if duration_s is None or size is None:
        raise UnusableSourceError(f"ffmpeg finds no video in {path.name}: {description.strip()[-300:] or 'no output'}")
    fps = _VIDEO_FPS.search(description)
    return VideoInfo(int(size[1]), int(size[2]), duration_s, float(fps[1]) if fps else None)


def run_ffmpeg(ffmpeg: str, *arguments: str, what: str, lowest_priority: bool = False) -> None:
    """``functions.shared.ffmpeg.run_ffmpeg`` with the vertical function's error and time limit."""
    shared_run_ffmpeg(
        ffmpeg, *arguments, what=what, error=FfmpegError, timeout_s=FFMPEG_TIMEOUT_S, lowest_priority=lowest_priority
    )


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)
