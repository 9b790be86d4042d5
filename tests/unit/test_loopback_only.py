"""The loopback-only rule of tests/conftest.py holds in every test process."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import NonLoopbackConnectionRefused


def test_connections_off_this_machine_are_refused_and_loopback_works() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NonLoopbackConnectionRefused):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: documentation addresses, never routed
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=10):
            pass


def test_ipv6_addresses_off_this_machine_are_refused_too() -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock, pytest.raises(NonLoopbackConnectionRefused):
        sock.connect(("2001:db8::1", 443, 0, 0))  # the IPv6 documentation prefix
