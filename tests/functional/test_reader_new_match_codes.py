"""A clock gone back to a new match's start has the team codes read again.

dev-707: CHEL-MILA end 0-0, then THFC-AVFC kick off at 0-0 in the same HUD. Neither the codes (confirmed once) nor
the score cell (0-0 as before) were read again, and both goals of the second match were reported as 'CHEL 0-1 MILA'
and 'CHEL 0-2 MILA', with nothing said. The clock, read again every ~30 s, went from 43:52 to 01:18. (unseen-24, its
next match's codes read in the last match's boxes: 'OT-PO' for TOT-POR; so the HUD is searched for again too.)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import capture_task.vision.reader as reader_module
from capture_task.vision.reader import ScoreboardReader
from contracts import Teams
from sample_broadcast import FrameRenderer
from sample_broadcast.suite import dev_suite


def _first_frame(phase: str, home: str, after_s: float = 0.0) -> tuple[np.ndarray, str]:
    """dev-707's first frame after ``after_s`` in ``phase`` with ``home`` as the home team, and its clock."""
    broadcast = dev_suite(708)[707]
    script, fps = broadcast.script, broadcast.style.fps
    renderer = FrameRenderer(script, broadcast.style)
    for index in range(round(after_s * fps), renderer.frame_count, fps // 2):
        state = script.state_at(index, fps)
        if state.phase == phase and state.home == home:
            return renderer.render(index), state.clock_text
    raise AssertionError(f"dev-707 has no {phase} frame of {home}")


def _reader_on_the_first_match() -> tuple[ScoreboardReader, np.ndarray]:
    """A reader that found dev-707's HUD on its first match's first frame of play and confirmed its codes, and the
    frame."""
    frame, _ = _first_frame("play", "CHEL")
    reader = ScoreboardReader()
    for _ in range(3):
        reader.read(frame, may_locate=True, fresh=True)
    assert reader.teams == Teams(home="CHEL", away="MILA"), "dev-707's HUD no longer reads: these tests test nothing"
    return reader, frame


def test_the_next_match_s_codes_replace_the_last_one_s_when_its_clock_is_read() -> None:
    reader, _ = _reader_on_the_first_match()
    next_match, clock = _first_frame("play", "THFC")
    unchanged = reader.read(next_match)  # the same 0-0 in the same cell: the last reading stands, codes and all
    assert unchanged is not None and unchanged.teams == Teams(home="CHEL", away="MILA")
    # The clock, read again, went back from 43:52: the HUD is searched for again, and the codes it was found with and
    # the codes read in its boxes agree: the new teams stand on this frame.
    reading = reader.refresh_clock(next_match)
    assert reading is not None and reading.clock == clock
    assert reading.teams == Teams(home="THFC", away="AVFC")
    assert (reading.score.home, reading.score.away) == (0, 0)


def test_a_second_half_s_clock_keeps_the_codes_and_a_clock_gone_back_on_the_same_codes_loses_no_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, frame = _reader_on_the_first_match()
    calls = reader.stats.ocr_calls
    # A first half run into added time, then the second half from 45:00: a little back, no new match.
    for clock in ("47:30", "45:00"):
        monkeypatch.setattr(reader, "_read_clock", lambda frame, clock=clock: clock)
        reading = reader.refresh_clock(frame)
        assert reading is not None and reading.clock == clock and reading.teams == Teams(home="CHEL", away="MILA")
    assert reader.stats.ocr_calls == calls  # no score read again (nor any code)
    # A clock misread far back (a '4' read as '0'), no search allowed (the budget spent): the codes read again in
    # their boxes are the confirmed ones, which count as one reading, so they stand at once.
    monkeypatch.setattr(reader.search_budget, "allows", lambda why: False)
    monkeypatch.setattr(reader, "_read_clock", lambda frame: "05:02")
    searches = reader.stats.locate_attempts
    reading = reader.refresh_clock(frame)
    assert reading is not None and reading.teams == Teams(home="CHEL", away="MILA") and reading.clock == "05:02"
    assert reader.stats.ocr_calls > calls and reader.stats.locate_attempts == searches  # read afresh, not searched


@pytest.mark.parametrize("found", ["WH-PSG", "WHU-PSC", "WHU-PS", "WHUF-PSG", "WH-SG", "WHU-PSG"])
def test_a_clock_misread_far_back_does_not_take_the_same_codes_misread_by_the_search(
    monkeypatch: pytest.MonkeyPatch, found: str
) -> None:
    """dev-757: '86:39' read '06:39'; the search on that frame found the HUD as 'WH-PSG', and with the code boxes
    fitted to 'WH' the misread outvoted WHU-PSG for the rest of the match. A HUD found with the same codes misread
    (a letter lost, off or added: ``lookalike_teams``, ``codes_cut_from``) is not taken: only another match's is."""
    reader, frame = _reader_on_the_first_match()
    layout = reader.layout
    assert layout is not None
    confirmed = Teams(home="WHU", away="PSG")
    home, away = found.split("-")
    misread = dataclasses.replace(layout, teams=Teams(home=home, away=away))
    monkeypatch.setattr(reader_module, "locate_hud", lambda *args, **kwargs: misread)
    assert not reader.relocate(frame, only_other_than=confirmed)
    assert reader.layout is layout
    other = dataclasses.replace(layout, teams=Teams(home="TOT", away="POR"))
    monkeypatch.setattr(reader_module, "locate_hud", lambda *args, **kwargs: other)
    assert reader.relocate(frame, only_other_than=confirmed)
    assert reader.layout is other


def test_a_clock_misread_far_back_keeps_the_codes_when_the_search_finds_them_misread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader, frame = _reader_on_the_first_match()
    layout = reader.layout
    assert layout is not None
    # Both codes cut at their ends, in boxes fitted to what was read, as a search finds them.
    home, away = layout.home.box, layout.away.box
    cut = dataclasses.replace(
        layout,
        teams=Teams(home="CHE", away="MIL"),
        home=dataclasses.replace(layout.home, box=dataclasses.replace(home, right=home.left + 3 * home.width // 4)),
        away=dataclasses.replace(layout.away, box=dataclasses.replace(away, right=away.left + 3 * away.width // 4)),
    )
    monkeypatch.setattr(reader_module, "locate_hud", lambda *args, **kwargs: cut)
    monkeypatch.setattr(reader, "_read_clock", lambda frame: "03:49")  # '43:49' with its '4' lost
    reading = reader.refresh_clock(frame)
    assert reading is not None and reading.teams == Teams(home="CHEL", away="MILA")
    assert reader.layout == layout  # the same boxes, not the search's


@pytest.mark.parametrize("misread", ["47:50", "04:91"])
def test_a_clock_misread_back_but_not_to_a_match_s_start_reads_no_code_again(
    monkeypatch: pytest.MonkeyPatch, misread: str
) -> None:
    """dev-40: '87:50' read '47:50'; dev-627: '48:02' read '04:91', after which the code boxes read 'BL' for RBL twice
    and outvoted it for the rest of the match. Only a clock gone back to a match's first 15 minutes (where the goal
    detector takes other codes for a new match) has the codes read again; '04:91' is no clock at all."""
    reader, frame = _reader_on_the_first_match()
    monkeypatch.setattr(reader, "_read_clock", lambda frame: "87:50")
    reader.refresh_clock(frame)
    calls, searches = reader.stats.ocr_calls, reader.stats.locate_attempts
    monkeypatch.setattr(reader, "_read_clock", lambda frame: misread)
    reading = reader.refresh_clock(frame)
    assert reading is not None and reading.teams == Teams(home="CHEL", away="MILA")
    assert (reader.stats.ocr_calls, reader.stats.locate_attempts) == (calls, searches)
    assert reading.clock_seconds is None if misread == "04:91" else reading.clock_minutes == 47


def _dev_1196_frame(phase: str, home: str, score: tuple[int, int]) -> tuple[np.ndarray, str]:
    """dev-1196's first frame in ``phase`` with ``home`` as the home team at ``score``, and its clock."""
    broadcast = dev_suite(1197)[1196]
    script, fps = broadcast.script, broadcast.style.fps
    renderer = FrameRenderer(script, broadcast.style)
    for index in range(0, renderer.frame_count, fps // 2):
        state = script.state_at(index, fps)
        if state.phase == phase and state.home == home and (state.home_score, state.away_score) == score:
            return renderer.render(index), state.clock_text
    raise AssertionError(f"dev-1196 has no {phase} frame of {home} at {score}")


def test_a_kick_off_after_a_match_left_early_has_the_codes_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """dev-1196: ZS-SP left at 0-2 and 09:48, AT-IN kicked off in the same HUD: the clock went back 9:48, short of
    ``NEW_MATCH_CLOCK_BACK_S``, and AT-IN's goal was reported as 'ZS 0-1 SP'. A clock in its first minute at 0-0 is a
    kick-off, however short the match before it; a first-minute clock on another score reads no code again."""
    first, _ = _dev_1196_frame("play", "ZS", (0, 2))
    reader = ScoreboardReader()
    for _ in range(3):
        reader.read(first, may_locate=True, fresh=True)
    assert reader.teams == Teams(home="ZS", away="SP"), "dev-1196's HUD no longer reads: this test tests nothing"
    calls, searches = reader.stats.ocr_calls, reader.stats.locate_attempts
    monkeypatch.setattr(reader, "_read_clock", lambda frame: "00:40")  # misread, on 0-2
    reading = reader.refresh_clock(first)
    assert reading is not None and reading.teams == Teams(home="ZS", away="SP")
    assert (reader.stats.ocr_calls, reader.stats.locate_attempts) == (calls, searches)
    monkeypatch.undo()
    reader.refresh_clock(first)  # the clock as it reads, 09:xx
    kick_off, clock = _dev_1196_frame("play", "AT", (0, 0))
    reading = reader.read(kick_off)
    assert reading is not None and reading.clock == clock and clock < "01:00"
    assert reading.teams == Teams(home="AT", away="IN")
    assert (reading.score.home, reading.score.away) == (0, 0)
