"""Digits tesseract reads as others in some faces are read by their shapes; real digits still read as themselves.

- A '1' in a light, italic or sheared face is read as 1, never as '7'; a real '7' still reads as 7. "No reading"
  is not enough for a '1': in these faces every '1' tesseract sees is a '7', so a reader that only refused it
  would never read the score again, and dev-23's last goal was lost that way.
- An '8' in a heavy italic face (Lato Heavy Italic) reads as '2' alone and in the line alike: 8-0 was read as
  2-0, a wrong score. Its two counters say it is an 8.
- A light face's closed '4' is no zero, although its counter is centred and tall (Inter Light's 4-5 read 0-5).

Frames are drawn in the faces that misread (dev-23's Roboto Light Italic, sheared Inter and Open
Sans, sheared Lato Heavy), compressed as a stream would be, and read with real tesseract.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.geometry import (
    counter_count,
    has_a_crossbar,
    inside_of,
    is_outline,
    looks_like_flagged_one,
    rings_filled,
)
from capture_task.vision.locate import DIGITS, _outlined_digit, read_counted
from capture_task.vision.reader import (
    ScoreboardReader,
    _agrees,
    _digits_by_shape,
    _Number,
    _read_rings_filled,
    read_score,
)
from contracts import Score
from sample_broadcast import FrameRenderer, MatchScript
from sample_broadcast.suite import dev_suite
from tests.functional.drawn_glyphs import drawn_glyph, every_face
from tests.functional.hud_drawing import HudText, paint, random_look

ROBOTO = "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/"
FACES = [
    pytest.param(ROBOTO + "Roboto-LightItalic.ttf", 0.0, id="roboto-light-italic"),
    pytest.param(ROBOTO + "Roboto-Light.ttf", 0.2, id="roboto-light-sheared"),
    pytest.param("/usr/share/fonts/opentype/inter/Inter-MediumItalic.otf", 0.2, id="inter-medium-italic-sheared"),
    pytest.param("/usr/share/fonts/truetype/open-sans/OpenSans-Light.ttf", 0.2, id="open-sans-light-sheared"),
]
STREAM_JPEG_QUALITY = 60


def _read(font_path: str, shear: float, score: tuple[int, int]) -> tuple[int, int] | None:
    base = dev_suite(24)[23].style  # dev-23: light italic digits in split cells, bottom centre
    style = dataclasses.replace(base, hud=dataclasses.replace(base.hud, font_path=font_path, italic_shear=shear))
    script = MatchScript(home="BVB", away="MIL", duration_s=6, start_clock_s=600, start_score=score)
    frame = FrameRenderer(script, style).render(style.fps)
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, STREAM_JPEG_QUALITY])
    assert ok
    frame = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    reader = ScoreboardReader()
    reading = reader.read(frame, may_locate=True) or reader.read(frame, may_locate=True)
    assert reader.layout is not None, "the HUD must be found for the test to mean anything"
    return None if reading is None else (reading.score.home, reading.score.away)


@pytest.mark.parametrize(("font_path", "shear"), FACES)
@pytest.mark.parametrize("score", [(1, 7), (7, 1), (0, 1)])
def test_a_one_is_read_as_one_not_seven(font_path: str, shear: float, score: tuple[int, int]) -> None:
    assert _read(font_path, shear, score) == score


@pytest.mark.parametrize(("font_path", "shear"), FACES)
def test_real_sevens_still_read(font_path: str, shear: float) -> None:
    assert _read(font_path, shear, (7, 7)) == (7, 7)
    assert _read(font_path, shear, (7, 0)) == (7, 0)


def _drawn_one() -> np.ndarray:
    one = np.zeros((10, 6), bool)
    one[:, 4:6] = True  # the stem
    one[2:4, 0:4] = True  # a flag hanging below the stem's top
    return one


def _drawn_seven() -> np.ndarray:
    seven = np.zeros((10, 6), bool)
    seven[0:2, :] = True  # the bar, from the glyph's left
    for row in range(2, 10):
        seven[row, max(5 - row // 2, 0) : max(5 - row // 2, 0) + 2] = True
    return seven


def test_the_flag_rule_on_drawn_glyphs() -> None:
    assert looks_like_flagged_one(_drawn_one())
    assert not looks_like_flagged_one(_drawn_seven())


def test_a_speck_above_a_sevens_bar_leaves_it_a_seven() -> None:
    """A blurred DejaVu Sans Mono Bold '7' in a score cell fitted to its numbers: its top row two pixels at the bar's
    right end, as if the glyph's top started far in, 7-1 read 1-1 (the painter's seed 1091). Only above a bar: Inter
    Medium Italic's sheared '1' has a 2 px top over 6 of its 10 columns, and stays a '1'
    (``test_a_one_is_read_as_one_not_seven``, which a speck rule without the bar broke)."""
    seven = np.zeros((12, 16), bool)
    seven[0, 12:14] = True  # the speck
    seven[1:3, 0:15] = True  # the bar
    for row in range(3, 12):
        seven[row, 12 - row : 15 - row] = True
    assert not looks_like_flagged_one(seven)


def test_a_number_the_line_reads_is_checked_by_its_digits_shapes_as_one_read_alone_is() -> None:
    """dev-322: '1|1' in a sheared Open Sans ExtraBold read '1-7' in every rendering of the line, and 1, 1 alone:
    the goal to 1-1 was never read. The line's '7' is a flagged '1' by its shape; a real '7' stays a 7."""
    ones = (_Number(as_read=1, value=1), _Number(as_read=1, value=1))
    padded = [np.pad(mask, 2) for mask in (_drawn_one(), _drawn_one(), _drawn_seven())]
    assert _agrees((1, 7), ones, padded[:2])
    assert not _agrees((1, 7), ones, [padded[0], padded[2]])
    assert not _agrees((1, 4), ones, padded[:2])
    assert not _agrees(None, ones, padded[:2])


HEAVY_ITALIC = "/usr/share/fonts/truetype/lato/Lato-Heavy.ttf"


@pytest.mark.parametrize("score", [(8, 0), (0, 8), (8, 1), (2, 0), (3, 5), (7, 2)])
def test_a_heavy_italic_eight_is_read_as_eight_and_other_digits_as_themselves(score: tuple[int, int]) -> None:
    assert _read(HEAVY_ITALIC, 0.236, score) == score


@pytest.mark.parametrize("score", [(4, 5), (5, 4)])
def test_a_light_closed_four_is_not_taken_for_a_zero(score: tuple[int, int]) -> None:
    # Its counter, a triangle, is centred and tall like a zero's: a reader correcting a '4' by a zero's shape
    # read 4-5 as 0-5.
    assert _read("/usr/share/fonts/opentype/inter/Inter-Light.otf", 0.0, score) == score


DEV_80_RING = """
.........#####.
.......###...##
.....####....##
....###......##
...###......###
.###........###
###....##...##.
##....###...##.
##..####....##.
.####.##....##.
..##..##...###.
......##...###.
......##...##..
......##...##..
......##...##..
......#....##..
.....##....##..
.....##....##..
.....##...###..
.....##...##...
.....##...##...
.....#....##...
.....#....##...
....##....##...
....##...###...
....##...###...
....##...###...
....##...##....
.....#####.....
"""
"""dev-80's home '1' as the search found it: white on the white half of a score cell, seen only by its dark
outline (Open Sans Semibold, sheared, 29 px, H.264 at 2.3 Mbit/s). The ring reads as no digit."""


def _ring(drawing: str) -> np.ndarray:
    return np.array([[c == "#" for c in line] for line in drawing.strip().splitlines()])


def test_a_digit_seen_only_by_its_outline_is_read_by_its_inside() -> None:
    ring = _ring(DEV_80_RING)
    height = ring.shape[0]
    assert read_counted(ring, height, DIGITS, r"\d", 1) is None, "the ring must not read for the test to mean it"
    assert _outlined_digit(ring, height) == "1"


@pytest.mark.parametrize("digit", "123457")
def test_outlined_digits_are_read_by_their_inside_and_filled_ones_are_no_outline(digit: str) -> None:
    # Digits without a counter: an outlined 0, 6, 8 or 9 keeps its counter's own ring inside (the reader reads
    # those in the other polarity).
    font = ImageFont.truetype("/usr/share/fonts/truetype/open-sans/OpenSans-Semibold.ttf", 60)
    outlined, filled = Image.new("L", (80, 90), 255), Image.new("L", (80, 90), 255)
    ImageDraw.Draw(outlined).text((15, 0), digit, font=font, fill=0, stroke_width=4, stroke_fill=0)
    ImageDraw.Draw(outlined).text((15, 0), digit, font=font, fill=255)
    ImageDraw.Draw(filled).text((15, 0), digit, font=font, fill=0)
    for image in (outlined, filled):
        ink = np.array(image) < 128
        rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        glyph = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        assert _outlined_digit(glyph, glyph.shape[0]) == (digit if image is outlined else "")


DEV_108_SHADOWED_TWO = """
.........##########.............
.......##############...........
.....##################.........
...#######...###########........
..#####...###############.......
..####..##################......
...#..#######........######.....
.....#####............######....
.....###...............#####....
......#................######...
........................#####...
........................######..
........................######..
........................######..
........................######..
.......................#######..
.......................#######..
.......................#######..
......................########..
......................########..
.....................####.###...
.....................####.###...
....................####.####...
...................####.####....
...................####.####....
..................####.####.....
.................####..###......
................####..####......
...............####..####.......
..............#####.####........
.............#####.####.........
............#####.####..........
............####.####...........
...........####.#####...........
..........####.#####............
.........####..####.............
........####..####..............
.......####..####...............
......####..####................
.....####..####.................
....####..####..................
...####..####...................
..####..####....................
.####..####.....................
#############################...
#############################...
#############################...
...#############################
...#############################
...#############################
"""
"""dev-108's away '2' as the reader cleans it: Open Sans Light at 46 px with a drop shadow, on a light score cell
(1920x1080, 6.9 Mbit/s). Between the stroke and its shadow lie slivers of background, enclosed."""


def test_the_seams_a_shadow_leaves_are_no_counters_and_real_thin_counters_still_are() -> None:
    two = _ring(DEV_108_SHADOWED_TWO)
    assert counter_count(two) == 0
    assert _digits_by_shape(two, "2") == "2", "a '2' with 'counters' was refused, and the goal lost"
    # The thinnest counters measured: an extra-bold '4' and '8' at 18 px (0.12 of the height).
    font = ImageFont.truetype("/usr/share/fonts/truetype/open-sans/OpenSans-ExtraBold.ttf", 25)
    for digit, counters in (("4", 1), ("8", 2), ("0", 1)):
        image = Image.new("L", (40, 40), 0)
        ImageDraw.Draw(image).text((5, 0), digit, font=font, fill=255)
        ink = np.array(image) > 127
        rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        glyph = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        assert glyph.shape[0] <= 19 and counter_count(glyph) == counters, digit


DEV_566_OUTLINED_TWO = """
.#####..
##...##.
#.###.#.
.#...#.#
.....#.#
.....#.#
....####
....#.#.
...##.#.
...#.#..
..#.#...
.##.#...
.#.#....
#.#####.
#......#
.######.
"""
"""dev-566's away '2' as the reader cuts it: Open Sans Condensed Light at 15 px, a white stroke a pixel wide edged
in black, on a white team cell (1280x720, crf 26). Only the edging is ink; the stroke between is a seam, enclosed
where the edging meets round its foot and its bends."""


def test_the_seam_of_a_thin_stroke_between_its_edging_is_no_counter_however_it_bends() -> None:
    two = _ring(DEV_566_OUTLINED_TWO)
    assert counter_count(two) == 0
    assert _digits_by_shape(two, "2") == "2", "the '2' was refused for its 'counter' on every frame: goals lost"
    # As wide as a seam in every row but two pixels wide: a counter, a narrow one.
    narrow_zero = np.pad(np.ones((16, 6), bool), 1)
    narrow_zero[4:14, 3:5] = False
    assert counter_count(narrow_zero) == 1


UNSEEN_33_ZERO = """
...####....
..#######..
.########..
.#########.
#####.####.
#####.#####
#####.#####
####...####
####...####
####...####
####...####
####...####
####..#####
####..#####
#####.#####
#####.#####
.#########.
..########.
..#######..
....####...
"""


def _zero_group(drawn: str, left: int) -> np.ndarray:
    """A score part's glyphs as the reader cut them: 30 x 25, the zero 5 px down, ``left`` px in."""
    zero = np.array([[c == "#" for c in line] for line in drawn.split()])
    group = np.zeros((30, 25), bool)
    group[5 : 5 + zero.shape[0], left : left + zero.shape[1]] = zero
    return group


def test_numbers_read_alone_stand_when_no_rendering_of_the_line_reads_anything() -> None:
    """unseen-33: Open Sans Condensed Bold's slit zeros, 19 px, shadowed, as the reader cut them from the stream
    (its home zero, twice): each reads '0' alone in four renderings of five, and tesseract reads nothing at all in
    every rendering of the redrawn '0-0' line. 0-0 was never read, and the match's first goal was lost (said).
    Nothing read is no other score: the numbers stand, backed by their renderings alone."""
    groups = [_zero_group(UNSEEN_33_ZERO, 10), _zero_group(UNSEEN_33_ZERO, 4)]
    assert read_score(groups, 19) == Score(home=0, away=0)


DEV_348_TWO_RING = """
.......#########.......
.....###.......###.....
....##...........##....
...#...............#...
..#.................#..
.##.................#..
.#........###.......##.
##.......#..##.......#.
#.......#....#.......#.
#.......#....#.......#.
#...#..##....#.......#.
.#######.....#.......#.
............##......##.
............#.......#..
...........#.......##..
..........#........#...
.........##.......#....
........##.......#.....
.......##.......#......
.......#.......#.......
......#.......#........
.....#.......##........
....#.......##.........
...#.......##..........
..#........###########.
.#....................#
.#....................#
.#....................#
.#....................#
.#....................#
..####################.
"""
"""dev-348's home '2': Roboto Black, yellow on a light cell, shadowed; the cut found its dark edge, a closed ring."""
DEV_348_ZERO = """
.......######.......
.....##########.....
....#############...
...##############...
..################..
.#######...########.
.######......######.
.######......######.
#######......######.
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
#######......#######
.######......######.
.######......######.
.########...#######.
..################..
...##############...
...##############...
.....##########.....
.......######.......
"""


def _placed(drawn: str, shape: tuple[int, int], top: int, left: int) -> np.ndarray:
    glyph = np.array([[c == "#" for c in line] for line in drawn.split()])
    group = np.zeros(shape, bool)
    group[top : top + glyph.shape[0], left : left + glyph.shape[1]] = glyph
    return group


def test_a_number_cut_as_the_ring_of_its_outline_is_read_by_what_the_ring_encloses() -> None:
    """dev-348: the '2' ring is no digit (refused, rightly: a ring reads as anything), and its fill in the other
    polarity, too close to the cell's grey, came in fragments with holes, read '8': the goal to 2-0 was lost
    (said). What the ring encloses is the '2'."""
    ring = _placed(DEV_348_TWO_RING, (48, 47), 8, 16)
    zero = _placed(DEV_348_ZERO, (48, 43), 9, 7)
    assert is_outline(ring[8:39, 16:39])
    assert read_score([ring, zero], 31) is None
    assert _read_rings_filled([ring, zero], 31) == Score(home=2, away=0)
    filled = rings_filled(ring)
    assert filled is not None and (filled[8:39, 16:39] == inside_of(ring[8:39, 16:39])).all()
    assert rings_filled(zero) is None  # a digit with a counter is no ring: left as it is


def test_the_reader_reads_a_ring_by_what_it_encloses_before_trying_the_other_polarity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same, through ``ScoreboardReader.read``: a painted HUD found, its score boxes cut as dev-348's were."""
    look = dataclasses.replace(random_look(random.Random(4)), text_px=31)
    frame = paint(look, HudText("INTE", "LILL", 2, 0, "03:56"))
    reader = ScoreboardReader()
    for _ in range(3):
        reader.read(frame, fresh=True, may_locate=True)
    assert reader.teams is not None, "the painted HUD was not found: this test no longer tests the reader"
    ring = _placed(DEV_348_TWO_RING, (48, 47), 8, 16)
    zero = _placed(DEV_348_ZERO, (48, 43), 9, 7)
    as_cut = dataclasses.replace(reader.layout, text_height_px=31)
    monkeypatch.setattr(reader, "layout", as_cut)
    monkeypatch.setattr(reader, "_score_groups", lambda frame, inverted=False: [ring, zero])
    reading = reader.read(frame, fresh=True)
    assert reading is not None and reading.score == Score(home=2, away=0)


DEV_427_ZERO = """
..###..
.#...#.
#....##
#.....#
#.....#
#.....#
#.....#
#.....#
#.....#
#.....#
#....##
.#...#.
..###..
"""
"""dev-427's away '0', Roboto Condensed Light at 13 px, as the reader cut it (21 x 19, 4 px down, 6 px in)."""


def test_a_number_half_as_tall_as_the_other_is_a_fragment_not_a_number() -> None:
    """dev-427: the home '0', light with a dark outline on a white cell, read by its fill, came out as a stroke of
    its left side 7 px tall beside the away '0' of 13 px; every rendering read the stroke '1', and 0-0 read 1-0 on the
    keyframes before the goal to 1-0, which was lost in silence. A score's digits stand equally tall."""
    stroke = np.zeros((21, 21), bool)
    stroke[7:14, 7] = True
    zero = _placed(DEV_427_ZERO, (21, 19), 4, 6)
    assert read_score([stroke, zero], 13) is None
    whole_one = np.zeros((21, 21), bool)
    whole_one[4:17, 7:9] = True  # a '1' as tall as the '0' still reads
    assert read_score([whole_one, zero], 13) == Score(home=1, away=0)


FREESANS_BOLD_BLURRED_SIX = """
.....###...
...#######.
..#########
.##########
.####...##.
.####...#..
#########..
##########.
###########
#####..####
####...####
.###...####
.####..####
.##########
.##########
..#######..
....####...
"""
"""A FreeSans Bold '6' at 17 px, soft and JPEG-damaged, as the reader cut it from a painted HUD: its hook closed."""


def test_a_six_whose_hook_closed_is_not_taken_for_an_eight() -> None:
    """Two counters made a '6' an '8' (0-6 read 0-8, a wrong score, on the painter's HUD with a score font of its
    own); the shape cannot tell a closed '6' from an '8', so the number is not read. A '2' with two counters is
    still an '8' (Lato Heavy Italic's, which tesseract reads '2')."""
    six = _placed(FREESANS_BOLD_BLURRED_SIX, (25, 13), 4, 1)
    assert counter_count(six) == 2
    assert _digits_by_shape(six, "6") is None
    assert _digits_by_shape(six, "9") is None
    assert _digits_by_shape(six, "2") == "8"


FREESANS_BLURRED_ONE = """
....##.
....###
...###.
######.
######.
....##.
....##.
....##.
....##.
....##.
....##.
....###
....##.
....###
....##.
....##.
....##.
"""
"""A FreeSans '1' at 19 px as the reader cut it from a painted HUD (a tight cell): its flag blurred into a short bar
above the middle. Tesseract read it '4' alone and in one rendering of the line: 2-1 read 2-4."""


def test_a_one_read_as_four_agrees_with_no_reading_and_every_face_s_four_has_its_crossbar() -> None:
    """The line and the number alone agree on no '4' without a crossbar: the score then stands only if every
    rendering of the line reads it (dev-10's '1', read '4' alone, still reads so)."""
    one = _placed(FREESANS_BLURRED_ONE, (25, 13), 4, 3)
    home = np.zeros((25, 13), bool)
    assert not _agrees((2, 4), (_Number(2, 2), _Number(4, 4)), [home, one])
    assert _agrees((2, 1), (_Number(2, 2), _Number(1, 1)), [home, one])
    without = [
        (Path(font).name, px, shear, blur)
        for font, px, shear, blur in itertools.product(every_face(), (15, 19, 24, 32, 44), (0.0, 0.2), (False, True))
        if not has_a_crossbar(drawn_glyph("4", font, px, shear, blur))
    ]
    assert without == []


@pytest.mark.parametrize("digit", ["8", "9"])
def test_a_zero_read_as_eight_or_nine_is_a_zero_and_no_face_s_eight_or_nine_is_taken_for_one(digit: str) -> None:
    """dev-850's condensed italic '0' read '8' on its first three frames and '0' on the next: the stream joined at 8-3
    for 0-3, and every later score was refused as a fall (both goals lost, said); dev-910's bold '0' with a speck of
    the crowd under it read '9' so (joined at 0-9 for 0-0). One counter, centred and tall, read as '8' or '9' is a
    '0'; an '8' whose top counter closed in the blur keeps a short, low one, a '9''s sits high."""
    zeros = kept = 0
    for font, px, shear, blur in itertools.product(every_face(), (12, 17, 24, 32, 44), (0.0, 0.2), (False, True)):
        drawn = drawn_glyph(digit, font, px, shear, blur)
        if drawn.any():
            assert _digits_by_shape(drawn, digit) in (digit, None), (Path(font).name, px, shear, blur)
        zero = drawn_glyph("0", font, px, shear, blur)
        zeros += _digits_by_shape(zero, digit) == "0"
        kept += _digits_by_shape(drawn, digit) == digit
    faces = len(every_face()) * 5 * 2 * 2
    assert zeros >= 0.9 * faces  # 1183 of 1280 on Dec 6
    assert kept >= 0.9 * faces  # 1280 eights, 1280 nines
