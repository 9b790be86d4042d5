"""A clock read with more minutes than any match shows, or seconds past 59, is a misread: no clock.

dev-1339's '08:58' was read '708:58' once; the next reading of 08:58 was then a clock gone ten minutes back, taken for
the next match: its codes were read again (as 'IBEN'), and its first goal was stamped 1.1 s late.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from capture_task.vision.reader import MAX_CLOCK_MINUTES, read_clock

TEXT_HEIGHT_PX = 22


def _glyphs(text: str) -> np.ndarray:
    """``text`` drawn as a clock box's glyph mask (white on black, as the reader cuts them)."""
    canvas = np.zeros((40, 24 * len(text) + 20), np.uint8)
    cv2.putText(canvas, text, (8, 31), cv2.FONT_HERSHEY_DUPLEX, 0.95, 255, 2, cv2.LINE_AA)
    mask: np.ndarray = canvas > 127
    return mask


@pytest.mark.parametrize(("drawn", "read"), [("08:58", "08:58"), ("93:12", "93:12"), ("118:40", "118:40")])
def test_a_match_clock_reads(drawn: str, read: str) -> None:
    assert read_clock(_glyphs(drawn), TEXT_HEIGHT_PX) == read


@pytest.mark.parametrize("drawn", ["708:58", f"{MAX_CLOCK_MINUTES + 1}:05", "45:75"])
def test_a_clock_no_match_shows_is_no_clock(drawn: str) -> None:
    assert read_clock(_glyphs(drawn), TEXT_HEIGHT_PX) == ""
