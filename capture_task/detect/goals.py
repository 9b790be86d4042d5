"""The goal state machine: scoreboard readings in, goals out.

Why a separate, pure module: every hard case of detection (an OCR misread, a
digit from a chat overlay, a replay hiding the HUD, a new match, a stream gap)
is a sequence of readings, and each can be unit-tested here without video.

Rules, in order of precedence:
- a hidden HUD (``reading is None``) is no information: it neither confirms
  nor cancels anything;
- a score is accepted only after ``confirmations`` readings of it since the
  accepted score was last seen (a reading of the accepted score cancels every
  candidate; a stray misread in between does not reset a candidate's count
  or its first frame);
- relative to the accepted score, a candidate is a goal when exactly one side
  went up by 1 or 2 (2 = a gap in the stream: both goals are emitted); a
  candidate of 0-0 with the match clock near 00:00 is a new match (no goal);
  anything else (a side going down, 1 read as 7, a jump of three) is treated
  as a misread and ignored, unless it persists for ``resync_confirmations``
  readings, in which case it is adopted silently (we joined late, or missed
  a long stretch) — a wrong goal is worse than a missed one;
- other team codes with the clock early in a match also start a new match,
  counted from 0-0 (its kick-off may have been missed while the HUD was found);
- the first score seen is adopted without a goal: the task may join mid-match;
- a goal's time is the first frame of the run that confirmed the new score.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from capture_task.vision.readings import FrameObservation, ScoreboardReading
from contracts import Score, Side, Teams

logger = logging.getLogger("highlight_bot.capture")

CONFIRMATIONS = 3
"""Agreeing readings before a new score is believed."""

RESYNC_CONFIRMATIONS = 12
"""Agreeing readings after which an implausible score is adopted without goals."""

MAX_GOALS_PER_JUMP = 2
"""A jump of two goals is a gap in the stream; more is treated as a misread."""

NEW_MATCH_MAX_CLOCK_MIN = 2
"""A 0-0 read while the clock shows fewer minutes than this starts a new match."""

NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN = 15
"""Other team codes with the clock below this: a new match even if its 0-0 was never seen.

Later in a match, other codes are a misread of the same teams (after the HUD was
found again), not a new match: its score keeps counting from the accepted one.
"""


@dataclass(frozen=True)
class DetectedGoal:
    """A goal as the state machine saw it, before it becomes a GoalEvent."""

    side: Side
    score: Score
    previous_score: Score
    teams: Teams
    clock: str
    at: datetime
    stream_time: float


@dataclass
class _Candidate:
    score: Score
    first: FrameObservation
    first_reading: ScoreboardReading
    count: int = 1


class GoalDetector:
    """Turns a time-ordered stream of frame observations into goals.

    Example:
        >>> detector = GoalDetector()
        >>> for observation in observations:
        ...     for goal in detector.observe(observation):
        ...         publish(goal)
    """

    def __init__(
        self,
        *,
        confirmations: int = CONFIRMATIONS,
        resync_confirmations: int = RESYNC_CONFIRMATIONS,
    ) -> None:
        self._confirmations = confirmations
        self._resync_confirmations = max(resync_confirmations, confirmations)
        self._score: Score | None = None
        self._teams: Teams | None = None
        self._candidates: dict[Score, _Candidate] = {}
        self.matches_started = 0
        self.misreads_ignored = 0

    @property
    def score(self) -> Score | None:
        """The accepted score, or None before the first confirmed reading."""
        return self._score

    @property
    def teams(self) -> Teams | None:
        """The teams of the accepted score."""
        return self._teams

    @property
    def awaiting_confirmation(self) -> bool:
        """True while a different score is being confirmed: read fresh frames now."""
        return bool(self._candidates)

    def observe(self, observation: FrameObservation) -> list[DetectedGoal]:
        reading = observation.reading
        if reading is None:
            return []
        if self._score is not None and reading.score == self._score:
            if self._candidates:
                self.misreads_ignored += len(self._candidates)
                logger.debug("candidates %s cancelled by a reading of %s", list(self._candidates), reading)
                self._candidates.clear()
            self._teams = reading.teams
            return []
        candidate = self._candidates.get(reading.score)
        if candidate is None:
            candidate = self._candidates[reading.score] = _Candidate(reading.score, observation, reading)
        else:
            candidate.count += 1
        return self._maybe_accept(candidate, reading)

    def _maybe_accept(self, candidate: _Candidate, latest: ScoreboardReading) -> list[DetectedGoal]:
        previous = self._score
        if candidate.count < self._confirmations:
            return []
        if previous is None:
            self._adopt(candidate, latest)
            return []
        if self._teams is not None and _is_match_of_other_teams(self._teams, candidate):
            # Other teams, early on the clock: a new match, which kicked off at 0-0 (we may have missed that read).
            self.matches_started += 1
            logger.info("new match: %s, clock %s", candidate.first_reading.teams, candidate.first_reading.clock)
            goals = _goals_between(Score(home=0, away=0), candidate) if candidate.score != Score(home=0, away=0) else []
            if goals or candidate.score == Score(home=0, away=0):
                self._adopt(candidate, latest)
                return goals
        if _is_new_match(previous, candidate):
            self.matches_started += 1
            logger.info("new match: %s -> 0-0 at clock %s", previous, candidate.first_reading.clock)
            self._adopt(candidate, latest)
            return []
        goals = _goals_between(previous, candidate)
        if goals:
            self._adopt(candidate, latest)
            return goals
        if candidate.count >= self._resync_confirmations:
            logger.warning("adopting score %s without goals (was %s): jump not explainable", candidate.score, previous)
            self._adopt(candidate, latest)
        return []

    def _adopt(self, candidate: _Candidate, latest: ScoreboardReading) -> None:
        self._score = candidate.score
        self._teams = latest.teams
        self.misreads_ignored += len(self._candidates) - 1
        self._candidates.clear()


def _is_match_of_other_teams(teams: Teams, candidate: _Candidate) -> bool:
    minutes = candidate.first_reading.clock_minutes
    return (
        candidate.first_reading.teams != teams and minutes is not None and minutes < NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN
    )


def _is_new_match(previous: Score, candidate: _Candidate) -> bool:
    minutes = candidate.first_reading.clock_minutes
    return (
        candidate.score == Score(home=0, away=0)
        and previous != candidate.score
        and minutes is not None
        and minutes < NEW_MATCH_MAX_CLOCK_MIN
    )


def _goals_between(previous: Score, candidate: _Candidate) -> list[DetectedGoal]:
    """The goals that explain previous -> candidate.score, or [] if none can."""
    new = candidate.score
    home_up, away_up = new.home - previous.home, new.away - previous.away
    if home_up < 0 or away_up < 0 or (home_up > 0 and away_up > 0):
        return []
    side: Side = "home" if home_up > 0 else "away"
    jump = home_up or away_up
    if not 1 <= jump <= MAX_GOALS_PER_JUMP:
        return []
    first = candidate.first
    goals: list[DetectedGoal] = []
    before = previous
    for step in range(1, jump + 1):
        after = Score(
            home=previous.home + (step if side == "home" else 0),
            away=previous.away + (step if side == "away" else 0),
        )
        goals.append(
            DetectedGoal(
                side=side,
                score=after,
                previous_score=before,
                teams=candidate.first_reading.teams,
                clock=candidate.first_reading.clock,
                at=first.at,
                stream_time=first.stream_time,
            )
        )
        before = after
    return goals
