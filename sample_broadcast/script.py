"""What happens in a sample match: teams, goals, replays, half time, a new match.

Why: the renderer and the ground truth must agree frame by frame, so both ask
:meth:`MatchScript.state_at` what the screen shows; nothing else decides the score.

Example:
    >>> script = random_script(3, duration_s=60)
    >>> script.state_at(frame_index=900, fps=30).clock_text
    '41:07'
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Literal

from sample_broadcast.exceptions import InvalidScriptError
from sample_broadcast.hls import SEGMENT_DURATION_S

Side = Literal["home", "away"]
Phase = Literal["play", "celebration", "replay", "half_time", "kick_off", "blackout"]

GAME_CLOCK_RATE = 7.5
"""Game seconds per real second: a 12-minute FIFA match shows 90 minutes."""
HALF_TIME_CLOCK_S = 45 * 60
FULL_TIME_CLOCK_S = 90 * 60
MAX_CLOCK_S = 99 * 60 + 59
KICK_OFF_PANEL_S = 3.0
"""A new match opens with a team panel; the HUD appears when the clock starts at 00:00."""

TEAM_CODES = (
    "LIV", "MCI", "MUN", "ARS", "CHE", "TOT", "EVE", "LEI", "WHU", "NEW", "AVL", "WOL",
    "RMA", "FCB", "ATM", "SEV", "JUV", "INT", "MIL", "NAP", "ROM", "BAY", "BVB", "RBL",
    "PSG", "OLY", "LYO", "AJX", "PSV", "POR", "BEN", "SCP", "CEL", "GAL", "FEN", "ZEN",
)  # fmt: skip
TEAM_CODES_2 = (
    "LV", "MC", "MU", "AR", "CH", "TH", "EV", "RM", "BA", "AM", "SE", "JU", "IN", "MI", "NA", "RO",
    "BM", "BD", "RB", "PS", "OL", "AJ", "PO", "BE", "SP", "CE", "GA", "FE", "ZS", "VI", "LI", "AT",
)  # fmt: skip
"""Two-letter abbreviations as compact streaming overlays and some mobile HUDs show them."""
TEAM_CODES_4 = (
    "LIVE", "MCFC", "MUFC", "AFCB", "CHEL", "THFC", "EVER", "LCFC", "WHUF", "NUFC", "AVFC", "WOLV",
    "RMCF", "BARC", "ATMA", "SEVI", "JUVE", "INTE", "MILA", "NAPO", "ROMA", "FCBM", "DORT", "RBLZ",
    "PSGF", "OLYM", "OLLY", "AJAX", "PSVE", "FCPO", "SLBE", "SCPL", "CELT", "GALA", "FENE", "ZENI",
    "LAZI", "ATAL", "FIOR", "VALE", "BETI", "VILL", "BRUG", "LILL", "MONA", "RENN", "LENS", "NICE",
)  # fmt: skip
"""Four-letter club codes as some leagues' broadcast graphics use."""
LEAD_IN_S = 6.0
LEAD_OUT_S = 8.0
MIN_EVENT_GAP_S = 12.0
HUD_BACK_BEFORE_NEXT_EVENT_S = 3.0
BLACKOUT_RECOVERY_S = 4.0
"""Picture shown after a blackout before the next event starts."""
SEGMENT_EDGE_MARGIN_S = 0.2
"""Goals are kept this far from segment boundaries so detectors face mid-segment changes."""


def frame_at(time_s: float, fps: int) -> int:
    """The first frame shown at or after ``time_s`` (rounding guards against float noise)."""
    return math.ceil(round(time_s * fps, 6))


def format_clock(game_s: int) -> str:
    """FIFA's ``mm:ss`` clock; scripts hold it at 90:00 (or 90:00 plus added time), never three digits."""
    game_s = max(0, min(game_s, MAX_CLOCK_S))
    return f"{game_s // 60:02d}:{game_s % 60:02d}"


@dataclass(frozen=True)
class Goal:
    """A goal at ``stream_time_s``; the HUD shows it, then hides during the replay."""

    stream_time_s: float
    side: Side
    celebration_s: float = 3.0
    replay_s: float = 6.0

    @property
    def end_s(self) -> float:
        return self.stream_time_s + self.celebration_s + self.replay_s


@dataclass(frozen=True)
class HalfTime:
    """A central half-time panel that hides the HUD; the clock resumes at 45:00."""

    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class Blackout:
    """The stream shows black for a moment (an encoder hiccup, a scene switch in OBS): no HUD."""

    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class NewMatch:
    """The streamer starts another match: score 0-0, clock 00:00, maybe other teams."""

    start_s: float
    home: str
    away: str

    @property
    def clock_start_s(self) -> float:
        return self.start_s + KICK_OFF_PANEL_S


@dataclass(frozen=True)
class MatchState:
    """What the screen shows on one frame."""

    phase: Phase
    home: str
    away: str
    home_score: int
    away_score: int
    clock_s: int
    phase_elapsed_s: float
    phase_duration_s: float
    added_time_min: int = 0
    """The ``+N`` the HUD shows beside the clock; 0 when none is shown."""

    @property
    def hud_visible(self) -> bool:
        return self.phase in ("play", "celebration")

    @property
    def clock_text(self) -> str:
        return format_clock(self.clock_s)


@dataclass(frozen=True)
class MatchScript:
    """A whole stream's events; validated so no two events overlap."""

    home: str
    away: str
    duration_s: int
    start_clock_s: int
    goals: tuple[Goal, ...] = ()
    half_time: HalfTime | None = None
    new_match: NewMatch | None = None
    start_score: tuple[int, int] = (0, 0)
    """The score on the first frame: a broadcast may join a match already under way."""
    added_time_min: int = 0
    """Minutes added to each half; 0 keeps FIFA 20's clock, which holds at 45:00 and 90:00."""
    blackouts: tuple[Blackout, ...] = ()

    def __post_init__(self) -> None:
        if self.duration_s <= 0 or self.duration_s % SEGMENT_DURATION_S:
            raise InvalidScriptError(
                f"duration_s must be a positive multiple of {SEGMENT_DURATION_S} s so every "
                f"segment is whole; got {self.duration_s}."
            )
        spans = [(g.stream_time_s, g.end_s, "goal") for g in self.goals]
        spans += [(b.start_s, b.end_s, "blackout") for b in self.blackouts]
        if self.half_time:
            spans.append((self.half_time.start_s, self.half_time.end_s, "half time"))
        if self.new_match:
            spans.append((self.new_match.start_s, self.new_match.clock_start_s, "new match"))
            if self.half_time and self.half_time.start_s > self.new_match.start_s:
                raise InvalidScriptError("Put the half time before the new match; the clock logic needs it.")
        spans.sort()
        for (start, end, kind), (next_start, _, next_kind) in itertools.pairwise(spans):
            if next_start < end:
                raise InvalidScriptError(
                    f"The {next_kind} at {next_start:.2f} s starts before the {kind} at {start:.2f} s "
                    f"ends ({end:.2f} s); space the events further apart."
                )
        for start, _, kind in spans:
            if not 0 < start < self.duration_s:
                raise InvalidScriptError(f"The {kind} at {start:.2f} s is outside the {self.duration_s} s stream.")

    def _clock_s(self, t: float) -> float:
        added_s = self.added_time_min * 60
        if self.new_match and t >= self.new_match.start_s:
            return max(0.0, t - self.new_match.clock_start_s) * GAME_CLOCK_RATE
        clock = self.start_clock_s + t * GAME_CLOCK_RATE
        if self.half_time is None:
            return clock
        if t < self.half_time.end_s:
            return min(clock, HALF_TIME_CLOCK_S + added_s)
        return HALF_TIME_CLOCK_S + (t - self.half_time.end_s) * GAME_CLOCK_RATE

    def _added_time_shown(self, t: float, clock_s: int) -> int:
        """FIFA shows ``+N`` from 45:00 until half time and from 90:00 on."""
        if not self.added_time_min or (self.new_match and t >= self.new_match.start_s):
            return 0
        first_half = self.half_time is not None and t < self.half_time.end_s
        shown = clock_s >= HALF_TIME_CLOCK_S if first_half else clock_s >= FULL_TIME_CLOCK_S
        return self.added_time_min if shown else 0

    def state_at(self, frame_index: int, fps: int) -> MatchState:
        """The screen's content on ``frame_index``; events switch on whole frames."""
        t = frame_index / fps
        home, away = self.home, self.away
        match_start_frame = 0
        scores = {"home": self.start_score[0], "away": self.start_score[1]}
        if self.new_match and frame_index >= frame_at(self.new_match.start_s, fps):
            home, away = self.new_match.home, self.new_match.away
            match_start_frame = frame_at(self.new_match.start_s, fps)
            scores = {"home": 0, "away": 0}
        phase: Phase = "play"
        phase_start, phase_duration = 0.0, 0.0
        for goal in self.goals:
            goal_frame = frame_at(goal.stream_time_s, fps)
            if match_start_frame <= goal_frame <= frame_index:
                scores[goal.side] += 1
                replay_frame = frame_at(goal.stream_time_s + goal.celebration_s, fps)
                if frame_index < replay_frame:
                    phase, phase_start, phase_duration = "celebration", goal_frame / fps, goal.celebration_s
                elif frame_index < frame_at(goal.end_s, fps):
                    phase, phase_start, phase_duration = "replay", replay_frame / fps, goal.replay_s
        ht = self.half_time
        if ht and frame_at(ht.start_s, fps) <= frame_index < frame_at(ht.end_s, fps):
            phase, phase_start, phase_duration = "half_time", frame_at(ht.start_s, fps) / fps, ht.duration_s
        nm = self.new_match
        if nm and frame_at(nm.start_s, fps) <= frame_index < frame_at(nm.clock_start_s, fps):
            phase, phase_start, phase_duration = "kick_off", frame_at(nm.start_s, fps) / fps, KICK_OFF_PANEL_S
        for blackout in self.blackouts:
            first = frame_at(blackout.start_s, fps)
            if first <= frame_index < frame_at(blackout.end_s, fps):
                phase, phase_start, phase_duration = "blackout", first / fps, blackout.duration_s
        full_time_s = FULL_TIME_CLOCK_S + self.added_time_min * 60
        clock_s = min(int(self._clock_s(t)), full_time_s)
        return MatchState(
            phase=phase,
            home=home,
            away=away,
            home_score=scores["home"],
            away_score=scores["away"],
            clock_s=clock_s,
            phase_elapsed_s=t - phase_start,
            phase_duration_s=phase_duration,
            added_time_min=self._added_time_shown(t, clock_s),
        )


def _off_segment_edge(t: float) -> float:
    """Nudge ``t`` away from a segment boundary so a goal never lands on a keyframe."""
    offset = t % SEGMENT_DURATION_S
    if offset < SEGMENT_EDGE_MARGIN_S:
        return t + SEGMENT_EDGE_MARGIN_S + 0.13
    if offset > SEGMENT_DURATION_S - SEGMENT_EDGE_MARGIN_S:
        return t - SEGMENT_EDGE_MARGIN_S - 0.17
    return t


def random_script(
    seed: int,
    duration_s: int,
    *,
    n_goals: int | None = None,
    half_time: bool | None = None,
    new_match: bool | None = None,
    lead_in_s: float = LEAD_IN_S,
    lead_out_s: float = LEAD_OUT_S,
    team_codes: tuple[str, ...] = TEAM_CODES,
    celebration_range_s: tuple[float, float] = (2.0, 4.0),
    replay_range_s: tuple[float, float] = (5.0, 8.0),
    blackouts: int = 0,
) -> MatchScript:
    """A match drawn from ``seed``: events at least 12 s apart, clear of the stream's ends.

    ``None`` lets the seed decide how many goals and whether half time or a new match
    happen; a request that cannot fit raises :class:`InvalidScriptError`. Blackouts are
    short and need only a few seconds of picture after them.
    """
    rng = random.Random(f"script:{seed}")
    home, away = rng.sample(team_codes, 2)
    if half_time is None:
        half_time = duration_s >= 50 and rng.random() < 0.3
    if new_match is None:
        new_match = duration_s >= 50 and rng.random() < 0.3
    if n_goals is None:
        n_goals = rng.randint(1, max(1, int((duration_s - lead_in_s - lead_out_s) // 16)))
    kinds = ["goal"] * n_goals
    if half_time:
        kinds.insert(rng.randint(0, len(kinds)), "half_time")
    if new_match:
        after = kinds.index("half_time") + 1 if half_time else 0
        kinds.insert(rng.randint(after, len(kinds)), "new_match")
    for _ in range(blackouts):
        kinds.insert(rng.randint(0, len(kinds)), "blackout")
    spans = []
    for kind in kinds:
        if kind == "goal":
            spans.append((kind, round(rng.uniform(*celebration_range_s), 2), round(rng.uniform(*replay_range_s), 2)))
        elif kind == "half_time":
            spans.append((kind, round(rng.uniform(6.0, 10.0), 2), 0.0))
        elif kind == "blackout":
            spans.append((kind, round(rng.uniform(0.5, 2.5), 2), 0.0))
        else:
            spans.append((kind, KICK_OFF_PANEL_S, 0.0))
    gaps = [
        a + BLACKOUT_RECOVERY_S if kind == "blackout" else max(MIN_EVENT_GAP_S, a + b + HUD_BACK_BEFORE_NEXT_EVENT_S)
        for kind, a, b in spans[:-1]
    ]
    # The last event only has to start before the lead-out; its replay may run past the end.
    room = duration_s - lead_out_s - lead_in_s - sum(gaps) - 1.0
    if room < 0:
        raise InvalidScriptError(
            f"{len(kinds)} events do not fit in {duration_s} s with {MIN_EVENT_GAP_S:.0f} s between them; "
            "ask for fewer goals or a longer stream."
        )
    weights = [rng.random() for _ in range(len(kinds) + 1)]
    slack = [room * w / sum(weights) for w in weights]
    t = lead_in_s + slack[0]
    goals: list[Goal] = []
    dark: list[Blackout] = []
    ht: HalfTime | None = None
    nm: NewMatch | None = None
    for i, (kind, first, second) in enumerate(spans):
        start = round(_off_segment_edge(t + 0.5), 3)
        if kind == "goal":
            goals.append(Goal(start, rng.choice(("home", "away")), first, second))
        elif kind == "half_time":
            ht = HalfTime(start, first)
        elif kind == "blackout":
            dark.append(Blackout(start, first))
        else:
            nm_home, nm_away = (home, away) if rng.random() < 0.4 else rng.sample(team_codes, 2)
            nm = NewMatch(start, nm_home, nm_away)
        if i < len(gaps):
            t += gaps[i] + slack[i + 1]
    if ht:
        start_clock = HALF_TIME_CLOCK_S - int(ht.start_s * GAME_CLOCK_RATE) - rng.randint(0, 40)
    else:
        start_clock = rng.randint(0, 70 * 60)
    return MatchScript(
        home=home,
        away=away,
        duration_s=duration_s,
        start_clock_s=max(0, start_clock),
        goals=tuple(goals),
        half_time=ht,
        new_match=nm,
        blackouts=tuple(dark),
    )
