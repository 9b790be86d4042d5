"""Shared by every test folder: where rendered sample broadcasts are cached, and the loopback-only rule.

Network tests only ever target loopback. That was a convention; ``pytest_configure`` makes it a rule
for this process (and each xdist worker): a socket connecting anywhere but 127.0.0.0/8, ::1 or a
Unix socket is refused with a sentence naming the address, as a machine without a network would
refuse it, so a test that reaches out fails loudly instead of depending on the internet. Processes
the tests start (the capture task, ffmpeg, Chromium) are outside it; their addresses come from the
tests, which serve everything on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NonLoopbackConnectionRefused(ConnectionRefusedError):
    """A test tried to reach an address off this machine."""


def _loopback_only(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) else address
    try:
        loopback = ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        loopback = str(host) == "localhost"
    if not loopback:
        raise NonLoopbackConnectionRefused(
            f"tests may connect only to loopback, not to {address!r}: serve it on 127.0.0.1 (tests/conftest.py)"
        )


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _loopback_only(self, address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _loopback_only(self, address)
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def broadcast_cache() -> Path:
    """Rendered sample broadcasts, reused across runs (a fresh clone renders them once)."""
    root = Path(os.environ.get("HIGHLIGHT_BOT_CACHE", REPO_ROOT / ".cache")) / "broadcasts"
    root.mkdir(parents=True, exist_ok=True)
    return root
