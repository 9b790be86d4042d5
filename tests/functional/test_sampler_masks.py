"""The sampler asks the reader for a frame's score mask only when the pixels it reads changed.

Most frames of a search back show the static HUD exactly as the frame before (the encoder skips
those blocks); their masks are the same by construction, so the sampler reuses the last one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.frames import first_frame
from capture_task.vision.geometry import Frame, Mask
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import KeyframeSampler
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import rendered

START = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class _CountingReader(ScoreboardReader):
    def __init__(self) -> None:
        super().__init__()
        self.masked = 0

    def score_mask(self, frame: Frame) -> Mask | None:
        self.masked += 1
        return super().score_mask(frame)


@pytest.fixture(scope="module")
def hud_frame(broadcast_cache: Path) -> Frame:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    keyframe = first_frame(SegmentMedia(1, START, 2.0, 2.0, info.segments[1].read_bytes()))
    assert keyframe is not None
    image: Frame = keyframe.image
    return image


def test_a_frame_with_the_hud_s_pixels_unchanged_reuses_the_last_mask(hud_frame: Frame) -> None:
    reader = _CountingReader()
    sampler = KeyframeSampler(reader)
    assert reader.relocate(hud_frame)
    layout = reader.layout
    assert layout is not None
    first = sampler._score_mask(hud_frame)
    assert first is not None and reader.masked == 1

    elsewhere = hud_frame.copy()
    elsewhere[-50:, -50:] = 255 - elsewhere[-50:, -50:]  # far from the HUD: the mask cannot differ
    assert sampler._score_mask(elsewhere) is first
    assert reader.masked == 1

    digit = hud_frame.copy()
    box = layout.score[0].box
    digit[box.top : box.bottom, box.left : box.right] = 255 - digit[box.top : box.bottom, box.left : box.right]
    assert sampler._score_mask(digit) is not first
    assert reader.masked == 2, "a change inside the score box is masked afresh"

    assert reader.relocate(hud_frame)  # a new layout object: nothing of the old one is reused
    again = sampler._score_mask(hud_frame)
    assert reader.masked == 3
    assert again is not None and np.array_equal(again, first)
