"""The search's strong look: glyphs set apart from a cell drawn tight over the crowd, and nothing from text the
usual looks took whole; and the fine look's finest neighbourhood, which sets small digits apart from such a cell.

unseen-12, dev-542, dev-558: a score box barely larger than its digit and lighter than the HUD around it touches
the crowd; at the usual threshold offset the box is ink with its digit, and through the crowd's blocks with half the
band: no glyph, no HUD. A chat line's thin lower-case letters, which the usual looks take whole, break into fragments
at the strong offset, and fragments read as letters ('19:01 pepe_ftw: 5-4 incoming' as '19 01 EP ? 5 4 LU' on a
replay of dev-197): the strong look takes nothing inside a glyph the usual looks took. The strong look thresholds at
the coarse and fine looks' neighbourhood sizes (``USUAL_SIZES``); the fine look also at a finer one (``FINEST_BLOCK``:
dev-886's small white '0' on an orange cell, found by no look before). Drawn with PIL and a real font over a seeded
blocky crowd; the search (tesseract) is real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision import locate
from capture_task.vision.geometry import Box
from capture_task.vision.locate import LOOKS, STRONG_TEXT_OFFSET, _glyphs, _Look, locate_hud

LIGHT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CONDENSED_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf")
USUAL_SIZES = _Look(fine=True)
"""The fine look without its finest neighbourhood: the sizes the strong look thresholds at."""
FRAME_HEIGHT = 720
BLOCK = 6
"""The crowd's block size in px: a low bitrate's macroblocks over a busy stand."""


def _font(size: int, path: Path = LIGHT) -> ImageFont.FreeTypeFont:
    if not path.is_file():
        pytest.skip(f"{path} is not installed")
    return ImageFont.truetype(str(path), size)


def _crowd(width: int, height: int, seed: int) -> NDArray[np.uint8]:
    """Grey blocks of random levels, dark and light, as a stand looks at 720p and a modest bitrate."""
    rng = np.random.default_rng(seed)
    levels = np.array([25, 40, 60, 90, 120, 150, 190, 215], np.uint8)
    blocks = rng.choice(levels, (height // BLOCK + 1, width // BLOCK + 1))
    return np.kron(blocks, np.ones((BLOCK, BLOCK), np.uint8))[:height, :width].copy()


def _tight_score_box_over_the_crowd(seed: int) -> NDArray[np.uint8]:
    """The HUD's dark bar over the crowd, and in it a mid-grey score box (a team's blue) its full height, touching the
    crowd above and below, a white '2' in it (box: x 150-167, y 40-63): the box is ink with its digit at the usual
    offset, and joins the crowd."""
    image = Image.fromarray(_crowd(320, 120, seed))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 40, 260, 63), fill=30)
    draw.rectangle((150, 40, 167, 63), fill=110)
    draw.text((152, 38), "2", font=_font(22), fill=235)
    return np.asarray(image)


def _edges(box: Box) -> tuple[int, int, int, int]:
    return box.left, box.top, box.right, box.bottom


def _inside(glyphs_boxes: list[Box], area: Box) -> list[Box]:
    return [box for box in glyphs_boxes if area.left <= box.left and box.right <= area.right
            and area.top <= box.top and box.bottom <= area.bottom]  # fmt: skip


def _boxes(grey: NDArray[np.uint8], look_index: int | _Look) -> list[Box]:
    look = LOOKS[look_index] if isinstance(look_index, int) else look_index
    return [glyph.box for glyph in _glyphs(grey, FRAME_HEIGHT, look)]


@pytest.mark.parametrize("seed", [0, 1, 3, 4, 6])  # 2, 5 and 8: the usual looks find the digit too
def test_a_digit_on_a_box_drawn_tight_over_the_crowd_is_found_by_the_strong_look_only(seed: int) -> None:
    grey = _tight_score_box_over_the_crowd(seed)
    ink = np.argwhere(grey[40:64, 150:168] > 170)
    digit = Box(150 + int(ink[:, 1].min()), 40 + int(ink[:, 0].min()),
                150 + int(ink[:, 1].max()) + 1, 40 + int(ink[:, 0].max()) + 1)  # fmt: skip
    cell = Box(148, 36, 170, 68)
    usual = _boxes(grey, 0) + _boxes(grey, USUAL_SIZES)
    assert not _inside(usual, cell), "the usual offset finds it at the strong look's sizes: no test of the strong one"
    found = _inside(_boxes(grey, 2), cell)
    assert found
    for box in found:  # the digit's own box, within a pixel of anti-aliasing
        assert max(abs(a - b) for a, b in zip(_edges(box), _edges(digit), strict=True)) <= 1, (box, digit)


def test_a_digit_on_a_box_the_usual_look_took_as_a_glyph_is_found_inside_it() -> None:
    """dev-542: the box, its digit merged into it and a block of the crowd above glued on, is glyph-sized and stands
    on the HUD's calm dark bar, so the usual look took it as a glyph; the digit stands clear of its top and bottom,
    and the strong look finds it there."""
    grey = _tight_score_box_over_the_crowd(12)
    usual = [box for box in _boxes(grey, 0) if box.left < 168 and box.right > 150 and box.top < 64 and box.bottom > 40]
    assert usual and all(box.left <= 150 and box.right >= 168 and box.top < 40 for box in usual), usual
    digits = [box for box in _boxes(grey, 2) if box.left >= 150 and box.right <= 168 and 40 < box.top < box.bottom < 64]
    assert digits and all(abs(box.height - 16) <= 1 for box in digits), digits


def test_the_strong_look_adds_nothing_inside_a_chat_line_the_usual_looks_took_whole() -> None:
    grey = np.full((120, 420), 30, np.uint8)  # a chat panel: dark, flat
    image = Image.fromarray(grey)
    draw = ImageDraw.Draw(image)
    # Thin anti-aliased lower case, a little lighter than the strong offset asks of its thinnest strokes.
    draw.text((12, 40), "19:01 pepe_ftw: 5-4 incoming", font=_font(15), fill=200)
    grey = np.asarray(image)
    usual = _boxes(grey, USUAL_SIZES)
    assert usual, "the usual looks find no letter: this test tests nothing"
    strong = _boxes(grey, 2)
    assert sorted(map(_edges, strong)) == sorted(map(_edges, usual))


def _hud_with_tight_score_boxes(seed: int, *, clock: str | None, dropped_px: int = 0) -> NDArray[np.uint8]:
    """A 720p frame of crowd with a HUD in its top band: light codes on a dark bar (each code's last letter
    ``dropped_px`` lower than the others), each number on a mid-grey box the bar's full height (as
    ``_tight_score_box_over_the_crowd``), a ``clock`` on the bar or none."""
    image = Image.fromarray(_crowd(1280, 720, seed))
    draw = ImageDraw.Draw(image)
    face = _font(22)
    draw.rectangle((100, 40, 430, 63 + dropped_px), fill=30)
    if clock is not None:
        draw.text((106, 38), clock, font=face, fill=235)
    for left, code in ((180, "ARS"), (295, "NEW")):
        draw.text((left, 38), code[:2], font=face, fill=235)
        draw.text((left + round(draw.textlength(code[:2], font=face)), 38 + dropped_px), code[2], font=face, fill=235)
    for left, digit in ((240, "2"), (265, "1")):
        draw.rectangle((left, 40, left + 17, 63), fill=110)
        draw.text((left + 2, 38), digit, font=face, fill=235)
    return np.repeat(np.asarray(image)[:, :, None], 3, axis=2)


@pytest.mark.parametrize("seed", range(3))
def test_a_hud_found_by_the_strong_look_is_taken_only_with_its_clock(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    added: list[int] = []
    original = locate._glyphs_inside_others

    def spied(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        added.append(len(found))
        return found

    monkeypatch.setattr(locate, "_glyphs_inside_others", spied)
    # The fine look's finest neighbourhood finds these digits too: a HUD only the strong look finds is one without it.
    monkeypatch.setattr(locate, "LOOKS", (LOOKS[0], USUAL_SIZES, LOOKS[2]))
    layout = locate_hud(_hud_with_tight_score_boxes(seed, clock="45:12"))
    assert layout is not None and (layout.teams.home, layout.teams.away) == ("ARS", "NEW")
    assert layout.clock is not None and len(layout.score) == 2
    assert sum(added), "found by the usual looks: this test no longer tests the strong look"
    # Without a clock beside it, what the strong look finds may be a chat line split into HUD-like tokens: not taken.
    assert locate_hud(_hud_with_tight_score_boxes(seed, clock=None)) is None


@pytest.mark.parametrize("seed", range(3))
def test_a_hud_whose_clock_lost_its_colon_is_taken_from_the_strong_look_with_codes_in_capitals(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """dev-839: a small italic HUD read only by the strong look, its clock '25:04' read as one number: taken, as its
    codes are capitals."""
    monkeypatch.setattr(locate, "LOOKS", (LOOKS[0], USUAL_SIZES, LOOKS[2]))
    layout = locate_hud(_hud_with_tight_score_boxes(seed, clock="4512"))
    assert layout is not None and (layout.teams.home, layout.teams.away) == ("ARS", "NEW")
    assert layout.clock is not None and layout.clock_without_colon
    # Letters off one line, as a chat line's lower case is (an 'e' and a 'p' read 'EP'), are no codes in capitals.
    off_line = _hud_with_tight_score_boxes(seed, clock="4512", dropped_px=4)
    assert locate_hud(off_line) is None
    monkeypatch.setattr(locate, "_in_capitals", lambda *codes: True)
    assert locate_hud(off_line) is not None, "its codes are not read at all: this tests nothing"


def test_the_strong_look_asks_more_contrast_than_the_usual_ones() -> None:
    assert [look.strong for look in LOOKS] == [False, False, True]
    assert LOOKS[2].offset == STRONG_TEXT_OFFSET > LOOKS[1].offset


def _small_hud_with_a_team_coloured_cell(seed: int, size: int) -> tuple[NDArray[np.uint8], Box]:
    """dev-886's look, drawn: a 720p frame of crowd, a black bar ``size`` x 1.6 tall over it, white condensed bold
    '50:56  GAL  0 - 0  FCB' on it, the home '0' on an orange cell (grey 144) 3 px wider than the digit each side and
    the bar's full height, touching the crowd above and below; and that cell's box."""
    image = Image.fromarray(_crowd(1280, 720, seed))
    draw = ImageDraw.Draw(image)
    face = _font(size, CONDENSED_BOLD)
    top, height = 50, round(size * 1.6)
    draw.rectangle((480, top, 800, top + height), fill=17)
    left, cell = 490, Box(0, 0, 0, 0)
    for text, on_cell, gap in (("50:56", False, 22), ("GAL", False, 22), ("0", True, 6), ("-", False, 6),
                               ("0", False, 6), ("FCB", False, 0)):  # fmt: skip
        width = draw.textlength(text, font=face)
        if on_cell:
            cell = Box(left - 3, top, round(left + width + 3), top + height)
            draw.rectangle((cell.left, cell.top, cell.right, cell.bottom), fill=144)
        draw.text((left, top + (height - size) / 2 - size * 0.1), text, font=face, fill=240)
        left += round(width) + gap
    return np.repeat(np.asarray(image)[:, :, None], 3, axis=2), cell


@pytest.mark.parametrize("size", [16, 20, 24])
@pytest.mark.parametrize("seed", range(2))
def test_a_small_digit_on_a_team_coloured_cell_is_found_by_the_finest_neighbourhood(
    monkeypatch: pytest.MonkeyPatch, seed: int, size: int
) -> None:
    frame, cell = _small_hud_with_a_team_coloured_cell(seed, size)
    monkeypatch.setattr(locate, "LOOKS", (LOOKS[0], USUAL_SIZES))
    assert locate_hud(frame) is None, "found without the finest neighbourhood: this test tests nothing"
    monkeypatch.setattr(locate, "LOOKS", LOOKS[:2])
    layout = locate_hud(frame)
    assert layout is not None and (layout.teams.home, layout.teams.away) == ("GAL", "FCB")
    assert layout.clock is not None and not layout.clock_without_colon
    middle = (cell.left + cell.right) // 2
    assert len(layout.score) == 2 and layout.score[0].box.left < middle < layout.score[0].box.right
