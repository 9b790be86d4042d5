"""The naive baseline the capture benchmark compares against: decode every frame, OCR one every 0.5 s.

This is what the seed project did (with our reader, so the comparison is of sampling, not of
OCR). It lives here, not in ``capture_task``, because the container never runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.frames import all_frames
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import FrameObservation


class EveryFrameSampler:
    """The naive baseline: decode everything, OCR one frame every ``interval_s``."""

    def __init__(self, reader: ScoreboardReader, interval_s: float = 0.5) -> None:
        self.reader = reader
        self.interval_s = interval_s
        self._next_time = 0.0
        self._samples_without_hud = 0

    def observe(self, segment: SegmentMedia, *, awaiting: Callable[[], bool]) -> Iterator[FrameObservation]:
        for frame in all_frames(segment):
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
