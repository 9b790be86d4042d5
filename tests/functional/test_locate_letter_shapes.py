"""A code's 'L' and 'T' are known by a foot or a top bar, which no 'I' or 'J' has, whatever tesseract reads alone.

dev-748: Inter Light Italic's 'LCFC' at 20 px read 'LCFC' whole; its 'L', a lookalike, was read again alone and read
'I' in every rendering: all three goals were named 'DORT-ICFC'. The painter's 'ATM' read 'AIM' and 'TOT' 'JOT' so.
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np

from capture_task.vision.locate import _foot_or_bar, _letters_by_shape
from tests.functional.drawn_glyphs import drawn_glyph, every_face

DEV_748_LCFC = """
.#................#######.......###########........########..
.#..............####....###.....#................####....###.
.#.............###........##....#...............###........##
.#............##................#..............##............
.#............##................#..............##............
.##..........##.................#.............##.............
.##..........##.................##............##.............
###..........##.................##............##.............
###.........##.................###...........##..............
###.........##.................###...........##..............
###.........##.................###########...##..............
###.........##.................###...........##..............
###.........###................###...........###.............
###..........##................###............##.............
###..........##.................##............##.............
.##...........##................##.............##............
.##...........##................#..............##...........#
.#.............###........##....#...............###........##
.##.............####....###.....#................####....###.
.##########.......########......#..................########..
"""
"""dev-748's away code as the search cut it (20 px text): its 'L''s foot is one row."""


def test_a_thin_l_read_as_i_is_an_l_by_its_foot() -> None:
    mask = np.array([[c == "#" for c in line] for line in DEV_748_LCFC.split()])
    assert _letters_by_shape(mask, "ICFC", 20) == "LCFC"
    assert _letters_by_shape(mask, "LCFC", 20) == "LCFC"


def _stem_with_foot(foot_px: int) -> np.ndarray:
    glyph = np.zeros((20, 16), bool)
    glyph[:, :4] = True  # a stem 4 px wide
    glyph[-3:, :foot_px] = True  # a foot running right from its bottom
    return glyph


def test_a_foot_is_at_least_two_and_a_half_stems_long() -> None:
    # Shorter, it may be a serif or a stroke's end smeared by the blur; an 'L''s foot is 3-6 stems.
    assert _foot_or_bar(_stem_with_foot(8)) is None
    assert _foot_or_bar(_stem_with_foot(12)) == "L"


def test_no_i_j_l_or_t_in_any_face_is_named_another_letter_by_its_foot_or_bar() -> None:
    named: Counter[tuple[str, str | None]] = Counter()
    for font, px, shear, blur in itertools.product(every_face(), (12, 15, 19, 24, 32), (0.0, 0.2), (False, True)):
        for letter in "IJLT":
            named[(letter, _foot_or_bar(drawn_glyph(letter, font, px, shear, blur)))] += 1
    wrong = {pair: count for pair, count in named.items() if pair[1] not in (None, pair[0])}
    assert wrong == {}
    faces = len(every_face()) * 5 * 2 * 2
    assert named[("L", "L")] >= 0.85 * faces  # 1146 of 1280 on Dec 6
    assert named[("T", "T")] >= 0.5 * faces  # 783 of 1280
