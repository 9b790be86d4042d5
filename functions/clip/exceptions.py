"""Errors of the clip function, each a sentence saying what went wrong and where to look."""

from __future__ import annotations


class ClipError(RuntimeError):
    """A clip job could not be turned into a highlight."""


class FfmpegError(ClipError):
    """ffmpeg failed, is missing, or produced nothing; the message ends with ffmpeg's own last words."""


class InvalidClipJobError(ClipError, ValueError):
    """An SQS message is not a clip job; retrying cannot fix it.

    The clip function raises it anyway (logging the reason): the clip queue's
    redrive policy moves the message, body intact, to the clip DLQ after
    ``maxReceiveCount`` receives, which bounds the retries.
    """


class ReelNotReady(ClipError):
    """A goal of the match has no clip yet; retry later (the queue redelivers the message)."""


class NoClipForReel(ClipError, ValueError):
    """None of a match's goals has a clip, so there is nothing to join; the message says why for each."""
