"""While the known HUD is gone, a keyframe whose HUD area stands still is searched, whichever keyframe it is.

Why: searches were made on odd keyframes only (one in ``RELOCATE_EVERY_KEYFRAMES``), and only when the HUD's
area stood still there. A translucent HUD over moving video stands still now and then; in dev-153 those
keyframes were even ones, and the next match's HUD, in the old one's place, was searched for only after its
first goal (lost in silence). Real reader and tesseract; the HUDs are painted, the area's stillness scripted.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision import sampler as sampler_module
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import RELOCATE_WHILE_MOVING_AFTER_KEYFRAMES, KeyframeSampler
from contracts import Teams
from tests.functional.hud_drawing import HudText, paint, random_look
from tests.functional.one_frame_segments import one_frame_segments

LOOK = random_look(random.Random(5))
OLD_MATCH = paint(LOOK, HudText("RMA", "PSV", 0, 1, "69:53"), seed=1)
NEXT_MATCH = paint(LOOK, HudText("WHU", "EVE", 0, 0, "00:40"), seed=1)


def test_a_still_keyframe_is_searched_even_when_it_is_an_even_one(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [OLD_MATCH] * 3 + [NEXT_MATCH] * (RELOCATE_WHILE_MOVING_AFTER_KEYFRAMES - 2)
    one_frame_segments(monkeypatch, lambda segment: frames[segment.sequence])

    def still_on_even_keyframes(self: KeyframeSampler, keyframe: object) -> bool:
        return self._keyframes_without_hud % 2 == 0

    monkeypatch.setattr(sampler_module.KeyframeSampler, "_hud_area_still", still_on_even_keyframes)
    sampler = KeyframeSampler(ScoreboardReader())
    start = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    teams = []
    for index in range(len(frames)):
        segment = SegmentMedia(index, start + timedelta(seconds=2 * index), 2.0, 2.0 * index, b"")
        teams += [o.reading.teams for o in sampler.observe(segment, awaiting=lambda: True) if o.reading is not None]
    assert teams[0] == Teams(home="RMA", away="PSV")
    assert Teams(home="WHU", away="EVE") in teams, "the next match's HUD, found before the forced search"
