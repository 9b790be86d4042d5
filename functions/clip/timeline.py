"""Where stream moments fall on the timeline of a job's segments laid end to end, and where clips are stored.

The concat demuxer plays the segment files back to back, so a gap between two
segments (a dropped segment, a skipped ad) takes no time on that timeline; a
moment inside a gap maps to the start of the next segment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from contracts import GoalEvent, SegmentEvent

HIGHLIGHTS_PREFIX = "highlights"
_UNSAFE_IN_KEY = re.compile(r"[^A-Za-z0-9_.-]")
_KEY_COMPONENT = re.compile(r"^[A-Za-z0-9_.:-]+$")


def offset_on_timeline(segments: Sequence[SegmentEvent], moment: datetime) -> float:
    """Seconds from the first segment's start to ``moment``, counting only time the segments cover.

    Example:
        >>> offset_on_timeline([seg_at_0s_2s, seg_at_4s_2s], start + timedelta(seconds=5))
        3.0
    """
    elapsed = 0.0
    for segment in segments:
        into = (moment - segment.start).total_seconds()
        if into < segment.duration_s:
            return elapsed + max(into, 0.0)
        elapsed += segment.duration_s
    return elapsed


def moment_on_timeline(segments: Sequence[SegmentEvent], offset_s: float) -> datetime:
    """The stream moment at ``offset_s`` seconds into the segments laid end to end (the inverse of the above)."""
    remaining = max(offset_s, 0.0)
    for segment in segments:
        if remaining < segment.duration_s:
            return segment.start + timedelta(seconds=remaining)
        remaining -= segment.duration_s
    last = segments[-1]
    return last.start + timedelta(seconds=last.duration_s + remaining)


def highlight_key(goal: GoalEvent, extension: str, token: str) -> str:
    """``highlights/{channel}/{YYYY/MM/DD of the goal}/{goal_id}-{token}.{extension}``: one goal, one key.

    ``token`` is the random part the publication ledger fixes at the job's first attempt: the key is the
    same on every retry (an upload overwrites), yet nobody can derive it from the goal. The channel is
    made one safe path component (``twitch:chan`` → ``twitch_chan``), as the capture task does for
    segment keys, and the key is checked to stay under ``highlights/``.

    Example:
        >>> highlight_key(goal, "mp4", "3f9c2a…")
        'highlights/twitch_somechannel/2026/11/25/g-3f1c…-3f9c2a….mp4'
    """
    return key_under_prefix(f"{safe_channel(goal.channel)}/{goal.at:%Y/%m/%d}/{goal.id}-{token}.{extension}")


def key_under_prefix(relative: str) -> str:
    """``highlights/{relative}``, refusing anything that is not plain path components (``..``, ``//``, ``/x``)."""
    parts = relative.split("/")
    if any(part in (".", "..") or not _KEY_COMPONENT.match(part) for part in parts):
        raise ValueError(f"refusing S3 key {relative!r}: it must stay under {HIGHLIGHTS_PREFIX}/")
    return f"{HIGHLIGHTS_PREFIX}/{relative}"


def safe_channel(channel: str) -> str:
    """The channel as one safe key component (``twitch:chan`` → ``twitch_chan``)."""
    return _UNSAFE_IN_KEY.sub("_", channel)


def highlight_id(goal: GoalEvent) -> str:
    """One goal, one highlight: derived from the goal id, so hooks can dedupe."""
    return f"highlight-{goal.id}"
