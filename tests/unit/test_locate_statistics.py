"""The HUD search's cheap statistics give numpy's figures exactly, and a token is read by tesseract once.

Why: the search computes a median and a percentile of the ring around every glyph-sized blob, and
medians of short lists per row and token; they were numpy calls, ~20-60 us each of overhead. Their
replacements must change no decision, so they are compared with numpy float for float, on rings of
every size the search meets, flat, two-level and noisy ones.
"""

from __future__ import annotations

import numpy as np
import pytest

import capture_task.vision.locate as locate
from capture_task.vision.geometry import Box
from capture_task.vision.locate import _GreyLevels, _median, _same_line, _same_line_edges
from capture_task.vision.ocr import PageMode


def _rings() -> list[np.ndarray]:
    random = np.random.default_rng(20261203)
    rings = []
    for size in [*range(1, 40), 57, 64, 101, 256, 999, 4096]:
        rings.append(random.integers(0, 256, size, dtype=np.uint8))  # crowd
        rings.append(np.clip(random.normal(random.integers(0, 256), 3, size), 0, 255).astype(np.uint8))  # a cell
        two = np.where(random.random(size) < random.random(), random.integers(0, 256), random.integers(0, 256))
        rings.append(two.astype(np.uint8))  # a cell beside another cell
        rings.append(np.full(size, random.integers(0, 256), np.uint8))  # flat
    return rings


@pytest.mark.parametrize("percent", [25, 75, 50, 10, 90])
def test_ring_levels_match_numpy_float_for_float(percent: int) -> None:
    for ring in _rings():
        levels = _GreyLevels(ring)
        median = float(np.median(ring))
        assert levels.median() == median
        assert levels.percentile(percent) == float(np.percentile(ring, percent))
        for level in (median, median + 0.25, median - 0.75, 0.0, 255.0):
            assert levels.median_distance_from(level) == float(np.median(np.abs(ring - level)))


def test_short_list_median_matches_numpy() -> None:
    random = np.random.default_rng(7)
    for size in range(1, 30):
        heights = [int(v) for v in random.integers(5, 60, size)]
        levels = [float(v) for v in random.random(size) * 255]
        assert _median(heights) == float(np.median(heights))
        assert _median(levels) == float(np.median(levels))


def test_same_line_from_edges_agrees_with_boxes() -> None:
    random = np.random.default_rng(11)
    for _ in range(5000):
        top_a, top_b = (int(v) for v in random.integers(0, 40, 2))
        height_a, height_b = (int(v) for v in random.integers(4, 40, 2))
        width_a, width_b, gap = (int(v) for v in random.integers(2, 30, 3))
        a, b = (
            Box(0, top_a, width_a, top_a + height_a),
            Box(width_a + gap, top_b, width_a + gap + width_b, top_b + height_b),
        )
        edges = _same_line_edges(a.top, a.bottom, a.height, a.width, b.top, b.bottom, b.height, b.width, gap)
        assert edges == _same_line(a, b)


def test_the_same_glyphs_are_read_by_tesseract_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A repeated search over a still overlay reads the same tokens: the second time costs no OCR."""
    calls: list[tuple[int, ...]] = []

    def counting_read_text(image: np.ndarray, *, whitelist: str, mode: PageMode = PageMode.LINE) -> str:
        calls.append(image.shape)
        return " 1 2 " if whitelist == "0123456789" else "AB"

    monkeypatch.setattr(locate, "read_text", counting_read_text)
    locate._read_pixels.cache_clear()
    mask = np.zeros((12, 20), bool)
    mask[2:10, 3:6] = mask[2:10, 12:15] = True
    try:
        assert locate.read_glyphs(mask, 12, "0123456789") == "12"
        assert locate.read_glyphs(mask.copy(), 12, "0123456789") == "12"
        assert len(calls) == 1
        # Another mask, whitelist, mode or size is another reading.
        other = mask.copy()
        other[5, 8] = True
        assert locate.read_glyphs(other, 12, "0123456789") == "12"
        assert locate.read_glyphs(mask, 12, "AB") == "AB"
        assert locate.read_glyphs(mask, 12, "0123456789", PageMode.WORD) == "12"
        assert locate.read_glyphs(mask, 16, "0123456789") == "12"
        assert len(calls) == 5
    finally:
        locate._read_pixels.cache_clear()  # no fake reading may outlive this test
