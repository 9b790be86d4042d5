"""The clip Lambda: cuts one highlight per clip job with ffmpeg, stores it in S3, announces it on SNS.

Entry point: ``functions.clip.handler.handler``. ``cut_clip`` needs only
ffmpeg and files, no AWS.
"""

from functions.clip.cutter import ClipResult, cut_clip
from functions.clip.exceptions import ClipError, FfmpegError, InvalidClipJobError
from functions.clip.highlights import fetch_segments, make_highlight, publish_event
from functions.clip.settings import ClipSettings
from functions.clip.timeline import highlight_id, highlight_key, moment_on_timeline, offset_on_timeline

__all__ = [
    "ClipError",
    "ClipResult",
    "ClipSettings",
    "FfmpegError",
    "InvalidClipJobError",
    "cut_clip",
    "fetch_segments",
    "highlight_id",
    "highlight_key",
    "make_highlight",
    "moment_on_timeline",
    "offset_on_timeline",
    "publish_event",
]
