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


def _located_as(monkeypatch: pytest.MonkeyPatch, teams: Teams) -> None:
    """The search reads ``teams``, whatever the frame shows."""
    located = reader_module.locate_hud

    def misread(*args: object, **kwargs: object) -> object:
        layout = located(*args, **kwargs)  # type: ignore[arg-type]
        return layout and reader_module.dataclasses.replace(layout, teams=teams)

    monkeypatch.setattr(reader_module, "locate_hud", misread)


def _misread_once_then_right(monkeypatch: pytest.MonkeyPatch) -> tuple[Teams, Teams]:
    """The search and the first frame's code boxes read MCL; the next ``CODE_LATER_LOOKS`` frames read MCI."""
    misread, right = Teams(home="LIV", away="MCL"), Teams(home="LIV", away="MCI")
    _located_as(monkeypatch, misread)
    rereads = iter([misread] + [right] * reader_module.CODE_LATER_LOOKS)
    monkeypatch.setattr(reader_module, "read_team_codes", lambda _frame, _layout: next(rereads))
    return misread, right


def test_codes_misread_twice_on_one_frame_are_outvoted_by_later_frames(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # dev-1203: the search and the code boxes read 'INIT' on the frame the HUD was found on; every later
    # frame read 'INT'. Two readings of one frame agreed, and both goals were named NAP-INIT.
    frame, reader = paint(PLAIN, TEXT, seed=3), ScoreboardReader()
    misread, right = _misread_once_then_right(monkeypatch)
    with caplog.at_level(logging.INFO, logger="highlight_bot.capture"):
        first = reader.read(frame, may_locate=True)
        assert first is not None and first.teams == misread, "two readings agreed: the codes stand for now"
        later = [reader.read(frame) for _ in range(3)]

    assert [reading.teams if reading else None for reading in later] == [misread, misread, right]
    assert reader.teams == right
    assert "team codes corrected on later frames: LIV-MCI (read 3 times), not LIV-MCL (read 2 times)" in caplog.text
    # The looks are spent (CODE_LATER_LOOKS), and one more misread frame changes nothing.
    assert reader.read(frame) is not None and reader.teams == right


def test_one_later_misread_does_not_rename_confirmed_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = paint(PLAIN, TEXT, seed=3)
    right = Teams(home="LIV", away="MCI")
    odd = [Teams(home="LIV", away="MCL"), Teams(home="LIV", away="MC")]
    rereads = iter([right, *odd, None, right])
    monkeypatch.setattr(reader_module, "read_team_codes", lambda _frame, _layout: next(rereads))
    reader = ScoreboardReader()
    readings = [reader.read(frame, may_locate=True)] + [reader.read(frame) for _ in range(4)]

    assert all(reading is not None and reading.teams == right for reading in readings)


def test_codes_read_whole_in_widened_boxes_are_not_cut_again_by_later_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    # The boxes as found hold 'CEL' of 'CELT' (dev-809): later looks in them read 'CEL' every time, which
    # must not undo the longer codes read in boxes widened to the letter beyond.
    frame = paint(PLAIN, TEXT, seed=3)
    reader = ScoreboardReader()
    assert reader.read(frame, may_locate=True) is not None or reader.read(frame) is not None
    longer = Teams(home="LIVE", away="MCI")
    reader._teams = longer  # as ``_longer_codes`` leaves them, two widened readings agreeing
    reader._team_votes = reader_module.Counter({longer: 2})
    reader._later_looks_left = reader_module.CODE_LATER_LOOKS
    monkeypatch.setattr(reader_module, "read_team_codes", lambda _frame, _layout: Teams(home="LIV", away="MCI"))
    for _ in range(reader_module.CODE_LATER_LOOKS):
        reader.read(frame)

    assert reader.teams == longer


def test_a_search_that_finds_the_outvoted_codes_again_finds_nothing_new(monkeypatch: pytest.MonkeyPatch) -> None:
    # After a correction, the search asked whether another HUD shows ("its score stopped reading: a new match?")
    # reads the codes as it did before: that is the HUD known, not a new match to confirm afresh.
    frame, reader = paint(PLAIN, TEXT, seed=3), ScoreboardReader()
    _, right = _misread_once_then_right(monkeypatch)
    for _ in range(4):
        reader.read(frame, may_locate=True)
    assert reader.teams == right

    assert not reader.relocate(frame, only_another=True)
    assert reader.teams == right
