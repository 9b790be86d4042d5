"""Blobs in a HUD's row that are no text: marks, never read, so that they join no code or number.

A crest's rim or a cell's edge reaches past the text line above and below the glyphs beside it (dev-365's shield
crests, dev-274's accent cell as streamed); a letter grown by specks of a noisy translucent cell does too, by as much,
but what grows it is specks, not a band across it (unseen-23's 'R': taken for a mark, its HUD was found on the wrong
boxes and three goals went to the wrong team, in silence). A crest's stripe stands off the line: its foot above the
line of the glyphs beside it (dev-365's home crest, whose two halves read 'II').
"""

from __future__ import annotations

import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _Glyph, _overreaching, _raised_stroke, _tokens

TOP, TEXT = 20, 30


def _glyph(left: int, top: int, mask: np.ndarray) -> _Glyph:
    height, width = mask.shape
    return _Glyph(Box(left, top, left + width, top + height), True, mask, 230.0, 40.0)


def _letter(left: int) -> _Glyph:
    mask = np.zeros((TEXT, 20), bool)
    mask[:, :4] = mask[:4, :] = mask[13:17, :] = True  # an 'E'
    return _glyph(left, TOP, mask)


def _row(middle: _Glyph) -> list[_Glyph]:
    return [_letter(0), _letter(30), middle, _letter(100), _letter(130)]


def test_a_rim_reaching_past_the_line_both_ways_is_a_mark() -> None:
    rim = np.zeros((TEXT + 10, 24), bool)
    rim[:3, :] = rim[-3:, 8:16] = rim[:, :3] = rim[:, -3:] = True  # a shield's outline: a broad top, a narrow point
    row = _row(_glyph(60, TOP - 5, rim))

    assert _overreaching(row, 2)
    assert [token.kind for token in _tokens(row)][1] == "mark"


def test_a_letter_grown_by_specks_above_and_below_is_no_mark() -> None:
    grown = np.zeros((TEXT + 8, 27), bool)
    grown[4:-4, :4] = grown[4:8, :] = grown[17:21, :] = True  # an 'F'...
    grown[:4, 2:5] = grown[-4:, 20:24] = True  # ...and a speck of the crowd above and below it

    assert not _overreaching(_row(_glyph(60, TOP - 4, grown)), 2)


def test_a_glyph_as_tall_as_its_neighbours_is_no_mark() -> None:
    assert not _overreaching(_row(_letter(60)), 2)


def test_a_stroke_whose_foot_is_off_the_line_is_a_mark_and_an_i_on_the_line_is_not() -> None:
    stripe = _glyph(60, TOP, np.ones((TEXT - 5, 6), bool))
    letter_i = _glyph(60, TOP, np.ones((TEXT, 5), bool))

    assert _raised_stroke(_row(stripe), 2)
    assert not _raised_stroke(_row(letter_i), 2)


def test_an_i_a_pixel_taller_than_its_code_is_no_bar_beside_a_smaller_text() -> None:
    """unseen-09: 'MCI' (27 px, its 'I' 28) then a streamer's 'UPTIME 1:02:05' (23 px) in the same row. Measured
    against the 'M', 'C', 'U' and 'P' beside it (25 px), the 'I' was a bar: the code read 'MC' and both goals were
    named so. Against its own word's letters it is a letter; a '|' between two numbers is still a bar."""
    small = [_glyph(160 + 25 * index, TOP + 4, np.ones((TEXT - 4, 18), bool)) for index in range(2)]
    letter_i = _glyph(60, TOP - 1, np.ones((TEXT + 1, 4), bool))
    row = [_letter(14), _letter(38), letter_i, *small]
    assert [(token.kind, len(token.glyphs)) for token in _tokens(row)] == [("other", 3), ("other", 2)]
    bar = _glyph(60, TOP - 3, np.ones((TEXT + 6, 4), bool))  # '1 | 3': a bar among its own neighbours too
    assert [token.kind for token in _tokens([_letter(40), bar, _letter(70), *small])][1] == "mark"
