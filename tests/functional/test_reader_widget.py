"""A streamer's widget that reads like a scoreboard ('DIV 1 - 2 PTS', no clock) is not taken for the HUD once
the HUD was read with its clock, and a widget taken before the HUD showed gives way to it.

Why: a search while a replay hid the HUD found such a widget (dev-31) and took it; its numbers were read
ever after, the real HUD's goals were lost, and its '1-2' made a goal for teams "DIV" and "PTS". Real
tesseract; the HUD and the widget are painted, so the test controls what is on screen.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import CLOCKLESS_SEARCH_AT_KEYFRAMES, KeyframeSampler
from contracts import Score, Teams
from tests.functional.hud_drawing import HudText, paint, random_look
from tests.functional.one_frame_segments import one_frame_segments

LOOK = random_look(random.Random(5))
WIDGET = "DIV 1 - 2 PTS"


def _with_widget(frame: NDArray[np.uint8], text: str = WIDGET) -> NDArray[np.uint8]:
    """The widget drawn in the bottom quarter: dark text on a light cell, a little larger than the HUD's."""
    image = Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(LOOK.font), round(LOOK.text_px * 1.4))
    x, y = LOOK.width // 4, LOOK.height * 7 // 8
    left, top, right, bottom = draw.textbbox((x, y), text, font=font)
    pad = LOOK.text_px // 2
    draw.rectangle([left - pad, top - pad, right + pad, bottom + pad], fill=(235, 235, 230))
    draw.text((x, y), text, font=font, fill=(20, 20, 20))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


HUD_AND_WIDGET = _with_widget(paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1))
WIDGET_ONLY = _with_widget(np.full((LOOK.height, LOOK.width, 3), 60, np.uint8))
"""A replay hides the HUD; the widget stays."""


def test_with_no_hud_ever_read_the_widget_may_be_taken() -> None:
    """The widget does read as a scoreboard: without this, the next test would prove nothing."""
    reader = ScoreboardReader()
    assert reader.relocate(WIDGET_ONLY)
    assert reader.layout is not None and reader.layout.teams == Teams(home="DIV", away="PTS")
    assert reader.layout.clock is None


def test_once_the_hud_was_read_with_its_clock_a_widget_is_not_taken_for_it() -> None:
    reader = ScoreboardReader()
    reading = reader.read(HUD_AND_WIDGET, may_locate=True) or reader.read(HUD_AND_WIDGET, may_locate=True)
    assert reading is not None and reading.teams == Teams(home="LIV", away="MCI") and reading.clock == "27:10"

    assert not reader.relocate(WIDGET_ONLY)

    assert reader.layout is not None and reader.layout.teams == Teams(home="LIV", away="MCI")
    again = reader.read(HUD_AND_WIDGET, fresh=True)
    assert again is not None and again.score == Score(home=1, away=0)


def _observed(monkeypatch: pytest.MonkeyPatch, frames: list[NDArray[np.uint8]]) -> tuple[KeyframeSampler, list[Any]]:
    """Each frame one 2 s segment's keyframe (and all its frames), observed in turn: the readings."""
    start = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    one_frame_segments(monkeypatch, lambda segment: frames[segment.sequence])
    sampler = KeyframeSampler(ScoreboardReader())
    readings = []
    for index in range(len(frames)):
        segment = SegmentMedia(index, start + timedelta(seconds=2 * index), 2.0, 2.0 * index, b"")
        readings += [o.reading for o in sampler.observe(segment, awaiting=lambda: True) if o.reading is not None]
    return sampler, readings


def test_a_widget_read_before_the_hud_showed_gives_way_to_the_hud_with_its_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first keyframe shows only the widget: taken (no clock beside it) and read. The HUD then shows and
    the widget still reads: a HUD without a clock is searched for again, a clock required, and the HUD wins."""
    sampler, readings = _observed(
        monkeypatch, [WIDGET_ONLY] + [HUD_AND_WIDGET] * (min(CLOCKLESS_SEARCH_AT_KEYFRAMES) + 2)
    )

    assert readings[0].teams == Teams(home="DIV", away="PTS")
    assert sampler.reader.layout is not None and sampler.reader.layout.clock is not None
    assert readings[-1].teams == Teams(home="LIV", away="MCI") and readings[-1].score == Score(home=1, away=0)


def test_a_widget_taken_before_the_hud_showed_gives_way_to_the_hud(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first keyframe shows only the widget (the HUD not drawn yet): it is taken, without a clock, and
    read. Its numbers then turn into something no score reads ('- -') while the HUD shows: the HUD is found
    and read, and the widget is never read again."""
    scrambled = _with_widget(paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1), "DIV - - PTS")
    _, readings = _observed(monkeypatch, [WIDGET_ONLY] + [scrambled] * 5)

    assert readings[0].teams == Teams(home="DIV", away="PTS")
    hud = [r for r in readings[1:] if r.teams == Teams(home="LIV", away="MCI") and r.score == Score(home=1, away=0)]
    assert hud and len(hud) == len(readings) - 1
