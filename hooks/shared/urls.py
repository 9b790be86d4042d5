"""Which URLs a hook may send to: https only; plain http only to loopback, and only when the run allows it.

A webhook URL or an API base URL comes from a secret or the environment; a
hook refuses plain http (the token would cross the network in clear) except to
127.0.0.1 in the local run and the tests, which set ``ALLOW_LOOPBACK_HTTP_ENV``.

Example:
    >>> url_problem("http://example.com/hook")
    'must be an https:// URL'
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

ALLOW_LOOPBACK_HTTP_ENV = "HOOKS_ALLOW_LOOPBACK_HTTP"
"""Set to ``1`` off AWS only: lets a hook talk to ``http://127.0.0.1:…`` (the local chat receiver, fake servers)."""


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be sent to (a sentence that never repeats it: it may hold a token), or None when it can."""
    if any(character.isspace() or not character.isprintable() for character in url):
        return "must be a URL without spaces or control characters"
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return "must be a well-formed URL (host and port)"
    if not parts.hostname or not port_ok:
        return "must be a URL with a host"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname) and os.environ.get(ALLOW_LOOPBACK_HTTP_ENV) == "1":
        return None
    return "must be an https:// URL"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
