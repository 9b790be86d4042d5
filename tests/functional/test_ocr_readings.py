"""A canvas read before is not read again: the reader and the HUD search read some canvases twice.

Why: tesseract returns the same text for the same pixels, whitelist and page mode, so the text kept
from the first read is the second's; anything that differs must be read anew.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest

from capture_task.vision import ocr
from capture_task.vision.ocr import PageMode, read_text


def _canvas(text: str) -> np.ndarray:
    canvas = np.full((48, 40 + 24 * len(text)), 255, np.uint8)
    cv2.putText(canvas, text, (12, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 3, cv2.LINE_AA)
    return canvas


@pytest.fixture
def engine_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts tesseract itself returned, in order (the real engine still reads)."""
    monkeypatch.setattr(ocr._local, "readings", None, raising=False)
    reads: list[str] = []
    recognise = ocr.recognise_text

    def counted(image: np.ndarray, *, whitelist: str, mode: PageMode = PageMode.LINE) -> str:
        reads.append(text := recognise(image, whitelist=whitelist, mode=mode))
        return text

    monkeypatch.setattr(ocr, "recognise_text", counted)
    return reads


def test_the_same_canvas_is_read_once_and_gives_the_same_text(engine_reads: list[str]) -> None:
    canvas = _canvas("2-1")
    first = read_text(canvas, whitelist="0123456789-")
    assert first == "2-1"
    assert read_text(canvas.copy(), whitelist="0123456789-") == first
    assert engine_reads == [first]


def test_another_whitelist_mode_or_pixel_is_read_anew(engine_reads: list[str]) -> None:
    canvas = _canvas("2-1")
    read_text(canvas, whitelist="0123456789-")
    read_text(canvas, whitelist="0123456789")
    read_text(canvas, whitelist="0123456789-", mode=PageMode.WORD)
    touched = canvas.copy()
    touched[0, 0] = 254
    read_text(touched, whitelist="0123456789-")
    assert len(engine_reads) == 4


def test_only_the_latest_readings_are_kept(engine_reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "READINGS_KEPT", 2)
    canvases = [_canvas(text) for text in ("1", "2", "3")]
    for canvas in canvases:
        read_text(canvas, whitelist="0123456789")
    read_text(canvases[2], whitelist="0123456789")  # kept
    read_text(canvases[0], whitelist="0123456789")  # forgotten: read again
    assert engine_reads == ["1", "2", "3", "1"]


def test_each_thread_keeps_its_own_readings(engine_reads: list[str]) -> None:
    """Engines are per thread (tesseract's API is not thread-safe), and so are their readings."""
    canvas = _canvas("7")
    read_text(canvas, whitelist="0123456789")
    worker = threading.Thread(target=read_text, args=(canvas,), kwargs={"whitelist": "0123456789"})
    worker.start()
    worker.join()
    assert engine_reads == ["7", "7"]
