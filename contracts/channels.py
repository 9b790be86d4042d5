"""The channel parameter's format, read the same way by the capture task and the reconciler.

The SSM parameter holds comma-separated entries: `name` (a Twitch channel) or
`name=source` (any source the capture task accepts, such as an HLS URL; the
local pipeline uses this for the sample broadcast). The reconciler starts one
capture task per name; each task follows the entry named by its CHANNEL.

Example:
    >>> [e.channel for e in channel_entries("fifa_pro, sample=https://example.com/live.m3u8,fifa_pro")]
    ['fifa_pro', 'sample']
"""

from __future__ import annotations

from dataclasses import dataclass


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
