"""Which channels the SSM parameter asks for (its format is defined once, in `contracts.channels`)."""

from __future__ import annotations

from contracts.channels import channel_entries


def channel_names(parameter_value: str) -> tuple[str, ...]:
    """The channel names in `parameter_value`, in order, each once; blank entries are skipped.

    Example:
        >>> channel_names("fifa_pro, sample=https://example.com/live.m3u8,fifa_pro")
        ('fifa_pro', 'sample')
    """
    return tuple(entry.channel for entry in channel_entries(parameter_value))
