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
    TypeAdapter,
    ValidationError,
)

from contracts.exceptions import InvalidEventError

CONTRACT_VERSION = 1
"""The version every event written today carries in its ``v`` field."""

Side = Literal["home", "away"]
ChannelName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:/-]+$")]
TeamCode = Annotated[str, Field(min_length=2, max_length=4, pattern=r"^[A-Z0-9]+$")]


def _utc_iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` and milliseconds: one spelling on the wire."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc), PlainSerializer(_utc_iso, return_type=str)]
"""A moment with its time zone, held in UTC and written as ISO-8601 with ``Z``; naive times are refused."""


class _Contract(BaseModel):
    """Common rules: frozen, no unknown fields, times normalised to UTC."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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


class SegmentEvent(_Contract):
    """One HLS segment the capture task read and kept, and where its bytes are.

    Twitch drops a segment from its playlist ~28 s after publishing it, which
    is shorter than pre-roll plus detection delay, so the capture task keeps
    the bytes itself (S3 in the cloud, a folder locally) and says where here.
    It announces the segments of goals' windows (or every segment, with
    ``keep_segments="all"``), each once and in stream order per channel.
    """

    type: Literal["segment"] = "segment"
    v: Literal[1] = 1
    id: str
    channel: ChannelName
    sequence: Annotated[int, Field(ge=0)]
    start: UtcDatetime
    duration_s: Annotated[float, Field(gt=0, le=60)]
    stream_time: Annotated[float, Field(ge=0)]
    location: Annotated[str, Field(min_length=1)]
    container: Literal["ts", "fmp4"] = "ts"
    init_location: str | None = None
    discontinuity: bool = False


class GoalEvent(_Contract):
    """A goal as read off the scoreboard, timed by the first frame showing it."""

    type: Literal["goal"] = "goal"
    v: Literal[1] = 1
    id: str
    channel: ChannelName
    at: UtcDatetime
    stream_time: Annotated[float, Field(ge=0)]
    score: Score
    previous_score: Score
    teams: Teams
    clock: str
    side: Side


class ClipJob(_Contract):
    """What the clip function needs to cut one goal: the goal, its window, the segments covering it.

    The enrich function produces it once every segment of the window has
    arrived; it crosses a Lambda boundary, so it is a contract like the others.
    """

    type: Literal["clip_job"] = "clip_job"
    v: Literal[1] = 1
    id: str
    channel: ChannelName
    goal: GoalEvent
    window_start: UtcDatetime
    window_end: UtcDatetime
    segments: Annotated[tuple[SegmentEvent, ...], Field(min_length=1)]


class StoredMedia(_Contract):
    """A file the clip function wrote, and a link a hook can hand to people or services."""

    bucket: str
    key: str
    url: str
    url_expires_at: UtcDatetime | None = None
    content_type: str
    size_bytes: Annotated[int, Field(ge=0)]


class HighlightEvent(_Contract):
    """A finished clip of one goal, as published to the hooks' SNS topic."""

    type: Literal["highlight"] = "highlight"
    v: Literal[1] = 1
    id: str
    channel: ChannelName
    title: str
    goal: GoalEvent
    clip: StoredMedia
    thumbnail: StoredMedia
    clip_start: UtcDatetime
    clip_end: UtcDatetime
    duration_s: Annotated[float, Field(gt=0)]


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
    id: str
    channel: ChannelName
    at: UtcDatetime
    stream_time: Annotated[float, Field(ge=0)]
    teams: Teams
    score: Score
    reason: Literal["full_time", "new_match"]
    goals: tuple[GoalEvent, ...] = ()


class ReelEvent(_Contract):
    """One MP4 of all a match's goals in order, published for hooks as its own event type."""

    type: Literal["reel"] = "reel"
    v: Literal[1] = 1
    id: str
    channel: ChannelName
    title: str
    match: MatchEndEvent
    reel: StoredMedia
    duration_s: Annotated[float, Field(gt=0)]


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


def match_end_id(channel: str, teams: Teams, score: Score, first_goal_id: str | None, at: datetime) -> str:
    """Same match, same id: the first goal names the match; a goalless one, its end second."""
    anchor = first_goal_id or str(int(at.astimezone(UTC).timestamp()))
    return "m-" + _digest(channel, teams.home, teams.away, score.home, score.away, anchor)


def reel_title(match: MatchEndEvent) -> str:
    """``LIV 2-1 MCI: all goals``."""
    return f"{match.teams.home} {match.score.home}-{match.score.away} {match.teams.away}: all goals"


AnyEvent = SegmentEvent | GoalEvent | ClipJob | HighlightEvent | MatchEndEvent | ReelEvent | VerticalEvent
Event = Annotated[AnyEvent, Field(discriminator="type")]
_EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(Event)
_KNOWN_TYPES = ("segment", "goal", "clip_job", "highlight", "match_end", "reel", "vertical")


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
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
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
