"""Which segments a goal's clip needs, whether the missing ones may still come, and what to cut.

Pure functions over contract models, so every rule here is unit-tested without
AWS. The rules, in one place:

- A clip window is ``[at - pre_roll, at + post_roll]``; it is widened to whole
  segments (every segment overlapping the window is part of the job).
- Two neighbouring segments are *contiguous* when the second starts where the
  first ends (within a quarter second) or when their media sequence numbers
  follow each other (a discontinuity: the time jumped, but nothing is missing).
  Anything else is a *gap*: seconds of the window no segment shows. A segment
  announced as missing (``SegmentEvent.missing_reason``) is a gap too, and
  gives the gap its reason.
- Segments of a channel arrive in stream order (one channel = one Kinesis
  partition key = one shard, processed in order; the capture task announces in
  order), so a gap is *settled* (its segments are not coming) once a segment
  (read or missing) reaching past the gap's end has been announced. Only a gap
  at the end of what has arrived is *open*: its segments may still come.
- A goal whose first frame no segment shows is not clipped: once a segment
  (read or missing) reaching past that frame was announced, or
  ``post_roll_wait_s`` of wall time has passed since the goal arrived, it is
  given up with a reason naming the missing segments.
- Otherwise the goal is clipped from what exists as soon as no gap is open, or
  once the wait is over (the capture died before the post-roll came): complete,
  or *partial* with the seconds missing before and after the goal and why
  (``contracts.MissingFootage``). A pre-roll gap never holds a clip back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from contracts import GoalEvent, MissingFootage, SegmentEvent

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
    """A stretch of the window no readable segment covers, with the segments on either side when known.

    ``announced_missing`` are the segments announced as gaps (``missing_reason``) inside it, which say why.
    """

    start: datetime
    end: datetime
    after: SegmentEvent | None
    before: SegmentEvent | None
    announced_missing: tuple[SegmentEvent, ...] = ()

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def missing(self) -> str:
        """The missing segments as people count them: ``segments 12..14``, ``segment 12``, ``segments after 11``."""
        after, before = self.after, self.before
        if after is not None and before is not None and before.sequence > after.sequence + 1:
            first, last = after.sequence + 1, before.sequence - 1
            return f"segment {first}" if first == last else f"segments {first}..{last}"
        if self.announced_missing:
            first, last = self.announced_missing[0].sequence, self.announced_missing[-1].sequence
            named = f"segment {first}" if first == last else f"segments {first}..{last}"
            return f"{named} and after" if self._runs_past_announced() else named
        if after is not None:
            return f"segments after {after.sequence}"
        if before is not None:
            return f"segments before {before.sequence}"
        return f"segments from {iso_ms(self.start)} to {iso_ms(self.end)}"

    def _runs_past_announced(self) -> bool:
        """True when the gap goes on after its last announced-missing segment, with nothing after it yet."""
        last_end = segment_end(self.announced_missing[-1])
        return self.before is None and (self.end - last_end).total_seconds() > CONTIGUITY_TOLERANCE_S

    def reason(self) -> str:
        """Why the stretch is missing, as far as enrich knows: ``segment 12 (2.0 s): announced missing …: timeout``."""
        if self.announced_missing:
            reasons = "; ".join(dict.fromkeys(str(segment.missing_reason) for segment in self.announced_missing))
            after = ", and nothing after it arrived" if self._runs_past_announced() else ""
            return f"{self.missing()} ({self.seconds:.1f} s): announced missing by the capture task: {reasons}{after}"
        if self.after is not None and self.before is None:
            return f"{self.missing()} ({self.seconds:.1f} s): never arrived (the capture stopped, or lost them)"
        if self.before is not None and self.after is None:
            return f"{self.missing()} ({self.seconds:.1f} s): never announced (the capture began later, or lost them)"
        return f"{self.missing()} ({self.seconds:.1f} s): never arrived (lost by the capture, or an ad break)"


def find_gaps(window: ClipWindow, indexed: Iterable[SegmentEvent]) -> list[Gap]:
    """Every stretch of ``window`` not covered by readable ``indexed`` segments, in stream order.

    ``indexed`` may hold segments outside the window too: the nearest ones on
    either side name the sequence numbers missing at the window's edges. It may
    hold segments announced as missing: they cover nothing, and name their gap's reason.
    """
    everything = _in_stream_order(indexed)
    ordered = [segment for segment in everything if not segment.is_missing]
    announced_missing = [segment for segment in everything if segment.is_missing]
    covering = segments_covering(window, ordered)
    earlier = [s for s in ordered if segment_end(s) <= window.start]
    later = [s for s in ordered if s.start >= window.end]
    neighbour_before = earlier[-1] if earlier else None
    neighbour_after = later[0] if later else None
    tolerance = timedelta(seconds=CONTIGUITY_TOLERANCE_S)

    def gap(start: datetime, end: datetime, after: SegmentEvent | None, before: SegmentEvent | None) -> Gap:
        inside = tuple(
            segment
            for segment in announced_missing
            if (segment.start < end and segment_end(segment) > start)
            or (after is not None and before is not None and after.sequence < segment.sequence < before.sequence)
        )
        return Gap(start, end, after, before, inside)

    if not covering:
        return [gap(window.start, window.end, neighbour_before, neighbour_after)]
    gaps: list[Gap] = []
    first, last = covering[0], covering[-1]
    if first.start > window.start + tolerance and not (
        neighbour_before is not None and first.sequence == neighbour_before.sequence + 1
    ):
        gaps.append(gap(window.start, first.start, neighbour_before, first))
    gaps.extend(gap(segment_end(a), b.start, a, b) for a, b in pairwise(covering) if not contiguous(a, b))
    if segment_end(last) < window.end - tolerance and not (
        neighbour_after is not None and neighbour_after.sequence == last.sequence + 1
    ):
        gaps.append(gap(segment_end(last), window.end, last, neighbour_after))
    return gaps


def missing_footage(goal: GoalEvent, gaps: Iterable[Gap]) -> MissingFootage | None:
    """How much of the window before and after the goal the gaps take, and why; None when nothing is missing."""
    gaps = list(gaps)
    if not gaps:
        return None
    before_s = sum(max((min(gap.end, goal.at) - gap.start).total_seconds(), 0.0) for gap in gaps)
    after_s = sum(max((gap.end - max(gap.start, goal.at)).total_seconds(), 0.0) for gap in gaps)
    return MissingFootage(
        missing_pre_roll_s=round(before_s, 3),
        missing_post_roll_s=round(after_s, 3),
        reasons=tuple(gap.reason() for gap in gaps),
    )


# ---------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Ready:
    """Cut now, with these segments: the whole window, or (``partial``) what exists of it."""

    segments: tuple[SegmentEvent, ...]
    partial: MissingFootage | None = None
    """What the clip lacks, when gaps that will not be filled remain."""
    gaps: tuple[Gap, ...] = ()


@dataclass(frozen=True)
class Wait:
    """Segments the clip needs may still arrive."""

    missing: tuple[Gap, ...]


@dataclass(frozen=True)
class GiveUp:
    """No segment shows the goal, and none will; the reason goes to the dead-letter queue as is."""

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
    """Cut now (complete or partial), keep waiting, or give up on a goal's clip (the module docstring states the rules).

    ``indexed`` are the channel's announced segments around the window, read
    and missing ones; ``newest_segment_start`` is the start of the channel's
    newest announced segment (the stream's "now"); ``waited_s`` is wall time
    since the goal arrived at enrich.

    Example:
        >>> decide_clip(goal, window, segments, newest_segment_start=t, waited_s=0, post_roll_wait_s=120)
        Ready(segments=(...), partial=None, gaps=())
    """
    indexed = list(indexed)
    gaps = find_gaps(window, indexed)
    reached = max(
        [segment_end(segment) for segment in indexed]
        + ([newest_segment_start] if newest_segment_start is not None else []),
        default=None,
    )
    tolerance = timedelta(seconds=CONTIGUITY_TOLERANCE_S)
    open_gaps = tuple(gap for gap in gaps if reached is None or reached < gap.end - tolerance)
    wait_over = waited_s > post_roll_wait_s
    at_goal = next((gap for gap in gaps if gap.start <= goal.at < gap.end), None)
    if at_goal is not None:
        # Settled once anything reaching past the goal's first frame was announced: its segment is not coming.
        goal_settled = reached is not None and reached > goal.at + tolerance
        if not goal_settled and not wait_over:
            return Wait(open_gaps)
        return GiveUp(
            f"no segment shows goal {goal.id} ({goal.teams.home} {goal.score} {goal.teams.away} at "
            f"{iso_ms(goal.at)}) of channel {goal.channel}, so it was not clipped: {at_goal.reason()}"
            + ("" if goal_settled else f"; gave up after waiting {post_roll_wait_s:g} s for them")
            + " (check the capture task's logs for segments it could not read or store)"
        )
    if open_gaps and not wait_over:
        return Wait(open_gaps)
    return Ready(
        tuple(segments_covering(window, (s for s in indexed if not s.is_missing))),
        missing_footage(goal, gaps),
        tuple(gaps),
    )
