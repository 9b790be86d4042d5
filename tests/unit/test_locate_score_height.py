"""The score's own text height: taken only when its digits stand clearly taller than the codes.

A TV-style scorebug sets the score larger than the team codes; read at the codes' height, its digits were dropped as
too tall (the painter's looks with a score 1.35 times the codes: 12 of 60 read). Taken too readily, it made a HUD found
on the wrong boxes readable: unseen-23's 'NAPO', found as 'NA' and its 'O' a number, the crowd behind a translucent
cell making those glyphs 1.16 times the letters' height, read its home score as the away one (three goals, wrong and
silent) while it had read nothing before.
"""

from __future__ import annotations

import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _Glyph, _score_text_height, _Token


def _number(*heights: int) -> _Token:
    glyphs = [
        _Glyph(Box(20 * index, 40 - height, 20 * index + 14, 40), True, np.ones((height, 14), bool), 240.0, 20.0)
        for index, height in enumerate(heights)
    ]
    return _Token(glyphs, text="0" * len(heights), kind="number")


def test_a_score_clearly_taller_than_the_codes_is_read_at_its_own_height() -> None:
    assert _score_text_height([_number(42), _number(42, 41)], 31) == 42


def test_a_score_about_as_tall_as_the_codes_is_read_at_theirs() -> None:
    assert _score_text_height([_number(36), _number(36)], 31) is None  # unseen-23's wrong boxes: 1.16
    assert _score_text_height([_number(31), _number(32)], 31) is None


def test_numbers_shorter_than_the_codes_are_read_at_the_codes_height() -> None:
    """Numbers found only by their counters (dev-149's '6 6') stand shorter than the text they are part of."""
    assert _score_text_height([_number(13), _number(13)], 21) is None


def test_a_short_blob_read_with_a_number_does_not_set_its_height() -> None:
    assert _score_text_height([_number(20, 42), _number(42)], 31) == 42
