"""Decodes HLS segments into timed grey frames with PyAV, from the bytes in memory.

Why this way:
- A segment's bytes come from the network. A demuxer chosen by probing them can be one that
  opens what the bytes name (an HLS playlist or a concat script fetches its entries; an SDP
  description opens sockets). So the demuxer is never probed: it is forced to the container the
  playlist declared (MPEG-TS, or MP4 for fMP4 fragments with their init section in front), the
  bytes are read from memory, and any nested open is limited to the ``file`` protocol (the MP4
  demuxer's external data references are off by default, so none happens).
- MPEG-TS needs no demuxer at all: its video packets are taken out by hand (``keyframes``) and fed
  to a decoder with their timestamps. Opening the demuxer decoded ~7 frames only to probe them.
- The reader works in grey: only the luma plane is kept, no colour conversion per frame.

Every frame's time is the segment's program-date-time plus the frame's offset inside the
segment, never the wall clock of the machine decoding it.
"""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.keyframes import (
    VideoPes,
    decode_keyframe,
    full_range_grey,
    non_reference_picture,
    non_reference_sample,
    video_pes_packets,
)

Frame = NDArray[Any]  # OpenCV images (uint8 grey here); its stubs type them loosely

DEMUXERS = {"ts": "mpegts", "fmp4": "mp4"}
"""The FFmpeg demuxer forced for each container a playlist can declare."""
FILE_ONLY = {"protocol_whitelist": "file"}
"""Options every segment is opened with: no network protocol, whatever a demuxer would open."""
_local = threading.local()
PES_CLOCK_HZ = 90_000
PES_TIME_BASE = Fraction(1, PES_CLOCK_HZ)
"""MPEG-TS timestamps count a 90 kHz clock."""
Skippable = Callable[[float], bool]
"""Says, from a frame's stream time, that whoever reads the frames would pass that frame over unseen."""
SkippablePts = Callable[[int, Fraction], bool]
"""The same, from a frame's pts and the time base it counts in."""


@dataclass(frozen=True)
class TimedFrame:
    """A decoded frame and when it was on screen."""

    at: datetime
    stream_time: float
    image: Frame
    exact_rows: int | None = None
    """How many rows from the top are decoded exactly (the rest is black); None: all of them."""

    @property
    def whole(self) -> bool:
        return self.exact_rows is None or self.exact_rows >= self.image.shape[0]


class UndecodableSegment(ValueError):
    """The segment's bytes are not the container its playlist declared, or hold no video."""


@contextmanager
def _opened(segment: SegmentMedia) -> Iterator[Any]:
    """The segment's video stream, demuxed as its declared container only, decoding on one thread."""
    demuxer = DEMUXERS.get(segment.container)
    if demuxer is None:
        raise UndecodableSegment(f"segment {segment.sequence} has container {segment.container!r}, not ts or fmp4")
    data = (segment.init_section or b"") + segment.data
    try:
        container = av.open(io.BytesIO(data), format=demuxer, options=FILE_ONLY)
    except (av.error.FFmpegError, EOFError) as error:
        raise UndecodableSegment(
            f"segment {segment.sequence} could not be decoded as {demuxer} ({error.__class__.__name__})"
        ) from error
    try:
        if not container.streams.video:
            raise UndecodableSegment(f"segment {segment.sequence} holds no video stream")
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1  # one core per capture task
        yield container, stream
    finally:
        container.close()


def _decoded(
    segment: SegmentMedia, skip_pts: SkippablePts | None = None
) -> Iterator[tuple[Any, float, Fraction | None]]:
    """(frame, fps, time base of its pts) of the segment in presentation order; a decoding error ends
    the segment early. A non-reference H.264 picture whose pts ``skip_pts`` says is not wanted is not
    decoded."""
    found = _pes_units(segment)
    if found is not None:
        yield from _decoded_from_pes(*found, skip_pts=skip_pts)
        return
    with _opened(segment) as (container, stream):
        fps = float(stream.average_rate or stream.guessed_rate or 30.0)
        non_reference = _non_reference_test(stream.codec_context) if skip_pts is not None else None
        try:
            # What ``container.decode(stream)`` does, with a say on each packet.
            for packet in container.demux(stream):
                if (
                    non_reference is not None
                    and skip_pts is not None
                    and packet.pts is not None
                    and packet.time_base is not None
                    and non_reference(bytes(packet))
                    and skip_pts(packet.pts, packet.time_base)
                ):
                    continue
                for frame in packet.decode():
                    yield frame, fps, frame.time_base
        except (av.error.FFmpegError, EOFError):
            return


def _pes_units(segment: SegmentMedia) -> tuple[str, list[VideoPes]] | None:
    """(codec, video PES packets) of an MPEG-TS segment whose every packet carries its pts: those are decoded without
    a demuxer (``_decoded_from_pes``); None for anything else (fMP4, or a stream that needs the demuxer's timing)."""
    if segment.container != "ts" or segment.init_section:
        return None
    found = video_pes_packets(segment.data)
    return found if found is not None and all(unit.pts is not None for unit in found[1]) else None


def _non_reference_test(codec_context: Any) -> Callable[[bytes], bool] | None:
    """How to tell a demuxed packet holds a non-reference H.264 picture: MP4 samples (``avcC`` extradata,
    NAL units led by their lengths) or Annex B (start codes, as MPEG-TS carries them); None for other codecs."""
    if codec_context.name != "h264":
        return None
    extradata = codec_context.extradata or b""
    if extradata[:1] == b"\x01" and len(extradata) > 4:
        length_size = (extradata[4] & 0x03) + 1
        return lambda sample: non_reference_sample(sample, length_size)
    return non_reference_picture


def _decoded_from_pes(
    codec: str, units: list[VideoPes], *, skip_pts: SkippablePts | None = None
) -> Iterator[tuple[Any, float, Fraction | None]]:
    """The frames of an MPEG-TS segment's video PES packets, fed straight to a decoder of their own.

    Why not the demuxer: opening one probes the stream, and for H.264 that means decoding its first
    ~7 frames once more (~80 ms of CPU per 1080p segment, as much as 15 frames decoded for use).
    The packets and their timestamps are what the demuxer would hand the decoder; the frames are
    the same (``tests/functional/test_capture_media_opening.py`` compares them).

    A non-reference H.264 picture (a B-frame no other frame predicts from: ~26 % of the decoding at
    1080p30, ~39 % at 1080p60 on the bench streams) is not fed to the decoder when ``skip_pts`` says
    its pts is not wanted: no other frame changes, since none refers to it.
    """
    times = sorted({unit.pts for unit in units if unit.pts is not None})
    steps = [later - earlier for earlier, later in pairwise(times) if later > earlier]
    fps = PES_CLOCK_HZ / sorted(steps)[len(steps) // 2] if steps else 30.0
    decoder: Any = av.CodecContext.create(codec, "r")  # a video decoder; its stubs type it as any codec
    decoder.thread_count = 1  # one core per capture task
    try:
        for unit in units:
            if (
                skip_pts is not None
                and codec == "h264"
                and unit.pts is not None
                and non_reference_picture(unit.data)
                and skip_pts(unit.pts, PES_TIME_BASE)
            ):
                continue
            packet = av.Packet(unit.data)
            packet.pts, packet.dts = unit.pts, unit.dts
            for frame in decoder.decode(packet):
                yield frame, fps, PES_TIME_BASE
        for frame in decoder.decode(None):
            yield frame, fps, PES_TIME_BASE
    except (av.error.FFmpegError, EOFError):
        return


def _clamped(segment: SegmentMedia, offset_s: float) -> float:
    return min(max(offset_s, 0.0), segment.duration_s)


def _timed(segment: SegmentMedia, offset_s: float, image: Frame, exact_rows: int | None = None) -> TimedFrame:
    offset_s = _clamped(segment, offset_s)
    return TimedFrame(segment.start + timedelta(seconds=offset_s), segment.stream_time + offset_s, image, exact_rows)


def first_frame(segment: SegmentMedia, *, rows: int | None = None) -> TimedFrame | None:
    """The segment's first frame: a keyframe, since encoders cut segments there.

    Decoding it alone costs a fraction of decoding the whole segment; this is how the capture
    task keeps up with 1080p60 on a fraction of a core. From MPEG-TS it comes straight from the
    decoder (see ``keyframes``), and with ``rows`` only its top ``rows`` may be decoded.
    """
    if segment.container == "ts" and not segment.init_section:
        whole = _whole_keyframe_kept_open(segment) if rows is None else None
        if whole is not None:
            return whole
        keyframe = decode_keyframe(segment.data, rows)
        if keyframe is not None:
            return _timed(segment, 0.0, keyframe.image, None if keyframe.whole else keyframe.exact_rows)
    try:
        for frame, _fps, _time_base in _decoded(segment):
            return _timed(segment, 0.0, _grey(frame, None)[0])
    except UndecodableSegment:
        return None
    return None


def all_frames(
    segment: SegmentMedia, *, rows: int | None = None, skippable: Skippable | None = None
) -> Generator[TimedFrame]:
    """Every frame of the segment in order, timed by its offset in the segment.

    With ``rows``, only the top ``rows`` of each image are filled in (the rest is black): every
    frame is still decoded whole, but turning luma into grey costs as much as a fifth of that.

    With ``skippable``, a frame no other frame is predicted from (a non-reference B-frame) is not
    decoded when ``skippable(its stream time)`` says the reader would pass it over unseen. It is asked
    when the frame's bytes reach the decoder, a few frames before the frame would come out, so this is
    exact only for a reader whose answer for a frame turns from False to True as it reads, never back
    (one that skips frames too close to its last read): the frames it looks at are the same. Before the
    first frame comes out, a frame's time is not known and it is decoded.

    Offsets come from the frames' presentation timestamps relative to the first frame (fMP4 from
    Twitch has a non-zero presentation-time offset); when those are missing, from the frame index
    and the stream's frame rate. Raises ``UndecodableSegment`` for bytes that are not the
    declared container.
    """
    first_pts: int | None = None

    def skip_pts(pts: int, time_base: Fraction) -> bool:
        """Whether a frame with this pts would be skipped (see ``skippable``)."""
        if skippable is None or first_pts is None:
            return False
        offset_s = float((pts - first_pts) * time_base)
        if offset_s < 0 or offset_s > segment.duration_s + 1:
            return False  # timed by its index, which leaving frames out would change
        return skippable(segment.stream_time + _clamped(segment, offset_s))  # as ``_timed`` times it

    decoded = _resumed(segment, skip_pts if skippable else None) or _decoded(segment, skip_pts if skippable else None)
    for index, (frame, fps, time_base) in enumerate(decoded):
        if first_pts is None and frame.pts is not None:
            first_pts = frame.pts
        if frame.pts is not None and first_pts is not None and time_base is not None:
            offset_s = float((frame.pts - first_pts) * time_base)
        else:
            offset_s = index / fps
        if offset_s < 0 or offset_s > segment.duration_s + 1:
            offset_s = index / fps
        yield _timed(segment, offset_s, *_grey(frame, rows))


@dataclass
class _KeptOpen:
    """A segment's decoding paused after its first frame came out: ``first_frame`` decoded its keyframe whole, and
    ``all_frames`` of the same segment goes on from there instead of decoding that keyframe again."""

    segment: SegmentMedia
    first: tuple[Any, float, Fraction | None]
    rest: Iterator[tuple[Any, float, Fraction | None]]
    skip_pts: list[SkippablePts | None]
    """What the paused decoder asks of each packet it is fed from now on (set by ``all_frames``)."""


def _whole_keyframe_kept_open(segment: SegmentMedia) -> TimedFrame | None:
    """The MPEG-TS segment's keyframe decoded whole, its decoder kept open for ``all_frames`` (see ``_KeptOpen``);
    None when its video cannot be had this way (``first_frame`` then decodes it on its own).

    Why: a keyframe is decoded whole to search it for the HUD, and a HUD found there is confirmed from the frames
    right after it in the same segment (``KeyframeSampler._confirm_from_segment``): decoding the keyframe again for
    those frames cost ~15-40 ms at 720p-1080p, as much as the dozen frames after it. Kept open, the decoder is fed
    the packets after the keyframe until it gives the keyframe out (one or two frames in a stream with B-frames),
    a few ms spent in vain when no ``all_frames`` follows. The frames are those ``all_frames`` would decode anew
    (``tests/functional/test_frames_kept_open.py``).
    """
    _local.kept_open = None
    found = _pes_units(segment)
    if found is None:
        return None
    skip_pts: list[SkippablePts | None] = [None]

    def asked(pts: int, time_base: Fraction) -> bool:
        return skip_pts[0] is not None and skip_pts[0](pts, time_base)

    decoded = _decoded_from_pes(*found, skip_pts=asked)
    first = next(decoded, None)
    if first is None or first[0].pts != found[1][0].pts:
        return None  # no frame, or not the keyframe first: not what decoding the keyframe alone gives
    _local.kept_open = _KeptOpen(segment, first, decoded, skip_pts)
    return _timed(segment, 0.0, full_range_grey(first[0]))


def _resumed(
    segment: SegmentMedia, skip_pts: SkippablePts | None
) -> Iterator[tuple[Any, float, Fraction | None]] | None:
    """The segment's frames from the decoder ``first_frame`` kept open for it, if it did (once only)."""
    kept: _KeptOpen | None = getattr(_local, "kept_open", None)
    if kept is None or kept.segment is not segment:
        return None
    _local.kept_open = None
    kept.skip_pts[0] = skip_pts
    return itertools.chain([kept.first], kept.rest)


def _reformatter() -> VideoReformatter:
    """This thread's colour converter, kept so its swscale context is reused frame after frame.

    ``frame.to_ndarray(format=...)`` made a converter per frame, and swscale's default of one thread
    per core started threads for each: ~4.6 ms a 1080p frame against ~1.7 ms this way (same pixels).
    """
    reformatter: VideoReformatter | None = getattr(_local, "reformatter", None)
    if reformatter is None:
        reformatter = _local.reformatter = VideoReformatter()
    return reformatter


def _grey(frame: Any, rows: int | None) -> tuple[Frame, int | None]:
    """(image, exact rows) of a decoded frame: whole, or only its top ``rows`` over black.

    Grey as OpenCV makes it from FFmpeg's BGR (colour clipped, then weighted): the reader reads
    some HUD styles (a team-coloured score cell) only on these exact grey levels, not on luma.
    For the top rows only, those rows are copied into a frame of their own first: FFmpeg's
    unscaled conversion takes each chroma sample for its own 2x2 pixels, so an even cut gives the
    same pixels. The BGR is read where FFmpeg wrote it and its grey written straight into the image
    (no copy of either): a search back converts every frame it decodes.
    """
    wanted = frame.height if rows is None else min(rows + rows % 2, frame.height)
    source = frame
    if wanted < frame.height and frame.format.name == "yuv420p":
        source = _top_rows_frame(frame.width, wanted)
        for plane, into, plane_rows, plane_width in zip(
            frame.planes, source.planes, (wanted, wanted // 2, wanted // 2),
            (frame.width, frame.width // 2, frame.width // 2), strict=True,
        ):  # fmt: skip
            have = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
            target = np.frombuffer(memoryview(into), np.uint8).reshape(-1, into.line_size)
            target[:plane_rows, :plane_width] = have[:plane_rows, :plane_width]
        source.color_range = frame.color_range
        source.colorspace = frame.colorspace
    converted = _reformatter().reformat(source, format="bgr24", threads=1)
    plane = converted.planes[0]
    height, width = converted.height, converted.width
    bgr = np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)[:height, : width * 3]
    bgr = bgr.reshape(height, width, 3)
    kept = height if source is not frame else (height if rows is None else min(rows, height))
    if kept >= frame.height:
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), None
    image = np.zeros((frame.height, frame.width), np.uint8)
    cv2.cvtColor(bgr[:kept], cv2.COLOR_BGR2GRAY, dst=image[:kept])
    return image, kept


def _top_rows_frame(width: int, height: int) -> av.VideoFrame:
    """This thread's frame to copy a decoded frame's top rows into, kept while the size stays the same."""
    kept: av.VideoFrame | None = getattr(_local, "top_rows_frame", None)
    if kept is None or (kept.width, kept.height) != (width, height):
        kept = _local.top_rows_frame = av.VideoFrame(width, height, "yuv420p")
    return kept
