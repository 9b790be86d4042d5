"""Single glyphs drawn in every face the generators and the tests' painter use, cut as the reader cuts them: for
shape rules that must hold in any face (a '4''s crossbar, an 'L''s foot), checked over all of them at once."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from sample_broadcast.varied import MORE_FONTS, VARIED_FONTS
from tests.functional.hud_drawing import FONTS


def every_face() -> list[str]:
    """The paths of every face ``sample_broadcast`` and the painter draw with."""
    return sorted({str(font.full_path) for font in VARIED_FONTS + MORE_FONTS} | {str(font) for font in FONTS})


def drawn_glyph(char: str, font_path: str, px: int, shear: float, blur: bool) -> NDArray[np.bool_]:
    """``char`` drawn ``px`` tall (cap height) in white, leaned by ``shear``, softened by a blur when ``blur``, cut
    at mid grey as the reader cuts a glyph."""
    font = ImageFont.truetype(font_path, round(px / 0.72))
    image = Image.new("L", (px * 3, px * 3), 0)
    ImageDraw.Draw(image).text((px, px // 2), char, fill=255, font=font)
    pixels = np.array(image)
    if shear:
        lean = np.float32([[1, -shear, shear * pixels.shape[0] / 2], [0, 1, 0]])
        pixels = cv2.warpAffine(pixels, lean, pixels.shape[::-1])
    if blur:
        pixels = cv2.GaussianBlur(pixels, (3, 3), 0.8)
    return pixels > 128
