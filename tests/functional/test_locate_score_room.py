"""A score part's box leaves a wider number room up to a mark beside it, not only up to a code's distance.

dev-42: the next match's HUD, 'BAY | 1-0 ATM', was found on its 1-0, the '1' 5 px right of a white strip. Its box
stopped a fifth of the text height short of the strip, the wider '0' of the frames before touched the box's side and
was dropped as a neighbour's edge: those frames read nothing, and the goal was stamped at the HUD's first reading,
0.4 s late. Drawn here with this test's own painter (a strip a little taller than the text, each number centred in a
cell as wide as a '0' and ``pad`` px); located and read by the real search, reader and tesseract.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.reader import ScoreboardReader
from contracts import Score

FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf", 36)
WHITE, CELL = (235, 235, 235), (25, 25, 30)


def _hud(home: int, away: int, clock: str, pad: int) -> NDArray[np.uint8]:
    image = Image.new("RGB", (1280, 720), (60, 110, 60))
    draw = ImageDraw.Draw(image)
    x, y = 400, 40
    draw.rectangle([x, y, x + 560, y + 46], fill=CELL)
    draw.text((x + 12, y + 5), "BAY", font=FONT, fill=WHITE)
    top, bottom = FONT.getbbox("0")[1] + y + 5, FONT.getbbox("0")[3] + y + 5
    overhang = round(0.07 * (bottom - top))
    strip = x + 100
    draw.rectangle([strip, top - overhang, strip + 4, bottom + overhang], fill=(240, 240, 240))
    cell = round(FONT.getlength("0") + 2 * pad)
    for index, number in enumerate((home, away)):
        left = strip + 6 + index * (cell + 26)
        draw.text((left + (cell - FONT.getlength(str(number))) / 2, y + 5), str(number), font=FONT, fill=WHITE)
    draw.text((strip + 6 + cell + 6, y + 5), "-", font=FONT, fill=WHITE)
    draw.text((strip + 6 + 2 * cell + 40, y + 5), "ATM", font=FONT, fill=WHITE)
    draw.text((x + 420, y + 5), clock, font=FONT, fill=WHITE)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize("pad", [1, 2, 4])
def test_a_wider_number_than_the_one_found_reads_beside_a_strip(pad: int) -> None:
    reader = ScoreboardReader()
    found_on = _hud(1, 0, "01:37", pad)
    for _ in range(3):
        reader.read(found_on, fresh=True, may_locate=True)
    assert reader.teams is not None, "the drawn HUD was not found: this test no longer tests the score's boxes"
    reading = reader.read(_hud(0, 0, "01:25", pad), fresh=True)
    assert reading is not None and reading.score == Score(home=0, away=0)
