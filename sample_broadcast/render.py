"""Turns a match script and a style into video frames, one numpy BGR array per frame.

Why: one place decides the drawing order (camera, HUD or panel, badge, webcam, chat),
and everything it draws comes from :meth:`MatchScript.state_at`, the same source the
ground truth is written from.

Example:
    >>> renderer = FrameRenderer(script, style)
    >>> frame = renderer.render(frame_index=123)   # (height, width, 3) uint8, BGR
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from sample_broadcast.hud import BANNER_S, HudGoal, HudRenderer
from sample_broadcast.overlays import CentrePanel, ChatOverlay, GoalBanner, NearHudWidget, ReplayBadge, WebcamOverlay
from sample_broadcast.scenery import REPLAY_SLOW_MOTION, Scenery, kit_colours
from sample_broadcast.script import MatchScript, frame_at
from sample_broadcast.sprites import Bgr, Frame
from sample_broadcast.style import BroadcastStyle

REPLAY_LEAD_S = 3.0
"""A replay starts this long before the goal and plays in slow motion."""


class FrameRenderer:
    """Renders any frame of the broadcast; caches static layers between frames."""

    def __init__(self, script: MatchScript, style: BroadcastStyle) -> None:
        self.script, self.style = script, style
        opening = (script.home, script.away)
        pairs = [opening] + ([(script.new_match.home, script.new_match.away)] if script.new_match else [])
        self.kits: dict[tuple[str, str], tuple[Bgr, Bgr]] = {p: kit_colours(style, opening, p) for p in pairs}
        self.scenery = Scenery(style)
        self.goals = tuple(self._hud_goal(goal.stream_time_s) for goal in script.goals)
        self.hud = HudRenderer(style, self.kits, self.goals)
        self.panel = CentrePanel(style)
        self.badge = ReplayBadge(style)
        self.chat = ChatOverlay(style, script.duration_s) if style.chat_overlay else None
        self.webcam = WebcamOverlay(style) if style.webcam_overlay else None
        geometry = self.hud.geometry(*opening)
        self.banner = GoalBanner(style, geometry.hud) if style.hud.score_animation == "banner" else None
        self.widget = NearHudWidget(style, geometry.hud) if style.near_hud_widget else None

    def _hud_goal(self, stream_time_s: float) -> HudGoal:
        frame = frame_at(stream_time_s, self.style.fps)
        state, before = self.script.state_at(frame, self.style.fps), self.script.state_at(frame - 1, self.style.fps)
        side = "home" if state.home_score != before.home_score else "away"
        return HudGoal(frame, side, state.clock_text, state.home if side == "home" else state.away)

    @property
    def frame_count(self) -> int:
        return self.script.duration_s * self.style.fps

    def render(self, frame_index: int) -> Frame:
        state = self.script.state_at(frame_index, self.style.fps)
        t = frame_index / self.style.fps
        kits = self.kits[(state.home, state.away)]
        if state.phase == "blackout":
            # The game capture drops out; the streamer's own overlays stay on screen.
            frame = np.zeros((self.style.height, self.style.width, 3), np.uint8)
        elif state.phase == "replay":
            goal_t = t - state.phase_elapsed_s
            scene_t = goal_t - REPLAY_LEAD_S + state.phase_elapsed_s * REPLAY_SLOW_MOTION
            frame = self.scenery.replay(scene_t, kits)
            self.badge.draw(frame, state.phase_elapsed_s, state.phase_duration_s)
        else:
            frame = self.scenery.live(t, kits)
        if state.hud_visible:
            self.hud.draw(frame, state, frame_index)
            if self.banner:
                self._draw_banner(frame, frame_index)
        elif state.phase == "half_time":
            score = f"{state.home_score} - {state.away_score}"
            self.panel.layer("HALF TIME", state.home, state.away, score).draw_on(frame)
        elif state.phase == "kick_off":
            self.panel.layer("KICK OFF", state.home, state.away, "v").draw_on(frame)
        if self.webcam:
            self.webcam.draw(frame, t)
        if self.chat:
            self.chat.draw(frame, t)
        if self.widget:
            self.widget.draw(frame, t)
        return frame

    def _draw_banner(self, frame: np.ndarray, frame_index: int) -> None:
        assert self.banner is not None
        for goal in self.goals:
            if goal.frame_index <= frame_index < goal.frame_index + round(BANNER_S * self.style.fps):
                self.banner.draw(frame, goal.team, goal.clock_text)

    def frames(self) -> Iterator[Frame]:
        for index in range(self.frame_count):
            yield self.render(index)
