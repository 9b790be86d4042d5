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

from sample_broadcast.hud import HudRenderer
from sample_broadcast.overlays import CentrePanel, ChatOverlay, ReplayBadge, WebcamOverlay
from sample_broadcast.scenery import REPLAY_SLOW_MOTION, Scenery, kit_colours
from sample_broadcast.script import MatchScript
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
        self.hud = HudRenderer(style, self.kits)
        self.panel = CentrePanel(style)
        self.badge = ReplayBadge(style)
        self.chat = ChatOverlay(style, script.duration_s) if style.chat_overlay else None
        self.webcam = WebcamOverlay(style) if style.webcam_overlay else None

    @property
    def frame_count(self) -> int:
        return self.script.duration_s * self.style.fps

    def render(self, frame_index: int) -> Frame:
        state = self.script.state_at(frame_index, self.style.fps)
        t = frame_index / self.style.fps
        kits = self.kits[(state.home, state.away)]
        if state.phase == "replay":
            goal_t = t - state.phase_elapsed_s
            scene_t = goal_t - REPLAY_LEAD_S + state.phase_elapsed_s * REPLAY_SLOW_MOTION
            frame = self.scenery.replay(scene_t, kits)
            self.badge.draw(frame, state.phase_elapsed_s, state.phase_duration_s)
        else:
            frame = self.scenery.live(t, kits)
        if state.hud_visible:
            self.hud.draw(frame, state)
        elif state.phase == "half_time":
            score = f"{state.home_score} - {state.away_score}"
            self.panel.layer("HALF TIME", state.home, state.away, score).draw_on(frame)
        elif state.phase == "kick_off":
            self.panel.layer("KICK OFF", state.home, state.away, "v").draw_on(frame)
        if self.webcam:
            self.webcam.draw(frame, t)
        if self.chat:
            self.chat.draw(frame, t)
        return frame

    def frames(self) -> Iterator[Frame]:
        for index in range(self.frame_count):
            yield self.render(index)
