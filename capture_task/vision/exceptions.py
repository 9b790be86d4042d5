"""Errors the vision stage raises, each a sentence that says what to do next."""

from __future__ import annotations

from capture_task.exceptions import CaptureError


class OcrUnavailableError(CaptureError):
    """Tesseract's trained data is not installed where the OCR engine can find it."""
