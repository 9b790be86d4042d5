"""Reading settings from the environment at call time, with errors that name the variable.

The infra stack sets these variables on each function; the local pipeline sets
them in its own process before the first invocation, which is why nothing here
runs at import.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from functions.shared.exceptions import ConfigurationError

N = TypeVar("N", int, float)


def required_env(name: str, meaning: str) -> str:
    """The value of ``name``; raise ConfigurationError saying what it should hold if it is unset.

    Example:
        >>> required_env("SEGMENT_TABLE", "the DynamoDB table of the segment index")
        'highlight-bot-segments'
    """
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"set {name} to {meaning}; the function cannot run without it")
    return value


def float_env(name: str, default: float) -> float:
    """A number of seconds (or other float) from ``name``, or ``default`` when it is unset."""
    return _number_env(name, default, float, "a number")


def int_env(name: str, default: int) -> int:
    """A whole number from ``name``, or ``default`` when it is unset."""
    return _number_env(name, default, int, "a whole number")


def _number_env(name: str, default: N, kind: Callable[[str], N], described: str) -> N:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be {described}, got {raw!r}; fix the function's environment") from error
