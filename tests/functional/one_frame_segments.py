"""Segments of one painted frame each, for sampler tests that control what is on screen keyframe by keyframe.

The sampler, reader and capture task stay real; only decoding is replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision import sampler as sampler_module
from capture_task.vision.frames import Frame, TimedFrame
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import ScoreboardReading


def one_frame_segments(monkeypatch: pytest.MonkeyPatch, image_of: Callable[[SegmentMedia], Frame]) -> None:
    """Each segment holds one frame, ``image_of(segment)``: its keyframe, and all its frames when searched back."""

    def first_frame(segment: SegmentMedia, *, rows: int | None = None) -> TimedFrame:
        return TimedFrame(segment.start, segment.stream_time, image_of(segment))

    def all_frames(
        segment: SegmentMedia, *, rows: int | None = None, skippable: Callable[[float], bool] | None = None
    ) -> Iterator[TimedFrame]:
        yield first_frame(segment)

    monkeypatch.setattr(sampler_module, "first_frame", first_frame)
    monkeypatch.setattr(sampler_module, "all_frames", all_frames)


def painted_segments(
    monkeypatch: pytest.MonkeyPatch,
    picture: Callable[[bytes, float], Frame],
    *,
    start: datetime,
    segment_s: float,
    fps: int,
) -> None:
    """Each segment holds ``fps`` frames a second, ``picture(segment.data, offset_s)`` each, ``start`` being the
    stream's first frame: its keyframe is the first, and all of them are decoded when asked for."""

    def frame(segment: SegmentMedia, index: int) -> TimedFrame:
        offset = index / fps
        at = start + timedelta(seconds=segment.stream_time + offset)
        return TimedFrame(at, segment.stream_time + offset, picture(segment.data, offset))

    def first_frame(segment: SegmentMedia, *, rows: int | None = None) -> TimedFrame:
        return frame(segment, 0)

    def all_frames(
        segment: SegmentMedia, *, rows: int | None = None, skippable: Callable[[float], bool] | None = None
    ) -> Iterator[TimedFrame]:
        for index in range(round(segment_s * fps)):
            if skippable is None or not skippable(segment.stream_time + index / fps):
                yield frame(segment, index)

    monkeypatch.setattr(sampler_module, "first_frame", first_frame)
    monkeypatch.setattr(sampler_module, "all_frames", all_frames)


def lettered_segments(start: datetime, kinds: str, segment_s: float = 2.0) -> list[SegmentMedia]:
    """One segment per letter of ``kinds``, its data that letter: the test's ``image_of`` says what each shows."""
    return [
        SegmentMedia(index, start + timedelta(seconds=segment_s * index), segment_s, segment_s * index, kind.encode())
        for index, kind in enumerate(kinds)
    ]


class RefusingReader(ScoreboardReader):
    """The real reader, reading nothing on the painted frames ``unreadable`` (the very arrays, not their copies).

    Which frames tesseract fails on cannot be painted: a test paints a copy of a readable frame, pixel for pixel
    (so its score mask is the same), and names it here."""

    def __init__(self, *unreadable: Frame) -> None:
        super().__init__()
        self.unreadable = unreadable

    def read(self, frame: Frame, **kwargs: bool) -> ScoreboardReading | None:
        if any(frame is unreadable for unreadable in self.unreadable):
            return None  # not read at all: a read that fails leaves the reader's last reading as it was
        return super().read(frame, **kwargs)
