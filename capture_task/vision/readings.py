"""What one look at the scoreboard yields, independent of how it was read.

These types are the seam between the OCR side (pixels) and the goal logic
(a state machine you can test with hand-written sequences, no video).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from contracts import Score, Teams

_CLOCK_PATTERN = re.compile(r"^(\d{1,3})[:.](\d{2})$")

NIL_NIL = Score(home=0, away=0)
"""A match's score at kick-off."""
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
