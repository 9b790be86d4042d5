"""Decodes HLS segments into timed frames with OpenCV.

Why a temporary file: OpenCV's FFmpeg backend opens paths or URLs, not bytes;
a file in /dev/shm (RAM) costs a memcpy. fMP4 fragments are only decodable
with their init section in front, so it is written first.

Every frame's time is the segment's program-date-time plus the frame's offset
inside the segment, never the wall clock of the machine decoding it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import cv2
from numpy.typing import NDArray

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.keyframes import decode_keyframe

Frame = NDArray[Any]  # OpenCV images (uint8 BGR or grey); its stubs type them loosely

_SCRATCH_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@dataclass(frozen=True)
class TimedFrame:
    """A decoded frame and when it was on screen."""

    at: datetime
    stream_time: float
    image: Frame


@contextmanager
def _opened(segment: SegmentMedia) -> Iterator[cv2.VideoCapture]:
    suffix = ".mp4" if segment.container == "fmp4" else ".ts"
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=_SCRATCH_DIR) as scratch:
        if segment.init_section:
            scratch.write(segment.init_section)
        scratch.write(segment.data)
        scratch.flush()
        capture = cv2.VideoCapture(scratch.name, cv2.CAP_FFMPEG)
        try:
            if not capture.isOpened():
                raise ValueError(f"segment {segment.sequence} could not be decoded (not a video)")
            yield capture
        finally:
            capture.release()


def _timed(segment: SegmentMedia, offset_s: float, image: Frame) -> TimedFrame:
    offset_s = min(max(offset_s, 0.0), segment.duration_s)
    return TimedFrame(segment.start + timedelta(seconds=offset_s), segment.stream_time + offset_s, image)


def first_frame(segment: SegmentMedia) -> TimedFrame | None:
    """The segment's first frame: a keyframe, since encoders cut segments there.

    Decoding it alone costs a fraction of decoding the whole segment; this is
    how the capture task keeps up with 1080p60 on a quarter of a vCPU. From
    MPEG-TS it comes as grey, straight from the decoder (see ``keyframes``).
    """
    if segment.container != "fmp4" and not segment.init_section:
        grey = decode_keyframe(segment.data)
        if grey is not None:
            return _timed(segment, 0.0, grey)
    with _opened(segment) as capture:
        ok, image = capture.read()
    return _timed(segment, 0.0, image) if ok else None


def all_frames(segment: SegmentMedia) -> Iterator[TimedFrame]:
    """Every frame of the segment in order, timed by its offset in the segment.

    Offsets come from the decoder's timestamps relative to the first frame
    (fMP4 from Twitch has a non-zero presentation-time offset); when those are
    unusable, from the frame index and the stream's frame rate.
    """
    with _opened(segment) as capture:
        fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        first_ms: float | None = None
        index = 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            position_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
            if first_ms is None:
                first_ms = position_ms
            offset_s = (position_ms - first_ms) / 1000 if position_ms > 0 or index == 0 else index / fps
            if offset_s < 0 or offset_s > segment.duration_s + 1:
                offset_s = index / fps
            yield _timed(segment, offset_s, image)
            index += 1
