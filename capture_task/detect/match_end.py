"""When a match is over, and which goals it had: what the match reel is built from.

A match ends at full time — the clock has passed 90:00 and then the
scoreboard goes away (the FULL TIME panel; not a goal's replay, in the seconds
after a goal) or a minute of stream passes — or
when the next match starts without a full time having been seen (a stream
that joined late, a quit match). Each match ends once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from capture_task.detect.checkpoint import MatchCheckpoint
from capture_task.vision.readings import FrameObservation
from contracts import GoalEvent, Score, Teams

FULL_TIME_MINUTES = 90
HIDDEN_AFTER_FULL_TIME = 2
"""Observations without a HUD after 90:00 that mean the FULL TIME panel is up (~4 s of keyframes)."""
FULL_TIME_GRACE_S = 60.0
"""After 90:00, end the match anyway once this much stream passed (stoppage time is shorter)."""
REPLAY_AFTER_GOAL_S = 20.0
"""A HUD hidden this soon after a goal is the goal's replay (a celebration of ~4 s, then ~10 s of replay), not
the FULL TIME panel: a goal in stoppage time ended its match at its replay, and the match's later goals were
left out of its end (dev-116)."""


@dataclass(frozen=True)
class MatchEnd:
    """A finished match, before it becomes a MatchEndEvent."""

    reason: Literal["full_time", "new_match"]
    observation: FrameObservation
    teams: Teams
    score: Score
    goals: tuple[GoalEvent, ...]


@dataclass
class MatchTracker:
    """Follows one match at a time alongside the goal detector.

    Example:
        >>> tracker = MatchTracker()            # or MatchTracker.restore(checkpoint) after a restart
        >>> ended = tracker.observe(observation, new_goals, teams=..., score=..., new_match=False)
    """

    goals: list[GoalEvent] = field(default_factory=list)
    _teams: Teams | None = None
    _score: Score | None = None
    _full_time: FrameObservation | None = None
    _hidden_since_full_time: int = 0
    _ended: bool = False

    @classmethod
    def restore(cls, checkpoint: MatchCheckpoint) -> MatchTracker:
        """The match a checkpoint was taken in: its goals so far, teams, score, and whether it was over.

        Full time is not restored: a match past 90:00 shows it again on the next readings.
        """
        return cls(
            goals=list(checkpoint.match_goals),
            _teams=checkpoint.teams,
            _score=checkpoint.score,
            _ended=checkpoint.match_over,
        )

    @property
    def over(self) -> bool:
        """The current match's end was reported (until the next match starts)."""
        return self._ended

    def observe(
        self,
        observation: FrameObservation,
        new_goals: list[GoalEvent],
        *,
        teams: Teams | None,
        score: Score | None,
        new_match: bool,
    ) -> list[MatchEnd]:
        """Matches that ended with this observation (the previous one when a new match began)."""
        ended: list[MatchEnd] = []
        if new_match:
            if not self._ended and self._teams is not None and self._score is not None:
                ended.append(MatchEnd("new_match", observation, self._teams, self._score, tuple(self.goals)))
            self.goals, self._full_time, self._hidden_since_full_time, self._ended = [], None, 0, False
        self.goals += new_goals
        if teams is not None and score is not None:
            self._teams, self._score = teams, score
        if self._ended:
            return ended
        reading = observation.reading
        minutes = reading.clock_minutes if reading is not None else None
        if self._full_time is None:
            if minutes is not None and minutes >= FULL_TIME_MINUTES:
                self._full_time = observation
            return ended
        if reading is not None:
            self._hidden_since_full_time = 0
        elif not self._replaying_a_goal(observation.stream_time):
            self._hidden_since_full_time += 1
        over = observation.stream_time - self._full_time.stream_time >= FULL_TIME_GRACE_S
        if (self._hidden_since_full_time >= HIDDEN_AFTER_FULL_TIME or over) and self._teams and self._score:
            ended.append(MatchEnd("full_time", observation, self._teams, self._score, tuple(self.goals)))
            self._ended = True
        return ended

    def _replaying_a_goal(self, stream_time: float) -> bool:
        """Whether the last goal was shown just before ``stream_time`` (one found after a restart is stamped
        when first read again, not when it was shown: no replay follows that)."""
        if not self.goals or self.goals[-1].found_after_gap:
            return False
        return 0.0 <= stream_time - self.goals[-1].stream_time < REPLAY_AFTER_GOAL_S
