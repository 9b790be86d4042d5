"""The 2 s "AD" slate a Twitch-style stitched ad break plays instead of the live picture.

Why: during ads a client must keep reading segments but see no HUD; a slate with large
digits (a countdown) also checks that the detector does not read ad text as a score.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from sample_broadcast.encode import encode_clip
from sample_broadcast.hls import SEGMENT_DURATION_S
from sample_broadcast.sprites import Frame, Layer, font_size_for_digit_height, text_sprite
from sample_broadcast.style import installed_hud_fonts

AD_SLATE_NAME = "ad_slate.ts"
AD_SLATE_CRF = 23
"""Ads come from another encoder than the streamer's, so they keep their own quality."""
AD_COUNTDOWN_START_S = 30


def _slate_frames(width: int, height: int, fps: int) -> Iterator[Frame]:
    font = str(installed_hud_fonts()[0])
    background = np.zeros((height, width, 3), np.uint8)
    background[:] = np.linspace(60, 140, width, dtype=np.uint8)[None, :, None] * np.array([1.0, 0.4, 0.2])
    title = text_sprite(font, font_size_for_digit_height(font, height // 5), "AD")
    caption = text_sprite(font, font_size_for_digit_height(font, height // 20), "Ad 1 of 1 - stream resumes soon")
    for index in range(SEGMENT_DURATION_S * fps):
        remaining = AD_COUNTDOWN_START_S - index // fps
        count = text_sprite(font, font_size_for_digit_height(font, height // 8), f"0:{remaining:02d}")
        layer = Layer.blank(0, 0, width, height)
        layer.text((width - title.width) // 2, height * 2 // 5, title, (255, 255, 255))
        layer.text((width - count.width) // 2, height * 2 // 3, count, (80, 220, 255))
        layer.text((width - caption.width) // 2, height * 5 // 6, caption, (230, 230, 230))
        frame = background.copy()
        layer.draw_on(frame)
        yield frame


def ensure_ad_slate(directory: Path, width: int, height: int, fps: int) -> Path:
    """``directory/ad_slate.ts``, encoded once; concurrent callers race harmlessly via rename."""
    path = directory / AD_SLATE_NAME
    if path.exists():
        return path
    handle, scratch_name = tempfile.mkstemp(prefix=".ad-", suffix=".ts", dir=directory)
    os.close(handle)
    scratch = Path(scratch_name)
    try:
        encode_clip(
            _slate_frames(width, height, fps), scratch, width=width, height=height, fps=fps, crf=AD_SLATE_CRF,
            duration_s=SEGMENT_DURATION_S,
        )  # fmt: skip
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)
    return path
