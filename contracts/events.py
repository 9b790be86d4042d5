"""Versioned pydantic models of the segment and goal events, JSON on the wire.

Why one module: the seed project pickled objects between services and copied
its message setup six times; here every producer and consumer validates the
same models, and a change of shape is a new ``v``, never a silent edit.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    model_serializer,
    model_validator,
)

from contracts.exceptions import InvalidEventError

CONTRACT_VERSION = 1
"""The version every event written today carries in its ``v`` field."""

Side = Literal["home", "away"]
CHANNEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
MAX_CHANNEL_NAME_LENGTH = 100
ChannelName = Annotated[str, Field(min_length=1, max_length=MAX_CHANNEL_NAME_LENGTH, pattern=CHANNEL_NAME_PATTERN)]
"""A channel as events, S3 keys and metric dimensions spell it: no ``/``, and never ``.`` or ``..`` alone."""
EventId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]
"""Ids become S3 keys and idempotency keys: one path component, so a key built from one stays under its prefix."""
TeamCode = Annotated[str, Field(min_length=2, max_length=4, pattern=r"^[A-Z0-9]+$")]
ClockText = Annotated[str, Field(max_length=16)]
Location = Annotated[str, Field(min_length=1, max_length=2048)]
StreamSeconds = Annotated[float, Field(ge=0, le=10 * 365 * 24 * 3600)]
"""Seconds since a capture began: bounded, so sums and sort keys built from it stay finite."""
SequenceNumber = Annotated[int, Field(ge=0, le=2**53)]
MAX_SEGMENTS_PER_JOB = 600
"""Twenty minutes of 2 s segments: far above any clip window, low enough to bound a job's work."""
MAX_GOALS_PER_MATCH = 200

EARLIEST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)
"""Times outside [2000, 2100) are refused: a year-9999 segment would overflow a clip window's arithmetic."""


def _utc_iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` and milliseconds: one spelling on the wire."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _to_utc(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise ValueError(f"must be between {EARLIEST_MOMENT.year} and {LATEST_MOMENT.year} UTC")
    return moment


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc), PlainSerializer(_utc_iso, return_type=str)]
"""A moment with its time zone, held in UTC and written as ISO-8601 with ``Z``; naive times are refused."""


class _Contract(BaseModel):
    """Common rules: frozen, no unknown fields, finite numbers, times normalised to UTC and within 2000..2100."""

    # allow_inf_nan=False: JSON's Infinity and NaN (which Python's json reads) are refused, not stored as null.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    def to_json(self) -> str:
        """Compact JSON for Kinesis records, S3 metadata and JSON-lines files."""
        return self.model_dump_json()

    def to_bytes(self) -> bytes:
        return self.to_json().encode()


class Score(_Contract):
    """Goals per side as shown on the scoreboard."""

    home: Annotated[int, Field(ge=0, le=99)]
    away: Annotated[int, Field(ge=0, le=99)]

    def __str__(self) -> str:
        return f"{self.home}-{self.away}"


class Teams(_Contract):
    """Three-letter team codes as shown on the scoreboard (e.g. LIV, MCI)."""

    home: TeamCode
    away: TeamCode


MISSING_LOCATION_PREFIX = "missing:"


def missing_location(channel: str, sequence: int) -> str:
    """The location of a gap: names the segment, and is no path, URL or S3 URI anything could read."""
    return f"{MISSING_LOCATION_PREFIX}{channel}/{sequence}"


class SegmentEvent(_Contract):
    """One HLS segment the capture task read and kept, and where its bytes are.

    Twitch drops a segment from its playlist ~28 s after publishing it, which
    is shorter than pre-roll plus detection delay, so the capture task keeps
    the bytes itself (S3 in the cloud, a folder locally) and says where here.
    It announces the segments of goals' windows (or every segment, with
    ``keep_segments="all"``), each once and in stream order per channel.

    A segment whose bytes could not be kept (corrupt, or the store kept failing) is announced as a
    *gap*: ``missing_reason`` says why and ``location`` is ``missing:<channel>/<sequence>``, which no
    reader can mistake for bytes; enrich treats it as absent. ``missing_reason`` was added to v1
    without a new version because it is left out of the JSON when None: every segment that is not a
    gap is written exactly as before, and a reader older than the field refuses a gap (unknown field)
    instead of misreading it.
    """

    type: Literal["segment"] = "segment"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    sequence: SequenceNumber
    start: UtcDatetime
    duration_s: Annotated[float, Field(gt=0, le=60)]
    stream_time: StreamSeconds
    location: Location
    container: Literal["ts", "fmp4"] = "ts"
    init_location: Location | None = None
    discontinuity: bool = False
    missing_reason: Annotated[str, Field(min_length=1, max_length=1000)] | None = None

    @property
    def is_missing(self) -> bool:
        """True for a gap: the segment was read, but its bytes are nowhere to be fetched."""
        return self.missing_reason is not None

    @model_validator(mode="after")
    def _gap_has_no_readable_location(self) -> SegmentEvent:
        if self.is_missing != self.location.startswith(MISSING_LOCATION_PREFIX):
            raise ValueError(
                f"a segment event has a missing_reason exactly when its location starts with "
                f"{MISSING_LOCATION_PREFIX!r}; got location {self.location!r} "
                f"and missing_reason {self.missing_reason!r}"
            )
        return self

    @model_serializer(mode="wrap")
    def _without_absent_reason(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), "missing_reason")


def _without_absent(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """``data`` without the named fields when they hold None or nothing: how a field is added to v1.

    A field added to a v1 contract is left out of the JSON while it is absent, so every event that does
    not need it is written exactly as before the field existed, and a reader older than the field refuses
    (unknown field) the events that do need it instead of misreading them.
    """
    for name in names:
        if data.get(name) in (None, (), []):
            data.pop(name, None)
    return data


class GoalEvent(_Contract):
    """A goal as read off the scoreboard, timed by the first frame showing it (see ``found_after_gap``)."""

    type: Literal["goal"] = "goal"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    at: UtcDatetime
    stream_time: StreamSeconds
    score: Score
    previous_score: Score
    teams: Teams
    clock: ClockText
    side: Side
    found_after_gap: bool = False
    """True when the capture restarted and found this goal on the scoreboard afterwards: ``at`` is then
    the first frame seen after the gap, not the goal's own first frame (which fell in the gap)."""


MissingSeconds = Annotated[float, Field(ge=0, le=3600)]
Reason = Annotated[str, Field(min_length=1, max_length=1000)]


class MissingFootage(_Contract):
    """What a partial clip lacks: the seconds of its window no segment covers, before and after the goal, and why.

    A clip degrades instead of vanishing: when an ad break, a segment the capture could not keep, a lost
    segment or a capture that died leaves holes in a goal's window, the goal is still clipped from what
    exists, and this says how much is missing. A hole in the middle counts on the side of the goal it is on.

    Example:
        >>> missing = MissingFootage(missing_pre_roll_s=9.0, missing_post_roll_s=0.0, reasons=("segments before 5 …",))
        >>> missing.summary
        'partial clip: 9.0 s of pre-roll missing (segments before 5 …)'
    """

    missing_pre_roll_s: MissingSeconds
    missing_post_roll_s: MissingSeconds
    reasons: Annotated[tuple[Reason, ...], Field(min_length=1, max_length=50)]
    """One sentence per hole, naming the segments and why they are missing (``segment 12: not stored: …``)."""

    @property
    def missing_s(self) -> float:
        return self.missing_pre_roll_s + self.missing_post_roll_s

    @property
    def summary(self) -> str:
        """One line for people: ``partial clip: 4.0 s of pre-roll and 5.0 s of post-roll missing (…)``."""
        sides = [
            f"{seconds:.1f} s of {side}"
            for seconds, side in ((self.missing_pre_roll_s, "pre-roll"), (self.missing_post_roll_s, "post-roll"))
            if seconds > 0
        ]
        return f"partial clip: {' and '.join(sides) or 'footage'} missing ({'; '.join(self.reasons)})"


class ClipJob(_Contract):
    """What the clip function needs to cut one goal: the goal, its window, the segments covering it.

    The enrich function produces it once every segment of the window has arrived, or once the ones still
    missing are known never to come (then ``partial`` says what is missing, and the job holds what exists);
    it crosses a Lambda boundary, so it is a contract like the others. ``partial`` was added to v1 as
    ``_without_absent`` says: a complete job is written exactly as before.
    """

    type: Literal["clip_job"] = "clip_job"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    goal: GoalEvent
    window_start: UtcDatetime
    window_end: UtcDatetime
    segments: Annotated[tuple[SegmentEvent, ...], Field(min_length=1, max_length=MAX_SEGMENTS_PER_JOB)]
    partial: MissingFootage | None = None

    @model_validator(mode="after")
    def _only_readable_segments(self) -> ClipJob:
        gaps = [segment.sequence for segment in self.segments if segment.is_missing]
        if gaps:
            raise ValueError(f"a clip job lists only segments it can read; segments {gaps} are gaps")
        return self

    @model_serializer(mode="wrap")
    def _without_absent_partial(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), "partial")


class StoredMedia(_Contract):
    """A file the clip function wrote, and a link a hook can hand to people or services."""

    bucket: str
    key: str
    url: str
    url_expires_at: UtcDatetime | None = None
    content_type: str
    size_bytes: Annotated[int, Field(ge=0)]


class HighlightEvent(_Contract):
    """A finished clip of one goal, as published to the hooks' SNS topic.

    ``partial`` (added to v1 as ``_without_absent`` says) is set when part of the goal's window was
    missing: the clip shows what exists, ``duration_s`` is that much shorter.
    """

    type: Literal["highlight"] = "highlight"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    title: Annotated[str, Field(max_length=300)]
    goal: GoalEvent
    clip: StoredMedia
    thumbnail: StoredMedia
    clip_start: UtcDatetime
    clip_end: UtcDatetime
    duration_s: Annotated[float, Field(gt=0)]
    partial: MissingFootage | None = None

    @model_serializer(mode="wrap")
    def _without_absent_partial(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), "partial")


def highlight_title(goal: GoalEvent) -> str:
    """How people name a goal: ``LIV 1-0 MCI (23')``.

    Football counts the minute being played, so a clock of 22:10 is the 23rd minute.
    """
    minutes = goal.clock.split(":", 1)[0]
    suffix = f" ({int(minutes) + 1}')" if minutes.isdigit() else ""
    return f"{goal.teams.home} {goal.score.home}-{goal.score.away} {goal.teams.away}{suffix}"


class MatchEndEvent(_Contract):
    """A match is over (full time, or a new match began): its goals, in order, for the match reel."""

    type: Literal["match_end"] = "match_end"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    at: UtcDatetime
    stream_time: StreamSeconds
    teams: Teams
    score: Score
    reason: Literal["full_time", "new_match"]
    goals: Annotated[tuple[GoalEvent, ...], Field(max_length=MAX_GOALS_PER_MATCH)] = ()


class GoalWithoutClip(_Contract):
    """A goal of a match that has no clip, and why: a reel lists it rather than dropping it silently."""

    goal_id: EventId
    title: Annotated[str, Field(max_length=300)]
    reason: Reason


class ReelEvent(_Contract):
    """One MP4 of a match's goals in order, published for hooks as its own event type.

    It joins the clips that exist (partial ones too); ``goals_without_clip`` (added to v1 as
    ``_without_absent`` says) lists, with the reason, every goal of ``match`` that has none.
    """

    type: Literal["reel"] = "reel"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    title: Annotated[str, Field(max_length=300)]
    match: MatchEndEvent
    reel: StoredMedia
    duration_s: Annotated[float, Field(gt=0)]
    goals_without_clip: Annotated[tuple[GoalWithoutClip, ...], Field(max_length=MAX_GOALS_PER_MATCH)] = ()

    @model_serializer(mode="wrap")
    def _without_absent_goals(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_absent(handler(self), "goals_without_clip")


class VerticalEvent(_Contract):
    """A 9:16 rendition of a highlight for Shorts, TikTok and Reels, published as its own event type.

    Made by the vertical function from the 16:9 clip after the highlight was
    published, so the fast clip never waits for it. Its id is
    ``vertical-{goal id}`` (one goal, one vertical cut, as hooks dedupe);
    ``highlight_id`` names the 16:9 highlight it was cut from, ``source`` is that
    clip. Times are the stream's, as in the highlight: no wall clock.
    """

    type: Literal["vertical"] = "vertical"
    v: Literal[1] = 1
    id: str
    highlight_id: str
    channel: ChannelName
    title: str
    goal: GoalEvent
    clip: StoredMedia
    thumbnail: StoredMedia
    source: StoredMedia
    width: Annotated[int, Field(gt=0, le=4320)]
    height: Annotated[int, Field(gt=0, le=7680)]
    clip_start: UtcDatetime
    clip_end: UtcDatetime
    duration_s: Annotated[float, Field(gt=0)]


class GoalAlert(_Contract):
    """A goal announced the moment it is confirmed, before its clip exists: "GOAL — LIV 1-0 MCI (23')".

    Published by enrich to the hooks' topic with the message attribute ``event_type`` =
    ``ALERT_EVENT_TYPE`` (``goal``), so a hook's filter policy chooses alerts, clips or both. Its id is
    ``alert_id(goal id)``, one alert per goal; the ``highlight`` that follows names the same
    ``goal.id``, which is how a hook finds the alert it posted and updates it with the clip. It
    carries no links: nothing exists yet to link to.
    """

    type: Literal["goal_alert"] = "goal_alert"
    v: Literal[1] = 1
    id: EventId
    channel: ChannelName
    title: Annotated[str, Field(max_length=300)]
    goal: GoalEvent

    @model_validator(mode="after")
    def _names_its_goal(self) -> GoalAlert:
        if self.id != alert_id(self.goal.id) or self.channel != self.goal.channel:
            raise ValueError(
                f"a goal alert's id must be {alert_id(self.goal.id)!r} and its channel {self.goal.channel!r} "
                "(those of its goal)"
            )
        return self


ALERT_EVENT_TYPE = "goal"
"""The ``event_type`` message attribute goal alerts are published with (hooks filter on it)."""


def alert_id(goal_id: str) -> str:
    """``alert-{goal id}``: one alert per goal, and never the id of the goal event itself."""
    return f"alert-{goal_id}"


def goal_alert(goal: GoalEvent) -> GoalAlert:
    """The alert announcing ``goal``, titled as its highlight will be."""
    return GoalAlert(id=alert_id(goal.id), channel=goal.channel, title=highlight_title(goal), goal=goal)


def match_end_id(channel: str, teams: Teams, score: Score, first_goal_id: str | None, at: datetime) -> str:
    """Same match, same id: the first goal names the match; a goalless one, its end second."""
    anchor = first_goal_id or str(int(at.astimezone(UTC).timestamp()))
    return "m-" + _digest(channel, teams.home, teams.away, score.home, score.away, anchor)


def reel_title(match: MatchEndEvent) -> str:
    """``LIV 2-1 MCI: all goals``."""
    return f"{match.teams.home} {match.score.home}-{match.score.away} {match.teams.away}: all goals"


AnyEvent = SegmentEvent | GoalEvent | ClipJob | HighlightEvent | MatchEndEvent | ReelEvent | VerticalEvent | GoalAlert
Event = Annotated[AnyEvent, Field(discriminator="type")]
_EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(Event)
_KNOWN_TYPES = ("segment", "goal", "clip_job", "highlight", "match_end", "reel", "vertical", "goal_alert")


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def goal_id(channel: str, teams: Teams, score: Score, at: datetime) -> str:
    """Same goal, same id: a re-read or re-sent goal dedupes downstream.

    Built from what the stream itself fixes (channel, teams, new score and the
    second of the first frame showing it), never from processing time.
    """
    second = int(at.astimezone(UTC).timestamp())
    return "g-" + _digest(channel, teams.home, teams.away, score.home, score.away, second)


def segment_id(channel: str, sequence: int, start: datetime) -> str:
    """Same segment, same id, even when a restarted task reads it again."""
    return "s-" + _digest(channel, sequence, _utc_iso(start))


def parse_event(raw: str | bytes | dict[str, Any]) -> AnyEvent:
    """Validate one event from the wire; raise InvalidEventError with a reason.

    Unknown types and versions get their own sentence, since they are the
    usual cause when a producer was upgraded ahead of a consumer.
    """
    try:
        data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except RecursionError:
        raise InvalidEventError("event is not valid JSON: it nests deeper than Python's parser goes") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, and integers too long to convert
        raise InvalidEventError(f"event is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise InvalidEventError(f"event must be a JSON object, got {type(data).__name__}")
    kind = data.get("type")
    if kind not in _KNOWN_TYPES:
        raise InvalidEventError(f"unknown event type {kind!r}; expected one of {_KNOWN_TYPES}")
    if data.get("v") != CONTRACT_VERSION:
        raise InvalidEventError(
            f"unsupported {kind} event version {data.get('v')!r}; this build reads v{CONTRACT_VERSION}"
        )
    try:
        return _EVENT_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise InvalidEventError(f"invalid {kind} event: {error}") from error
    except RecursionError:
        raise InvalidEventError(f"invalid {kind} event: it nests deeper than any event does") from None
