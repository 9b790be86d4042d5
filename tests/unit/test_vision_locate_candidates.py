"""Which ``CODE n n CODE`` of a row the search takes when the row holds more than one.

A clock's digits misread as a code ('03:03' as 'OS 03', in a slanted face) stand right before the
HUD's home code and make a second candidate, 'OS 03 CH', whose score is one token of two digits.
The HUD's own numbers stand apart as two tokens: that candidate is tried first.
"""

from __future__ import annotations

import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _find_hud, _Glyph, _Token

TEXT_HEIGHT = 12


def _token(text: str, kind: str, left: int, glyphs: int | None = None) -> _Token:
    count = glyphs if glyphs is not None else max(len(text), 1)
    parts = [
        _Glyph(Box(left + 9 * i, 0, left + 9 * i + 8, TEXT_HEIGHT), False, np.ones((TEXT_HEIGHT, 8), bool), 20.0, 200.0)
        for i in range(count)
    ]
    return _Token(parts, text=text, kind=kind)


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
