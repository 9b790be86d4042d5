"""The FIFA-20-style top-left scoreboard: ``[clock] [strip]HOME [h - a] AWAY[strip]``.

Why: this is what the detector OCRs, so its geometry comes only from :class:`HudStyle`
(font, size, offsets, colours, spacing, strip layout) and never from fixed pixels.
Boxes keep a fixed width per match, as in the game, so digits change but the box does not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sample_broadcast.script import MatchState
from sample_broadcast.sprites import Bgr, Frame, Layer, TextSprite, font_size_for_digit_height, text_sprite
from sample_broadcast.style import BroadcastStyle

DIGITS = "0123456789"


@dataclass(frozen=True)
class _Slot:
    x: int
    width: int


@dataclass(frozen=True)
class _Layout:
    clock: _Slot
    home: _Slot
    score: _Slot
    away: _Slot
    width: int
    height: int


class HudRenderer:
    """Builds the HUD layer for a match state; static parts are cached per pair of teams."""

    def __init__(self, style: BroadcastStyle, kits_for: dict[tuple[str, str], tuple[Bgr, Bgr]]) -> None:
        self.hud = style.hud
        self.digit_height = max(8, round(self.hud.text_height_frac * style.height))
        self.font_size = font_size_for_digit_height(self.hud.font_path, self.digit_height)
        self.pad = max(2, round(self.hud.padding_frac * self.digit_height))
        self.strip = max(2, round(self.hud.strip_width_frac * self.digit_height))
        self.x = round(self.hud.offset_x_frac * style.width)
        self.y = round(self.hud.offset_y_frac * style.height)
        self.kits_for = kits_for
        self._static: dict[tuple[str, str], tuple[_Layout, Layer]] = {}
        self._last: tuple[tuple[str, str, str, int, int], Layer] | None = None

    def _sprite(self, text: str) -> TextSprite:
        return text_sprite(self.hud.font_path, self.font_size, text)

    def _widest(self, template: str) -> int:
        return max(self._sprite(template.replace("d", d)).width for d in DIGITS)

    def _layout(self, home: str, away: str) -> _Layout:
        pad, strip = self.pad, self.strip
        height = self.digit_height + 2 * pad
        clock = _Slot(0, self._widest("dd:dd") + 2 * pad)
        x = clock.width + round(self.hud.clock_gap_frac * self.digit_height)
        team_w = max(self._sprite(home).width, self._sprite(away).width)
        score_w = self._widest(f"d{self.hud.score_separator}d") + 2 * pad
        layout = self.hud.strip_layout
        x += strip if layout == "outer" else 0
        home_slot = _Slot(x + pad, team_w)
        x = home_slot.x + team_w + pad + (strip if layout == "inner" else 0)
        score = _Slot(x, score_w)
        x += score_w + (strip if layout == "inner" else 0)
        away_slot = _Slot(x + pad, team_w)
        x = away_slot.x + team_w + pad + (strip if layout == "outer" else 0)
        return _Layout(clock, home_slot, score, away_slot, x, height)

    def _static_layer(self, home: str, away: str) -> tuple[_Layout, Layer]:
        if (home, away) in self._static:
            return self._static[(home, away)]
        hud, pad, strip = self.hud, self.pad, self.strip
        lay = self._layout(home, away)
        layer = Layer.blank(self.x, self.y, lay.width, lay.height)
        h = lay.height
        layer.fill(0, 0, lay.clock.width, h, hud.clock_box_bgr, hud.box_opacity)
        main_x = lay.home.x - pad - (strip if hud.strip_layout == "outer" else 0)
        layer.fill(main_x, 0, lay.width - main_x, h, hud.box_bgr, hud.box_opacity)
        if hud.score_box_bgr != hud.box_bgr:
            layer.fill(lay.score.x, 0, lay.score.width, h, hud.score_box_bgr, 1.0)
        home_kit, away_kit = self.kits_for[(home, away)]
        if hud.strip_layout == "outer":
            layer.fill(main_x, 0, strip, h, home_kit)
            layer.fill(lay.width - strip, 0, strip, h, away_kit)
        elif hud.strip_layout == "inner":
            layer.fill(lay.score.x - strip, 0, strip, h, home_kit)
            layer.fill(lay.score.x + lay.score.width, 0, strip, h, away_kit)
        else:
            layer.fill(lay.home.x - pad, h - strip, lay.home.width + 2 * pad, strip, home_kit)
            layer.fill(lay.away.x - pad, h - strip, lay.away.width + 2 * pad, strip, away_kit)
        for slot, code in ((lay.home, home), (lay.away, away)):
            sprite = self._sprite(code)
            centre = h // 2 - (strip // 2 if hud.strip_layout == "under" else 0)
            layer.text(slot.x + (slot.width - sprite.width) // 2, centre, sprite, hud.text_bgr)
        self._static[(home, away)] = (lay, layer)
        return lay, layer

    def layer_for(self, state: MatchState) -> Layer:
        """The HUD for ``state``; consecutive frames with the same text reuse one layer."""
        key = (state.clock_text, state.home, state.away, state.home_score, state.away_score)
        if self._last and self._last[0] == key:
            return self._last[1]
        lay, static = self._static_layer(state.home, state.away)
        layer = replace(static, bgr=static.bgr.copy(), alpha=static.alpha.copy())
        centre = lay.height // 2
        clock = self._sprite(state.clock_text)
        layer.text(lay.clock.x + (lay.clock.width - clock.width) // 2, centre, clock, self.hud.clock_text_bgr)
        score = self._sprite(f"{state.home_score}{self.hud.score_separator}{state.away_score}")
        layer.text(lay.score.x + (lay.score.width - score.width) // 2, centre, score, self.hud.score_text_bgr)
        self._last = (key, layer)
        return layer

    def draw(self, frame: Frame, state: MatchState) -> None:
        self.layer_for(state).draw_on(frame)


def hud_box(style: BroadcastStyle, home: str, away: str) -> tuple[int, int, int, int]:
    """The HUD's (x, y, width, height) in pixels, for tests and debugging views only."""
    renderer = HudRenderer(style, {(home, away): ((0, 0, 0), (0, 0, 0))})
    lay = renderer._layout(home, away)
    return renderer.x, renderer.y, lay.width, lay.height
