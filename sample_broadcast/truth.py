"""The ground truth a goal detector is scored against, derived from the script frame by frame.

Why: "when was the goal" must mean what the detector can see — the first frame whose
HUD shows the new score — so times come from :meth:`MatchScript.state_at` on whole
frames, and wall-clock times from the stream's program-date-time, never from the
machine that rendered it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sample_broadcast.hls import SEGMENT_DURATION_S, iso_utc
from sample_broadcast.hud import HudRenderer
from sample_broadcast.script import MatchScript, MatchState, frame_at
from sample_broadcast.style import BroadcastStyle

TRUTH_FORMAT_VERSION = 1
GENERATOR_VERSION = "3"
"""Bump when a change alters pixels or truth, so cached broadcasts are re-rendered."""


def _score(state: MatchState) -> dict[str, int]:
    return {"home": state.home_score, "away": state.away_score}


def _teams(state: MatchState) -> dict[str, str]:
    return {"home": state.home, "away": state.away}


def build_truth(script: MatchScript, style: BroadcastStyle, start_pdt: datetime) -> dict[str, Any]:
    """The ``truth.json`` document for a broadcast of ``script`` starting at ``start_pdt``."""
    fps = style.fps

    def at(stream_time_s: float) -> str:
        return iso_utc(start_pdt + timedelta(seconds=stream_time_s))

    goals = []
    for goal in script.goals:
        frame = frame_at(goal.stream_time_s, fps)
        state, before = script.state_at(frame, fps), script.state_at(frame - 1, fps)
        assert state.hud_visible and _score(state) != _score(before), f"goal at frame {frame} is not visible"
        stream_time = frame / fps
        goals.append(
            {
                "stream_time": round(stream_time, 6),
                "frame_index": frame,
                "segment_index": int(stream_time // SEGMENT_DURATION_S),
                "at": at(stream_time),
                "side": goal.side,
                "score": _score(state),
                "previous_score": _score(before),
                "teams": _teams(state),
                "clock": state.clock_text,
            }
        )

    first = script.state_at(0, fps)
    match_states = [first]
    matches = [{"stream_time": 0.0, "at": at(0.0), "teams": _teams(first), "score": _score(first)}]
    if script.new_match:
        frame = frame_at(script.new_match.start_s, fps)
        t, state = frame / fps, script.state_at(frame, fps)
        match_states.append(state)
        matches.append({"stream_time": round(t, 6), "at": at(t), "teams": _teams(state), "score": _score(state)})
    # Where the HUD of each match is drawn (kit colours do not move anything, so any will do).
    pairs = list(dict.fromkeys((state.home, state.away) for state in match_states))
    renderer = HudRenderer(style, {pair: ((0, 0, 0), (0, 0, 0)) for pair in pairs})
    hud = [{"teams": {"home": h, "away": a}} | renderer.geometry(h, a).to_json() for h, a in pairs]

    hud_hidden: list[dict[str, Any]] = []
    previous: MatchState | None = None
    for frame in range(script.duration_s * fps):
        state = script.state_at(frame, fps)
        t = frame / fps
        if not state.hud_visible and (previous is None or previous.phase != state.phase):
            hud_hidden.append({"kind": state.phase, "start_time": round(t, 6), "start": at(t)})
        if state.hud_visible and previous is not None and not previous.hud_visible:
            hud_hidden[-1].update(end_time=round(t, 6), end=at(t))
        previous = state
    if hud_hidden and "end_time" not in hud_hidden[-1]:
        hud_hidden[-1].update(end_time=float(script.duration_s), end=at(script.duration_s))

    return {
        "format": TRUTH_FORMAT_VERSION,
        "generator_version": GENERATOR_VERSION,
        "stream": {
            "start_program_date_time": iso_utc(start_pdt),
            "fps": fps,
            "width": style.width,
            "height": style.height,
            "segment_duration": SEGMENT_DURATION_S,
            "duration": script.duration_s,
            "segment_count": script.duration_s // SEGMENT_DURATION_S,
        },
        "goals": goals,
        "matches": matches,
        "hud_hidden": hud_hidden,
        "hud": hud,
    }
