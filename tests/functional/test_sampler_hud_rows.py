"""Keyframes are decoded down to the HUD's boxes while it shows, and a text height below it while it is hidden.

Why: a keyframe's top is decoded only as far as the rows asked for (``keyframes.decode_keyframe``), and the rows below
the HUD's boxes are read only by a search near it (``HudLayout.band``), which runs only once the HUD went missing.
A text height less on every keyframe that shows the HUD is ~20 % of the rows decoded at 1080p.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from itertools import pairwise

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision import sampler as sampler_module
from capture_task.vision.frames import TimedFrame
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import KeyframeSampler
from tests.functional.hud_drawing import HudText, paint, random_look
from tests.functional.one_frame_segments import lettered_segments

START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
HUD = paint(random_look(random.Random(7)), HudText("ARS", "CHE", 0, 0, "12:40"), seed=3)
NO_HUD = np.full_like(HUD, 60)


def test_keyframes_ask_for_the_hud_s_rows_while_it_shows_and_for_its_band_once_it_went_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[str, int | None]] = []

    def first_frame(segment: SegmentMedia, *, rows: int | None = None) -> TimedFrame:
        asked.append((segment.data.decode(), rows))
        return TimedFrame(segment.start, segment.stream_time, HUD if segment.data == b"h" else NO_HUD)

    monkeypatch.setattr(sampler_module, "first_frame", first_frame)
    sampler = KeyframeSampler(ScoreboardReader())
    for segment in lettered_segments(START, "hhhhh..hhhh"):
        list(sampler.observe(segment, awaiting=lambda: False))
    layout = sampler.reader.layout
    assert layout is not None and sampler.reader.teams is not None
    assert layout.extent.bottom < layout.rows_needed
    # The rows each keyframe asked for, by what the keyframe before it showed.
    after = [(shown, rows) for (shown, _), (_, rows) in pairwise(asked) if rows is not None]
    assert {rows for shown, rows in after if shown == "h"} == {layout.extent.bottom}
    assert {rows for shown, rows in after if shown == "."} == {layout.rows_needed}
