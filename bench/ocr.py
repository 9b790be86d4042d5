"""OCR benchmark: tesseract in the process (tesserocr) vs a tesseract process per call (pytesseract).

Why: the reader's OCR calls are on small crops (a score, a team code, a clock), where starting a
process costs more than reading. This measures both engines on the same canvases, the way the
reader builds them, with the same page mode and whitelist, and checks they read the same text.

Example:
    $ .venv/bin/python -m bench.ocr            # 60 canvases, each read by both engines
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

import cv2
import numpy as np
import pytesseract
from PIL import Image, ImageDraw, ImageFont

from capture_task.capture import cpu_seconds
from capture_task.vision.ocr import ocr_canvas, recognise_text

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
TEXTS = ("0", "1", "7", "12", "3-1", "10-2", "LIV", "MCI", "ATM", "INTR", "45:12", "90:03")


def _glyphs(text: str, text_px: int) -> np.ndarray:
    font = ImageFont.truetype(FONT, round(text_px * 1.35))
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (int(right - left) + 4, int(bottom - top) + 4), 0)
    ImageDraw.Draw(image).text((2 - left, 2 - top), text, font=font, fill=255)
    return np.asarray(image) > 127


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ocr", description=__doc__.splitlines()[0])
    parser.add_argument("--canvases", type=int, default=60)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    cv2.setNumThreads(1)
    rng = random.Random(1)
    canvases = [
        (text, ocr_canvas(_glyphs(text, rng.randint(14, 34)), 24))
        for text in (rng.choice(TEXTS) for _ in range(args.canvases))
    ]
    whitelist = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-"
    recognise_text(canvases[0][1], whitelist=whitelist)  # engine start-up is once per thread, not per call
    results = {}
    for name, read in (
        # Uncached: ``read_text`` would not read a canvas drawn twice again.
        ("tesserocr (in process)", lambda image: recognise_text(image, whitelist=whitelist)),
        (
            "pytesseract (process per call)",
            lambda image: str(
                pytesseract.image_to_string(image, config=f"--psm 7 -c tessedit_char_whitelist={whitelist}")
            ).strip(),
        ),
    ):
        cpu, wall = cpu_seconds(), time.monotonic()
        right = sum(read(image).replace(" ", "") == text for text, image in canvases)
        results[name] = ((cpu_seconds() - cpu) / len(canvases), (time.monotonic() - wall) / len(canvases), right)
    for name, (cpu_s, wall_s, right) in results.items():
        per_call = f"{1000 * cpu_s:7.2f} ms CPU/call {1000 * wall_s:7.2f} ms wall/call"
        print(f"{name:<32} {per_call}  {right}/{len(canvases)} right")
    (fast_cpu, fast_wall, _), (slow_cpu, slow_wall, _) = results.values()
    print(f"ratio (process per call / in process): {slow_cpu / fast_cpu:.1f}x CPU, {slow_wall / fast_wall:.1f}x wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
