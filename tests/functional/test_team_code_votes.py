"""Team codes leave the reader only once two readings agree, and are corrected when re-read.

Why: a lookalike letter (MCI read as MCL) in a goal event names the wrong club for the whole
match; the codes get the same care as the score.
"""

from __future__ import annotations

import logging

import pytest

from capture_task.vision import reader as reader_module
from capture_task.vision.reader import ScoreboardReader
from contracts import Teams
from tests.functional.hud_drawing import HudText, paint
from tests.functional.test_hud_looks import PLAIN

TEXT = HudText("LIV", "MCI", 1, 0, "27:10")


def test_codes_that_disagree_give_no_reading_until_two_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = paint(PLAIN, TEXT, seed=3)
    rereads = iter([Teams(home="LIV", away="MCL"), Teams(home="LIV", away="MCI")])
    monkeypatch.setattr(reader_module, "read_team_codes", lambda _frame, _layout: next(rereads))
    reader = ScoreboardReader()
    assert reader.read(frame, may_locate=True) is None, "located as MCI, re-read as MCL: one vote each"
    assert reader.teams is None
    reading = reader.read(frame)
    assert reading is not None and reader.teams == Teams(home="LIV", away="MCI")
    assert reading.teams == Teams(home="LIV", away="MCI")


def test_a_misread_code_is_corrected_when_the_hud_is_read_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    frame = paint(PLAIN, TEXT, seed=3)
    reader = ScoreboardReader()
    # The search read MCL; every later reading of the code boxes says MCI.
    located = reader_module.locate_hud

    def misread(*args: object, **kwargs: object) -> object:
        layout = located(*args, **kwargs)  # type: ignore[arg-type]
        return layout and reader_module.dataclasses.replace(layout, teams=Teams(home="LIV", away="MCL"))

    monkeypatch.setattr(reader_module, "locate_hud", misread)
    rereads = iter([Teams(home="LIV", away="MCI")] * 3)
    monkeypatch.setattr(reader_module, "read_team_codes", lambda _frame, _layout: next(rereads))
    with caplog.at_level(logging.INFO, logger="highlight_bot.capture"):
        assert reader.read(frame, may_locate=True) is None
        reading = reader.read(frame)
    assert reading is not None and reading.teams == Teams(home="LIV", away="MCI")
    assert "team codes corrected on re-reading: LIV-MCI, not LIV-MCL" in caplog.text


def test_the_next_match_found_in_the_same_place_gets_its_own_codes() -> None:
    # The HUD vanished (a kick-off panel) and came back with the next match's teams: the first
    # match's agreeing votes must not outvote them (they had kept 'LIV-MCI' on the new match's goals).
    reader = ScoreboardReader()
    first = paint(PLAIN, TEXT, seed=3)
    assert reader.read(first, may_locate=True) is not None or reader.read(first) is not None
    assert reader.teams == Teams(home="LIV", away="MCI")
    next_match = paint(PLAIN, HudText("ARS", "CHE", 0, 0, "00:12"), seed=4)

    assert reader.relocate(next_match)
    reading = reader.read(next_match) or reader.read(next_match)

    assert reading is not None and reading.teams == Teams(home="ARS", away="CHE")
    assert reader.teams == Teams(home="ARS", away="CHE")
