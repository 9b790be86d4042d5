"""Errors a user of the sample broadcast generator can hit, each saying what to do next."""


class SampleBroadcastError(Exception):
    """Base class, so callers can catch every generator failure in one place."""


class FontsMissingError(SampleBroadcastError):
    """No usable TrueType font is installed, so no HUD text can be drawn."""


class InvalidScriptError(SampleBroadcastError, ValueError):
    """A match script whose events overlap or fall outside the stream."""


class EncoderError(SampleBroadcastError):
    """ffmpeg is missing or failed while encoding the broadcast."""
