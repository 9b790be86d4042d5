"""A channel's match state, small enough to store after every change and resume from after a restart.

Why: a capture task that restarts (a crash, a deployment, a lost Fargate task) used to start with a
fresh detector that adopted whatever score it saw first, so a goal that fell in the gap was lost
without a trace. With a checkpoint, the resumed detector knows the score before the gap and reports
the goals that explain the difference, flagged ``found_after_gap`` (see ``GoalDetector.resume``).

The detector makes it (``GoalDetector.checkpoint(channel)``) and starts from it
(``GoalDetector.resume(checkpoint)``); the capture loop adds the match so far (its goals, for the
match reel: ``MatchTracker.restore``) and, just before a goal event goes out, that goal as pending,
so a restart between the goal event and the next checkpoint reports the goal again under the same
id (enrich and clip are idempotent on it: one clip). Where it is kept (S3, DynamoDB, a local folder)
is the capture loop's business, so the model only knows how to be JSON.

Example:
    >>> saved = detector.checkpoint("somechannel")          # None before a score was confirmed
    >>> if saved is not None:
    ...     store.put(saved.to_json())
    >>> detector = GoalDetector.resume(MatchCheckpoint.from_json(store.get()))
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from capture_task.exceptions import CaptureError
from contracts import GoalEvent, Score, Teams
from contracts.events import MAX_GOALS_PER_MATCH, ChannelName, UtcDatetime

CHECKPOINT_VERSION = 1
"""The version every checkpoint written today carries; a checkpoint of another version is refused."""


class InvalidCheckpointError(CaptureError, ValueError):
    """A stored checkpoint cannot be read (not JSON, another version, a missing field)."""


class MatchCheckpoint(BaseModel):
    """The last confirmed state of one channel's match: what a restarted capture resumes from.

    ``at`` and ``stream_time`` are those of the last frame that showed ``score`` before the checkpoint
    was taken, so a resumed capture knows where its gap began. ``stream_time`` counts from the start
    of the capture that wrote it; a restarted capture's own stream time starts again from 0.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    channel: ChannelName
    teams: Teams
    score: Score
    last_goal_id: str | None = None
    """The id of the match's last goal event, None while the match has had none (or none seen)."""
    at: UtcDatetime
    stream_time: Annotated[float, Field(ge=0)]
    clock: str = ""
    """The match clock as last read with ``score`` ("" if unknown): a clock that went back is a new match."""
    match_goals: Annotated[tuple[GoalEvent, ...], Field(max_length=MAX_GOALS_PER_MATCH)] = ()
    """The goal events of the match so far, as announced: a resumed capture's match reel lists them too."""
    match_over: bool = False
    """True once the match's end was announced (full time): a resumed capture does not end it again."""
    pending_goals: Annotated[tuple[GoalEvent, ...], Field(max_length=MAX_GOALS_PER_MATCH)] = ()
    """Goals about to be announced when this checkpoint was saved (``score`` is still the one before them).

    A capture killed before the checkpoint after them finds them again after the restart, as goals
    found after a gap; it gives each the id of the pending goal of the same teams and score, so it is
    one goal downstream whether or not the first event went out."""

    def to_json(self) -> str:
        """Compact JSON, times in ISO-8601 UTC, the same spelling as the events."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str | bytes) -> MatchCheckpoint:
        """Read a stored checkpoint; raise InvalidCheckpointError with a sentence when it cannot be used."""
        try:
            return cls.model_validate_json(raw)
        except ValidationError as error:
            raise InvalidCheckpointError(
                f"The stored match checkpoint cannot be used ({error.error_count()} problem(s): "
                f"{error.errors()[0]['msg']} at {'.'.join(str(p) for p in error.errors()[0]['loc']) or 'top level'}); "
                "delete it to start this channel from the score next seen, without goals for the gap."
            ) from error
