"""Errors the Lambdas raise for reasons a person has to fix, worded as what to do next."""

from __future__ import annotations

from lambda_runtime.exceptions import ConfigurationError  # the runtime's, re-exported for the functions

__all__ = ["ConfigurationError", "MediaLocationRefusedError", "MediaMissingError", "MediaReadError"]


class MediaMissingError(LookupError):
    """A segment (or init section) named by an event is not where the event says.

    Either it was never stored, or the bucket's lifecycle rule expired it;
    retrying does not bring it back.
    """


class MediaReadError(RuntimeError):
    """A segment could not be read for another reason (permissions, network); retrying may help."""


class MediaLocationRefusedError(ValueError):
    """A job names media the function must not read: a local path, another scheme, a malformed S3 location.

    Retrying cannot change the job, so it is dead-lettered at once.
    """
