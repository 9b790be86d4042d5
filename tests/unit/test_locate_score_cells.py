"""A score read as one number of two digits, each digit on a cell of its own team's colour, is read as two numbers,
each in its own box with its own polarity and grey level.

dev-937: '1:2' (its colon lost) on a light blue and a dark red cell, greys 153 and 46; the search found the '1' by its
dark outline and the '2' light. One score box read light at the level halfway between their inks and cells (113) took
the blue cell for ink, the '1' was never read, and both goals were lost (said).
"""

from __future__ import annotations

import numpy as np
import pytest

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _Glyph, _numbers_by_cell, _Token


def _digit(left: int, *, light: bool, ink: float, background: float) -> _Glyph:
    return _Glyph(Box(left, 50, left + 12, 71), light, np.ones((21, 12), bool), ink, background)


def _number(*glyphs: _Glyph, text: str = "12") -> _Token:
    return _Token(list(glyphs), text, "number")


def test_digits_found_in_two_polarities_are_two_numbers() -> None:
    """dev-937's token: the '1' by its dark outline on the blue cell, the '2' light on the red one."""
    one = _digit(587, light=False, ink=37, background=153)
    two = _digit(608, light=True, ink=216, background=46)
    numbers = _numbers_by_cell([_number(one, two)])
    assert [(n.text, n.light, n.level) for n in numbers] == [("1", False, 95), ("2", True, 131)]


def test_a_digit_on_a_cell_beyond_the_shared_level_makes_two_numbers() -> None:
    """Both light, on cells of greys 190 and 40: halfway between their inks and cells (172) the first cell is ink."""
    one = _digit(587, light=True, ink=235, background=190)
    two = _digit(608, light=True, ink=225, background=40)
    assert _number(one, two).level == 172
    numbers = _numbers_by_cell([_number(one, two)])
    assert [(n.text, n.level) for n in numbers] == [("1", 212), ("2", 132)]


@pytest.mark.parametrize(
    "backgrounds", [(40, 44), (150, 40)], ids=["one cell", "two cells, both on the cell's side of the level"]
)
def test_a_number_one_level_reads_stays_one(backgrounds: tuple[int, int]) -> None:
    """'10' on one cell, or two cells whose greys one level parts from both digits' ink, is left as it was read."""
    glyphs = [_digit(587 + 21 * i, light=True, ink=230, background=b) for i, b in enumerate(backgrounds)]
    number = _number(*glyphs, text="10")
    assert _numbers_by_cell([number]) == [number]
