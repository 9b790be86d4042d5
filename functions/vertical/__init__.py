"""The vertical Lambda: a 9:16 cut of every highlight, for Shorts, TikTok and Reels, from its own queue.

Entry point: ``functions.vertical.handler.handler``. ``render_vertical`` needs
only ffmpeg and files, no AWS.
"""

from functions.vertical.exceptions import FfmpegError, InvalidVerticalJobError, UnusableSourceError, VerticalError
from functions.vertical.renderer import VerticalLayout, VerticalResult, render_vertical, vertical_layout
from functions.vertical.settings import VerticalSettings
from functions.vertical.verticals import make_vertical, vertical_id, vertical_key

__all__ = [
    "FfmpegError",
    "InvalidVerticalJobError",
    "UnusableSourceError",
    "VerticalError",
    "VerticalLayout",
    "VerticalResult",
    "VerticalSettings",
    "make_vertical",
    "render_vertical",
    "vertical_id",
    "vertical_key",
    "vertical_layout",
]
