"""A round blob with another of its own polarity inside it is an emblem (a crest), never a letter or a digit.

dev-254: a roundel crest of text height (dark rim, light field, dark centre) stood beside each number, and the row
read 'BRUG O2 10 MCFC': the HUD was never found. A dotted zero (DejaVu Sans Mono) is a ring round a dot too, but
narrow: it stays a digit. Drawn with PIL and a real font; the search and the reader (tesseract) are real.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _emblem
from contracts import Teams
from tests.functional.hud_drawing import read_as_a_stream_would

SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")


def _components(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return labels, stats


def _outer(mask: NDArray[np.bool_]) -> tuple[Box, int, NDArray[np.int32], NDArray[np.int32]]:
    """The mask's largest blob: its box, its label, and the labels and stats of all the mask's blobs."""
    labels, stats = _components(mask)
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = (int(v) for v in stats[label, :4])
    return Box(x, y, x + w, y + h), label, labels, stats


def _ring(width: int, height: int, *, dot: int, inner: tuple[int, int, int] | None = None) -> NDArray[np.bool_]:
    """A ring, with a dot of radius ``dot`` inside it, or an ``inner`` ellipse (width, height, thickness; -1
    filled): an outline round a counter, as an outlined '0' or 'O' has, or that outline filled in by blur."""
    canvas = np.zeros((height + 8, width + 8), np.uint8)
    centre, axes = ((width + 8) // 2, (height + 8) // 2), (width // 2, height // 2)
    cv2.ellipse(canvas, centre, axes, 0, 0, 360, 255, thickness=max(height // 8, 2))
    if dot:
        cv2.circle(canvas, centre, dot, 255, thickness=-1)
    if inner is not None:
        cv2.ellipse(canvas, centre, (inner[0] // 2, inner[1] // 2), 0, 0, 360, 255, thickness=inner[2])
    return canvas > 0


@pytest.mark.parametrize(
    ("width", "height", "dot", "inner", "emblem"),
    [
        (20, 20, 4, None, True),  # a roundel: rim and centre
        (22, 18, 3, None, True),  # a wider crest
        (12, 20, 3, None, False),  # a dotted zero: as narrow as a digit
        (20, 20, 0, None, False),  # a ring alone: an 'O'
        (20, 20, 1, None, False),  # a speck inside: noise
        (20, 22, 0, (8, 15, 1), False),  # an outlined bold '0' (dev-308): the outline round its counter's
        (20, 22, 0, (6, 15, -1), False),  # that counter's outline filled in: solid, but tall
        (22, 22, 0, (11, 11, 1), False),  # an outlined round 'O': the inner outline is a ring
    ],
)
def test_round_blobs_with_a_blob_inside_are_emblems(
    width: int, height: int, dot: int, inner: tuple[int, int, int] | None, emblem: bool
) -> None:
    box, label, labels, stats = _outer(_ring(width, height, dot=dot, inner=inner))
    assert _emblem(box, label, labels, stats) is emblem


def _hud(font: Path, score: tuple[int, int], *, roundels: bool) -> NDArray[np.uint8]:
    """A grey 1280x720 frame: 'BRUG (o) 2 1 (o) MCFC 49:11' on a light cell at the bottom left, over grass."""
    image = Image.new("L", (1280, 720), 95)
    draw = ImageDraw.Draw(image)
    type_face = ImageFont.truetype(str(font), 24)
    top, height = 640, 30
    draw.rectangle([30, top, 420, top + height], fill=225)
    x = 38
    parts = ("BRUG", "crest", str(score[0]), str(score[1]), "crest", "MCFC", "49:11")
    for part, after in zip(parts, (*parts[1:], ""), strict=True):
        # A crest stands as near its number as letters stand apart (dev-254: 6 px at 18 px text).
        gap = 4 if "crest" in (part, after) else 14
        if part == "crest":
            if roundels:
                draw.ellipse([x, top + 5, x + 20, top + 25], fill=170, outline=40, width=2)
                draw.ellipse([x + 6, top + 11, x + 14, top + 19], fill=40)
            x += 20 + gap
            continue
        draw.text((x, top + 3), part, font=type_face, fill=30)
        x += round(draw.textlength(part, font=type_face)) + gap
    return np.asarray(image).copy()


@pytest.mark.parametrize("font", [SANS, MONO], ids=["sans", "mono-dotted-zero"])
@pytest.mark.parametrize("score", [(2, 1), (0, 0)])
def test_a_hud_with_roundels_beside_its_numbers_is_found_and_read(font: Path, score: tuple[int, int]) -> None:
    if not font.is_file():
        pytest.skip(f"{font} is not installed")
    frame = _hud(font, score, roundels=True)
    layout, reading = read_as_a_stream_would(frame)
    assert layout is not None and layout.teams == Teams(home="BRUG", away="MCFC")
    assert reading is not None and (reading.score.home, reading.score.away) == score
