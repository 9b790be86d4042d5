"""A 'J' taller than its neighbours is a letter whose foot hooks left, not a bar, upright or italic.

dev-256: an italic Noto Sans Bold 'JU' (shear 0.23): the 'J' descends 0.3 text heights below the line, so it fell
off the row, and then, as a slanted stroke taller than the text, was taken for a bar: the code read 'U' and the HUD
was never found. Its lean moved both edges of its foot left, as a slanted bar's move: the hook is measured with
the lean taken out. Drawn with PIL and a real font.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.geometry import Box, clean_glyphs
from capture_task.vision.locate import (
    LETTERS,
    _Glyph,
    _is_hooked_letter,
    _same_line,
    code_glyphs,
    letter_sized,
    locate_hud,
    read_code,
    read_glyphs,
)
from contracts import Teams

NOTO_BOLD = Path("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _drawn(text: str, font: Path, size: int, shear: float) -> NDArray[np.bool_]:
    """``text`` drawn light on dark, leaned right by ``shear`` (as an italic face or the generator's shear), cropped."""
    if not font.is_file():
        pytest.skip(f"{font} is not installed")
    image = Image.new("L", (200, 120), 0)
    ImageDraw.Draw(image).text((60, 30), text, font=ImageFont.truetype(str(font), size), fill=255)
    grey = np.asarray(image)
    # x' = x - shear * (y - 60): rows above the middle move right, below it left.
    sheared = cv2.warpAffine(grey, np.float32([[1, -shear, shear * 60], [0, 1, 0]]), (200, 120))
    mask = sheared > 127
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]


def _bar(height: int, width: int, shear: float) -> NDArray[np.bool_]:
    """A '|' or a strip: a solid bar, leaned like ``_drawn``'s text."""
    canvas = np.zeros((120, 200), np.uint8)
    canvas[30 : 30 + height, 80 : 80 + width] = 255
    sheared = cv2.warpAffine(canvas, np.float32([[1, -shear, shear * 60], [0, 1, 0]]), (200, 120))
    mask = sheared > 127
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]


def _row(first: NDArray[np.bool_], top_offset: int, letter_height: int) -> list[_Glyph]:
    """``first`` followed by a letter ``letter_height`` tall whose top is ``top_offset`` px below ``first``'s."""
    height, width = first.shape
    glyph = _Glyph(Box(100, 50, 100 + width, 50 + height), True, first, 230.0, 40.0)
    letter = Box(102 + width, 50 + top_offset, 102 + width + 20, 50 + top_offset + letter_height)
    return [glyph, _Glyph(letter, True, np.ones((letter_height, 20), bool), 230.0, 40.0)]


@pytest.mark.parametrize(
    ("font", "size", "shear"),
    [(NOTO_BOLD, 32, 0.228), (NOTO_BOLD, 32, 0.0), (DEJAVU, 30, 0.0), (DEJAVU, 30, 0.2)],
    ids=["noto-bold-italic (dev-256)", "noto-bold", "dejavu", "dejavu-italic"],
)
def test_a_j_upright_or_italic_is_a_hooked_letter(font: Path, size: int, shear: float) -> None:
    j, u = _drawn("J", font, size, shear), _drawn("U", font, size, shear)
    row = _row(j, 0, u.shape[0])
    assert j.shape[0] > u.shape[0]  # it descends below the line
    assert _same_line(row[0].box, row[1].box)
    assert _is_hooked_letter(row[0], row, 0)


@pytest.mark.parametrize("shear", [0.0, 0.228])
@pytest.mark.parametrize(("height", "width"), [(30, 3), (30, 5), (38, 6)])
def test_a_bar_upright_or_leaning_is_no_hooked_letter(height: int, width: int, shear: float) -> None:
    row = _row(_bar(height, width, shear), 0, 23)
    assert not _is_hooked_letter(row[0], row, 0)


# dev-256's 'J' as the search cut it from the frame (864p, 1.9 Mbit/s, outlined): 30 px tall beside a 23 px 'U'.
DEV_256_J = """
.........#####  .........#####  .........#####  ........######  ........#####.  ........#####.  ........#####.
.......######.  .......#####..  .......#####..  .......#####..  .......#####..  ......######..  ......#####...
......#####...  ......#####...  .....######...  .....#####....  .....#####....  .....#####....  ....######....
....#####.....  ....#####.....  ....#####.....  ...#####......  ..######......  #######.......  ######........
#####.........  ###...........
"""


def test_dev_256s_italic_j_is_a_hooked_letter() -> None:
    """Its foot reaches 0.13 text heights left of its leaning stem, and its right edge curls left too."""
    j = np.array([[c == "#" for c in line] for line in DEV_256_J.split()])
    row = _row(j, 0, 23)
    assert _same_line(row[0].box, row[1].box)
    assert _is_hooked_letter(row[0], row, 0)


def test_a_bar_widening_at_its_foot_both_ways_is_no_hooked_letter() -> None:
    """A serifed 'I', or a bar whose foot blurs into its cell's edge, reaches left as far as a hook does, and as far
    right."""
    bar = np.zeros((30, 14), bool)
    bar[:, 5:9] = True
    bar[-4:, 1:13] = True
    row = _row(bar, 0, 23)
    assert not _is_hooked_letter(row[0], row, 0)


@pytest.mark.parametrize(
    ("tall", "same_line"),
    [
        (Box(16, 33, 23, 53), True),  # a 'J' 20 px tall, its tail 5 px below the line
        (Box(0, 33, 18, 53), False),  # dev-116: a blob of the crowd as wide as tall, beside a translucent HUD
    ],
)
def test_only_a_narrow_glyph_sharing_the_top_may_reach_far_below_the_line(tall: Box, same_line: bool) -> None:
    digit = Box(22, 34, 37, 49)  # 15 px: 20 px is 1.33 times taller, beyond what a glyph sharing either edge may be
    assert _same_line(tall, digit) is same_line


def test_a_narrow_glyph_far_from_the_line_is_no_descender() -> None:
    """A 'J' stands as near its letters as they stand apart; narrow blobs of grass and players a few heights away
    joined rows by the tail rule, and the search read twice as many tokens."""
    assert _same_line(Box(0, 33, 7, 53), Box(14, 34, 29, 49))
    assert not _same_line(Box(0, 33, 7, 53), Box(30, 34, 45, 49))


def test_a_glyph_taller_both_ways_is_no_descender() -> None:
    """unseen-23: a digit joined to the crowd above and below its translucent cell, 3 px above the line (within the
    tolerance for a shared top at 30 px) and 7 px below it, joined the row: the HUD was taken with a misread score."""
    assert not _same_line(Box(0, 21, 7, 61), Box(14, 24, 29, 54))
    assert _same_line(Box(0, 24, 7, 64), Box(14, 24, 29, 54))  # a 'J' as tall, its top on the line


# dev-24's away code as the search cut it from the frame (Open Sans Condensed Bold, 720p): its 'J' descends.
DEV_24_JUV = """
    ...####....####.....####..####.......####  ...####....####.....####..####.......####
    ...####....####.....####...####.....#####  ...####....####.....####...####.....####.
    ...####....####.....####...####.....####.  ...####....####.....####...####.....####.
    ...####....####.....####...#####....####.  ...####....####.....####....####...####..
    ...####....####.....####....####...####..  ...####....####.....####....####...####..
    ...####....####.....####....#####..####..  ...####....####.....####.....####.#####..
    ...####....####.....####.....####.####...  ...####....####.....####.....####.####...
    ...####....####.....####.....####.####...  ...####....####.....####......########...
    ...####....#####...#####......#######....  ...####.....###########.......#######....
    ...####.....###########.......#######....  ...####......#########........#######....
    ...####.......######...........#####.....  ...####..................................
    ..#####..................................  ######...................................
    ######...................................  #####....................................
    ####.....................................
"""


def test_a_code_whose_letters_tesseract_drops_after_a_descending_j_is_read_letter_by_letter() -> None:
    """Every rendering of the whole code read 'JU' (the 'V' after the 'J''s tail dropped); each letter alone reads,
    in two renderings alike."""
    mask = np.array([[c == "#" for c in line] for line in DEV_24_JUV.split()])
    assert read_glyphs(mask, 21, LETTERS) == "JU", "tesseract reads it whole now: the case is gone"
    assert read_code(mask, 21, 3) == "JUV"


@pytest.mark.parametrize(
    ("height", "width", "sized"),
    [(21, 14, True), (24, 18, True), (27, 7, True), (27, 20, False), (31, 7, False), (15, 10, False)],
    ids=["a letter", "an overshooting 'O'", "a 'J' descending", "a crowd blob as tall", "taller still", "a speck"],
)
def test_a_letter_read_alone_is_the_texts_height_or_a_narrow_descender(height: int, width: int, sized: bool) -> None:
    assert letter_sized(np.ones((height, width), bool), 21) is sized


def test_a_code_box_keeps_its_js_tail_and_the_score_box_stands_on_the_line() -> None:
    """dev-300: the 'J' of 'JUV' descends; the score's boxes, as deep as its tail, took in the crowd below the
    translucent cells, whose flicker changed the score's pixels from frame to frame. The reader's clean code box
    dropped the 'J' as taller than the text: JUV read UV."""
    image = Image.new("L", (1280, 720), 95)
    draw = ImageDraw.Draw(image)
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is not installed")
    face = ImageFont.truetype(str(DEJAVU), 26)
    draw.rectangle([30, 20, 460, 62], fill=30)
    x = 40
    for part in ("BAY", "2", "1", "JUV", "36:45"):
        draw.text((x, 26), part, font=face, fill=230)
        x += round(draw.textlength(part, font=face)) + 18
    frame = np.asarray(image).copy()
    layout = locate_hud(frame)
    assert layout is not None and layout.teams == Teams(home="BAY", away="JUV")
    assert layout.away.box.bottom > layout.home.box.bottom  # the 'J''s tail, in its own code's box only
    assert all(part.box.bottom == layout.home.box.bottom for part in layout.score)
    assert read_code(code_glyphs(frame, layout.away, layout.text_height_px), layout.text_height_px, 3) == "JUV"


def test_the_clean_code_box_keeps_a_j_descending_further_than_a_glyph_may_stand_taller() -> None:
    """dev-256's 'J' is 1.30 times its text's height: a blob that much taller is no glyph, unless narrow."""
    j = np.array([[c == "#" for c in line] for line in DEV_256_J.split()])
    crop = np.zeros((40, 70), bool)
    crop[4:34, 6:20] = j
    crop[4:27, 24:40] = True  # a 'U' as a block of the text's height, 23 px
    crop[4:34, 44:64] = True  # a blob as tall as the 'J' and two thirds as wide: no glyph
    kept = clean_glyphs(crop, 23, 3)
    assert (kept == (crop & (np.arange(70) < 44))).all()
