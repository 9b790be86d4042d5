"""Keep every request the capture makes for a stream on public https URLs (issue 11: no SSRF).

``contracts.channels.checked_channel_entry`` checks a ``name=URL`` channel entry's own URL once. The
playlist it names then names more URLs (variants, segments, init sections, AES keys), and any of them
may redirect: a public playlist could send the capture to ``http://169.254.170.2/v2/metadata`` (the
task's credentials) or a private service. :func:`stream_session` gives the one session the capture
fetches all of them with. Unless private stream URLs are allowed, it refuses, with
:class:`StreamUrlRefused`:

- any request or redirect hop whose URL is not ``https`` (requests sends every hop through
  ``Session.send``, and at most ``MAX_REDIRECTS`` of them);
- any connection to a host with an address that is not public (``contracts.channels.host_addresses``,
  the same rule the channel entry passed). The connection is made to the very address that was
  checked, with no second DNS lookup, so a DNS answer that changes between check and connect
  (DNS rebinding) cannot reach a private address. TLS still verifies the certificate against the
  host name.

Proxies from the environment are ignored by the strict session: through a proxy, the address
checked would be the proxy's, not the stream's.

Example::

    http = stream_session(allow_private_stream_urls=False)
    http.get("https://cdn.example.com/live.m3u8", timeout=10)   # fine
    http.get("http://169.254.170.2/v2/metadata", timeout=10)    # StreamUrlRefused
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from capture_task.exceptions import StreamUrlRefused
from contracts.channels import Resolver, host_addresses, https_host, resolve_host

MAX_REDIRECTS = 5
"""Redirect hops followed per request (each one checked); a CDN needs one or two, a loop is cut short."""

Connector = Callable[..., socket.socket]
"""Opens a TCP connection to ``(address, port)``, like ``urllib3.util.connection.create_connection``.

Production connects directly; tests route a made-up public address to their server on 127.0.0.1."""


def stream_session(
    *, allow_private_stream_urls: bool, resolve: Resolver = resolve_host, connect: Connector = create_connection
) -> requests.Session:
    """The HTTP session for a stream's playlists, segments, init sections and keys.

    ``allow_private_stream_urls`` (CDK context ``allow_private_stream_urls=true``, the local run) gives
    a plain session: http, loopback and private addresses work as before. Otherwise a
    :class:`PublicHttpsSession`.
    """
    if allow_private_stream_urls:
        return requests.Session()
    return PublicHttpsSession(resolve=resolve, connect=connect)


class PublicHttpsSession(requests.Session):
    """A session that only requests ``https`` URLs and only connects to public addresses; see the module docstring."""

    def __init__(self, *, resolve: Resolver = resolve_host, connect: Connector = create_connection) -> None:
        super().__init__()
        self.max_redirects = MAX_REDIRECTS
        self.trust_env = False  # no proxy from the environment: the address checked must be the one connected to
        adapter = _PublicAddressAdapter(resolve, connect)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # The first request and every redirect hop come through here (requests' resolve_redirects calls send).
        url = request.url or ""
        if https_host(url) is None:
            raise StreamUrlRefused(url, "it is not an https:// URL")
        try:
            return super().send(request, **kwargs)
        except _AddressRefused as refused:
            raise StreamUrlRefused(url, refused.why) from None


class _AddressRefused(Exception):
    """Raised inside urllib3 when a host's address is not public.

    Deliberately not an OSError nor a urllib3 error, so urllib3 and requests pass it through untouched
    (they would wrap those as connection errors and retry); ``PublicHttpsSession.send`` turns it into
    ``StreamUrlRefused`` with the URL.
    """

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _PublicAddressAdapter(HTTPAdapter):
    """An adapter whose connections resolve the host once, check every address, and connect to a checked one."""

    def __init__(self, resolve: Resolver, connect: Connector) -> None:
        self._pool_classes = _pool_classes(resolve, connect)
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes


def _pool_classes(resolve: Resolver, connect: Connector) -> dict[str, type]:
    """Connection pools whose connections open their socket with :func:`_public_socket`."""

    class PublicHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _public_socket(self, resolve, connect)

    class PublicHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return _public_socket(self, resolve, connect)

    class PublicHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = PublicHTTPConnection

    class PublicHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = PublicHTTPSConnection

    return {"http": PublicHTTPConnectionPool, "https": PublicHTTPSConnectionPool}


def _public_socket(connection: HTTPConnection, resolve: Resolver, connect: Connector) -> socket.socket:
    """A socket to one of the host's addresses, once every one of them is known to be public.

    Mirrors ``HTTPConnection._new_conn``'s errors, so an unreachable public host is still a
    connection error that the capture retries; a private one raises ``_AddressRefused``.
    """
    host = connection.host
    try:
        found = host_addresses(host, resolve=resolve)
    except OSError as error:  # a lookup that failed is a connection error, retried like today
        reason = error if isinstance(error, socket.gaierror) else socket.gaierror(str(error))
        raise NameResolutionError(host, connection, reason) from error
    if not found.all_public:
        raise _AddressRefused(f"its host {host!r} resolves to {found.not_public_text}, which is not a public address")
    last_error: OSError | None = None
    for address in found.addresses:
        try:
            return connect(
                (address, connection.port),
                connection.timeout,
                source_address=connection.source_address,
                socket_options=connection.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(
                connection, f"Connection to {host} timed out. (connect timeout={connection.timeout})"
            ) from error
        except OSError as error:
            last_error = error
    raise NewConnectionError(connection, f"Failed to establish a new connection: {last_error}") from last_error
