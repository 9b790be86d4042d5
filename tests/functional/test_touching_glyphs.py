"""Letters or digits that touch (bold faces, italics, tight kerning, blur) are read, never miscounted.

Why: the reader counts blobs to know how many characters a token holds; two letters that touch
make one blob, and a code such as MILA (whose L and A touch) was then refused as "other".
"""

from __future__ import annotations

import cv2
import numpy as np

from capture_task.vision.geometry import Mask
from capture_task.vision.locate import LETTERS, WIDE_BLOB, read_counted, spaced_glyphs, wide_blobs


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
    touching = wide_blobs(mask, height)
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
