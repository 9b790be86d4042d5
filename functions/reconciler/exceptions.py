"""Errors of the reconciler, each a sentence saying what to do next."""

from __future__ import annotations


class ChannelParameterError(RuntimeError):
    """The channel parameter could not be read; nothing was started or stopped.

    A failed read must never look like "no channels", or one SSM hiccup would stop every capture task.
    """


class CaptureTaskStartError(RuntimeError):
    """ECS refused to start the capture task of one or more channels; the next run tries again."""
