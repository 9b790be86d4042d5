"""Letters or digits that touch (bold faces, italics, tight kerning, blur) are read, never miscounted.

Why: the reader counts blobs to know how many characters a token holds; two letters that touch
make one blob, and a code such as MILA (whose L and A touch) was then refused as "other".
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.geometry import Mask
from capture_task.vision.locate import (
    LETTERS,
    WIDE_BLOB,
    read_code,
    read_counted,
    spaced_glyphs,
    touching_letters,
    wide_blobs,
)

BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _touching(left: str, right: str, overlap_px: int = 6) -> tuple[Mask, int]:
    """``left`` and ``right`` drawn so the last letter of one touches the first of the other."""
    image = np.zeros((60, 260), np.uint8)
    cv2.putText(image, left, (5, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 255, 5)
    end = int(np.flatnonzero((image > 127).any(axis=0))[-1])
    cv2.putText(image, right, (end - overlap_px, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 255, 5)
    mask = image > 127
    rows = np.flatnonzero(mask.any(axis=1))
    return mask, int(rows[-1] - rows[0] + 1)


def _blobs(mask: Mask) -> int:
    return int(cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)[0]) - 1


def test_a_code_whose_letters_touch_is_read_whole() -> None:
    mask, height = _touching("MIL", "A")
    blobs = _blobs(mask)
    assert blobs == 3, "the L and the A make one blob"
    assert read_counted(mask, height, LETTERS, r"[A-Z]{2,4}", blobs) is None, "counted strictly, it cannot read"
    touching = touching_letters(mask, height)
    assert touching >= 1
    assert read_counted(mask, height, LETTERS, r"[A-Z]{2,4}", blobs, touching=touching) == "MILA"


def test_spaced_glyphs_keeps_every_blob_in_order_with_a_gap() -> None:
    mask = np.zeros((20, 30), bool)
    mask[2:18, 2:6] = True
    mask[2:18, 7:11] = True  # one column from the first: tesseract may merge them
    spaced = spaced_glyphs(mask, 16)
    assert _blobs(spaced) == 2
    assert int(spaced.sum()) == int(mask.sum())
    columns = np.flatnonzero(spaced.any(axis=0))
    assert np.diff(columns).max() > 0.3 * 16 - 1, "a clear gap of about a third of the text height"


def test_only_blobs_wider_than_a_character_count_as_touching() -> None:
    mask = np.zeros((20, 80), bool)
    mask[2:18, 2:12] = True  # 10 px wide at text height 16: one character
    mask[2:18, 20 : 20 + round(WIDE_BLOB * 16) + 2] = True  # wider than WIDE_BLOB text heights
    assert wide_blobs(mask, 16) == 1


def test_a_code_whose_three_letters_touch_is_read_whole() -> None:
    """dev-1028: 'EVI' of 'SEVI' glued into one blob by a drop shadow (a bold face at 17 px): two blobs, four
    letters, refused (or misread 'SEM') when a wide blob allowed one letter more. Each further width of a letter
    allows one more."""
    if not BOLD.is_file():
        pytest.skip(f"{BOLD} is not installed")
    face = ImageFont.truetype(str(BOLD), 20)
    image = Image.new("L", (200, 40), 0)
    draw = ImageDraw.Draw(image)
    draw.text((5, 5), "S", font=face, fill=255)
    x = 5 + round(draw.textlength("S ", font=face))
    draw.text((x, 5), "EVI", font=face, fill=255)
    left, _, right, bottom = draw.textbbox((x, 5), "EVI", font=face)
    draw.rectangle([left, bottom - 2, right, bottom - 1], fill=255)  # a shadow's edge along their feet joins them
    code = np.asarray(image) > 127
    rows = np.flatnonzero(code.any(axis=1))
    height = int(rows[-1] - rows[0] + 1)
    assert _blobs(code) == 2
    assert read_code(code, height, 2, touching=touching_letters(code, height)) == "SEVI"


def test_touching_letters_counts_one_per_width_of_two_letters_beyond_the_first() -> None:
    mask = np.zeros((20, 120), bool)
    mask[2:18, 2:12] = True  # 10 px at text height 16: one letter
    mask[2:18, 16 : 16 + round(WIDE_BLOB * 16) + 2] = True  # two letters
    mask[2:18, 40 : 40 + round(2 * WIDE_BLOB * 16) + 2] = True  # three
    assert touching_letters(mask, 16) == 3
