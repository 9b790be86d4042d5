"""Which segments a goal's clip needs, whether they have all arrived, and when to stop waiting.

Pure functions over contract models, so every rule here is unit-tested without
AWS. The rules, in one place:

- A clip window is ``[at - pre_roll, at + post_roll]``; it is widened to whole
  segments (every segment overlapping the window is part of the job).
- Two neighbouring segments are *contiguous* when the second starts where the
  first ends (within a quarter second) or when their media sequence numbers
  follow each other (a discontinuity: the time jumped, but nothing is missing).
  Anything else is a *gap*.
- A gap that ends at or before the goal's first frame is in the pre-roll: it is
  accepted and the clip shows what exists. Segments arrive in stream order
  (one channel = one Kinesis partition key = one shard, processed in order), so
  pre-roll segments missing once the post-roll has arrived were dropped (by
  Twitch, by an ad break the capture task skipped) and are not coming.
- A gap touching the goal moment or the post-roll blocks the clip: enrich
  waits for it, until the stream has run ``post_roll_wait_s`` past the
  window's end or that much wall time has passed since the goal arrived; then
  it gives up with a reason naming the missing sequence numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from contracts import GoalEvent, SegmentEvent

CONTIGUITY_TOLERANCE_S = 0.25
"""Program-date-times are rounded to milliseconds and EXTINF durations are approximate."""


def segment_end(segment: SegmentEvent) -> datetime:
    """When a segment's last frame ends, in stream time."""
    return segment.start + timedelta(seconds=segment.duration_s)


def iso_ms(moment: datetime) -> str:
    """A moment spelt as the contracts put it on the wire (UTC, milliseconds, ``Z``), which sorts as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ---------------------------------------------------------------- index keys


def segment_partition_key(channel: str) -> str:
    """Partition of a channel's segments in the segment table: ``seg#{channel}``."""
    return f"seg#{channel}"


def segment_sort_key(segment: SegmentEvent) -> str:
    """``{start}#{sequence:012d}``: sorts by stream time, and the sequence breaks ties after a restart."""
    return f"{iso_ms(segment.start)}#{segment.sequence:012d}"


def pending_goal_partition_key(channel: str) -> str:
    """Partition of a channel's goals still waiting for their segments: ``goal#{channel}``."""
    return f"goal#{channel}"


def pending_goal_sort_key(goal: GoalEvent) -> str:
    """``{at}#{goal_id}``: oldest goal first."""
    return f"{iso_ms(goal.at)}#{goal.id}"


def clip_job_id(goal: GoalEvent) -> str:
    """One goal, one clip job: the job id is derived from the goal id, so redeliveries dedupe downstream."""
    return f"clip-{goal.id}"


# ---------------------------------------------------------------- windows and gaps


@dataclass(frozen=True)
class ClipWindow:
    """The stretch of stream a goal's clip shows, before widening to whole segments."""

    start: datetime
    end: datetime

    @classmethod
    def around(cls, goal: GoalEvent, *, pre_roll_s: float, post_roll_s: float) -> ClipWindow:
        """``[at - pre_roll_s, at + post_roll_s]``."""
        return cls(goal.at - timedelta(seconds=pre_roll_s), goal.at + timedelta(seconds=post_roll_s))


def _in_stream_order(segments: Iterable[SegmentEvent]) -> list[SegmentEvent]:
    unique = {(segment.start, segment.sequence): segment for segment in segments}
    return [unique[key] for key in sorted(unique)]


def segments_covering(window: ClipWindow, segments: Iterable[SegmentEvent]) -> list[SegmentEvent]:
    """The segments overlapping ``window``, in stream order, duplicates dropped: the clip, widened to whole segments.

    Example:
        >>> [s.sequence for s in segments_covering(window_10s_to_16s, two_second_segments)]
        [5, 6, 7]
    """
    return [s for s in _in_stream_order(segments) if s.start < window.end and segment_end(s) > window.start]


def contiguous(earlier: SegmentEvent, later: SegmentEvent) -> bool:
    """True when nothing is missing between two neighbouring segments (see the module's rules)."""
    if later.sequence == earlier.sequence + 1:
        return True
    return (later.start - segment_end(earlier)).total_seconds() <= CONTIGUITY_TOLERANCE_S


@dataclass(frozen=True)
class Gap:
    """A stretch of the window no indexed segment covers, with the segments on either side when known."""

    start: datetime
    end: datetime
    after: SegmentEvent | None
    before: SegmentEvent | None

    def missing(self) -> str:
        """The missing segments as people count them: ``segments 12..14``, ``segment 12``, ``segments after 11``."""
        after, before = self.after, self.before
        if after is not None and before is not None and before.sequence > after.sequence + 1:
            first, last = after.sequence + 1, before.sequence - 1
            return f"segment {first}" if first == last else f"segments {first}..{last}"
        if after is not None:
            return f"segments after {after.sequence}"
        if before is not None:
            return f"segments before {before.sequence}"
        return f"segments from {iso_ms(self.start)} to {iso_ms(self.end)}"


def find_gaps(window: ClipWindow, indexed: Iterable[SegmentEvent]) -> list[Gap]:
    """Every stretch of ``window`` not covered by ``indexed`` segments, in stream order.

    ``indexed`` may hold segments outside the window too: the nearest ones on
    either side name the sequence numbers missing at the window's edges.
    """
    ordered = _in_stream_order(indexed)
    covering = segments_covering(window, ordered)
    earlier = [s for s in ordered if segment_end(s) <= window.start]
    later = [s for s in ordered if s.start >= window.end]
    neighbour_before = earlier[-1] if earlier else None
    neighbour_after = later[0] if later else None
    tolerance = timedelta(seconds=CONTIGUITY_TOLERANCE_S)

    if not covering:
        return [Gap(window.start, window.end, neighbour_before, neighbour_after)]
    gaps: list[Gap] = []
    first, last = covering[0], covering[-1]
    if first.start > window.start + tolerance and not (
        neighbour_before is not None and first.sequence == neighbour_before.sequence + 1
    ):
        gaps.append(Gap(window.start, first.start, neighbour_before, first))
    gaps.extend(Gap(segment_end(a), b.start, a, b) for a, b in pairwise(covering) if not contiguous(a, b))
    if segment_end(last) < window.end - tolerance and not (
        neighbour_after is not None and neighbour_after.sequence == last.sequence + 1
    ):
        gaps.append(Gap(segment_end(last), window.end, last, neighbour_after))
    return gaps


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Ready:
    """Every segment from the goal to the window's end is indexed: cut now, with these segments."""

    segments: tuple[SegmentEvent, ...]
    pre_roll_gaps: tuple[Gap, ...] = ()
    """Accepted gaps before the goal; the clip is that much shorter."""


@dataclass(frozen=True)
class Wait:
    """Segments the clip needs have not arrived yet."""

    missing: tuple[Gap, ...]


@dataclass(frozen=True)
class GiveUp:
    """Waited long enough; the reason goes to the dead-letter queue as is."""

    reason: str


ClipDecision = Ready | Wait | GiveUp


def decide_clip(
    goal: GoalEvent,
    window: ClipWindow,
    indexed: Iterable[SegmentEvent],
    *,
    newest_segment_start: datetime | None,
    waited_s: float,
    post_roll_wait_s: float,
) -> ClipDecision:
    """Cut now, keep waiting, or give up on a goal's clip (the module docstring states the rules).

    ``newest_segment_start`` is the start of the channel's newest indexed
    segment (the stream's "now"); ``waited_s`` is wall time since the goal
    arrived at enrich.

    Example:
        >>> decide_clip(goal, window, segments, newest_segment_start=t, waited_s=0, post_roll_wait_s=120)
        Ready(segments=(...), pre_roll_gaps=())
    """
    indexed = list(indexed)
    gaps = find_gaps(window, indexed)
    blocking = tuple(gap for gap in gaps if gap.end > goal.at)
    if not blocking:
        return Ready(tuple(segments_covering(window, indexed)), tuple(gaps))
    stream_waited_s = (
        (newest_segment_start - window.end).total_seconds() if newest_segment_start is not None else float("-inf")
    )
    if stream_waited_s > post_roll_wait_s or waited_s > post_roll_wait_s:
        missing = ", ".join(gap.missing() for gap in blocking)
        return GiveUp(
            f"{missing} of channel {goal.channel} never arrived, so goal {goal.id} "
            f"({goal.teams.home} {goal.score} {goal.teams.away} at {iso_ms(goal.at)}) was not clipped; "
            f"gave up {post_roll_wait_s:g} s after its post-roll should have ended "
            "(check the capture task's logs for segments it could not read or store)"
        )
    return Wait(blocking)
