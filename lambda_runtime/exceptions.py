"""Errors of the Lambda runtime, worded as what to do next."""

from __future__ import annotations


class ConfigurationError(RuntimeError):
    """An environment variable the function needs is missing or malformed.

    Raised at the first invocation rather than at import, so the local pipeline
    can set the variables after importing the handler.
    """
