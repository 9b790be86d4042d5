"""The naive baseline the capture benchmark compares against: decode every frame, OCR one every 0.5 s.

This is what the seed project did (with our reader, so the comparison is of sampling, not of
OCR): every frame decoded by OpenCV, as BGR. It lives here, not in ``capture_task``, because the
container never runs it. It keeps OpenCV's decoder (the capture task's own decoding moved to
PyAV) so that the baseline stays the one measured before.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta

import cv2

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.frames import TimedFrame
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import FrameObservation
from contracts import Score

_SCRATCH_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def every_frame(segment: SegmentMedia) -> Iterator[TimedFrame]:
    """Every frame of a segment as BGR, through OpenCV's FFmpeg backend (which opens files, not bytes).

    Only ever given the benchmark's own rendered segments, so the probing of the file is harmless here.
    """
    suffix = ".mp4" if segment.container == "fmp4" else ".ts"
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=_SCRATCH_DIR) as scratch:
        scratch.write((segment.init_section or b"") + segment.data)
        scratch.flush()
        capture = cv2.VideoCapture(scratch.name, cv2.CAP_FFMPEG)
        try:
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
                offset_s = min(max(offset_s, 0.0), segment.duration_s)
                yield TimedFrame(segment.start + timedelta(seconds=offset_s), segment.stream_time + offset_s, image)
                index += 1
        finally:
            capture.release()


class EveryFrameSampler:
    """The naive baseline: decode everything, OCR one frame every ``interval_s``."""

    def __init__(self, reader: ScoreboardReader, interval_s: float = 0.5) -> None:
        self.reader = reader
        self.interval_s = interval_s
        self.segments_tail_decoded = self.segments_tail_abandoned = 0
        """Never counted: every frame is decoded anyway, at the live edge or not."""
        self._next_time = 0.0
        self._samples_without_hud = 0

    def observe(
        self,
        segment: SegmentMedia,
        *,
        awaiting: Callable[[], bool],
        live_edge: Callable[[], bool] | None = None,
        awaiting_goal: Callable[[], bool] | None = None,
        confirmed: Callable[[], Score | None] | None = None,
    ) -> Iterator[FrameObservation]:
        for frame in every_frame(segment):
            if frame.stream_time + 1e-6 < self._next_time:
                continue
            self._next_time = frame.stream_time + self.interval_s
            # Same search policy as ours: look again after ~4 s without a HUD, every other second.
            searching = self._samples_without_hud >= 8 and self._samples_without_hud % 4 == 0
            if searching:
                self.reader.relocate(frame.image)
            reading = self.reader.read(frame.image, may_locate=self.reader.layout is None, fresh=True)
            self._samples_without_hud = 0 if reading is not None else self._samples_without_hud + 1
            yield FrameObservation(frame.at, frame.stream_time, reading)

    def end_of_stream(self) -> None:
        """The baseline says nothing of what it left unread: it is measured on its goals alone."""
