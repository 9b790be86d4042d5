"""The goal state machine: scoreboard readings in, goals out.

Why a separate, pure module: every hard case of detection (an OCR misread, a
digit from a chat overlay, a replay hiding the HUD, a new match, a stream gap)
is a sequence of readings, and each can be unit-tested here without video.

What it believes, in order of precedence:
- a hidden HUD (``reading is None``) is no information: it neither confirms
  nor cancels anything;
- a score is considered only after ``confirmations`` readings of it since the
  confirmed score was last seen (a reading of the confirmed score cancels every
  candidate; a stray misread in between does not reset a candidate's count or
  its first frame);
- a score no football match shows (a number above ``MAX_PLAUSIBLE_GOALS``) is a
  misread, however long it is read: it is never the new truth;
- relative to the confirmed score, a candidate is explained by goals when no
  side went down and at most ``MAX_GOALS_PER_JUMP`` goals were scored. Each goal
  is timed by the first frame that showed its own score: a double jump (1-1 to
  1-3) gives two goals only when a 1-2 was read before the first 1-3; otherwise
  it gives one goal (1-1 to 1-3) and a warning. Two goals never share a frame,
  except goals found after a restart (``found_after_gap``);
- other team codes early on the clock, or a 0-0 or a lower score at kick-off
  (even 0-0 after 0-0, once the clock went back), start a new match, counted
  from 0-0; other codes later in a match are a misread of the same teams;
- a lower score that persists for ``resync_confirmations`` readings is a new
  match joined mid-way (no goals); any other change that cannot be explained
  (a jump of three, both sides at once) is refused and the confirmed score
  stands until readings that make sense confirm a change;
- the first score confirmed is adopted without a goal: the task may join mid-match;
  when it is not 0-0 and its first reading came more than ``JOINED_LATE_AFTER_S``
  into the stream, a goal may have been scored unseen before it: a WARNING says so.
  Until a goal is counted from it, a join is only as good as the few reads that
  confirmed it: a lower score of the same teams read ``resync_confirmations`` times
  since the stream began (or the match was joined), not in a row but more often
  than it, the clock read and going on, that goals could not have led to the join,
  replaces it without goals, with a WARNING (a jump up that goals cannot explain is
  still refused however often it is read);
- a score followed on what may be a streamer's widget (read on a scoreboard with no
  clock, or only a number without a colon) gives way to a HUD with a clock showing
  other teams: that match is joined, with a WARNING;
- every refusal is a WARNING with the readings: a silent loss is the worst outcome.

``GoalDetector.resume`` starts from a ``MatchCheckpoint``: the first score
confirmed after the restart gives the goals that explain the difference,
flagged as found after a gap.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from capture_task.detect.checkpoint import MatchCheckpoint
from capture_task.vision.readings import (
    MAX_GOALS_PER_JUMP,
    NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN,
    NIL_NIL,
    FrameObservation,
    ScoreboardReading,
    codes_cut_from,
    lookalike_teams,
)
from contracts import GoalEvent, Score, Side, Teams, goal_id

logger = logging.getLogger("highlight_bot.capture")

CONFIRMATIONS = 3
"""Agreeing readings before a new score is believed."""

RESYNC_CONFIRMATIONS = 12
"""Agreeing readings of a lower score, mid-match, after which it is a new match joined mid-way (~24 s)."""

MAX_PLAUSIBLE_GOALS = 20
"""A side with more goals than this is a misread (``1-0`` read as ``1-90``), never a score."""

NEW_MATCH_MAX_CLOCK_MIN = 2
"""A 0-0 (or a lower score) read while the clock shows fewer minutes than this starts a new match."""

JOINED_LATE_AFTER_S = 10.0
"""A first score first read later than this into the stream is a late join: the stream showed no readable
scoreboard before it (a hidden HUD, one not found, a score that would not read), and a goal in that time is
unknown. A HUD on screen is found and its score confirmed within two keyframes (~4 s)."""

NEW_NUMBER_READINGS = 2
"""Readings of a misread score after which its right number for the side that scored can time that goal."""
NEW_NUMBER_LOOKBACK_S = 30.0
"""How long before a new score's first frame such a misread may have been read: a goal's celebration and its
replay, which hides the HUD, last ~10-20 s in FIFA and EA SPORTS FC."""

CHANGED_NUMBER_LOOKBACK_S = 6.0
"""How long before a new score's first frame a misread of the scoring side's new number (the other side's right) may
have been read to time that goal: one segment of the longest usual HLS target duration. The search back reads the
first frame that changed, and the keyframe after it reads the score: a goal's first frames misread while its number
flashes in (dev-239: 1-0 read 4-0 for 0.5 s) are that close to its first right reading."""


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
    found_after_gap: bool = False

    def to_event(self, channel: str) -> GoalEvent:
        """The goal event for ``channel``; its id depends only on what the stream shows."""
        return GoalEvent(
            id=goal_id(channel, self.teams, self.score, self.at),
            channel=channel,
            at=self.at,
            stream_time=self.stream_time,
            score=self.score,
            previous_score=self.previous_score,
            teams=self.teams,
            clock=self.clock,
            side=self.side,
            found_after_gap=self.found_after_gap,
        )


@dataclass
class _Candidate:
    score: Score
    first: FrameObservation
    first_reading: ScoreboardReading
    count: int = 1
    refused: bool = False


@dataclass
class _Seen:
    """The last frame that showed the confirmed score."""

    at: datetime
    stream_time: float


class GoalDetector:
    """Turns a time-ordered stream of frame observations into goals.

    Example:
        >>> detector = GoalDetector()           # or GoalDetector.resume(checkpoint) after a restart
        >>> for observation in observations:
        ...     for goal in detector.observe(observation):
        ...         publish(goal.to_event(channel))
        >>> store(detector.checkpoint(channel))
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
        self._reading: ScoreboardReading | None = None
        """The last reading of the confirmed score: its clock tells a new match from the same one."""
        self._seen: _Seen | None = None
        self._candidates: dict[Score, _Candidate] = {}
        self._last_goal: DetectedGoal | None = None
        self._checkpointed_goal_id: str | None = None
        """The last goal's id from the checkpoint resumed from, until this detector finds a goal or a new match."""
        self._gap_open = False
        self._stream_start: float | None = None
        """The first observation's stream time: a first score read long after it was joined late."""
        self._reads_since_join: Counter[Score] | None = Counter()
        """Readings of each score since the stream began or a new match was joined, until a goal is counted: what a
        join (a first score, confirmed by a few reads) is weighed against (``_join_outweighed_by``)."""
        self.matches_started = 0
        self.misreads_ignored = 0
        self.changes_refused = 0
        """Confirmed readings that were not believed (each logged as a WARNING)."""

    @classmethod
    def resume(
        cls,
        checkpoint: MatchCheckpoint,
        *,
        confirmations: int = CONFIRMATIONS,
        resync_confirmations: int = RESYNC_CONFIRMATIONS,
    ) -> GoalDetector:
        """A detector that continues the checkpoint's match after a restart.

        Until its first confirmed score it is "across a gap": the same score
        closes the gap quietly; a higher one that goals can explain gives those
        goals, flagged ``found_after_gap`` and stamped with the first frame that
        showed the new score; other teams, or a clock that went back, are a new
        match (with a warning: the last match's later goals were not seen);
        anything else is refused loudly, like any unexplainable change.
        """
        detector = cls(confirmations=confirmations, resync_confirmations=resync_confirmations)
        detector._score, detector._teams = checkpoint.score, checkpoint.teams
        detector._seen = _Seen(checkpoint.at, checkpoint.stream_time)
        detector._reading = ScoreboardReading(checkpoint.teams, checkpoint.score, checkpoint.clock)
        detector._checkpointed_goal_id = checkpoint.last_goal_id
        detector._gap_open = True
        detector._reads_since_join = None  # the checkpoint's score was confirmed before the restart
        logger.info(
            "resuming %s at %s (last seen %s): goals scored in the gap will be flagged found_after_gap",
            checkpoint.channel, _named(checkpoint.teams, checkpoint.score), checkpoint.at.isoformat(),
        )  # fmt: skip
        return detector

    @property
    def score(self) -> Score | None:
        """The confirmed score, or None before the first confirmed reading."""
        return self._score

    @property
    def teams(self) -> Teams | None:
        """The teams of the confirmed score."""
        return self._teams

    @property
    def awaiting_confirmation(self) -> bool:
        """True while a different score is being confirmed or refused: read fresh frames now.

        A refused score is read afresh for ``resync_confirmations`` reads (a fresh
        reading of the confirmed score ends it), then the reader may reuse its last
        reading again: a misread that persists should not cost an OCR call a keyframe.
        """
        return any(c.count < self._resync_confirmations for c in self._candidates.values())

    @property
    def awaiting_goal(self) -> bool:
        """True while a score that goals explain from the confirmed one is being confirmed: its reads may come from
        the frames right after the one that first read it. Not a first score (a join): near-identical frames repeat
        a misread (dev-126: a '1' read '4' on a keyframe and on the frame after), and nothing refuses a join."""
        previous = self._score
        return previous is not None and any(
            not candidate.refused
            and candidate.count < self._confirmations
            and candidate.score != previous
            and _within_a_jump(previous, candidate.score)
            for candidate in self._candidates.values()
        )

    def checkpoint(self, channel: str) -> MatchCheckpoint | None:
        """The state to resume from after a restart; None before a score was confirmed.

        Store it whenever it changes (after a goal, a new match) or now and then:
        its ``at`` says where a later gap began.
        """
        if self._score is None or self._teams is None or self._seen is None:
            return None
        if self._last_goal is not None:
            last_goal_id: str | None = self._last_goal.to_event(channel).id
        else:
            last_goal_id = self._checkpointed_goal_id
        return MatchCheckpoint(
            channel=channel,
            teams=self._teams,
            score=self._score,
            last_goal_id=last_goal_id,
            at=self._seen.at,
            stream_time=self._seen.stream_time,
            clock=self._reading.clock if self._reading is not None else "",
        )

    def observe(self, observation: FrameObservation) -> list[DetectedGoal]:
        """The goals this observation confirms (most often none)."""
        if self._stream_start is None:
            self._stream_start = observation.stream_time
        reading = observation.reading
        if reading is None:
            return []
        if self._reads_since_join is not None:
            self._reads_since_join[reading.score] += 1
        if self._shows_confirmed(reading):
            if self._candidates:
                self.misreads_ignored += len(self._candidates)
                logger.debug("candidates %s cancelled by a reading of %s", list(self._candidates), reading)
                self._candidates.clear()
            self._teams, self._reading = reading.teams, reading
            self._seen = _Seen(observation.at, observation.stream_time)
            if self._gap_open:
                logger.info("resumed at %s: the score did not change during the gap", reading.score)
                self._gap_open = False
            return []
        candidate = self._candidates.get(reading.score)
        if candidate is None:
            candidate = self._candidates[reading.score] = _Candidate(reading.score, observation, reading)
        else:
            candidate.count += 1
        if candidate.count < self._confirmations:
            return []
        return self._decide(candidate, observation, reading)

    def end_of_stream(self) -> None:
        """The stream ended (a file, a stopped capture): say which changes were still being confirmed.

        A goal shown a few seconds before a replay is confirmed only once the HUD is
        back; if the stream ends first, it is lost, and this says so instead of silence.
        """
        for candidate in self._candidates.values():
            if candidate.refused or not _plausible(candidate.score):
                continue
            logger.warning(
                "the stream ended while %s was read %d time(s) since %s (stream %.2f s, clock %s), fewer than the "
                "%d needed: not reported; the score stays %s",
                _named(candidate.first_reading.teams, candidate.score), candidate.count,
                candidate.first.at.isoformat(), candidate.first.stream_time, candidate.first_reading.clock,
                self._confirmations, _named(self._teams, self._score),
            )  # fmt: skip

    def _shows_confirmed(self, reading: ScoreboardReading) -> bool:
        """A reading of the confirmed score; other teams count as the same unless they may be a new match."""
        if reading.score != self._score:
            return False
        if reading.teams == self._teams:
            if self._gap_open:
                return not self._clock_went_back(reading)  # the next match may have begun during the gap
            # 0-0 again with the clock back at kick-off: the next match of the same teams began.
            minutes = self._confirmed_minutes
            restarted = minutes is not None and minutes >= NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN
            return not (reading.score == NIL_NIL and restarted and _before_minute(reading, NEW_MATCH_MAX_CLOCK_MIN))
        # Other codes at kick-off, or across a restart, may be a new match: confirm it like a score change.
        if self._gap_open:
            return self._teams is not None and lookalike_teams(self._teams, reading.teams)
        if (
            self._teams is not None
            and not lookalike_teams(self._teams, reading.teams)
            and self._clock_went_back(reading)
        ):
            # Other teams with the clock gone back: the next match, found after a goal that made its score the
            # old one's (dev-153: WHU-EVE 0-1 at 02:41 after RMA-PSV 0-1 at 70:00 was taken for the old match,
            # its goal lost in silence).
            return False
        return not _before_minute(reading, NEW_MATCH_MAX_CLOCK_MIN)

    def _followed_a_widget(self, reading: ScoreboardReading) -> bool:
        """Whether the confirmed score was read on what may be a widget, and ``reading`` on a HUD with a clock,
        with other teams (not lookalike codes of the same). Why: a widget taken before the HUD was drawn was
        followed for the whole stream, and the HUD's scores, lower, were refused (dev-106)."""
        confirmed = self._reading
        return (
            confirmed is not None
            and confirmed.maybe_widget
            and not reading.maybe_widget
            and self._teams is not None
            and reading.teams != self._teams
            and not lookalike_teams(self._teams, reading.teams)
        )

    @property
    def _confirmed_minutes(self) -> int | None:
        return self._reading.clock_minutes if self._reading is not None else None

    def _clock_went_back(self, reading: ScoreboardReading) -> bool | None:
        """Whether the clock shows fewer minutes than with the confirmed score; None when either is unknown."""
        minutes, confirmed = reading.clock_minutes, self._confirmed_minutes
        if confirmed is None or minutes is None:
            return None
        return minutes < confirmed

    def _decide(
        self, candidate: _Candidate, observation: FrameObservation, latest: ScoreboardReading
    ) -> list[DetectedGoal]:
        """A candidate read ``confirmations`` times (or more): goals, a new match, or a refusal."""
        previous = self._score
        new = candidate.score
        if not _plausible(new):
            self._refuse(candidate, f"no football match shows {new}")
            return []
        if previous is None:
            self._join(candidate, observation, latest)
            return []
        if self._followed_a_widget(candidate.first_reading):
            logger.warning(
                "%s was read on a scoreboard with no match clock (or a number without a colon for one), and a HUD "
                "with a clock now shows %s (clock %s): what was followed was a widget, not the match; joining the "
                "match at %s",
                _named(self._teams, previous), _named(candidate.first_reading.teams, new),
                candidate.first_reading.clock, new,
            )  # fmt: skip
            self._join(candidate, observation, latest)
            self._count_reads_from(candidate)  # the widget's reads weigh nothing against the HUD's score
            return []
        other_teams = candidate.first_reading.teams != self._teams and not (
            self._gap_open and self._teams is not None and lookalike_teams(self._teams, candidate.first_reading.teams)
        )
        if other_teams and (
            self._gap_open or _before_minute(candidate.first_reading, NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN)
        ):
            return self._other_teams(candidate, observation, latest, previous)
        if self._gap_open and self._clock_went_back(candidate.first_reading):
            return self._new_match(candidate, observation, latest, also_from=None)
        kick_off = _before_minute(candidate.first_reading, NEW_MATCH_MAX_CLOCK_MIN)
        if kick_off and (new == NIL_NIL or _went_down(previous, new)):
            return self._new_match(candidate, observation, latest, also_from=None)
        goals = self._goals(previous, candidate, gap=self._gap_open)
        if goals is not None:
            self._adopt(candidate, observation, latest, goals)
            return goals
        if _went_down(previous, new):
            if candidate.count >= self._resync_confirmations:
                logger.warning(
                    "score %s read %d times since %s (clock %s) after %s: a lower score that stays is a new match "
                    "joined mid-way; counting from it, without goals",
                    new, candidate.count, candidate.first.at.isoformat(), candidate.first_reading.clock, previous,
                )  # fmt: skip
                self._start_match(candidate)
                self._adopt(candidate, observation, latest)
                return []
            outweighed = self._join_outweighed_by(candidate)
            if outweighed is not None:
                reads, joined_reads = outweighed
                logger.warning(
                    "score %s read %d times since the stream began or the match was joined, the %s joined at only %d "
                    "times (clock %s, going on): the join was a misread; counting from %s, without goals",
                    _named(candidate.first_reading.teams, new), reads, previous, joined_reads,
                    candidate.first_reading.clock, new,
                )  # fmt: skip
                self._adopt(candidate, observation, latest)
                return []
            self._refuse(candidate, f"the score cannot go down from {previous} (unless it stays)")
            return []
        self._refuse(candidate, f"goals cannot explain {previous} -> {new}")
        return []

    def _join_outweighed_by(self, candidate: _Candidate) -> tuple[int, int] | None:
        """``candidate``'s reads and those of the score joined at, when ``candidate``, a score lower than the one
        joined at (no goal counted since), has been read ``resync_confirmations`` times since the match was joined
        (not in a row) and more often than it; None otherwise, or when it may be another match: other teams (not a
        lookalike of the same), a clock gone back or not read, or a join goals could reach from it (the join may be
        the score after a goal, read before the lower one's misreads).

        Why: the first score is confirmed by a few reads; on a blurred first segment they can all be one misread
        (dev-1125: a '1' with a flag read '7' on the first three frames, the match joined at 0-7, then 0-1 read on
        nearly every frame for 11 s and refused as "going down", and its goal to 1-1 refused too). The count is
        not reset by the reads of the score joined at, which a lookalike keeps repeating now and then."""
        tally, previous, teams = self._reads_since_join, self._score, self._teams
        reading = candidate.first_reading
        if tally is None or previous is None or teams is None or self._clock_went_back(reading) is not False:
            return None
        if reading.teams != teams and not lookalike_teams(teams, reading.teams):
            return None
        reads = tally[candidate.score]
        if reads < self._resync_confirmations or reads <= tally[previous] or _within_a_jump(candidate.score, previous):
            return None
        return reads, tally[previous]

    def _start_match(self, candidate: _Candidate) -> None:
        """A new match begins at ``candidate`` (adopted next): its goals and readings are counted afresh."""
        self.matches_started += 1
        self._last_goal, self._checkpointed_goal_id = None, None
        self._count_reads_from(candidate)

    def _count_reads_from(self, candidate: _Candidate) -> None:
        """Weigh the score joined at ``candidate`` (a new match, a rejoin) against the readings from its own on."""
        self._reads_since_join = Counter({candidate.score: candidate.count})

    def _join(self, candidate: _Candidate, observation: FrameObservation, latest: ScoreboardReading) -> None:
        """The first score confirmed: no goal for it, but say so if a lower score was read just before."""
        logger.info("joined the match at %s, clock %s", _named(latest.teams, candidate.score), latest.clock)
        start = self._stream_start if self._stream_start is not None else candidate.first.stream_time
        late = candidate.first.stream_time - start
        # At 0-0 no goal of this match can have been missed (a long wait before kick-off is no loss).
        if candidate.score != NIL_NIL and late > JOINED_LATE_AFTER_S:
            logger.warning(
                "joined at %s only %.1f s into the stream (first read at %s): no score was read before, so a goal "
                "scored in those %.0f s is not reported",
                candidate.score, late, candidate.first.at.isoformat(), late,
            )  # fmt: skip
        earlier = [c for c in self._candidates.values() if _leads_to(c, candidate) and _plausible(c.score)]
        for lower in earlier:
            logger.warning(
                "joined at %s, but %s was read %d time(s) at %s (stream %.2f s) just before: "
                "a goal may have been scored before the score was confirmed, and is not reported",
                candidate.score, lower.score, lower.count, lower.first.at.isoformat(), lower.first.stream_time,
            )  # fmt: skip
        self._adopt(candidate, observation, latest)

    def _other_teams(
        self, candidate: _Candidate, observation: FrameObservation, latest: ScoreboardReading, previous: Score
    ) -> list[DetectedGoal]:
        """Other codes early in a match: a new match, or a misread of the same teams' codes.

        The clock decides which to try first: one that went on is the same match
        (a code read again after a replay); one that went back is a new match.
        Across a restart, other teams are always a new match.
        """
        clock_went_back = self._clock_went_back(candidate.first_reading)
        if not self._gap_open and clock_went_back is False:
            goals = self._goals(previous, candidate, gap=False)
            if goals is not None:
                logger.info("team codes %s read as %s at clock %s: the same match",
                            self._teams, candidate.first_reading.teams, candidate.first_reading.clock)  # fmt: skip
                self._adopt(candidate, observation, latest, goals)
                return goals
            if self._teams is not None and codes_cut_from(self._teams, candidate.first_reading.teams):
                logger.warning(
                    "the scoreboard now reads %s, whose codes %s-%s were read cut short until now (clock %s, going "
                    "on): %s was read in the wrong boxes (a code's last letter taken for a number); rejoining at %s "
                    "without goals, and any goal since the first reading is not reported",
                    _named(candidate.first_reading.teams, candidate.score), self._teams.home, self._teams.away,
                    candidate.first_reading.clock, previous, candidate.score,
                )  # fmt: skip
                self._adopt(candidate, observation, latest)
                self._count_reads_from(candidate)
                return []
        unsure = not self._gap_open and clock_went_back is None
        return self._new_match(candidate, observation, latest, also_from=previous if unsure else None)

    def _new_match(
        self,
        candidate: _Candidate,
        observation: FrameObservation,
        latest: ScoreboardReading,
        *,
        also_from: Score | None,
    ) -> list[DetectedGoal]:
        """A new match, counted from 0-0; ``also_from``: if 0-0 cannot explain it, other codes may be a misread.

        A new match first read at another score, with no frame of its 0-0 or of a score in between, has its goals
        stamped on that first frame, which may be long after they were scored: that is said (dev-100: the next
        match's HUD, found 12 s after its 1-0, gave a goal stamped 12 s late, in silence). Its clip, cut from
        before that frame, may still hold the goal; a goal not reported would have no clip at all.
        """
        goals = self._goals(NIL_NIL, candidate, gap=self._gap_open)
        if goals and not self._gap_open and not self._kick_off_seen(candidate):
            logger.warning(
                "new match first read at %s (clock %s): neither its 0-0 nor a score in between was seen, so its "
                "%d goal(s) are stamped on that first frame, %s, and may have been scored well before",
                _named(candidate.first_reading.teams, candidate.score), candidate.first_reading.clock, len(goals),
                candidate.first.at.isoformat(),
            )  # fmt: skip
        if goals is None and also_from is not None:
            same_match = self._goals(also_from, candidate, gap=False)
            if same_match is not None:
                logger.info("team codes %s read as %s: the same match", self._teams, candidate.first_reading.teams)
                self._adopt(candidate, observation, latest, same_match)
                return same_match
        reading = candidate.first_reading
        if self._gap_open:
            logger.warning(
                "a new match (%s, clock %s) began while the capture was down: goals of %s after the clock's %s, "
                "if any, were not seen",
                _named(reading.teams, candidate.score), reading.clock, _named(self._teams, self._score),
                self._reading.clock if self._reading is not None and self._reading.clock else "last reading",
            )  # fmt: skip
        self._start_match(candidate)
        if goals is None:
            logger.warning(
                "new match joined at %s (clock %s, read %d times since %s): goals cannot explain it from 0-0, "
                "counting from it without goals",
                _named(reading.teams, candidate.score), reading.clock, candidate.count, candidate.first.at.isoformat(),
            )  # fmt: skip
            goals = []
        else:
            logger.info("new match: %s at clock %s (was %s)", _named(reading.teams, candidate.score), reading.clock,
                        _named(self._teams, self._score))  # fmt: skip
        self._adopt(candidate, observation, latest, goals)
        return goals

    def _kick_off_seen(self, target: _Candidate) -> bool:
        """Whether a frame of ``target``'s teams showed 0-0, or a lower score, before ``target``'s first frame."""
        teams = target.first_reading.teams
        return any(
            c is not target and c.first_reading.teams == teams and c.first.stream_time < target.first.stream_time
            for c in self._candidates.values()
            if c.score == NIL_NIL or _leads_to(c, target)
        )

    def _goals(self, start: Score, target: _Candidate, *, gap: bool) -> list[DetectedGoal] | None:
        """The goals that explain start -> target.score, each at its own first frame; None if none can.

        The path goes through the other candidates read before the target's first
        frame (each a goal's own first frame). A step of more than one goal
        without its own frames is one goal and a warning, except right after a
        gap, where every goal of the first step is reported, flagged.
        """
        new = target.score
        if not _within_a_jump(start, new):
            return None
        if new == start:
            return []  # other team codes, the same score
        goals: list[DetectedGoal] = []
        before, after_s = start, float("-inf")
        for index, step in enumerate(self._path(start, target)):
            single_goals = _single_goals(before, step.score)
            reading = step.first_reading
            if len(single_goals) == 1 or (gap and index == 0):
                found = single_goals
            elif before.home == step.score.home or before.away == step.score.away:
                found = [(single_goals[-1][0], step.score, before)]  # one goal for two: _adopt says so
            else:
                return None  # both sides scored and neither goal's own frame was seen
            shown = step
            if len(found) == 1 and not (gap and index == 0):
                shown = self._first_showing_new_number(found[0][0], step, before, after_s)
            goals += [
                DetectedGoal(
                    side=side,
                    score=after,
                    previous_score=previous,
                    teams=reading.teams,
                    clock=shown.first_reading.clock,
                    at=shown.first.at,
                    stream_time=shown.first.stream_time,
                    found_after_gap=gap and index == 0,
                )
                for side, after, previous in found
            ]
            before, after_s = step.score, step.first.stream_time
        return goals

    def _first_showing_new_number(self, side: Side, step: _Candidate, before: Score, after_s: float) -> _Candidate:
        """The candidate whose first frame first showed the scoring side's new number: ``step``, or an earlier misread
        of the whole score with that number right (read after ``after_s``, the step before's first frame), or, just
        before ``step``, with that number misread and the other side's right (so that number had changed), never
        ``before`` itself: a reading of the score before the goal is no misread of it (dev-1243: the next match in
        the same HUD read 0-0 at 01:29, its own candidate, 3.3 s before 0-1, and the goal was stamped there).

        Why: a goal animation (the score cell flashing) can make the new score misread on every frame until a
        replay hides the HUD (dev-166: 0-1 read 8-1 and refused, then read right only after the replay, 12.6 s
        later). The number that changed was read right at the goal; readings of the old score since would have
        cancelled that misread. Only a misread read ``NEW_NUMBER_READINGS`` times (one stray read is no evidence)
        within ``NEW_NUMBER_LOOKBACK_S`` of the score's own first frame counts; one whose changed number is misread
        too (dev-239: 1-0 read 4-0 while its '1' flashed in, the goal stamped 1 s late) only within
        ``CHANGED_NUMBER_LOOKBACK_S``.
        """
        new_number = getattr(step.score, side)
        other = "away" if side == "home" else "home"

        def shows_the_change(candidate: _Candidate) -> bool:
            if candidate.score == before:
                return False
            number = getattr(candidate.score, side)
            if number == new_number:
                return True
            near = candidate.first.stream_time > step.first.stream_time - CHANGED_NUMBER_LOOKBACK_S
            # The other side right: the scoring side's number differs from the score before.
            return near and getattr(candidate.score, other) == getattr(step.score, other)

        earlier = [
            candidate
            for candidate in self._candidates.values()
            if max(after_s, step.first.stream_time - NEW_NUMBER_LOOKBACK_S)
            < candidate.first.stream_time
            < step.first.stream_time
            and candidate.count >= NEW_NUMBER_READINGS
            and shows_the_change(candidate)
        ]
        if not earlier:
            return step
        misread = min(earlier, key=lambda candidate: candidate.first.stream_time)
        where = (
            "its new number was first read"
            if getattr(misread.score, side) == new_number
            else ("the scoring side's number first changed")
        )
        logger.info(
            "goal to %s stamped at %s (stream %.2f s), where %s (the score misread as %s), not where %s was first "
            "read (stream %.2f s)",
            step.score, misread.first.at.isoformat(), misread.first.stream_time, where, misread.score, step.score,
            step.first.stream_time,
        )  # fmt: skip
        return misread

    def _path(self, start: Score, target: _Candidate) -> list[_Candidate]:
        """The longest chain of candidates from start to target, scores and first frames both rising."""
        between = sorted(
            (c for c in self._candidates.values() if _rises(start, c.score) and _leads_to(c, target)),
            key=lambda c: c.first.stream_time,
        )
        chains: list[list[_Candidate]] = []
        for index, candidate in enumerate(between):
            before = [chain for chain in chains[:index] if _leads_to(chain[-1], candidate)]
            chains.append([*max(before, key=len, default=[]), candidate])
        return [*max(chains, key=len, default=[]), target]

    def _refuse(self, candidate: _Candidate, reason: str) -> None:
        """Keep the confirmed score, loudly: a refused change may be a lost goal."""
        if candidate.refused:
            return
        candidate.refused = True
        self.changes_refused += 1
        reading = candidate.first_reading
        logger.warning(
            "NOT taking score %s (read %d times since %s at stream %.2f s, clock %s): %s; the score stays %s",
            _named(reading.teams, candidate.score), candidate.count, candidate.first.at.isoformat(),
            candidate.first.stream_time, reading.clock, reason, _named(self._teams, self._score),
        )  # fmt: skip

    def _adopt(
        self,
        candidate: _Candidate,
        observation: FrameObservation,
        latest: ScoreboardReading,
        goals: list[DetectedGoal] | None = None,
    ) -> None:
        self._score = candidate.score
        self._teams, self._reading = latest.teams, latest
        self._seen = _Seen(observation.at, observation.stream_time)
        if goals:
            self._last_goal = goals[-1]
            _say_what_is_uncertain(goals)
            self._reads_since_join = None  # a goal counted from it: the score it came from was no misread
        self.misreads_ignored += len(self._candidates) - 1
        self._candidates.clear()
        self._gap_open = False


def _say_what_is_uncertain(goals: list[DetectedGoal]) -> None:
    """Warn about goals reported across a gap, and about goals that may be missing."""
    after_gap = [goal for goal in goals if goal.found_after_gap]
    if after_gap:
        logger.warning(
            "resumed after a gap: the score went %s -> %s while the capture was down; reporting %d goal(s) found "
            "after the gap, stamped %s (the first frame seen showing %s)",
            after_gap[0].previous_score, after_gap[-1].score, len(after_gap), after_gap[0].at.isoformat(),
            after_gap[-1].score,
        )  # fmt: skip
    for goal in goals:
        if _goal_count(goal.previous_score, goal.score) > 1:
            logger.warning(
                "score went %s -> %s with no frame of the score between (first read %s, clock %s): "
                "reporting ONE goal, another one may be missing",
                goal.previous_score, goal.score, goal.at.isoformat(), goal.clock,
            )  # fmt: skip


def _plausible(score: Score) -> bool:
    return score.home <= MAX_PLAUSIBLE_GOALS and score.away <= MAX_PLAUSIBLE_GOALS


def _named(teams: Teams | None, score: Score | None) -> str:
    """``LIV 1-0 MCI``, as the log says a score."""
    if teams is None or score is None:
        return str(score)
    return f"{teams.home} {score} {teams.away}"


def _before_minute(reading: ScoreboardReading, minute: int) -> bool:
    minutes = reading.clock_minutes
    return minutes is not None and minutes < minute


def _went_down(before: Score, after: Score) -> bool:
    return after.home < before.home or after.away < before.away


def _leads_to(earlier: _Candidate, later: _Candidate) -> bool:
    """``earlier`` can be a step on the way to ``later``: first shown before it, with fewer goals."""
    return earlier.first.stream_time < later.first.stream_time and _rises(earlier.score, later.score)


def _rises(before: Score, after: Score) -> bool:
    """``after`` is ``before`` plus at least one goal."""
    return not _went_down(before, after) and after != before


def _within_a_jump(before: Score, after: Score) -> bool:
    """No side went down and at most ``MAX_GOALS_PER_JUMP`` goals were scored: goals can explain ``after``."""
    return not _went_down(before, after) and _goal_count(before, after) <= MAX_GOALS_PER_JUMP


def _goal_count(before: Score, after: Score) -> int:
    return (after.home - before.home) + (after.away - before.away)


def _single_goals(before: Score, after: Score) -> list[tuple[Side, Score, Score]]:
    """(side, score after, score before) for each goal from before to after: home's first, then away's."""
    goals: list[tuple[Side, Score, Score]] = []
    current = before
    sides: tuple[Side, Side] = ("home", "away")
    for side in sides:
        while getattr(current, side) < getattr(after, side):
            following = current.model_copy(update={side: getattr(current, side) + 1})
            goals.append((side, following, current))
            current = following
    return goals
