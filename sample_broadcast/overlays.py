"""What streamers and the game put on screen besides the HUD: chat, webcam, panels, replay badge.

Why: a real broadcast is full of digits that are not the score — chat saying "gg 3-1",
a webcam counter, a half-time panel with the score in big type. The detector must
ignore them, so the generator shows them wherever the style says.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import cv2
import numpy as np

from sample_broadcast.sprites import Bgr, Frame, Layer, font_size_for_digit_height, text_sprite
from sample_broadcast.style import BroadcastStyle, installed_hud_fonts

if TYPE_CHECKING:
    from sample_broadcast.hud import Box

CHAT_LINE_EVERY_S = (0.6, 2.2)
CHAT_OPACITY = 0.55
USER_COLOURS: tuple[Bgr, ...] = ((80, 80, 255), (255, 160, 60), (90, 220, 90), (220, 120, 255), (60, 210, 255))
USER_NAMES = (
    "user42", "xXgamer99Xx", "fifa_king07", "ronaldo7fan", "kopite1892", "noobmaster69", "citizen_93",
    "ultras2010", "mod_bot", "lurker_404", "goal4goal", "sweaty_10", "pepe_ftw", "gooner1886",
)  # fmt: skip
CHAT_TEMPLATES = (
    "gg {a}-{b}", "{a}-{b} incoming", "{a}:{b} final score calling it", "what a goal {m}:{s}",
    "replay at {m}:{s} pls", "!bet {n}", "{n} bits for a {a}-0", "LUL {a}-{b}", "ref?? {m}'",
    "he missed at {m}:{s} xD", "predicting {a} - {b}", "score was {b}-{a} last game", "W stream",
    "first time here {n} viewers", "{m}:{s} offside clearly", "GOAAAL", "ez {a}-{b}", "!uptime",
    "subbed for {n} months", "Kappa", "that keeper is {a}{b} rated",
)  # fmt: skip


def _chat_line(rng: random.Random) -> tuple[str, str]:
    text = rng.choice(CHAT_TEMPLATES).format(
        a=rng.randint(0, 5), b=rng.randint(0, 5), m=f"{rng.randint(0, 90):02d}", s=f"{rng.randint(0, 59):02d}",
        n=rng.randint(2, 5000),
    )  # fmt: skip
    stamp = f"{rng.randint(18, 23)}:{rng.randint(0, 59):02d} " if rng.random() < 0.5 else ""
    return f"{stamp}{rng.choice(USER_NAMES)}:", text


class ChatOverlay:
    """A translucent, jump-scrolling Twitch chat panel on the right or bottom edge."""

    def __init__(self, style: BroadcastStyle, duration_s: float) -> None:
        rng = random.Random(f"chat:{style.scenery_seed}")
        w, h = style.width, style.height
        if style.chat_position == "right":
            webcam_above = style.webcam_overlay and style.webcam_position == "top-right"
            top = 0.34 if webcam_above else 0.08
            self.x, self.y, self.w, self.h = int(w * 0.76), int(h * top), int(w * 0.23), int(h * (0.92 - top))
        else:
            self.x, self.y, self.w, self.h = int(w * 0.3), int(h * 0.78), int(w * 0.55), int(h * 0.2)
        self.font = str(rng.choice(installed_hud_fonts()))
        self.line_h = max(12, int(h * rng.uniform(0.026, 0.034)))
        self.font_size = font_size_for_digit_height(self.font, int(self.line_h * 0.5))
        self.capacity = max(1, (self.h - self.line_h // 2) // self.line_h)
        self.times: list[float] = []
        self.lines: list[tuple[str, str, Bgr]] = []
        t = -self.capacity * 1.0
        while t < duration_s:
            user, text = _chat_line(rng)
            self.times.append(t)
            self.lines.append((user, text, rng.choice(USER_COLOURS)))
            t += rng.uniform(*CHAT_LINE_EVERY_S)
        self._cache: tuple[int, Layer] | None = None

    def _layer(self, shown: int) -> Layer:
        layer = Layer.blank(self.x, self.y, self.w, self.h)
        layer.fill(0, 0, self.w, self.h, (24, 20, 24), CHAT_OPACITY)
        visible = self.lines[max(0, shown - self.capacity) : shown]
        pad = self.line_h // 3
        for row, (user, text, colour) in enumerate(visible):
            centre = pad + row * self.line_h + self.line_h // 2
            user_sprite = text_sprite(self.font, self.font_size, user)
            layer.text(pad, centre, user_sprite, colour)
            text_sprite_ = text_sprite(self.font, self.font_size, text)
            layer.text(pad + user_sprite.width + pad // 2, centre, text_sprite_, (235, 235, 235))
        return layer

    def draw(self, frame: Frame, t: float) -> None:
        shown = sum(1 for start in self.times if start <= t)
        if self._cache is None or self._cache[0] != shown:
            self._cache = (shown, self._layer(shown))
        self._cache[1].draw_on(frame)


class WebcamOverlay:
    """A streamer webcam box: a bobbing head and a changing follower counter."""

    def __init__(self, style: BroadcastStyle) -> None:
        rng = random.Random(f"webcam:{style.scenery_seed}")
        w, h = style.width, style.height
        self.w, self.h = int(w * rng.uniform(0.16, 0.22)), int(h * rng.uniform(0.18, 0.24))
        margin = int(h * 0.02)
        if style.webcam_position == "bottom-left":
            self.x, self.y = margin, h - self.h - margin
        else:
            self.x, self.y = w - self.w - margin, margin + int(h * 0.06)
        self.background = np.zeros((self.h, self.w, 3), np.uint8)
        self.background[:] = np.linspace(40, 90, self.w, dtype=np.uint8)[None, :, None]
        self.border: Bgr = rng.choice(((200, 80, 150), (255, 255, 255), (0, 200, 255)))
        self.followers = rng.randint(100, 9000)
        self.shirt: Bgr = rng.choice(((60, 60, 60), (150, 40, 40), (30, 30, 160)))

    def draw(self, frame: Frame, t: float) -> None:
        box = self.background.copy()
        cx = int(self.w * (0.5 + 0.06 * math.sin(t * 1.3)))
        cy = int(self.h * (0.45 + 0.03 * math.sin(t * 2.1)))
        cv2.ellipse(box, (cx, self.h), (self.w // 3, self.h // 4), 0, 180, 360, self.shirt, -1, cv2.LINE_AA)
        cv2.circle(box, (cx, cy), self.h // 5, (140, 170, 210), -1, cv2.LINE_AA)
        label = f"followers {self.followers + int(t * 0.7)}  {int(t) // 60:02d}:{int(t) % 60:02d}"
        scale = self.h / 260
        cv2.putText(box, label, (4, self.h - 6), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
        cv2.rectangle(box, (0, 0), (self.w - 1, self.h - 1), self.border, max(2, self.h // 60))
        frame[self.y : self.y + self.h, self.x : self.x + self.w] = box


class CentrePanel:
    """A big translucent central panel: "HALF TIME" or "KICK OFF" over teams and score."""

    def __init__(self, style: BroadcastStyle) -> None:
        self.style = style
        self.font = style.hud.font_path
        self._cache: dict[tuple[str, str, str, str], Layer] = {}

    def layer(self, title: str, home: str, away: str, score: str) -> Layer:
        key = (title, home, away, score)
        if key in self._cache:
            return self._cache[key]
        w, h = self.style.width, self.style.height
        pw, ph = int(w * 0.5), int(h * 0.34)
        layer = Layer.blank((w - pw) // 2, (h - ph) // 2, pw, ph)
        hud = self.style.hud
        layer.fill(0, 0, pw, ph, hud.box_bgr, 0.88)
        layer.fill(0, 0, pw, ph // 4, hud.home_strip_bgr, 0.95)
        small = text_sprite(self.font, font_size_for_digit_height(self.font, ph // 10), title)
        title_ink: Bgr = (20, 20, 20) if sum(hud.home_strip_bgr) > 450 else (255, 255, 255)
        layer.text((pw - small.width) // 2, ph // 8, small, title_ink)
        text = f"{home}   {score}   {away}"
        big_size = font_size_for_digit_height(self.font, ph // 4)
        row = text_sprite(self.font, big_size, text)
        if row.width > pw * 0.9:
            row = text_sprite(self.font, int(big_size * pw * 0.9 / row.width), text)
        layer.text((pw - row.width) // 2, ph * 5 // 8, row, hud.text_bgr)
        self._cache[key] = layer
        return layer


class ReplayBadge:
    """FIFA's "REPLAY" marker, placed away from the HUD corner and any webcam."""

    def __init__(self, style: BroadcastStyle) -> None:
        w, h = style.width, style.height
        font = style.hud.font_path
        sprite = text_sprite(font, font_size_for_digit_height(font, int(h * 0.03)), "REPLAY")
        pad = int(h * 0.012)
        bw, bh = sprite.width + 2 * pad, sprite.height + pad
        webcam_top_right = style.webcam_overlay and style.webcam_position == "top-right"
        x = (w - bw) // 2 if webcam_top_right else w - bw - int(w * 0.03)
        self.layer = Layer.blank(x, int(h * 0.04), bw, bh)
        self.layer.fill(0, 0, bw, bh, style.hud.away_strip_bgr, 0.9)
        self.layer.text(pad, bh // 2, sprite, (255, 255, 255))
        self.wipe_colour = style.hud.home_strip_bgr

    def draw(self, frame: Frame, elapsed_s: float, duration_s: float) -> None:
        self.layer.draw_on(frame)
        wipe_s = 0.3
        for edge in (elapsed_s, duration_s - elapsed_s):
            if edge < wipe_s:
                x = int(frame.shape[1] * edge / wipe_s)
                cv2.rectangle(frame, (x - frame.shape[1] // 6, 0), (x, frame.shape[0]), self.wipe_colour, -1)


class GoalBanner:
    """A "GOAL" strip beside the HUD after a goal, with the scorer's team and minute (``score_animation="banner"``)."""

    def __init__(self, style: BroadcastStyle, hud: Box) -> None:
        self.style = style
        hud_style = style.hud
        self.font = hud_style.font_path
        self.height = max(12, round(hud.height * 0.8))
        self.size = font_size_for_digit_height(self.font, max(6, round(self.height * 0.5)))
        below = style.hud.placement.startswith("top")
        self.x = hud.x
        self.y = (
            hud.y + hud.height + max(2, self.height // 6) if below else hud.y - self.height - max(2, self.height // 6)
        )
        self.fill: Bgr = hud_style.added_time_bgr
        self._cache: dict[tuple[str, str], Layer] = {}

    def layer(self, team: str, clock_text: str) -> Layer:
        key = (team, clock_text)
        if key not in self._cache:
            minute = min(int(clock_text.split(":")[0]) + 1, 90)
            sprite = text_sprite(self.font, self.size, f"GOAL  {team}  {minute}'")
            pad = self.height // 3
            layer = Layer.blank(self.x, self.y, sprite.width + 2 * pad, self.height)
            layer.fill(0, 0, sprite.width + 2 * pad, self.height, self.fill, 0.92)
            layer.text(pad, self.height // 2, sprite, (255, 255, 255))
            self._cache[key] = layer
        return self._cache[key]

    def draw(self, frame: Frame, team: str, clock_text: str) -> None:
        self.layer(team, clock_text).draw_on(frame)


WIDGET_TEMPLATES = (
    "SUB GOAL {a}/{b}",
    "UPTIME {h}:{m}:{s}",
    "!bet {x}-{y} pays {n}",
    "W {x} - L {y}",
    "FOLLOWERS {n}",
    "DIV {x} - {a} PTS",
)
"""What streamers put beside a scoreboard; every one is full of digits and dashes."""


class NearHudWidget:
    """A small streamer widget with changing digits right beside (or under) the HUD."""

    def __init__(self, style: BroadcastStyle, hud: Box) -> None:
        rng = random.Random(f"widget:{style.scenery_seed}")
        self.template = rng.choice(WIDGET_TEMPLATES)
        self.values = {"a": rng.randint(1, 49), "b": 50, "x": rng.randint(0, 9), "y": rng.randint(0, 9)}
        self.base_n = rng.randint(100, 9000)
        self.font = str(rng.choice(installed_hud_fonts()))
        self.height = max(12, round(hud.height * rng.uniform(0.6, 0.9)))
        self.size = font_size_for_digit_height(self.font, max(6, round(self.height * 0.5)))
        gap = max(3, round(hud.height * rng.uniform(0.15, 0.6)))
        room_right = style.width - (hud.x + hud.width) > style.width * 0.22
        if room_right and rng.random() < 0.6:
            self.x, self.y = hud.x + hud.width + gap, hud.y + (hud.height - self.height) // 2
        elif style.hud.placement.startswith("top"):
            self.x, self.y = hud.x, hud.y + hud.height + gap
        else:
            self.x, self.y = hud.x, hud.y - self.height - gap
        self.fill: Bgr = rng.choice(((30, 30, 30), (120, 40, 100), (90, 60, 20), (235, 235, 235)))
        self.ink: Bgr = (20, 20, 20) if sum(self.fill) > 450 else (245, 245, 245)
        self._cache: tuple[str, Layer] | None = None

    def text_at(self, t: float) -> str:
        uptime = 3725 + int(t)
        return self.template.format(
            h=uptime // 3600, m=f"{uptime // 60 % 60:02d}", s=f"{uptime % 60:02d}", n=self.base_n + int(t / 3),
            **self.values,
        )  # fmt: skip

    def draw(self, frame: Frame, t: float) -> None:
        text = self.text_at(t)
        if self._cache is None or self._cache[0] != text:
            sprite = text_sprite(self.font, self.size, text)
            pad = self.height // 3
            layer = Layer.blank(self.x, self.y, sprite.width + 2 * pad, self.height)
            layer.fill(0, 0, sprite.width + 2 * pad, self.height, self.fill, 0.85)
            layer.text(pad, self.height // 2, sprite, self.ink)
            self._cache = (text, layer)
        self._cache[1].draw_on(frame)
