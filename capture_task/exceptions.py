"""Errors the capture task raises, each a sentence that says what to do next.

They live in one module so callers can catch them without importing the code that raises them
(the same split Powertools uses). ``CaptureError`` is the common base for everything the capture
task raises on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable


class CaptureError(Exception):
    """Base class for errors the capture task raises on purpose."""


class InvalidSourceError(CaptureError, ValueError):
    """A source spec is not one of the accepted forms (a ``ValueError``, so argument parsing can catch it)."""


class SourceUnavailable(CaptureError):
    """The source cannot be turned into a playable media playlist right now.

    Raised when streamlink has no plugin for the URL, a plugin fails, or an HLS URL cannot be
    fetched. Whether retrying helps depends on the cause, which the message names.
    """


class StreamOffline(SourceUnavailable):
    """The channel exists but is not live; wait and resolve again later."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        super().__init__(
            f"The Twitch channel '{channel}' is offline (streamlink found no streams); "
            "start the broadcast or wait, and resolve again."
        )


class QualityUnavailable(SourceUnavailable):
    """The requested quality is not among the stream's variants; the message lists the ones that are."""

    def __init__(self, requested: str, available: Iterable[str]) -> None:
        self.requested = requested
        self.available = tuple(sorted(set(available)))
        listed = ", ".join(self.available) or "none"
        super().__init__(
            f"Quality '{requested}' is not offered by this stream; choose one of: {listed} (or 'best' / 'worst')."
        )


class SegmentUnavailable(CaptureError):
    """A media segment could not be downloaded after every retry.

    Raised so one lost segment never blocks the pipeline: the caller skips the segment and marks
    the next one it keeps as a discontinuity.
    """

    def __init__(self, uri: str, attempts: int, reason: str, *, sequence: int | None = None) -> None:
        self.uri = uri
        self.attempts = attempts
        self.reason = reason
        self.sequence = sequence
        which = f"Segment {sequence}" if sequence is not None else "Segment"
        super().__init__(
            f"{which} could not be downloaded after {attempts} attempt(s) ({reason}); "
            f"skip it and mark the next segment as a discontinuity. URL: {uri}"
        )
