"""The game picture under the overlays: stands, ad boards, a striped pitch, players, a ball.

Why: the detector must find the HUD over busy, moving, compressible imagery with digits
elsewhere in the frame (shirt numbers, ad boards), as in real FIFA footage. Static
layers are rendered once, wider than the frame, and the camera pans by slicing.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np

from sample_broadcast.sprites import Bgr, Frame, blend_onto, font_size_for_digit_height, text_sprite
from sample_broadcast.style import KIT_COLOURS, BroadcastStyle, installed_hud_fonts

PAN_RANGE_FRAC = 0.5
"""How much wider than the frame the live camera's world is."""
REPLAY_ZOOM = 2.0
REPLAY_SLOW_MOTION = 0.5
PLAYERS_PER_TEAM = 7
AD_BOARD_TEXTS = (
    "EA SPORTS", "FIFA 20", "PlayStation 4", "Xbox One", "adidas", "Nike", "Heineken", "Santander",
    "2019/20", "VISA", "Coca-Cola", "Hisense", "Mastercard", "CHAMPIONS 2020", "bet 365", "EA.COM",
    "Nissan", "Qatar 2022", "Emirates", "FUT 20", "Volta 3v3", "1-0 UP? CASH OUT",
)  # fmt: skip


def _grass(rng: np.random.Generator, height: int, width: int, stripe_px: int, greens: tuple[Bgr, Bgr]) -> Frame:
    columns = (np.arange(width) // stripe_px) % 2
    base = np.array(greens, np.int16)[columns]  # (width, 3)
    noise = rng.integers(-7, 8, size=(height, width, 1), dtype=np.int16)
    return np.clip(base[None, :, :] + noise, 0, 255).astype(np.uint8)


def _crowd(rng: np.random.Generator, height: int, width: int) -> Frame:
    palette = np.array(
        [(30, 30, 30), (60, 60, 70), (40, 40, 160), (160, 90, 40), (200, 200, 200), (30, 160, 200), (80, 50, 40)],
        np.uint8,
    )
    cells = rng.integers(0, len(palette), size=(max(1, height // 4), max(1, width // 4)))
    small = palette[cells]
    crowd = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    shade = np.linspace(0.55, 1.0, height, dtype=np.float32)[:, None, None]
    return (crowd * shade).astype(np.uint8)


def _ad_boards(rng: random.Random, frame: Frame, top: int, height: int) -> None:
    fonts = [str(f) for f in installed_hud_fonts()]
    x = -rng.randint(0, 200)
    while x < frame.shape[1]:
        board_w = rng.randint(frame.shape[1] // 10, frame.shape[1] // 5)
        bg = rng.choice(((20, 20, 20), (200, 60, 20), (30, 30, 180), (240, 240, 240), (20, 140, 220)))
        fg: Bgr = (255, 255, 255) if sum(bg) < 400 else (20, 20, 20)
        cv2.rectangle(frame, (x, top), (x + board_w, top + height), bg, -1)
        font = rng.choice(fonts)
        sprite = text_sprite(font, font_size_for_digit_height(font, int(height * 0.55)), rng.choice(AD_BOARD_TEXTS))
        tx = x + max(2, (board_w - sprite.width) // 2)
        ty = top + height // 2 - (sprite.baseline_y - sprite.digit_height // 2)
        colour = np.full((*sprite.mask.shape, 3), fg, np.uint8)
        blend_onto(frame, tx, ty, colour, sprite.mask)
        x += board_w + 2


def _pitch_lines(frame: Frame, pitch_top: int, thickness: int) -> None:
    height, width = frame.shape[:2]
    white = (235, 240, 235)
    line_y = pitch_top + max(4, height // 40)
    cv2.line(frame, (0, line_y), (width, line_y), white, thickness, cv2.LINE_AA)
    cv2.line(frame, (width // 2, line_y), (width // 2, height), white, thickness, cv2.LINE_AA)
    centre = (width // 2, line_y + (height - line_y) * 11 // 20)
    axes = (width // 9, (height - line_y) // 4)
    cv2.ellipse(frame, centre, axes, 0, 0, 360, white, thickness, cv2.LINE_AA)
    cv2.circle(frame, centre, thickness + 2, white, -1, cv2.LINE_AA)
    box_w, box_top, box_bottom = width // 7, line_y + (height - line_y) // 5, height - (height - line_y) // 8
    for x_edge, direction in ((width // 30, 1), (width - width // 30, -1)):
        inner = x_edge + direction * box_w
        cv2.line(frame, (x_edge, line_y), (x_edge, height), white, thickness, cv2.LINE_AA)
        cv2.rectangle(frame, (min(x_edge, inner), box_top), (max(x_edge, inner), box_bottom), white, thickness)


def kit_colours(style: BroadcastStyle, opening: tuple[str, str], teams: tuple[str, str]) -> tuple[Bgr, Bgr]:
    """Shirt colours: the HUD strip colours for the opening teams, seeded picks for later ones."""
    if teams == opening:
        return style.hud.home_strip_bgr, style.hud.away_strip_bgr
    home_kit, away_kit = random.Random(f"kits:{style.scenery_seed}:{teams}").sample(KIT_COLOURS, 2)
    return home_kit, away_kit


class Scenery:
    """Draws the live camera and the zoomed replay camera for any moment of play."""

    def __init__(self, style: BroadcastStyle) -> None:
        self.width, self.height = style.width, style.height
        self.style = style
        rng = random.Random(f"scenery:{style.scenery_seed}")
        nrng = np.random.default_rng(style.scenery_seed)
        self.world_width = int(self.width * (1 + PAN_RANGE_FRAC))
        stands_h = int(self.height * rng.uniform(0.12, 0.22))
        boards_h = max(12, int(self.height * 0.04))
        self.pitch_top = stands_h + boards_h
        greens: tuple[Bgr, Bgr] = rng.choice((((40, 120, 45), (50, 140, 55)), ((35, 110, 60), (45, 128, 72))))
        stripe_px = self.world_width // rng.randint(12, 18)

        live = np.empty((self.height, self.world_width, 3), np.uint8)
        live[:stands_h] = _crowd(nrng, stands_h, self.world_width)
        live[stands_h:] = _grass(nrng, self.height - stands_h, self.world_width, stripe_px, greens)
        _ad_boards(rng, live, stands_h, boards_h)
        pitch = live[self.pitch_top :]
        _pitch_lines(pitch, 0, max(2, self.height // 300))
        self.live_world = live

        replay_greens: tuple[Bgr, Bgr] = (
            (greens[0][0] + 10, greens[0][1] - 10, greens[0][2] + 15),
            (greens[1][0] + 10, greens[1][1] - 10, greens[1][2] + 15),
        )
        replay_w = int(self.world_width * REPLAY_ZOOM)
        self.replay_world = _grass(nrng, self.height, replay_w, int(stripe_px * REPLAY_ZOOM), replay_greens)
        _pitch_lines(self.replay_world, -self.height // 3, max(3, self.height // 150))

        self.radius = max(6, int(self.height * rng.uniform(0.014, 0.019)))
        n = 2 * PLAYERS_PER_TEAM
        self.base_x = np.array([rng.uniform(0.05, 0.95) * self.world_width for _ in range(n)])
        self.base_y = np.array([rng.uniform(0.1, 0.95) for _ in range(n)])
        self.wobble_hz = np.array([rng.uniform(0.05, 0.3) for _ in range(n)])
        self.phase = np.array([rng.uniform(0, 2 * math.pi) for _ in range(n)])
        self.numbers = [rng.randint(1, 35) for _ in range(n)]
        self.ball_periods_s = (rng.uniform(18, 30), rng.uniform(7, 13))
        self.ball_phase = (rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi))
        self.number_font = rng.choice((cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX))

    def _ball(self, t: float) -> tuple[float, float]:
        bx = self.world_width / 2 + 0.4 * self.world_width * math.sin(
            2 * math.pi * t / self.ball_periods_s[0] + self.ball_phase[0]
        )
        span = self.height - self.pitch_top
        by = self.pitch_top + span * (
            0.55 + 0.3 * math.sin(2 * math.pi * t / self.ball_periods_s[1] + self.ball_phase[1])
        )
        return bx, by

    def _players(self, t: float, ball: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        swing = np.sin(2 * math.pi * self.wobble_hz * t + self.phase)
        xs = 0.55 * self.base_x + 0.45 * ball[0] + 0.06 * self.width * swing
        span = self.height - self.pitch_top
        ys = self.pitch_top + span * self.base_y + 0.04 * span * np.cos(2 * math.pi * self.wobble_hz * t + self.phase)
        return xs, ys

    def _draw_players(
        self, frame: Frame, xs: np.ndarray, ys: np.ndarray, radius: int, kits: tuple[Bgr, Bgr], ball: tuple[int, int]
    ) -> None:
        scale = radius / 24
        thickness = max(1, radius // 9)
        for i, (x, y) in enumerate(zip(xs.astype(int), ys.astype(int), strict=True)):
            if not (-radius < x < self.width + radius and -radius < y < self.height + radius):
                continue
            kit = kits[0] if i < PLAYERS_PER_TEAM else kits[1]
            cv2.circle(frame, (int(x), int(y)), radius, kit, -1, cv2.LINE_AA)
            cv2.circle(frame, (int(x), int(y)), radius, (20, 20, 20), 1, cv2.LINE_AA)
            ink = (15, 15, 15) if sum(kit) > 450 else (250, 250, 250)
            label = str(self.numbers[i])
            (tw, th), _ = cv2.getTextSize(label, self.number_font, scale, thickness)
            cv2.putText(frame, label, (x - tw // 2, y + th // 2), self.number_font, scale, ink, thickness, cv2.LINE_AA)
        cv2.circle(frame, ball, max(3, radius // 3), (250, 250, 250), -1, cv2.LINE_AA)

    def live(self, t: float, kits: tuple[Bgr, Bgr]) -> Frame:
        """The main broadcast camera at play time ``t``, following the ball."""
        bx, by = self._ball(t)
        offset = int(min(max(bx - self.width / 2, 0), self.world_width - self.width))
        frame = self.live_world[:, offset : offset + self.width].copy()
        xs, ys = self._players(t, (bx, by))
        self._draw_players(frame, xs - offset, ys, self.radius, kits, (int(bx - offset), int(by)))
        return frame

    def replay(self, t: float, kits: tuple[Bgr, Bgr]) -> Frame:
        """A zoomed, slowed camera on the ball, as FIFA replays show the goal again."""
        bx, by = self._ball(t)
        xs, ys = self._players(t, (bx, by))
        centre_x, centre_y = self.width / 2, self.height / 2
        world_x = REPLAY_ZOOM * bx
        offset = int(min(max(world_x - centre_x, 0), self.replay_world.shape[1] - self.width))
        frame = self.replay_world[:, offset : offset + self.width].copy()
        sx = REPLAY_ZOOM * xs - offset
        sy = centre_y + REPLAY_ZOOM * (ys - by)
        ball = (int(world_x - offset), int(centre_y))
        self._draw_players(frame, sx, sy, int(self.radius * REPLAY_ZOOM), kits, ball)
        return frame
