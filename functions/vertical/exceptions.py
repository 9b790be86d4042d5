"""Errors of the vertical function, each a sentence saying what went wrong and what to do."""

from __future__ import annotations


class VerticalError(RuntimeError):
    """A highlight could not be turned into its vertical cut."""


class FfmpegError(VerticalError):
    """ffmpeg failed, is missing, or produced nothing; the message ends with ffmpeg's own last words."""


class UnusableSourceError(VerticalError, ValueError):
    """The 16:9 clip is not an MP4 with a video stream ffmpeg can read; retrying cannot fix it."""


class InvalidVerticalJobError(VerticalError, ValueError):
    """An SQS message is not a highlight event (nor SNS's envelope of one); retrying cannot fix it."""
