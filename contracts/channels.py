"""The channel parameter's format, read the same way by the capture task and the reconciler.

The SSM parameter holds comma-separated entries: `name` (a Twitch channel) or
`name=source` (any source the capture task accepts, such as an HLS URL; the
local pipeline uses this for the sample broadcast). The reconciler starts one
capture task per name; each task follows the entry named by its CHANNEL, after
`checked_channel_entry` has refused names and sources it must not follow.

Example:
    >>> [e.channel for e in channel_entries("fifa_pro, sample=https://example.com/live.m3u8,fifa_pro")]
    ['fifa_pro', 'sample']
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from contracts.events import CHANNEL_NAME_PATTERN, MAX_CHANNEL_NAME_LENGTH
from contracts.exceptions import UnsafeChannelEntryError


@dataclass(frozen=True)
class ChannelEntry:
    """Which channel events are about, and where its video comes from."""

    channel: str
    source: str


def channel_entries(value: str) -> tuple[ChannelEntry, ...]:
    """The entries of a parameter value, in order, the first of each name only; blanks skipped."""
    entries: dict[str, ChannelEntry] = {}
    for raw in value.split(","):
        name, _, source = raw.strip().partition("=")
        name = name.strip()
        if name and name not in entries:
            entries[name] = ChannelEntry(name, source.strip() or f"twitch:{name}")
    return tuple(entries.values())


def channel_entry(value: str, wanted: str | None = None) -> ChannelEntry | None:
    """The entry named `wanted` (or the first one), or None when there is none."""
    entries = channel_entries(value)
    if wanted is not None:
        return next((entry for entry in entries if entry.channel == wanted), None)
    return entries[0] if entries else None


Resolver = Callable[[str], Iterable[str]]
"""Host name → the addresses it resolves to (``resolve_host`` in production; tests pass their own)."""

_TWITCH_HOSTS = frozenset({"twitch.tv", "www.twitch.tv", "m.twitch.tv"})


def resolve_host(host: str) -> tuple[str, ...]:
    """Every address ``host`` resolves to (IPv4 and IPv6), as text."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_channel_entry(
    entry: ChannelEntry, *, allow_private_stream_urls: bool = False, resolve: Resolver = resolve_host
) -> ChannelEntry:
    """``entry`` if the capture task may follow it; UnsafeChannelEntryError saying why not otherwise.

    The name must fit the contracts' channel pattern (it becomes S3 keys and metric dimensions).
    A Twitch source (``twitch:NAME``, a twitch.tv address) is always allowed. Any other source must be
    an ``https`` URL whose host resolves only to public addresses: the task's egress is open, so
    ``http://169.254.170.2/...`` (the task's credentials endpoint) or a private service must not be
    reachable by editing a parameter. ``allow_private_stream_urls`` (CDK context
    ``allow_private_stream_urls=true``; the local run, which serves HLS on 127.0.0.1) lifts the source
    rules, including local file paths.

    This refuses a bad parameter before a capture starts; it is not what keeps the capture's fetches
    public. The playlist names further URLs (variants, segments, keys) and may redirect, and DNS may
    answer differently later (rebinding): ``capture_task.ingest.guard`` applies the same rule
    (``host_addresses``) to every request and redirect hop the capture makes, on the address it connects to.

    Example:
        >>> checked_channel_entry(ChannelEntry("sample", "http://127.0.0.1:8080/live.m3u8"))
        Traceback (most recent call last):
        UnsafeChannelEntryError: The channel entry 'sample' ...
    """
    if len(entry.channel) > MAX_CHANNEL_NAME_LENGTH or not re.fullmatch(CHANNEL_NAME_PATTERN, entry.channel):
        raise UnsafeChannelEntryError(
            f"The channel name {entry.channel[:MAX_CHANNEL_NAME_LENGTH]!r} is not allowed: use letters, digits "
            f"and '_', '.', ':', '-' (starting with a letter or digit, at most {MAX_CHANNEL_NAME_LENGTH} characters)."
        )
    if allow_private_stream_urls or _is_twitch(entry.source):
        return entry
    host = https_host(entry.source)
    if host is None:
        raise UnsafeChannelEntryError(
            f"The channel entry {entry.channel!r} names the source {entry.source!r}; only Twitch channels and "
            "https:// URLs are followed in the cloud. Write NAME=https://host/playlist.m3u8, or deploy with "
            "-c allow_private_stream_urls=true if you really mean another kind of source."
        )
    try:
        found = host_addresses(host, resolve=resolve)
    except OSError as error:
        raise UnsafeChannelEntryError(
            f"The host {host!r} of channel entry {entry.channel!r} could not be resolved ({error}); "
            "check the URL in the channel parameter."
        ) from error
    if not found.all_public:
        raise UnsafeChannelEntryError(
            f"The host {host!r} of channel entry {entry.channel!r} resolves to {found.not_public_text}, "
            "which is not a public address; the capture task only fetches public https URLs. Use a public host, "
            "or deploy with -c allow_private_stream_urls=true for a private network you trust."
        )
    return entry


def https_host(url: str) -> str | None:
    """The host of an ``https://`` URL, or None for any other URL (another scheme, no host)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        return None
    return parts.hostname


@dataclass(frozen=True)
class HostAddresses:
    """The addresses a host name stands for, and whether the capture task may connect to them."""

    host: str
    addresses: tuple[str, ...]

    @property
    def not_public(self) -> tuple[str, ...]:
        return tuple(address for address in self.addresses if not is_public_address(address))

    @property
    def all_public(self) -> bool:
        """True when there is at least one address and every one is public: one private answer refuses the host."""
        return bool(self.addresses) and not self.not_public

    @property
    def not_public_text(self) -> str:
        """The addresses that make the host refused, for an error sentence."""
        return ", ".join(self.not_public) or "no address"


def host_addresses(host: str, *, resolve: Resolver = resolve_host) -> HostAddresses:
    """What ``host`` resolves to; an address literal is its own answer, with no lookup. OSError if the lookup fails.

    The one place the capture task's address rule lives: ``checked_channel_entry`` applies it to a channel
    entry's own URL, and ``capture_task.ingest.guard`` to every connection the capture opens for a stream.
    """
    literal = host.strip("[]")
    try:
        ipaddress.ip_address(literal.split("%", 1)[0])
    except ValueError:
        return HostAddresses(host, tuple(resolve(host)))
    return HostAddresses(host, (literal,))


def _is_twitch(source: str) -> bool:
    if source.lower().startswith("twitch:"):
        return True
    url = urlsplit(source if "://" in source else f"https://{source}")
    # streamlink reaches Twitch by the channel name, never by this URL, so http:// is as safe as https:// here.
    host = (url.hostname or "").lower()
    return url.scheme.lower() in {"http", "https"} and host in _TWITCH_HOSTS and url.port is None


def is_public_address(address: str) -> bool:
    """Globally routable unicast: not loopback, link-local, private, multicast, reserved or unspecified."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)
