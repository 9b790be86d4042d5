"""What one look at the scoreboard yields, independent of how it was read.

These types are the seam between the OCR side (pixels) and the goal logic
(a state machine you can test with hand-written sequences, no video).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from contracts import Score, Teams

_CLOCK_PATTERN = re.compile(r"^(\d{1,3})[:.]([0-5]\d)$")
"""A match clock, 'm:ss': a number of seconds from 60 up is a misread, no clock ('48:02' read '04:91')."""

NIL_NIL = Score(home=0, away=0)
"""A match's score at kick-off."""
NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN = 15
"""Other team codes with the clock below this: a new match even if its 0-0 was never seen (the goal detector); the
reader reads the codes again when the clock goes back below it (``ScoreboardReader``).

Later in a match, other codes are a misread of the same teams (after the HUD was
found again), not a new match: its score keeps counting from the confirmed one.
"""
MAX_GOALS_PER_JUMP = 2
"""Most goals one confirmed change may explain (a replay, a gap); more is a misread. The goal detector refuses a
change beyond it; the frame sampler's search back holds a first read beyond it (``KeyframeSampler._search_back``)."""


@dataclass(frozen=True)
class ScoreboardReading:
    """The HUD as read on one frame: teams, score and the match clock text."""

    teams: Teams
    score: Score
    clock: str
    maybe_widget: bool = False
    """Read on a scoreboard found with no clock beside it, or only a number without a colon: it may be a
    streamer's widget ('CHAMPIONS 2028 DIV 4 7 PTS'), not the match HUD (see ``GoalDetector``)."""

    @property
    def clock_minutes(self) -> int | None:
        """Whole minutes on the match clock, or None when the text is not a clock."""
        match = _CLOCK_PATTERN.match(self.clock)
        return int(match.group(1)) if match else None

    @property
    def clock_seconds(self) -> int | None:
        """The match clock in seconds, or None when the text is not a clock."""
        match = _CLOCK_PATTERN.match(self.clock)
        return 60 * int(match.group(1)) + int(match.group(2)) if match else None


@dataclass(frozen=True)
class FrameObservation:
    """One sampled frame: when it was on screen, and the HUD if one was readable.

    ``reading`` is None when no scoreboard was visible (replay, half-time
    panel, blackout, ad): that is an absence of information, never a change.
    """

    at: datetime
    stream_time: float
    reading: ScoreboardReading | None


def lookalike_teams(teams: Teams, other: Teams) -> bool:
    """One code the same, the other one letter off (MCI read as MCL), or one letter short or long (MIL read as IL,
    its 'M' lost at the cell's edge: dev-237): the same teams, misread."""
    pairs = ((teams.home, other.home), (teams.away, other.away))
    same = sum(a == b for a, b in pairs)
    return same == 1 and sum(_one_letter_apart(a, b) for a, b in pairs) == 1


def codes_cut_from(short: Teams, whole: Teams) -> bool:
    """Whether each of ``short``'s codes is a part of ``whole``'s on its side, one or both of them shorter: the same
    codes read cut at the edges. Why: a HUD found with letters lost in a translucent cell's noise ('NA' of 'NAPO',
    'BLZ' of 'RBLZ') took the 'O' of 'NAPO' for the home number and the home number for the away one; it read
    0-2 for 2-0, and the HUD found again later was taken for a new match whose goal was stamped 18 s late
    (unseen-23)."""
    pairs = ((short.home, whole.home), (short.away, whole.away))
    return short != whole and all(len(a) >= 2 and a in b for a, b in pairs)


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether two codes differ by one letter changed, dropped or added (both of two letters or more)."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = sorted((a, b), key=len)
    if len(longer) - len(shorter) != 1 or len(shorter) < 2:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
