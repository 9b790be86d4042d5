"""Tesseract in the process, through its C API (tesserocr): one engine per thread, no process per call.

Why: the reader makes a few OCR calls per goal and a few dozen per HUD search; a tesseract
process per call cost ~20-50 ms of start-up each, more than the reading itself. The engine is
created once per thread (tesseract's API object is not thread-safe) and told the page mode and
the allowed characters per call.

The wheel bundles libtesseract; the trained data comes from the system package
(Debian's ``tesseract-ocr-eng``), found through ``TESSDATA_PREFIX`` or the usual places.

Example:
    >>> read_text(canvas, whitelist="0123456789-")
    '1-0'
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from enum import IntEnum
from pathlib import Path

import cv2
import numpy as np
import tesserocr

from capture_task.vision.exceptions import OcrUnavailableError
from capture_task.vision.geometry import Frame, Mask
from capture_task.vision.work import count_ocr_read

TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
)
OCR_TEXT_HEIGHT_PX = 32
"""Crops are scaled so their text stands this tall (24-32 px read best on the test HUDs)."""
READINGS_KEPT = 256
"""Texts remembered per engine, by image, whitelist and page mode: the same canvas is read again now and
then (a HUD search tries a row's glyphs in several ways, a still HUD is read again), ~3-5 % of the OCR calls
of the bench streams. Tesseract returns the same text for the same input, so a kept one changes nothing."""


class PageMode(IntEnum):
    """The tesseract page segmentation modes the reader uses."""

    LINE = tesserocr.PSM.SINGLE_LINE
    WORD = tesserocr.PSM.SINGLE_WORD
    CHARACTER = tesserocr.PSM.SINGLE_CHAR


def tessdata_dir() -> str:
    """Where ``eng.traineddata`` is: ``TESSDATA_PREFIX`` first, then Debian's and other usual places."""
    candidates = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get("TESSDATA_PREFIX") else []
    for directory in [*candidates, *TESSDATA_DIRS]:
        if (directory / "eng.traineddata").is_file():
            return str(directory)
    raise OcrUnavailableError(
        "Tesseract's English trained data (eng.traineddata) was not found; install it with "
        "`apt-get install tesseract-ocr-eng` or point TESSDATA_PREFIX at the folder holding it."
    )


_local = threading.local()


def _engine() -> tesserocr.PyTessBaseAPI:
    api: tesserocr.PyTessBaseAPI | None = getattr(_local, "api", None)
    if api is None:
        # HUD text is codes and numbers, not words: the dictionaries would only pull it towards English.
        api = tesserocr.PyTessBaseAPI(
            path=tessdata_dir(),
            lang="eng",
            variables={"load_system_dawg": "0", "load_freq_dawg": "0"},
        )
        _local.api = api
    return api


def start_engine() -> None:
    """Start this thread's tesseract engine now rather than at its first read.

    Why: loading the trained data costs ~0.2 s of CPU once per engine. A capture following a
    channel for hours starts it before its first segment (``CaptureService``), so that cost is paid
    at start-up, not inside the first goal's reading.
    """
    _engine()


def engine_started() -> bool:
    """Whether this thread's tesseract engine exists already."""
    return getattr(_local, "api", None) is not None


def _readings() -> OrderedDict[tuple[bytes, int, int, str, int], str]:
    readings: OrderedDict[tuple[bytes, int, int, str, int], str] | None = getattr(_local, "readings", None)
    if readings is None:
        readings = _local.readings = OrderedDict()
    return readings


def read_text(image: Frame, *, whitelist: str, mode: PageMode = PageMode.LINE) -> str:
    """The text on a grey image (dark text on white reads best), only ``whitelist`` characters; an image
    read before on this thread with the same whitelist and mode is not read again (``READINGS_KEPT``)."""
    grey = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = grey.shape[:2]
    key = (hashlib.blake2b(grey.tobytes(), digest_size=16).digest(), width, height, whitelist, int(mode))
    readings = _readings()
    if key in readings:
        readings.move_to_end(key)
        return readings[key]
    text = recognise_text(grey, whitelist=whitelist, mode=mode)
    readings[key] = text
    if len(readings) > READINGS_KEPT:
        readings.popitem(last=False)
    return text


def recognise_text(image: Frame, *, whitelist: str, mode: PageMode = PageMode.LINE) -> str:
    """``read_text`` without its memory: tesseract reads the image every time (what ``bench.ocr`` times)."""
    api = _engine()
    count_ocr_read()
    api.SetPageSegMode(int(mode))
    api.SetVariable("tessedit_char_whitelist", whitelist)
    grey = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = grey.shape[:2]
    api.SetImageBytes(grey.tobytes(), width, height, 1, width)
    text: str = api.GetUTF8Text()
    return text.strip()


def ocr_canvas(glyphs: Mask, text_height_px: int) -> Frame:
    """Black glyphs on white at tesseract's favourite size, with a margin of half a text height.

    Scaled smoothly and left grey at the edges: on glyphs this small, tesseract's LSTM reads
    anti-aliased edges better than re-thresholded jaggies (measured on the test HUDs).
    """
    canvas: Frame = np.where(glyphs, 0, 255).astype(np.uint8)
    canvas = np.pad(canvas, max(text_height_px // 2, 2), constant_values=255)
    scale = OCR_TEXT_HEIGHT_PX / max(text_height_px, 1)
    if abs(scale - 1) > 0.1:
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        canvas = cv2.resize(canvas, None, fx=scale, fy=scale, interpolation=interpolation)
    return canvas
