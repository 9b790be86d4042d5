"""Shared by every test folder: where rendered sample broadcasts are cached, and the loopback-only rule.

Network tests only ever target loopback. That was a convention; ``pytest_configure`` makes it a rule
for this process (and each xdist worker): a socket connecting anywhere but 127.0.0.0/8, ::1 or a
Unix socket is refused with a sentence naming the address, as a machine without a network would
refuse it, so a test that reaches out fails loudly instead of depending on the internet. Processes
the tests start (the capture task, ffmpeg, Chromium) are outside it; their addresses come from the
tests, which serve everything on 127.0.0.1.

``make test`` spreads the test files over workers (``--dist=loadfile --no-loadscope-reorder``); the
hooks below keep the files in ``WORKER_GROUPS`` together and hand out the long ones first.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from fnmatch import fnmatch
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


WORKER_GROUPS: dict[str, tuple[str, ...]] = {
    # They share one synth of the app (tests/unit/infra_fixtures.py): made once, not once per worker.
    "cdk-synth": (
        "tests/unit/test_infra_*.py",
        "tests/unit/test_hooks_manifests.py",
        "tests/functional/test_infra_validators.py",
    ),
    # Served at real time beside a busy neighbour each: one after another, so no capture shares the
    # cores with a second spinning process and another capture as well.
    "real-time": (
        "tests/e2e_local/test_capture_live.py",
        "tests/e2e_local/test_local_pipeline.py",
        "tests/functional/test_capture_entrypoint.py",
        "tests/functional/test_capture_faults.py",
        "tests/functional/test_capture_service.py",
    ),
}
"""Test files that run on one worker together, one after another (``--dist=loadfile``)."""


def worker_group(test_file: str) -> str:
    """The unit of work a test file (its path from the repo root) belongs to: its group, or itself."""
    for group, files in WORKER_GROUPS.items():
        if any(fnmatch(test_file, pattern) for pattern in files):
            return group
    return test_file


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist=loadfile``, with the files of one of ``WORKER_GROUPS`` handed to a worker as one unit."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndGroups(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(super()._split_scope(nodeid))

    return FilesAndGroups(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long units of work first: the groups, then the files with a ``slow`` test, then the rest.

    xdist hands units out in collection order when told ``--no-loadscope-reorder`` (by default it starts
    the files with most tests first, so a long file of one test started last, while the other workers
    had run out of work). The sort is stable: a file's tests keep their order.
    """
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> int:
        if worker_group(item.path.relative_to(REPO_ROOT).as_posix()) in WORKER_GROUPS:
            return 0
        return 1 if item.path in slow_files else 2

    items.sort(key=rank)


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def broadcast_cache() -> Path:
    """Rendered sample broadcasts, reused across runs (a fresh clone renders them once)."""
    root = Path(os.environ.get("HIGHLIGHT_BOT_CACHE", REPO_ROOT / ".cache")) / "broadcasts"
    root.mkdir(parents=True, exist_ok=True)
    return root
