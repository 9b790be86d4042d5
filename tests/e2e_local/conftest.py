"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e_local.capture_support import busy_neighbour as _busy_neighbour


@pytest.fixture
def busy_neighbour() -> Iterator[subprocess.Popen[bytes]]:
    """A CPU-bound process beside the test for its whole duration (see ``capture_support.busy_neighbour``)."""
    with _busy_neighbour() as process:
        yield process
