"""A team code whose letters all touch is still its code box's glyphs.

dev-351: an italic 'POR' with a drop shadow was one blob on some frames (its shadow joined the letters), wider than
any glyph of a score; its code box was cleaned to nothing, the HUD was taken for hidden on those frames (its codes
no longer matched), and three goals were stamped 0.6-0.8 s late. Drawn with PIL and a real font.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.geometry import Box, TextBox
from capture_task.vision.locate import code_glyphs

BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@pytest.mark.parametrize("code", ["POR", "MCFC"])
def test_a_code_whose_letters_all_touch_is_kept_whole(code: str) -> None:
    if not BOLD.is_file():
        pytest.skip(f"{BOLD} is not installed")
    face = ImageFont.truetype(str(BOLD), 20)
    image = Image.new("L", (200, 40), 30)
    draw = ImageDraw.Draw(image)
    x = 10
    for letter in code:  # each letter set 3 px into the one before: one blob
        draw.text((x, 8), letter, font=face, fill=230)
        x += round(draw.textlength(letter, font=face)) - 3
    frame = np.asarray(image).copy()
    ink = frame > 130
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    text_height = int(rows[-1] - rows[0] + 1)
    part = TextBox(Box(int(columns[0]) - 5, 0, int(columns[-1]) + 6, 40), True, 130)
    assert (columns[-1] - columns[0]) > 2.5 * text_height  # wider than any glyph of a score may be
    kept = code_glyphs(frame, part, text_height)
    assert kept.sum() == part.box.crop(ink).sum()
