"""A HUD that was read and is now hidden is looked for in its own rows, and now and then in the whole frame.

A replay or a panel hides the HUD; it comes back (or the next match's HUD shows) in the same rows. A search of
both bands over a replay or a text-heavy panel costs ~0.3-0.5 s and finds nothing; one of the HUD's rows, a
tenth of that. A HUD moved elsewhere is still found, by the whole-frame search every ``WHOLE_SEARCH_EVERY``.

The sampler, reader and tesseract are real; only decoding is replaced (each segment's keyframe is a painted frame).
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.frames import Frame
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import WHOLE_SEARCH_EVERY, KeyframeSampler
from tests.functional.hud_drawing import HudText, paint, random_look
from tests.functional.one_frame_segments import one_frame_segments

SEGMENT_S = 2.0
START = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
LOOK = random_look(random.Random(5))
HUD = paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1)
BACKGROUND = 60


def _moved_to_the_bottom(frame: Frame, rows: int) -> Frame:
    """The frame's top ``rows`` (the HUD) shown at the bottom instead, over a plain frame."""
    moved = np.full_like(frame, BACKGROUND)
    moved[-rows:] = frame[:rows]
    return moved


@pytest.fixture(scope="module")
def hud_rows() -> int:
    reader = ScoreboardReader()
    assert reader.relocate(HUD)
    assert reader.layout is not None
    return reader.layout.extent.bottom + 2 * reader.layout.text_height_px


def test_a_search_near_the_known_hud_looks_only_at_its_rows(hud_rows: int) -> None:
    reader = ScoreboardReader()
    assert reader.relocate(HUD)
    assert reader.relocate(HUD, near=True)
    assert reader.last_search.bands == ["known"]

    assert not reader.relocate(_moved_to_the_bottom(HUD, hud_rows), near=True), "a HUD in other rows is not seen"
    assert reader.layout is not None
    assert reader.relocate(_moved_to_the_bottom(HUD, hud_rows)), "a search of both bands sees it"
    assert reader.last_search.bands == ["top", "bottom"]
    assert reader.layout.extent.top > HUD.shape[0] // 2


def test_a_search_near_the_known_hud_reads_no_row_of_another_text_height() -> None:
    """A panel or banner over the HUD's rows in a larger size (here: the same HUD drawn 1.6 times as large) is not
    read: the HUD looked for, or the next match's in the same overlay, has the known text height."""
    larger = paint(dataclasses.replace(LOOK, text_px=round(1.6 * LOOK.text_px)), HudText("LIV", "MCI", 1, 0, "27:10"),
                   seed=1)  # fmt: skip
    reader = ScoreboardReader()
    assert reader.relocate(HUD)

    assert not reader.relocate(larger, near=True)
    assert reader.last_search.rows > 0 and reader.last_search.rows_read == 0
    assert reader.relocate(larger), "a search of both bands reads it"


def test_a_hud_that_comes_back_elsewhere_is_found_by_the_whole_frame_search(
    monkeypatch: pytest.MonkeyPatch, hud_rows: int
) -> None:
    frames = {"h": HUD, "m": _moved_to_the_bottom(HUD, hud_rows)}
    one_frame_segments(monkeypatch, lambda segment: frames[segment.data.decode()])
    reader = ScoreboardReader()
    searches: list[tuple[bool, bool]] = []
    relocate = reader.relocate

    def noted_relocate(frame: Frame, **kwargs: Any) -> bool:
        found = relocate(frame, **kwargs)
        searches.append((bool(kwargs.get("near")), found))
        return found

    monkeypatch.setattr(reader, "relocate", noted_relocate)
    sampler = KeyframeSampler(reader)
    readings = []
    for index, kind in enumerate("hhh" + "m" * 20):
        segment = SegmentMedia(index, START + timedelta(seconds=SEGMENT_S * index), SEGMENT_S, SEGMENT_S * index,
                               kind.encode())  # fmt: skip
        readings += [o.reading for o in sampler.observe(segment, awaiting=lambda: True) if o.reading is not None]
        if len(searches) > 1 and searches[-1][1]:
            break

    assert readings, "the HUD was read before it was hidden"
    assert searches[0] == (False, True), "the first search looks at the whole frame"
    hidden = searches[1:]
    assert hidden == [(True, False)] * (WHOLE_SEARCH_EVERY - 1) + [(False, True)]
    assert reader.layout is not None and reader.layout.extent.top > HUD.shape[0] // 2
