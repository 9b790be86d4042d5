"""Which ``CODE n n CODE`` of a row the search takes when the row holds more than one.

A clock's digits misread as a code ('03:03' as 'OS 03', in a slanted face) stand right before the
HUD's home code and make a second candidate, 'OS 03 CH', whose score is one token of two digits.
The HUD's own numbers stand apart as two tokens: that candidate is tried first.
"""

from __future__ import annotations

import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import (
    ROW_REACH,
    SCORE_OFF_CENTRE,
    _clock_tokens,
    _deduplicated,
    _find_hud,
    _Glyph,
    _holds_text_of,
    _rows,
    _Token,
)

TEXT_HEIGHT = 12


def _glyph_at(left: int, width: int = 8, light: bool = False, height: int = TEXT_HEIGHT, top: int = 0) -> _Glyph:
    return _Glyph(Box(left, top, left + width, top + height), light, np.ones((height, width), bool), 20.0, 200.0)


def _token(text: str, kind: str, left: int, glyphs: int | None = None) -> _Token:
    count = glyphs if glyphs is not None else max(len(text), 1)
    return _Token([_glyph_at(left + 9 * i) for i in range(count)], text=text, kind=kind)


def test_the_candidate_whose_numbers_stand_apart_is_tried_first() -> None:
    tokens = [
        _token("OS", "code", 0),
        _token("03", "number", 30),
        _token("CH", "code", 60),
        _token("1", "number", 100),
        _token("0", "number", 120),
        _token("RM", "code", 150),
    ]

    candidates = _find_hud(tokens, TEXT_HEIGHT)

    assert [(tokens[home].text, tokens[away].text) for home, away, _ in candidates] == [("CH", "RM"), ("OS", "CH")]


def test_a_score_glued_into_one_token_is_still_a_candidate_alone() -> None:
    tokens = [_token("LIV", "code", 0), _token("10", "number", 40), _token("MCI", "code", 70)]

    assert [(home, away) for home, away, _ in _find_hud(tokens, TEXT_HEIGHT)] == [(0, 2)]


def test_of_two_clocks_either_side_the_nearer_is_the_huds() -> None:
    # A widget's "UPTIME 1:02:09" right of the away code, the HUD's own clock left of the home code.
    tokens = [
        _token("04", "number", 0),
        _token("41", "number", 24),
        _token("RM", "code", 70),
        _token("0", "number", 100),
        _token("0", "number", 120),
        _token("AJ", "code", 140),
        _token("UPTIME", "other", 200),
        _token("1", "number", 260),
        _token("02", "number", 275),
    ]

    clock = _clock_tokens(tokens, 2, 5, TEXT_HEIGHT)

    assert clock is not None and [t.text for t in clock] == ["04", "41"]
    tokens[0].glyphs, tokens[1].glyphs = _token("04", "number", -300).glyphs, _token("41", "number", -276).glyphs
    clock = _clock_tokens(tokens, 2, 5, TEXT_HEIGHT)
    assert clock is not None and [t.text for t in clock] == ["1", "02"]


def test_glyphs_up_to_the_row_reach_apart_share_a_row() -> None:
    # A clock, then a divider and a crest taller than the text (not on the line), then the home code.
    clock = [_glyph_at(0), _glyph_at(9), _glyph_at(20), _glyph_at(29)]
    code = [_glyph_at(37 + (ROW_REACH - 1) * TEXT_HEIGHT + 9 * i) for i in range(3)]

    assert [len(row) for row in _rows(clock + code)] == [7]
    far = [_glyph_at(37 + (ROW_REACH + 1) * TEXT_HEIGHT + 9 * i) for i in range(4)]
    assert sorted(len(row) for row in _rows(clock + far)) == [4, 4]


def test_a_digit_printed_on_a_cell_is_kept_not_the_cell() -> None:
    # A dark '2'-like blob (not convex) on a light cell half again as tall: the cell's blob is the box but the digit.
    digit = np.ones((20, 12), bool)
    digit[4:12, 0:9] = False  # a notch: not convex
    cell_height, cell_width = 30, 20
    cell_mask = np.ones((cell_height, cell_width), bool)
    cell_mask[5:25, 4:16] = ~digit
    cell = _Glyph(Box(0, 0, cell_width, cell_height), True, cell_mask, 190.0, 100.0)
    inner = _Glyph(Box(4, 5, 16, 25), False, digit, 30.0, 190.0)

    assert _deduplicated([cell, inner]) == [inner]
    assert _deduplicated([inner, cell]) == [inner]
    # A letter's hole (convex) inside its letter stays the letter.
    hole = _Glyph(Box(4, 5, 16, 25), False, np.ones((20, 12), bool), 30.0, 190.0)
    assert _deduplicated([cell, hole]) == [cell]


def _spanning(text: str, kind: str, left: int, right: int, height: int) -> _Token:
    return _Token([_glyph_at(left, right - left, height=height)], text=text, kind=kind)


def test_numbers_off_the_middle_between_the_codes_are_no_score() -> None:
    # unseen-23: 'NAPO 0 - 0 RBLZ' (31 px) with its 'P' and 'R' lost and its away '0' unread: 'NA' took the 'O' for
    # its home score and the home score for the away one. Measured boxes of that search.
    height = 31
    row = [
        _spanning("NA", "code", 203, 256, height),
        _spanning("0", "number", 284, 308, height),
        _spanning("0", "number", 324, 345, height),
        _spanning("", "other", 396, 424, height),
        _spanning("BLZ", "code", 469, 544, height),
    ]

    assert _find_hud(row, height) == []
    # The same numbers in the middle of the codes' gap are a score; just past the tolerance they are not.
    middle = (256 + 469) / 2
    for shift, taken in ((SCORE_OFF_CENTRE * height - 1, True), (SCORE_OFF_CENTRE * height + 1, False)):
        left = round(middle + shift - (345 - 284) / 2)
        moved = [row[0], _spanning("1", "number", left, left + 24, height)]
        moved += [_spanning("0", "number", left + 40, left + 61, height), row[4]]
        assert bool(_find_hud(moved, height)) is taken


def test_a_number_with_a_leading_zero_is_no_team_s_score() -> None:
    # dev-1383: '0-0' (13 px, light condensed), its '-0' glued into one glyph read '0', and a block of the crowd in the
    # gap between two cells read '1': 'BVB 00 1 ZEN' was taken, the match joined at 0-1. Measured boxes of that search.
    height = 13
    codes = [_spanning("BVB", "code", 1106, 1132, height), _spanning("ZEN", "code", 1205, 1231, height)]
    misread = [codes[0], _spanning("00", "number", 1159, 1179, height), _spanning("1", "number", 1192, 1194, height)]
    assert _find_hud([*misread, codes[1]], height) == []
    # The same boxes read '10' and '1' are a score; '00' alone between the codes is both numbers (a thin separator).
    assert _find_hud([codes[0], _spanning("10", "number", 1159, 1179, height), misread[2], codes[1]], height)
    assert _find_hud([codes[0], _token("00", "number", 1159), codes[1]], height)


def test_a_search_near_a_known_hud_reads_only_rows_with_text_of_its_height_and_its_codes_polarity() -> None:
    # bench-720p30-a's half-time search near its dark-lettered HUD read rows of light crowd specks of its text height.
    specks = [_glyph_at(12 * i, light=True, height=24) for i in range(9)]
    letters = [_glyph_at(12 * i, light=False, height=24) for i in range(6)]
    assert _holds_text_of(specks, 24)
    assert not _holds_text_of(specks, 24, frozenset({False}))
    assert _holds_text_of(specks, 24, frozenset({True}))
    assert _holds_text_of(letters + specks[:3], 24, frozenset({False}))
    assert _holds_text_of(letters, 24, frozenset({False, True}))  # codes of either polarity (one dark, one light)
    assert not _holds_text_of(letters, 40, frozenset({False}))  # of another height
