"""The reader's shape rules for separators and sliding numbers, on masks drawn by hand.

A '|' between the numbers must never join them or read as a '1', upright or slanted as an italic
face draws it; a number cut by its box's edge (a goal animation sliding it out) must never be read.
"""

from __future__ import annotations

import numpy as np

from capture_task.vision.geometry import Box, clean_glyphs, is_bar
from capture_task.vision.locate import _same_line
from capture_task.vision.reader import stands_on_the_line

TEXT_HEIGHT = 14


def _slanted_bar(height: int, thickness: int, shear: float) -> np.ndarray:
    """A stroke ``thickness`` wide leaning right by ``shear`` px per row, as an italic '|'."""
    width = thickness + int(np.ceil(shear * height)) + 1
    bar = np.zeros((height, width), bool)
    for row in range(height):
        left = round(shear * (height - 1 - row))
        bar[row, left : left + thickness] = True
    return bar


def test_an_upright_bar_taller_than_the_text_is_a_bar() -> None:
    assert is_bar(np.ones((21, 3), bool), TEXT_HEIGHT)


def test_a_slanted_bar_taller_than_the_text_is_a_bar() -> None:
    # An italic face's '|' (Inter Bold Italic, 720p): 21 px tall, 3 px strokes, leaning ~0.2.
    assert is_bar(_slanted_bar(21, 3, 0.2), TEXT_HEIGHT)


def test_a_slanted_bar_no_taller_than_the_text_is_no_bar() -> None:
    # An italic '1' without its flag is just as slanted, but as tall as the digits beside it.
    assert not is_bar(_slanted_bar(TEXT_HEIGHT, 3, 0.2), TEXT_HEIGHT)


def test_a_tall_blob_whose_rows_wander_is_no_bar() -> None:
    # Crowd joined to a cell's edge: narrow rows, but not along one straight line.
    blob = np.zeros((21, 8), bool)
    for row, left in enumerate([0, 4, 1, 5, 0, 3, 5, 1, 4, 0, 5, 2, 4, 0, 5, 1, 3, 5, 0, 4, 2]):
        blob[row, left : left + 3] = True
    assert not is_bar(blob, TEXT_HEIGHT)


def _number_in_box(top: int, bottom: int, box_height: int = 22) -> np.ndarray:
    group = np.zeros((box_height, 12), bool)
    group[top:bottom, 3:9] = True
    return group


def test_a_number_on_the_line_stands_on_it() -> None:
    assert stands_on_the_line(_number_in_box(4, 18), TEXT_HEIGHT)


def test_a_number_cut_by_the_top_of_its_box_does_not() -> None:
    # Sliding up out of its cell: its tip is cut off (a '1' so cut reads as '7').
    assert not stands_on_the_line(_number_in_box(0, 13), TEXT_HEIGHT)


def test_a_number_cut_by_the_bottom_of_its_box_does_not() -> None:
    assert not stands_on_the_line(_number_in_box(9, 22), TEXT_HEIGHT)


def test_a_number_whole_but_off_the_line_does_not() -> None:
    # Moved up by a third of the text height, still inside the box.
    assert not stands_on_the_line(_number_in_box(1, 15), TEXT_HEIGHT)


def test_a_narrow_strip_reaching_the_top_of_a_box_is_no_glyph() -> None:
    # The grey frame between split score cells, caught at the edge of the away number's box.
    box = np.zeros((22, 16), bool)
    box[4:18, 7:13] = True
    box[0:16, 2:4] = True  # no taller than the text: only its reaching the edge tells it apart
    cleaned = clean_glyphs(box, TEXT_HEIGHT, 3)

    assert not cleaned[:, 2:4].any()
    assert cleaned[4:18, 7:13].all()


def test_a_bar_beside_one_digit_is_no_glyph_though_it_raises_their_median_height() -> None:
    """dev-387: Roboto Light's '|3' in one box, the bar 1.18 text heights tall: measured against the median of
    both blobs (its own height in it), it stayed, and '|3' read '13' (1-3 taken as 1-13)."""
    box = np.zeros((30, 20), bool)
    box[4:22, 2:4] = True  # the '|': 18 px tall, solid
    box[6:21, 8:16] = True  # a digit of the text's height, 15 px
    cleaned = clean_glyphs(box, 15, 3)
    assert not cleaned[:, 2:4].any()
    assert cleaned[6:21, 8:16].all()

    ones = np.zeros((30, 20), bool)
    ones[6:21, 3:5] = True  # '11' set plain: two solid bars of the text's height stay digits
    ones[6:21, 12:14] = True
    assert (clean_glyphs(ones, 15, 3) == ones).all()


def test_a_wide_number_cut_by_the_top_of_its_box_stays_for_the_line_test() -> None:
    cleaned = clean_glyphs(_number_in_box(0, 13), TEXT_HEIGHT, 3)

    assert cleaned.any() and not stands_on_the_line(cleaned, TEXT_HEIGHT)


def test_numbers_set_a_little_lower_than_the_codes_share_their_line() -> None:
    code = Box(left=0, top=44, right=20, bottom=72)
    number = Box(left=100, top=50, right=120, bottom=78)  # 6 px lower: 0.21 of the text height
    assert _same_line(code, number)


def test_a_taller_crest_or_the_next_line_of_text_does_not() -> None:
    code = Box(left=0, top=44, right=20, bottom=72)
    assert not _same_line(code, Box(left=30, top=37, right=70, bottom=80))  # a crest 1.5x as tall, centred
    assert not _same_line(code, Box(left=30, top=66, right=50, bottom=94))  # the next line, overlapping a little
