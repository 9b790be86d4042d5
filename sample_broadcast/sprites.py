"""Anti-aliased text sprites from TrueType fonts and the one blend every overlay uses.

Why: Pillow draws real fonts but is slow per frame; OpenCV is fast but only has Hershey
fonts. So Pillow renders each distinct string once into an alpha mask, cached, and
OpenCV's ``blendLinear`` composites masks and translucent layers every frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

Bgr = tuple[int, int, int]
Frame = NDArray[np.uint8]
Alpha = NDArray[np.float32]

PROBE_FONT_SIZE_PX = 200


@dataclass(frozen=True)
class TextSprite:
    """A string's coverage mask; ``baseline_y`` and ``digit_height`` let callers centre digits."""

    mask: Alpha
    baseline_y: int
    digit_height: int

    @property
    def width(self) -> int:
        return int(self.mask.shape[1])

    @property
    def height(self) -> int:
        return int(self.mask.shape[0])


@lru_cache(maxsize=64)
def font_size_for_digit_height(font_path: str, digit_height_px: int) -> int:
    """The point size whose digits are ``digit_height_px`` tall, so every font reads the same size."""
    probe = ImageFont.truetype(font_path, PROBE_FONT_SIZE_PX)
    _, top, _, bottom = probe.getbbox("0123456789", anchor="ls")
    return max(6, round(PROBE_FONT_SIZE_PX * digit_height_px / (bottom - top)))


@lru_cache(maxsize=64)
def _font(font_path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path, size_px)


@lru_cache(maxsize=4096)
def text_sprite(font_path: str, size_px: int, text: str) -> TextSprite:
    """Render ``text`` once; the cache makes repeated clocks and scores free."""
    font = _font(font_path, size_px)
    ascent, descent = font.getmetrics()
    width = max(1, int(np.ceil(font.getlength(text))) + 2)
    image = Image.new("L", (width, ascent + descent + 2), 0)
    ImageDraw.Draw(image).text((1, ascent + 1), text, font=font, fill=255, anchor="ls")
    _, top, _, bottom = font.getbbox("0", anchor="ls")
    mask = np.asarray(image, dtype=np.float32) / 255.0
    return TextSprite(mask=mask, baseline_y=ascent + 1, digit_height=int(bottom - top))


def blend_onto(frame: Frame, x: int, y: int, overlay: Frame, alpha: Alpha) -> None:
    """Composite ``overlay`` with per-pixel ``alpha`` at (x, y), clipped to the frame, in place."""
    h, w = alpha.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    a = np.ascontiguousarray(alpha[y0 - y : y1 - y, x0 - x : x1 - x])
    over = np.ascontiguousarray(overlay[y0 - y : y1 - y, x0 - x : x1 - x])
    region = frame[y0:y1, x0:x1]
    frame[y0:y1, x0:x1] = cv2.blendLinear(region, over, 1.0 - a, a)


@dataclass
class Layer:
    """A pre-composed translucent picture (colours + alpha) placed at a fixed frame position."""

    x: int
    y: int
    bgr: Frame
    alpha: Alpha

    @classmethod
    def blank(cls, x: int, y: int, width: int, height: int) -> Layer:
        return cls(x, y, np.zeros((height, width, 3), np.uint8), np.zeros((height, width), np.float32))

    def fill(self, x: int, y: int, width: int, height: int, bgr: Bgr, opacity: float = 1.0) -> None:
        """Paint an opaque-or-translucent rectangle (layer coordinates) over what is there."""
        self.paint(x, y, np.full((height, width), opacity, np.float32), bgr)

    def fill_vertical_gradient(
        self, x: int, y: int, width: int, height: int, bgr: Bgr, opacity: float, strength: float
    ) -> None:
        """A rectangle lighter at the top and darker at the bottom, as glossy broadcast cells are."""
        factors = np.linspace(1.0 + strength, 1.0 - strength, max(1, height), dtype=np.float32)
        colours = np.clip(np.array(bgr, np.float32)[None, :] * factors[:, None], 0, 255)
        self.paint(x, y, np.full((height, width), opacity, np.float32), colours[:, None, :])

    def paint(self, x: int, y: int, coverage: Alpha, bgr: Bgr | NDArray[np.float32]) -> None:
        """Paint a colour through ``coverage`` (e.g. a text mask), 'over' operator.

        ``bgr`` is one colour, or an array that broadcasts to ``coverage``'s rows and columns.
        """
        h, w = coverage.shape
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + w, self.alpha.shape[1]), min(y + h, self.alpha.shape[0])
        if x0 >= x1 or y0 >= y1:
            return
        cov = coverage[y0 - y : y1 - y, x0 - x : x1 - x]
        old_a = self.alpha[y0:y1, x0:x1]
        new_a = cov + old_a * (1.0 - cov)
        safe = np.where(new_a > 0, new_a, 1.0)
        old_rgb = self.bgr[y0:y1, x0:x1].astype(np.float32)
        colour = np.array(bgr, np.float32)
        if colour.ndim == 3:
            colour = np.broadcast_to(colour, (h, w, 3))[y0 - y : y1 - y, x0 - x : x1 - x]
        mixed = (colour * cov[..., None] + old_rgb * (old_a * (1.0 - cov))[..., None]) / safe[..., None]
        self.bgr[y0:y1, x0:x1] = np.clip(mixed, 0, 255).astype(np.uint8)
        self.alpha[y0:y1, x0:x1] = new_a

    def text(self, x: int, centre_y: int, sprite: TextSprite, bgr: Bgr) -> None:
        """Paint ``sprite`` with its digits vertically centred on ``centre_y``."""
        top = centre_y - (sprite.baseline_y - sprite.digit_height // 2)
        self.paint(x, top, sprite.mask, bgr)

    def draw_on(self, frame: Frame) -> None:
        blend_onto(frame, self.x, self.y, self.bgr, self.alpha)
