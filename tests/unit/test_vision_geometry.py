"""The reader's pixel rules on masks drawn by hand: a dash glued to the numbers, outlined digits.

Each case is a shape a real broadcast draws (a tight '0–0', a dash touching one number) that joined
glyphs into one blob the reader could not read; the rule must cut exactly that and leave letters and
digits whole.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.geometry import (
    counter_count,
    fills_outline,
    is_outline,
    is_stroke,
    joints,
    looks_like_zero,
    outermost_blob_count,
    without_dash_stub,
    without_hairlines,
    without_joints,
    without_zero_dots,
)

HEIGHT = 20


def _ring(width: int) -> np.ndarray:
    """A zero: a ring ``width`` wide, ``HEIGHT`` tall, strokes 4 px."""
    glyph = np.zeros((HEIGHT, width), bool)
    glyph[:4, :] = glyph[-4:, :] = True
    glyph[:, :4] = glyph[:, -4:] = True
    return glyph


def _stem(width: int = 4) -> np.ndarray:
    """A '1' without its flag: a full-height bar."""
    return np.ones((HEIGHT, width), bool)


def _dash(width: int, thickness: int = 3) -> np.ndarray:
    """A dash at mid height."""
    dash = np.zeros((HEIGHT, width), bool)
    dash[HEIGHT // 2 - thickness // 2 : HEIGHT // 2 - thickness // 2 + thickness, :] = True
    return dash


def _gap(width: int) -> np.ndarray:
    return np.zeros((HEIGHT, width), bool)


def test_a_dash_touching_both_numbers_is_a_joint() -> None:
    zero_dash_zero = np.hstack([_ring(12), _dash(10), _ring(12)])

    assert joints(zero_dash_zero, HEIGHT) == [(12, 22)]
    cut = without_joints(zero_dash_zero, HEIGHT)
    assert not cut[:, 12:22].any()
    assert (cut[:, :12] == _ring(12)).all() and (cut[:, 22:] == _ring(12)).all()


def test_a_dash_touching_one_number_with_a_gap_before_it_is_a_joint() -> None:
    # '1 –0': the dash clear of the narrow 1, glued to the 0 (Inter's en dash at a tight setting).
    one_gap_dash_zero = np.hstack([_stem(), _gap(3), _dash(8), _ring(12)])

    assert joints(one_gap_dash_zero, HEIGHT) == [(7, 15)]


def test_the_crossbar_of_an_h_is_no_joint() -> None:
    # Stems thinner than a digit on both sides: a letter, however wide its bar.
    letter_h = np.hstack([_stem(4), _dash(10), _stem(4)])

    assert joints(letter_h, HEIGHT) == []


def test_a_short_bar_sticking_out_of_a_stem_is_no_joint() -> None:
    # A '4's crossbar beyond its stem is ~0.1-0.15 of the height: far shorter than any dash.
    four_like = np.hstack([_ring(12), _dash(2)])

    assert joints(four_like, HEIGHT) == []


def test_a_thick_bar_at_mid_height_is_no_joint() -> None:
    # Thicker than a third of the height: the middle of a glyph, not a separator stroke.
    thick = np.hstack([_ring(12), _dash(10, thickness=8), _ring(12)])

    assert joints(thick, HEIGHT) == []


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _drawn(text: str, *, outline_only: bool) -> np.ndarray:
    """``text`` in a broadcast face, 40 px: whole, or its outline only (a white digit with a dark outline
    on a cell as light as the digit leaves the outline as the ink)."""
    image = Image.new("L", (36 * len(text) + 12, 64), 0)
    font = ImageFont.truetype(FONT, 48)
    if outline_only:
        ImageDraw.Draw(image).text((6, 4), text, font=font, fill=0, stroke_width=2, stroke_fill=255)
    else:
        ImageDraw.Draw(image).text((6, 4), text, font=font, fill=255)
    return np.asarray(image) > 127


def _outlined(text: str) -> np.ndarray:
    return _drawn(text, outline_only=True)


def test_an_outlined_digit_with_a_counter_is_one_blob_not_two() -> None:
    four = _outlined("4")
    rings = cv2.connectedComponents(four.astype(np.uint8), connectivity=8)[0] - 1
    assert rings >= 2, "the drawing must have a ring inside a ring for the test to mean anything"
    assert outermost_blob_count(four) == 1
    assert outermost_blob_count(_outlined("8")) == 1


def test_digits_side_by_side_are_counted_each() -> None:
    assert outermost_blob_count(_outlined("4 0")) == 2
    assert outermost_blob_count(np.hstack([_stem(), _gap(3), _ring(12), _gap(3), _stem()])) == 3


def test_the_fill_inside_an_outlined_digit_fills_it() -> None:
    for digit in "147":
        outline = _outlined(digit)
        fill = _drawn(digit, outline_only=False) & ~outline
        assert fills_outline(outline, fill), digit


def test_a_counter_or_a_stray_highlight_is_no_fill() -> None:
    four = _drawn("4", outline_only=False)
    counter = np.zeros_like(four)
    rows, columns = np.flatnonzero(four.any(axis=1)), np.flatnonzero(four.any(axis=0))
    counter[rows[0] + 4 : rows[0] + 14, columns[0] + 8 : columns[0] + 14] = True  # in the '4''s triangle, short
    assert not fills_outline(four, counter & ~four)
    beside = np.zeros_like(four)
    beside[rows[0] : rows[-1] + 1, : columns[0]] = True  # a highlight of the cell, as tall, outside the glyph
    assert not fills_outline(four, beside)


def test_a_separators_outline_taller_than_the_digits_keeps_no_fill_from_filling_its_digit() -> None:
    """dev-1047: both numbers in one box with a bar between them, all three edged in black: each fill is measured
    against the outline round it, not against the bar's, taller (the fills spanned 0.79 of the bar). A fill short
    of its own outline still fills nothing."""
    outline = _outlined("2  1")
    fill = _drawn("2  1", outline_only=False) & ~outline
    rows, columns = np.flatnonzero(outline.any(axis=1)), np.flatnonzero(outline.any(axis=0))
    gap = np.flatnonzero(~outline[:, columns[0] : columns[-1]].any(axis=0)) + columns[0]
    middle = int(np.median(gap))
    bar = np.zeros_like(outline)
    bar[0 : rows[-1] + 1, middle - 3 : middle + 3] = True  # from the top edge down: taller than the digits
    bar[1 : rows[-1], middle - 2 : middle + 2] = False  # its ring; what it rings is the cell, not ink
    assert not (bar & cv2.dilate((outline | fill).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)).any()
    assert fills_outline(outline | bar, fill)
    halved = fill.copy()
    halved[(rows[0] + rows[-1]) // 2 :, :middle] = False  # the '2''s fill, its lower half gone
    assert not fills_outline(outline | bar, halved)


def _eight() -> np.ndarray:
    """A ring with a bar across its middle: an '8' (two holes)."""
    eight = _ring(12)
    eight[HEIGHT // 2 - 2 : HEIGHT // 2 + 2, :] = True
    return eight


def _outlined_seven() -> np.ndarray:
    """The ring an outline draws round a '7' (its bar and its stem): a hole shaped like the digit."""
    fill = np.zeros((HEIGHT, 14), bool)
    fill[2:6, 2:12] = True
    fill[2:18, 8:12] = True
    ring = cv2.dilate(fill.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return ring & ~fill


def test_counters_are_counted_and_specks_and_outlined_digits_are_not() -> None:
    speck = _stem(8)
    speck[9, 3] = False  # a one-pixel compression speck in a stroke

    counts = [counter_count(glyph) for glyph in (_stem(), _ring(12), _eight(), speck, _outlined_seven())]

    assert counts == [0, 1, 2, 0, 0]


def test_the_ring_of_an_outline_is_no_digit_and_no_zero() -> None:
    stem = np.pad(np.ones((30, 3), bool), 3)  # a bare '1' stem, 30 px tall (the digits are 20 px: any size will do)
    outlined_stem = cv2.dilate(stem.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~stem

    assert is_outline(_outlined_seven()) and not looks_like_zero(_outlined_seven())
    assert not looks_like_zero(outlined_stem)
    assert not is_outline(_ring(12)) and looks_like_zero(_ring(12))
    assert not is_outline(_eight())


def _sheared(glyph: np.ndarray, shear: float) -> np.ndarray:
    """The glyph leaning right as an italic face draws it (each row shifted by ``shear`` of its height above)."""
    height, width = glyph.shape
    out = np.zeros((height, width + round(shear * height)), bool)
    for row in range(height):
        shift = round(shear * (height - 1 - row))
        out[row, shift : shift + width] = glyph[row]
    return out


def test_an_upright_or_italic_i_is_a_stroke_and_other_letters_dashes_and_bars_are_not() -> None:
    ell = np.zeros((HEIGHT, 10), bool)
    ell[:, :4] = ell[-4:, :] = True
    thin_ell = np.zeros((HEIGHT, 10), bool)
    thin_ell[:, :4] = thin_ell[-2:, :] = True  # its foot a tenth of its height
    thin_tee = np.zeros((HEIGHT, 10), bool)
    thin_tee[:2, :] = thin_tee[:, 3:7] = True

    strokes = [_stem(4), _stem(6), _sheared(_stem(5), 0.24), _sheared(_stem(7), 0.24)]
    others = [ell, _sheared(ell, 0.24), thin_ell, thin_tee, _dash(10), _ring(12), _stem(4)[:12], np.ones((30, 4), bool)]

    assert [is_stroke(glyph, HEIGHT) for glyph in strokes] == [True] * 4
    assert [is_stroke(glyph, HEIGHT) for glyph in others] == [False] * 8


def _in_a_box(glyphs: np.ndarray) -> np.ndarray:
    """``glyphs`` in a score box's crop: margins of a quarter text height above and below."""
    margin = np.zeros((HEIGHT // 4, glyphs.shape[1]), bool)
    return np.vstack([margin, glyphs, margin])


def test_a_dash_stub_at_a_split_boxs_inner_edge_is_cut_from_the_number_it_is_glued_to() -> None:
    """dev-144: split boxes meet in the middle of the dash; glued to the '3', it made the number touch its box's
    edge, and a blob touching a side is no glyph."""
    home = _in_a_box(np.hstack([_gap(3), _ring(12), _dash(5)]))
    away = _in_a_box(np.hstack([_dash(4), _gap(2), _ring(12), _gap(3)]))

    cut_home = without_dash_stub(home, HEIGHT, at_right=True)
    assert not cut_home[:, 15:].any() and (cut_home[:, :15] == home[:, :15]).all()
    cut_away = without_dash_stub(away, HEIGHT, at_right=False)
    assert not cut_away[:, :4].any() and (cut_away[:, 4:] == away[:, 4:]).all()


def test_a_dash_stub_is_cut_although_ink_lies_in_the_box_margins_above_and_below_it() -> None:
    """A tight cell's crop reaches past the cell: its edge shows as ink along the crop's top and bottom rows, beside
    the stub too. Every column then looked too thick for a stub; the number glued to it touched the edge and was
    dropped ('10-2' read 1-2 on the tests' painter)."""
    home = _in_a_box(np.hstack([_gap(3), _ring(12), _dash(5)]))
    home[0, :] = home[-2:, :] = True

    cut = without_dash_stub(home, HEIGHT, at_right=True)

    assert not cut[HEIGHT // 4 : -HEIGHT // 4, 15:].any()
    assert (cut[:, :15] == home[:, :15]).all()


def test_a_number_reaching_its_inner_edge_or_a_bar_low_in_the_box_is_left_whole() -> None:
    number_at_the_edge = _in_a_box(np.hstack([_gap(3), _ring(12)]))
    underline = _in_a_box(np.hstack([_gap(3), _ring(12), np.zeros((HEIGHT, 5), bool)]))
    underline[-HEIGHT // 4 - 2 :, 15:] = True  # a bar along the bottom of the text, not at its middle
    thick_bar = _in_a_box(np.hstack([_gap(3), _ring(12), _dash(5, thickness=8)]))

    for mask in (number_at_the_edge, underline, thick_bar):
        assert (without_dash_stub(mask, HEIGHT, at_right=True) == mask).all()


CELL, INK, HALFWAY = 200, 10, 60
LEVEL = 105


def _grey(ink: np.ndarray, bridges: np.ndarray | None = None) -> np.ndarray:
    """Dark ``ink`` on a light cell; ``bridges`` a halfway grey (blur joining two strokes)."""
    grey = np.full(ink.shape, CELL, np.uint8)
    if bridges is not None:
        grey[bridges] = HALFWAY
    grey[ink] = INK
    return grey


def test_a_zeros_dot_joined_by_halfway_greys_is_cleared_and_an_eights_crossing_is_not() -> None:
    ring = np.pad(_ring(12), 2)
    dot, bridges = np.zeros_like(ring), np.zeros_like(ring)
    dot[10:14, 7:9] = True  # centred in the counter (columns 6-9 inside the ring's strokes)
    bridges[11:13, 6] = bridges[11:13, 9] = True
    grey = _grey(ring | dot, bridges)
    mask = grey < LEVEL
    assert counter_count(mask) == 2, "the dot joined to the ring: an '8' in shape"

    cleared = without_zero_dots(mask, grey, light=False, level=LEVEL)
    assert counter_count(cleared) == 1 and (cleared[ring]).all() and not cleared[dot].any()

    eight = ring | np.zeros_like(ring)
    eight[10:14, 2:16] = True  # a full-ink crossing: two loops
    grey = _grey(eight)
    assert (without_zero_dots(grey < LEVEL, grey, light=False, level=LEVEL) == (grey < LEVEL)).all()


def test_a_light_cell_taken_as_ink_round_an_outlined_digit_is_no_zero_whose_dot_goes() -> None:
    """dev-1170: white digits edged in black on a white cell, cut light: the cell is one blob from the crop's top to
    its bottom, its hole the outline, in it the digit's fill and, in the fill's counter, the cell again. Taken for a
    zero's ring round a dot (the counter), everything inside it was cleared: the score never read."""
    mask = np.ones((30, 24), bool)  # the cell, reaching the crop's top and bottom
    mask[4:26, 4:20] = False  # the outline...
    mask[6:24, 6:18] = True  # ...round the fill...
    mask[9:21, 9:15] = False  # ...round the inner outline...
    mask[10:20, 10:14] = True  # ...round the counter, the cell's colour again
    grey = np.where(mask, 220, 30).astype(np.uint8)
    assert (without_zero_dots(mask, grey, light=True, level=125) == mask).all()


UNSEEN_39_OUTLINE = """
........####.....
......###...##...
.....#........#..
....#..........#.
...#....###....##
..#....#...#....#
.##...#.....#...#
.#...##.....#...#
.#...#......#...#
#....#......#...#
#...##......#...#
#...#.......#...#
#...#......##...#
#...#......#....#
#...#......#...#.
#...#......#...#.
#...#.....#....#.
#...#.....#...#..
#....#####....#..
##....##.....#...
.#..........#....
..#.......##.....
...########......
......#..........
"""
UNSEEN_39_FILL = """
.................
.................
.......######....
.....#########...
....###.....###..
....##.......##..
...###.......###.
...##........###.
..###........###.
..##.........###.
..##.........###.
.###.........###.
.###.........##..
.###.........##..
.###........###..
.###........###..
.###........##...
.###.......###...
..###.....###....
..###....###.....
...########......
....#####........
.................
.................
"""


def test_a_fill_inside_a_two_pixel_outline_round_small_text_fills_it() -> None:
    """unseen-39: Inter Medium Italic, 21 px, a white '0' edged 2 px dark on a light grey team cell, as the reader
    cut it from the stream: the fill spans 20 of the outline's 24 rows (0.83). At 0.85 it was no fill, and the away
    number never read (2 goals lost, said)."""
    outline = np.array([[c == "#" for c in line] for line in UNSEEN_39_OUTLINE.split()])
    fill = np.array([[c == "#" for c in line] for line in UNSEEN_39_FILL.split()])
    assert fills_outline(outline, fill)


def test_a_hairline_among_digits_goes_and_a_light_faces_thin_digits_stay() -> None:
    zero = np.zeros((30, 20), bool)
    zero[4:26, 4:16] = True
    zero[7:23, 7:13] = False  # a '0' drawn 3 px thick
    hairline = np.zeros((30, 20), bool)
    hairline[4:27, 2] = True  # a cell's edge, one pixel wide, beside a '0'
    hairline[4:26, 8:20] = zero[4:26, 4:16]
    cleaned = without_hairlines([hairline, zero])
    assert not cleaned[0][:, 2].any() and (cleaned[0][:, 8:] == hairline[:, 8:]).all()
    assert (cleaned[1] == zero).all()

    thin_one = np.zeros((30, 20), bool)
    thin_one[4:26, 9] = True  # a light face's '1', one pixel wide, beside its one-pixel '0'
    thin_zero = np.zeros((30, 20), bool)
    thin_zero[4:26, 4:16] = True
    thin_zero[5:25, 5:15] = False
    kept = without_hairlines([thin_one, thin_zero])
    assert (kept[0] == thin_one).all() and (kept[1] == thin_zero).all()

    ring = np.zeros((30, 20), bool)
    ring[4:27, 4:16] = True
    ring[5:26, 5:15] = False  # dev-25: a '1' edged one pixel thick on a yellow strip, read by what it encloses
    kept = without_hairlines([ring, zero])
    assert (kept[0] == ring).all()
