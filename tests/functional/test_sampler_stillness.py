"""Whether the known HUD's area stands still while the HUD is not read decides when a hidden HUD is searched for.

A search over moving video (a replay) finds nothing and costs CPU, so while the area moves the sampler waits
(``RELOCATE_WHILE_MOVING_AFTER_KEYFRAMES``). A HUD standing there whose pixels still change from keyframe to
keyframe (translucent cells over the game, a capped bitrate's blocks) is 'still' by its edges. The sampler,
reader and tesseract are real; each segment is one painted frame.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from functools import partial

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import RELOCATE_AFTER_HIDDEN_KEYFRAMES, KeyframeSampler
from tests.functional.hud_drawing import HudText, paint, random_look
from tests.functional.one_frame_segments import lettered_segments, one_frame_segments

SEGMENT_S = 2.0
START = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
_segments = partial(lettered_segments, START, segment_s=SEGMENT_S)
"""One 2 s segment per letter: 'h' the old match's HUD, 'n' the new match's over the game, 'r' a replay."""
LOOK = random_look(random.Random(5))
OLD_MATCH = paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1)
NEW_MATCH = paint(LOOK, HudText("ARS", "CHE", 0, 0, "00:10"), seed=1)
HUD_OPACITY = 0.7
"""The new match's HUD over the game: its area differs by ~12 grey levels from keyframe to keyframe."""


def _game(seed: int) -> NDArray[np.uint8]:
    """A frame of moving game: blocks of random grey, as coarse as a low bitrate draws them."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(20, 200, (OLD_MATCH.shape[0] // 4 + 1, OLD_MATCH.shape[1] // 4 + 1, 3), dtype=np.uint8)
    return np.repeat(np.repeat(blocks, 4, axis=0), 4, axis=1)[: OLD_MATCH.shape[0], : OLD_MATCH.shape[1]]


def _replay(seed: int) -> NDArray[np.uint8]:
    """A frame of a replay over the whole screen: a blurred crowd, moving."""
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(20, 200, OLD_MATCH.shape, dtype=np.uint8), (5, 5), 0)


def _image(segment: SegmentMedia) -> NDArray[np.uint8]:
    kind, seed = segment.data[:1], 100 + segment.sequence
    if kind == b"h":
        return OLD_MATCH
    if kind == b"n":
        return cv2.addWeighted(NEW_MATCH, HUD_OPACITY, _game(seed), 1 - HUD_OPACITY, 0)
    assert kind == b"r"
    return _replay(seed)


@pytest.fixture(autouse=True)
def painted(monkeypatch: pytest.MonkeyPatch) -> None:
    one_frame_segments(monkeypatch, _image)


def _teams_by_keyframe(kinds: str) -> tuple[list[str | None], ScoreboardReader]:
    reader = ScoreboardReader()
    sampler = KeyframeSampler(reader)
    teams = []
    for segment in _segments(kinds):
        list(sampler.observe(segment, awaiting=lambda: False))
        teams.append(None if reader.layout is None else reader.layout.teams.home)
    return teams, reader


def test_a_translucent_new_hud_standing_where_the_old_one_was_is_searched_for_at_once() -> None:
    """Its area changes by more than a still area's grey difference, but its text's edges stay: the first search
    due (the keyframe after ``RELOCATE_AFTER_HIDDEN_KEYFRAMES``) runs, and finds it."""
    teams, _ = _teams_by_keyframe("hhh" + "n" * 8)
    first_due = 3 + RELOCATE_AFTER_HIDDEN_KEYFRAMES  # the third keyframe without the old HUD (index 5)
    assert teams[:3] == ["LIV"] * 3
    assert teams[first_due] == "ARS", f"found only at keyframe {teams.index('ARS') if 'ARS' in teams else None}"


def test_a_replay_over_the_hud_is_not_searched_while_it_moves() -> None:
    teams, reader = _teams_by_keyframe("hhh" + "r" * 7)
    searches_to_find_the_hud = 2  # the first keyframe is searched twice (read, then its codes confirmed)
    assert teams == ["LIV"] * 10
    assert reader.stats.locate_attempts <= searches_to_find_the_hud
