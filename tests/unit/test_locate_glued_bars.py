"""Graphics that touch or stand beside the text without being text: a colour strip glued under a team code, the
stripes of a crest raised a little above the line.

dev-168: each code's colour strip touched its letters ('POR' on a yellow strip, which touched the light score cell
too), so code and strip were one blob too wide and too tall for a glyph, and the HUD was never found. dev-82: a
striped shield beside each number, its stripes a little taller than the text and set higher, joined the numbers'
tokens ('II0', '0IJ'). dev-1008: dark letters on light cells drawn tight over the crowd, the 'J' of 'AJX' touching a
dark block of the crowd under its cell: one blob, taller than any descender, on no line; 'A' and 'X' read alone, the
HUD never found. Drawn with PIL and a real font; the search and the reader (tesseract) are real.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision import locate
from capture_task.vision.geometry import Box, clean_glyphs, glued_bar_rows, inner_bar_rows
from capture_task.vision.locate import _components, _Glyph, _glyphs, _in_capitals, _raised_stroke, _Token
from contracts import Teams
from tests.functional.hud_drawing import read_as_a_stream_would

BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _font(size: int) -> ImageFont.FreeTypeFont:
    if not BOLD.is_file():
        pytest.skip(f"{BOLD} is not installed")
    return ImageFont.truetype(str(BOLD), size)


def _code_mask(text: str, *, bar: str | None, gap: int = 0, bar_height: int = 5) -> NDArray[np.bool_]:
    """``text`` in 24 px type as a mask, with a bar ``bar_height`` thick 'under' or 'over' it, ``gap`` px away."""
    image = Image.new("L", (140, 60), 0)
    draw = ImageDraw.Draw(image)
    draw.text((10, 15), text, font=_font(24), fill=255)
    ink = np.asarray(image) > 127
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1
    mask = ink.copy()
    if bar == "under":
        mask[bottom + gap : bottom + gap + bar_height, left - 2 : right + 2] = True
    elif bar == "over":
        mask[top - gap - bar_height : top - gap, left - 2 : right + 2] = True
    ys, xs = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[ys[0] : ys[-1] + 1, xs[0] : xs[-1] + 1]


@pytest.mark.parametrize("text", ["POR", "AVL", "MCFC", "NAPO"])
def test_a_strip_glued_under_or_over_a_code_is_found_as_its_rows(text: str) -> None:
    under = _code_mask(text, bar="under")
    assert glued_bar_rows(under) == (under.shape[0] - 5, under.shape[0])
    over = _code_mask(text, bar="over")
    assert glued_bar_rows(over) == (0, 5)


def test_a_strip_that_joined_the_score_cell_beside_its_code_is_cut_whole() -> None:
    """dev-168: the strip under 'POR' touched the light score cell, whose dark '0' is a hole reaching into the
    strip's rows: those rows are not all ink, yet are the strip's."""
    code = _code_mask("POR", bar="under")
    height = code.shape[0]
    cell = np.ones((height, 30), bool)
    cell[2 : height - 2, 8:22] = False  # the digit: down to two rows above the strip's foot
    assert glued_bar_rows(np.hstack([code, cell])) == (height - 5, height)


def _cell(
    width: int, height: int, holes: list[tuple[int, int, int, int]], *, specks: int = 0, strip: int = 0
) -> NDArray[np.bool_]:
    """A light score cell as one blob, its dark digits and separator holes in it: (top, bottom, left, right); with
    ``specks`` in the first hole left of its middle, and on a ``strip`` as thick, wider by 6 px each side."""
    cell = np.ones((height, width), bool)
    for top, bottom, left, right in holes:
        cell[top:bottom, left:right] = False
    for speck in range(specks):
        top, _, left, _ = holes[0]
        cell[top + 4 + 5 * speck : top + 7 + 5 * speck, left + 3 : left + 6] = True
    if strip:
        cell = np.pad(cell, ((0, strip), (6, 6)))
        cell[-strip:] = True
    return cell


@pytest.mark.parametrize(
    "cell",
    [
        _cell(67, 53, [(8, 44, 22, 46)]),  # dev-29: one digit, its edges above and below it as thick as a strip
        _cell(72, 35, [(10, 30, 8, 25), (8, 35, 33, 37), (10, 30, 45, 62)]),  # unseen-15: '2 / 0', the '/' cuts it
        _cell(72, 35, [(10, 30, 8, 25), (8, 35, 33, 37), (10, 30, 45, 62)], specks=2),  # and specks in its digit
        _cell(60, 30, [(6, 26, 20, 40)], strip=6),  # a cell on a strip wider than it
    ],
    ids=["a cell round one digit", "a cell cut in two by its separator", "specks in it", "on a wider strip"],
)
def test_a_cells_edge_is_no_bar_glued_to_text(cell: NDArray[np.bool_]) -> None:
    """A light score cell is a blob round its dark digits: its edge above or below them is as thick as a strip,
    but what is left is the cell, in one piece or two reaching its sides, not letters standing side by side."""
    assert glued_bar_rows(cell) is None


@pytest.mark.parametrize(
    ("text", "bar", "gap", "bar_height"),
    [
        ("POR", None, 0, 5),  # letters alone, even those with a flat foot
        ("LEZ", None, 0, 5),
        ("TEZ", None, 0, 5),  # flat tops and feet: no row of them covers the width
        ("POR", "under", 0, 1),  # a line one pixel thick: an edge, not a bar
        ("POR", "under", 0, 16),  # as thick as the text: a cell, no strip
    ],
)
def test_text_without_a_glued_bar_keeps_all_its_rows(text: str, bar: str | None, gap: int, bar_height: int) -> None:
    assert glued_bar_rows(_code_mask(text, bar=bar, gap=gap, bar_height=bar_height)) is None


def test_the_code_box_keeps_the_letters_of_a_code_glued_to_its_strip() -> None:
    """The reader cleans a code's box of what is no glyph: a code glued to its strip was dropped whole."""
    code = _code_mask("POR", bar="under", bar_height=8)  # as dev-168: a strip a third of the text high, touching
    crop = np.zeros((code.shape[0] + 8, code.shape[1] + 8), bool)
    crop[4:-4, 4:-4] = code
    kept = clean_glyphs(crop, code.shape[0] - 8, 3)
    assert not kept[-12:].any()  # the strip's rows are gone
    assert kept.sum() == crop[:-12].sum()  # and every letter pixel kept


def test_letters_set_touching_keep_their_feet() -> None:
    """Touching letters with flat feet ('LE') cover their blob's width at the foot as a strip does: such a blob,
    narrow enough to be letters, is never cut as if glued to a strip."""
    image = Image.new("L", (200, 120), 40)
    draw = ImageDraw.Draw(image)
    face = _font(30)
    draw.text((60, 40), "L", font=face, fill=225)
    draw.text((60 + round(draw.textlength("L", font=face)) - 6, 40), "E", font=face, fill=225)  # kerned into it
    grey = np.asarray(image)
    ink_bottom = int(np.flatnonzero((grey > 127).any(axis=1))[-1]) + 1
    glyphs = _glyphs(grey, 720)
    assert glyphs and all(glyph.box.bottom == ink_bottom for glyph in glyphs)


def _glyph(left: int, top: int, width: int, height: int) -> _Glyph:
    box = Box(left, top, left + width, top + height)
    return _Glyph(box, True, np.ones((height, width), bool), 230.0, 40.0)


@pytest.mark.parametrize(
    ("stroke", "raised"),
    [
        ((100, 96, 10, 30), True),  # dev-82's stripe: 4 px above 28 px letters, its foot 2 px above theirs
        ((100, 100, 6, 28), False),  # a '1' or an 'I' on the line
        ((100, 97, 6, 31), False),  # a '1' a size bigger, its foot on the line
        ((100, 98, 6, 32), False),  # bigger and centred: its foot below the line
        ((100, 96, 20, 30), False),  # wide: no stroke
    ],
)
def test_a_narrow_stroke_raised_above_the_line_is_a_mark(stroke: tuple[int, int, int, int], raised: bool) -> None:
    row = [_glyph(60, 100, 16, 28), _glyph(80, 100, 16, 28), _glyph(*stroke), _glyph(120, 100, 16, 28)]
    assert _raised_stroke(row, 2) is raised


def test_stripes_side_by_side_are_raised_above_the_glyphs_beyond_them() -> None:
    """A crest has several stripes: each is compared with the nearest glyph that is no stroke, on each side."""
    row = [_glyph(60, 100, 16, 28), _glyph(80, 96, 10, 30), _glyph(94, 96, 10, 30), _glyph(110, 100, 16, 28)]
    assert _raised_stroke(row, 1) and _raised_stroke(row, 2)


def test_a_condensed_letter_beside_a_taller_crest_is_not_raised() -> None:
    """unseen-38: Bebas Neue Bold's 'PSG' (each letter 0.45-0.47 as wide as tall: all as narrow as a stroke) before a
    roundel crest 50 px tall, set 5 px lower than the letters' feet. The crest was the nearest glyph wider than a
    stroke, so the 'P' was taken for a raised stripe and the code read 'SG' all match. Only text is compared."""
    row = [_glyph(1109, 87, 19, 40), _glyph(1188, 88, 18, 38), _glyph(1208, 87, 18, 40), _glyph(1229, 87, 18, 40)]
    crest = _glyph(1304, 81, 68, 50)
    assert not _raised_stroke([*row, crest], 1)
    shorter_crest = _glyph(1304, 86, 60, 45)  # no taller than 1.2 letters: compared, the P's foot 5 px higher
    assert _raised_stroke([*row, shorter_crest], 1)


def test_an_i_as_high_as_its_codes_letters_is_not_raised_above_lower_set_numbers() -> None:
    """dev-80: 'MI' stood 5 px higher than the numbers set lower in their cell beside it; its 'I' is as high as its
    'M', and was taken for a crest's stripe: the HUD was never found."""
    row = [_glyph(60, 53, 25, 27), _glyph(88, 53, 8, 27), _glyph(150, 58, 15, 29), _glyph(180, 59, 12, 27)]
    assert not _raised_stroke(row, 1)


def _hud(score: tuple[int, int], *, strips_glued: bool, striped_crests: bool) -> NDArray[np.uint8]:
    """A grey 1280x720 frame: '33:20 POR 2-1 AVL' at the bottom centre over grass, each code on a colour strip
    (glued to its letters, or 3 px below them) and, with ``striped_crests``, a two-stripe shield beside each
    number, its stripes 4 px above the text and 2 px short of its foot."""
    image = Image.new("L", (1280, 720), 95)
    draw = ImageDraw.Draw(image)
    face = _font(36)
    top, cell_height = 640, 46
    draw.rectangle([430, top, 900, top + cell_height], fill=40)
    x, text_top = 440, top + 7
    # The text's ink starts a few pixels below where it is drawn: find where it lands to place strips and crests.
    ink_top, ink_bottom = (text_top + offset for offset in face.getbbox("POR")[1::2])

    def code(text: str) -> None:
        nonlocal x
        width = round(draw.textlength(text, font=face))
        draw.text((x, text_top), text, font=face, fill=225)
        strip_top = ink_bottom if strips_glued else ink_bottom + 3
        draw.rectangle([x - 4, strip_top, x + width + 4, strip_top + 5], fill=200)
        x += width + 16

    def crest() -> None:
        nonlocal x
        draw.rectangle([x, ink_top - 6, x + 24, ink_bottom], fill=70)  # the shield
        for stripe in (x + 3, x + 14):
            draw.rectangle([stripe, ink_top - 4, stripe + 7, ink_bottom - 3], fill=230)
        x += 24 + 8

    draw.text((x, text_top), "33:20", font=face, fill=225)
    x += round(draw.textlength("33:20", font=face)) + 24
    code("POR")
    if striped_crests:
        crest()
    draw.rectangle([x - 4, top + 2, x + 80, top + cell_height - 2], fill=60)
    draw.text((x, text_top), f"{score[0]}-{score[1]}", font=face, fill=225)
    x += round(draw.textlength(f"{score[0]}-{score[1]}", font=face)) + 12
    if striped_crests:
        crest()
    code("AVL")
    return np.asarray(image).copy()


@pytest.mark.parametrize(
    ("strips_glued", "striped_crests"), [(True, False), (False, True), (True, True), (False, False)]
)
@pytest.mark.parametrize("score", [(2, 1), (0, 0)])
def test_a_hud_whose_codes_touch_their_strips_or_whose_crests_are_striped_is_found_and_read(
    score: tuple[int, int], strips_glued: bool, striped_crests: bool
) -> None:
    frame = _hud(score, strips_glued=strips_glued, striped_crests=striped_crests)
    layout, reading = read_as_a_stream_would(frame)
    assert layout is not None and layout.teams == Teams(home="POR", away="AVL")
    assert reading is not None and (reading.score.home, reading.score.away) == score


def _with_blocks_beyond(code: NDArray[np.bool_], side: str, rows: int = 14) -> NDArray[np.bool_]:
    """``code`` (a mask with a bar along its ``side``, 'under' or 'over') with ``rows`` of a crowd's blocks beyond
    the bar touching it: 4 px squares, a seeded third of them ink, and one column of them wider than the bar."""
    rng = np.random.default_rng(7)
    blocks = rng.random((rows // 4 + 1, code.shape[1] // 4 + 3)) < 0.35
    blocks[0, ::3] = True  # some touch the bar
    crowd = np.kron(blocks, np.ones((4, 4), bool))[:rows, : code.shape[1] + 8]
    wide = np.pad(code, ((0, 0), (4, 4)))
    return np.vstack([wide, crowd] if side == "under" else [crowd, wide])


@pytest.mark.parametrize("text", ["POR", "AVL", "MCFC", "NAPO"])
def test_a_strip_glued_to_a_code_and_to_the_crowd_beyond_it_is_found_as_its_rows(text: str) -> None:
    """dev-775: the strip at the edge of a cell drawn tight over the crowd touched the crowd's blocks, so the code,
    its strip and those blocks were one blob, the strip inside it: the code was lost, and the HUD never found."""
    code = _code_mask(text, bar="under")
    under = _with_blocks_beyond(code, "under")
    assert glued_bar_rows(under) is None, "not at the blob's edge"
    assert inner_bar_rows(under) == (code.shape[0] - 5, code.shape[0])
    over = _with_blocks_beyond(_code_mask(text, bar="over"), "over")
    assert inner_bar_rows(over) == (14, 19)


@pytest.mark.parametrize("text", ["POR", "LEZ"])
def test_text_over_the_crowd_without_a_strip_keeps_all_its_rows(text: str) -> None:
    """Letters touching the crowd's blocks, with no strip between: no row of the blob is a bar."""
    assert inner_bar_rows(_with_blocks_beyond(_code_mask(text, bar=None), "under")) is None


def _hud_over_the_crowd(score: tuple[int, int], *, italic_shear: float) -> NDArray[np.uint8]:
    """A 1280x720 frame: '33:20 POR 2-1 AVL' at the top centre on dark cells on a darker bar drawn over a crowd of 6 px
    blocks (a quarter light, a quarter dark),
    each code touching its light strip at the bottom edge of its cell, the crowd touching the strip's foot; the text
    sheared by ``italic_shear`` (0: upright)."""
    rng = np.random.default_rng(11)
    size = (720 // 6, 1280 // 6)
    shades = [rng.integers(0, 40, size), rng.integers(70, 130, size), rng.integers(200, 250, size)]
    blocks = np.choose(rng.choice(3, size=size, p=[0.25, 0.5, 0.25]), shades)  # dark, mid and light heads
    frame = np.kron(blocks, np.ones((6, 6))).astype(np.uint8)
    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    face = _font(34)
    ink_bottom = face.getbbox("POR")[3]
    cell_top, text_top = 20, 26
    strip_top = text_top + ink_bottom  # touching the letters' feet
    cell_bottom = strip_top + 7  # the strip is the cell's bottom edge
    x = 420
    draw.rectangle([x - 8, cell_top - 6, 900, cell_bottom], fill=15)  # the HUD's bar: the crowd touches only its foot

    def cell(text: str, *, strip: bool) -> None:
        nonlocal x
        width = round(draw.textlength(text, font=face))
        draw.rectangle([x, cell_top, x + width + 16, cell_bottom], fill=30)
        layer = Image.new("L", (width + 40, cell_bottom - cell_top + 10), 0)
        ImageDraw.Draw(layer).text((12, text_top - cell_top), text, font=face, fill=255)
        shear = (1, italic_shear, -italic_shear * layer.height, 0, 1, 0)
        layer = layer.transform(layer.size, Image.Transform.AFFINE, shear)
        image.paste(230, (x - 4, cell_top), layer)
        if strip:
            draw.rectangle([x, strip_top, x + width + 16, cell_bottom], fill=215)
        x += width + 16 + 10

    cell("33:20", strip=False)
    cell("POR", strip=True)
    cell(f"{score[0]}-{score[1]}", strip=False)
    cell("AVL", strip=True)
    return np.asarray(image).copy()


@pytest.mark.parametrize("italic_shear", [0.0, 0.2], ids=["upright", "italic"])
def test_a_hud_whose_codes_touch_strips_that_touch_the_crowd_is_found_and_read(italic_shear: float) -> None:
    frame = _hud_over_the_crowd((2, 1), italic_shear=italic_shear)
    layout, reading = read_as_a_stream_would(frame)
    assert layout is not None and layout.teams == Teams(home="POR", away="AVL")
    assert reading is not None and (reading.score.home, reading.score.away) == (2, 1)


def test_digits_glued_by_their_crossbars_keep_their_height() -> None:
    """Three '4's set touching are one blob wider than two text heights, their crossbars a bar across it with the
    digits' tops side by side above: no blob of text's height is cut at a bar inside it (unseen-02's clock '44:13',
    so cut, was lost, and its HUD taken for a clockless widget)."""
    image = Image.new("L", (300, 120), 40)
    draw = ImageDraw.Draw(image)
    face, x = _font(28), 40
    for digit in "444":
        draw.text((x, 40), digit, font=face, fill=230)
        x += round(draw.textlength(digit, font=face)) - 2
    grey = np.asarray(image)
    rows = np.flatnonzero((grey > 127).any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    labels, stats = _components(grey, True, 35, 10)
    digits = [label for label in range(1, len(stats)) if stats[label, cv2.CC_STAT_HEIGHT] >= bottom - top - 1]
    assert len(digits) == 1, "one blob"
    x0, y0, w, h = (int(v) for v in stats[digits[0], :4])
    assert w > 2 * h and inner_bar_rows(labels[y0 : y0 + h, x0 : x0 + w] == digits[0]) is not None, "a bar in it"
    glyphs = _glyphs(grey, 720)
    assert glyphs and all(glyph.box.top <= top + 1 and glyph.box.bottom >= bottom - 1 for glyph in glyphs), glyphs


def _hud_with_a_tail_on_the_crowd(seed: int) -> NDArray[np.uint8]:
    """A 1280x720 frame of crowd (6 px blocks): '45:12 AJX 2-1 MCI', dark on light cells drawn tight round the text's
    feet (the cells padded above it), over a light stretch of the crowd under the HUD with one dark block in it
    that the 'J''s tail, below the cell's foot, touches."""
    rng = np.random.default_rng(seed)
    levels = np.array([25, 40, 60, 90, 120, 150, 190, 215], np.uint8)
    frame = np.kron(rng.choice(levels, (721 // 6 + 1, 1280 // 6 + 1)), np.ones((6, 6), np.uint8))[:720, :1280]
    light = rng.choice(np.array([170, 190, 215], np.uint8), (4, 1280 // 6 + 1))
    frame[63:87] = np.kron(light, np.ones((6, 6), np.uint8))[:, :1280]
    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    face, x = _font(26), 100
    for text in ("45:12", "AJX", "2-1", "MCI"):
        width = round(draw.textlength(text, font=face))
        draw.rectangle((x - 4, 33, x + width + 4, 62), fill=200)  # the cell's foot at the text's baseline
        if text == "AJX":
            j = x + round(draw.textlength("A", font=face))
            draw.rectangle((j - 4, 66, j + 7, 77), fill=25)
        draw.text((x, 37), text, font=face, fill=40)
        x += width + 30
    return np.repeat(np.asarray(image)[:, :, None], 3, axis=2)


@pytest.mark.parametrize("seed", [0, 2, 4, 5])  # 1, 3, 6, 7: a dark block between two cells joins their tokens
def test_a_letter_whose_tail_touches_the_crowd_under_its_cell_is_cut_free_and_read(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    frame = _hud_with_a_tail_on_the_crowd(seed)
    layout, reading = read_as_a_stream_would(frame)
    assert layout is not None and layout.teams == Teams(home="AJX", away="MCI")
    assert reading is not None and (reading.score.home, reading.score.away) == (2, 1)
    monkeypatch.setattr(locate, "_with_overhangs_cut", lambda row, tall: row)
    assert locate.locate_hud(frame) is None, "found without the cut: this tests nothing"


def _letters(text: str, feet: list[int]) -> _Token:
    """A code's token: one 20 px wide glyph per letter of ``text``, tops at y 40, feet at ``feet``."""
    glyphs = [
        _Glyph(Box(100 + 24 * at, 40, 120 + 24 * at, foot), False, np.ones((foot - 40, 20), bool), 40.0, 200.0)
        for at, foot in enumerate(feet)
    ]
    return _Token(glyphs, text, "code")


def test_a_descending_j_or_q_keeps_a_code_in_capitals_and_no_other_letter_does() -> None:
    """A capital 'J' or 'Q' may descend below the others' feet (dev-1008's 'AJX' by 0.14 text heights, cut from the
    crowd under its cell); a 'P' so is a chat line's lower-case 'p', and letters off one top line are no capitals."""
    away = _letters("MCI", [59, 59, 59])
    assert _in_capitals(_letters("AJX", [59, 64, 59]), away)
    assert _in_capitals(_letters("AJ", [59, 64]), away)
    assert _in_capitals(_letters("QPR", [64, 59, 59]), away)
    assert not _in_capitals(_letters("APX", [59, 64, 59]), away)
    assert not _in_capitals(_letters("AJX", [59, 64, 64]), away)
    raised = _letters("AJX", [59, 64, 59])
    raised.glyphs[2] = _Glyph(Box(148, 35, 168, 59), False, np.ones((24, 20), bool), 40.0, 200.0)
    assert not _in_capitals(raised, away)
