"""The sampler asks the reader for a frame's score mask only when the pixels it reads changed, and the reader masks
again only the boxes (a code's, the score's) whose pixels changed.

Most frames of a search back show the static HUD exactly as the frame before (the encoder skips
those blocks); their masks are the same by construction, so the sampler reuses the last one.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision import reader as reader_module
from capture_task.vision.frames import first_frame
from capture_task.vision.geometry import Box, Frame, Mask, TextBox
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


def test_the_reader_masks_again_only_the_boxes_whose_pixels_changed(
    hud_frame: Frame, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = ScoreboardReader()
    assert reader.relocate(hud_frame)
    layout = reader.layout
    assert layout is not None
    made: Counter[str] = Counter()
    code_glyphs, score_part_glyphs = reader_module.code_glyphs, reader_module._score_part_glyphs

    def counted_code_glyphs(frame: Frame, part: TextBox, text_height_px: int) -> Mask:
        made["home" if part is layout.home else "away"] += 1
        return code_glyphs(frame, part, text_height_px)

    def counted_score_glyphs(*args: Any) -> list[Mask]:
        made["score"] += 1
        return score_part_glyphs(*args)

    monkeypatch.setattr(reader_module, "code_glyphs", counted_code_glyphs)
    monkeypatch.setattr(reader_module, "_score_part_glyphs", counted_score_glyphs)

    def touched(frame: Frame, box: Box) -> Frame:
        """``frame`` with one pixel inside ``box`` a grey level lighter or darker: a change of compression."""
        image = frame.copy()
        y, x = (box.top + box.bottom) // 2, box.left + 1
        image[y, x] = image[y, x] + 1 if image[y, x] < 255 else 254
        return image

    def fresh_mask(image: Frame) -> Mask | None:
        fresh = ScoreboardReader()
        fresh.layout = layout
        return fresh.score_mask(image)

    first = reader.score_mask(hud_frame)
    assert first is not None and made == Counter(home=1, away=1, score=1)
    image = hud_frame
    for box, again in ((layout.away.box, "away"), (layout.score[0].box, "score"), (layout.home.box, "home")):
        image = touched(image, box)  # each frame like the one masked before it but inside ``box``
        before = made.copy()
        mask = reader.score_mask(image)
        assert made - before == Counter({again: 1}), f"only the {again} boxes are masked again"
        expected = fresh_mask(image)
        assert mask is not None and expected is not None and np.array_equal(mask, expected)
