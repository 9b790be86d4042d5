"""Decides which segments the capture task stores and announces: all of them, or only those a clip needs.

Why: a clip is cut from ~15 of the 1,800 segments an hour of stream has (3
goals x 25 s). Storing every segment in S3 was the largest per-channel cost
after Fargate ($0.009 of S3 PUTs a stream-hour, plus 1,800 Kinesis records
and enrich invocations); none of those bytes were ever read. The capture
task already holds the segments it reads, so it keeps the recent ones in
memory and stores (and announces with a ``segment`` event) only those around
a goal. Enrich and clip are unchanged: they see the same events, fewer of them.

How long is "recent": a goal is announced once the sampler has found its
first frame, which can be as far back as its memory
(``sampler.FURTHEST_BACK_SEGMENTS``: ~60 s until the stream's first score is
read and looked back from, ~40 s after) before the segment being read. So
the keeper holds that much plus the pre-roll; a goal announced later still
gets the held part of its pre-roll (enrich accepts pre-roll gaps).

Cost of the choice: segments nowhere near a goal are gone once they age out
of memory, so a goal the detector missed cannot be cut later from S3;
``keep_segments="all"`` (``KEEP_SEGMENTS=all``) restores the old behaviour.

Example:
    >>> keeper = SegmentKeeper(KeepPolicy.around_goals_of(pre_roll_s=20, post_roll_s=5))
    >>> keeper.arrived(segment)          # nothing near a goal: held, not stored
    []
    >>> keeper.goal_at(goal.at)          # the pre-roll, oldest first
    [SegmentMedia(sequence=41, ...), ...]
"""

from __future__ import annotations

import typing
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.sampler import FURTHEST_BACK_SEGMENTS
from contracts.settings import DEFAULT_SETTINGS, KeepSegments, PipelineSettings

KEEP_SEGMENTS_CHOICES: tuple[KeepSegments, ...] = typing.get_args(KeepSegments)

MARGIN_S = 1.0
"""Kept on both sides of a clip window: goal times come from frame offsets, segment starts from
the playlist, and enrich tolerates 0.25 s between them; a second more costs at most one PUT a goal."""


@dataclass(frozen=True)
class KeepPolicy:
    """Which segments are stored: ``all``, or ``around_goals`` (the clip window, pre- and post-roll)."""

    keep: KeepSegments = DEFAULT_SETTINGS.keep_segments
    pre_roll_s: float = DEFAULT_SETTINGS.pre_roll_s
    post_roll_s: float = DEFAULT_SETTINGS.post_roll_s

    @classmethod
    def keep_all(cls) -> KeepPolicy:
        return cls(keep="all")

    @classmethod
    def around_goals_of(cls, *, pre_roll_s: float, post_roll_s: float) -> KeepPolicy:
        return cls(keep="around_goals", pre_roll_s=pre_roll_s, post_roll_s=post_roll_s)

    @classmethod
    def of(cls, settings: PipelineSettings) -> KeepPolicy:
        """The policy the pipeline's settings ask for (the windows enrich cuts, so the two agree)."""
        return cls(keep=settings.keep_segments, pre_roll_s=settings.pre_roll_s, post_roll_s=settings.post_roll_s)


def keep_segments_named(value: str, *, setting: str) -> KeepSegments:
    """``value`` as a keep choice, or a ValueError saying which ``setting`` held it and what it may hold."""
    for choice in KEEP_SEGMENTS_CHOICES:
        if value == choice:
            return choice
    others = " or ".join(repr(c) for c in KEEP_SEGMENTS_CHOICES if c != DEFAULT_SETTINGS.keep_segments)
    raise ValueError(f"{setting} is {value!r}; set it to {DEFAULT_SETTINGS.keep_segments!r} (the default) or {others}")


class SegmentKeeper:
    """Holds recent segments and releases, in stream order and once each, those to store.

    ``arrived`` is called for every segment read, ``goal_at`` for every goal
    found; both return the segments to store and announce now.
    """

    def __init__(self, policy: KeepPolicy) -> None:
        self.policy = policy
        self._held: deque[SegmentMedia] = deque()
        self._keep_until: datetime | None = None
        """Every segment starting before this is stored as it arrives: a goal's post-roll."""
        self._released_through: tuple[datetime, int] | None = None
        """(start, sequence) of the newest segment released: nothing is stored twice."""

    @property
    def held(self) -> int:
        """Segments in memory, not stored (yet)."""
        return len(self._held)

    def arrived(self, segment: SegmentMedia) -> list[SegmentMedia]:
        """The segments to store now that ``segment`` was read: itself, or nothing (it is held)."""
        if self.policy.keep == "all" or (self._keep_until is not None and segment.start < self._keep_until):
            return self._release([segment])
        self._held.append(segment)
        self._forget_old(newest=segment)
        return []

    def goal_at(self, at: datetime) -> list[SegmentMedia]:
        """The held segments of a goal's pre-roll (from ``at``'s window start on); keeps its post-roll."""
        keep_until = at + timedelta(seconds=self.policy.post_roll_s + MARGIN_S)
        self._keep_until = max(self._keep_until or keep_until, keep_until)
        window_start = at - timedelta(seconds=self.policy.pre_roll_s + MARGIN_S)
        released = [s for s in self._held if s.end > window_start and s.start < self._keep_until]
        # Held segments before this window are needed by no later goal (its window starts later still);
        # those after it (a goal announced late) may be a later goal's pre-roll, so they stay held.
        self._held = deque(s for s in self._held if s.start >= self._keep_until)
        return self._release(released)

    def _release(self, segments: list[SegmentMedia]) -> list[SegmentMedia]:
        newest = self._released_through
        fresh = [s for s in segments if newest is None or (s.start, s.sequence) > newest]
        if fresh:
            self._released_through = (fresh[-1].start, fresh[-1].sequence)
        return fresh

    def _forget_old(self, *, newest: SegmentMedia) -> None:
        """Drop held segments no goal can still reach: older than the sampler's search-back plus a pre-roll."""
        reach_s = (FURTHEST_BACK_SEGMENTS + 1) * newest.duration_s + self.policy.pre_roll_s + MARGIN_S
        oldest_needed = newest.end - timedelta(seconds=reach_s)
        while self._held and self._held[0].end <= oldest_needed:
            self._held.popleft()
