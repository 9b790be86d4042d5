"""The scoreboard: ``[clock] [marker]HOME [h - a] AWAY[marker]`` in every arrangement a HUD uses.

Why: this is what the detector OCRs, so its geometry comes only from :class:`HudStyle`
(font, size, placement, colours, spacing, markers, score boxes, effects) and never from
fixed pixels. Boxes keep a fixed width per match, as in the game, so digits change but
the boxes do not. :meth:`HudRenderer.geometry` says where every part is, for the truth.

The FIFA-20 look of :func:`~sample_broadcast.style.random_style` is the special case with
the clock joined on the left, one score cell, strips and flat cells; its pixels must not
change (the team's pinned samples are rendered from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import cv2
import numpy as np

from sample_broadcast.script import MatchState
from sample_broadcast.sprites import Bgr, Frame, Layer, TextSprite, font_size_for_digit_height, text_sprite
from sample_broadcast.style import BroadcastStyle, HudStyle

DIGITS = "0123456789"
FLASH_S = 1.2
"""How long the score cell pulses after a goal (``score_animation="flash"``)."""
SLIDE_S = 0.3
"""How long the old score takes to slide out of its cell before the new one shows (``"slide"``)."""
BANNER_S = 2.5
"""How long the "GOAL" banner stays beside the HUD after a goal (``"banner"``)."""
FLASH_BGR: Bgr = (0, 190, 255)
ADDED_TIME_ROW_FRAC = 0.8
"""The added-time box's height as a fraction of a cell's."""


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: ``x, y`` its top-left corner."""

    x: int
    y: int
    width: int
    height: int

    def moved(self, dx: int, dy: int) -> Box:
        return Box(self.x + dx, self.y + dy, self.width, self.height)

    def as_list(self) -> list[int]:
        return [self.x, self.y, self.width, self.height]


@dataclass(frozen=True)
class HudGeometry:
    """Where each part of one match's HUD is, in layer or frame pixels (see :meth:`HudRenderer.geometry`).

    ``hud`` holds everything the HUD ever draws (crests, strips, the added-time box); the other
    boxes are the cells whose text a reader must find. A goal banner is not part of the HUD.
    """

    hud: Box
    clock: Box
    home_code: Box
    away_code: Box
    score: tuple[Box, ...]
    """One cell, or two with ``score_layout="split"`` (home's first)."""
    added_time: Box | None
    home_marker: Box | None
    away_marker: Box | None

    def moved(self, dx: int, dy: int) -> HudGeometry:
        def move(box: Box | None) -> Box | None:
            return box.moved(dx, dy) if box else None

        return HudGeometry(
            hud=self.hud.moved(dx, dy),
            clock=self.clock.moved(dx, dy),
            home_code=self.home_code.moved(dx, dy),
            away_code=self.away_code.moved(dx, dy),
            score=tuple(box.moved(dx, dy) for box in self.score),
            added_time=move(self.added_time),
            home_marker=move(self.home_marker),
            away_marker=move(self.away_marker),
        )

    def to_json(self) -> dict[str, Any]:
        def listed(box: Box | None) -> list[int] | None:
            return box.as_list() if box else None

        return {
            "hud": self.hud.as_list(),
            "clock": self.clock.as_list(),
            "home_code": self.home_code.as_list(),
            "away_code": self.away_code.as_list(),
            "score": [box.as_list() for box in self.score],
            "added_time": listed(self.added_time),
            "home_marker": listed(self.home_marker),
            "away_marker": listed(self.away_marker),
        }


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
    cell_top: int = 0
    cell_height: int = 0
    teams_start: int = 0
    teams_end: int = 0
    home_cell: _Slot | None = None
    away_cell: _Slot | None = None
    score_boxes: tuple[_Slot, ...] = ()
    home_marker: Box | None = None
    away_marker: Box | None = None
    divider: _Slot | None = None
    added_time: Box | None = None


@dataclass(frozen=True)
class HudGoal:
    """A goal as the HUD animates it: its first frame, the scoring side and the clock then."""

    frame_index: int
    side: str
    clock_text: str
    team: str


def contrasting_ink(background: Bgr) -> Bgr:
    """White on dark colours, near-black on light ones (team-coloured cells, crests)."""
    luma = 0.114 * background[0] + 0.587 * background[1] + 0.299 * background[2]
    return (20, 20, 20) if luma > 150 else (255, 255, 255)


def _shaded(bgr: Bgr, factor: float) -> Bgr:
    return (
        int(np.clip(bgr[0] * factor, 0, 255)),
        int(np.clip(bgr[1] * factor, 0, 255)),
        int(np.clip(bgr[2] * factor, 0, 255)),
    )


def _crest_masks(shape: str, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outline, body and band coverage of a simple club crest (anti-aliased, float 0..1)."""
    scale = 4  # draw large and shrink: cheap anti-aliasing for filled shapes
    w, h = width * scale, height * scale
    outline = np.zeros((h, w), np.uint8)
    body = np.zeros((h, w), np.uint8)
    band = np.zeros((h, w), np.uint8)
    border = max(scale, round(min(w, h) * 0.08))
    if shape == "shield":
        points = np.array([(0, 0), (w - 1, 0), (w - 1, int(h * 0.55)), (w // 2, h - 1), (0, int(h * 0.55))], np.int32)
        inner = np.array(
            [
                (border, border),
                (w - 1 - border, border),
                (w - 1 - border, int(h * 0.55) - border // 2),
                (w // 2, h - 1 - int(border * 1.6)),
                (border, int(h * 0.55) - border // 2),
            ],
            np.int32,
        )
        cv2.fillPoly(outline, [points], 255)
        cv2.fillPoly(body, [inner], 255)
        cv2.rectangle(band, (w // 2 - w // 8, 0), (w // 2 + w // 8, h), 255, -1)
        band = np.minimum(band, body)
    else:
        centre, radius = (w // 2, h // 2), min(w, h) // 2 - 1
        cv2.circle(outline, centre, radius, 255, -1)
        cv2.circle(body, centre, radius - border, 255, -1)
        if shape == "roundel":
            cv2.circle(band, centre, max(1, (radius - border) // 2), 255, -1)
        else:
            cv2.rectangle(band, (0, h // 2 - h // 10), (w, h // 2 + h // 10), 255, -1)
            band = np.minimum(band, body)

    def shrink(mask: np.ndarray) -> np.ndarray:
        return cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0

    return shrink(outline), shrink(body), shrink(band)


class HudRenderer:
    """Builds the HUD layer for a match state; static parts are cached per pair of teams."""

    def __init__(
        self,
        style: BroadcastStyle,
        kits_for: dict[tuple[str, str], tuple[Bgr, Bgr]],
        goals: tuple[HudGoal, ...] = (),
    ) -> None:
        self.style = style
        self.hud: HudStyle = style.hud
        self.digit_height = max(8, round(self.hud.text_height_frac * style.height))
        self.font_size = font_size_for_digit_height(self.hud.font_path, self.digit_height)
        self.pad = max(2, round(self.hud.padding_frac * self.digit_height))
        self.strip = max(2, round(self.hud.strip_width_frac * self.digit_height))
        self.x = round(self.hud.offset_x_frac * style.width)
        self.y = round(self.hud.offset_y_frac * style.height)
        self.kits_for = kits_for
        self.goals = goals
        self._static: dict[tuple[str, str], tuple[_Layout, Layer]] = {}
        self._last: tuple[tuple[Any, ...], Layer] | None = None
        self._sprites: dict[str, TextSprite] = {}

    # -- text -----------------------------------------------------------------------------------

    def _sprite(self, text: str) -> TextSprite:
        sprite = text_sprite(self.hud.font_path, self.font_size, text)
        if not self.hud.italic_shear:
            return sprite
        if text not in self._sprites:
            self._sprites[text] = _sheared(sprite, self.hud.italic_shear)
        return self._sprites[text]

    def _widest(self, template: str) -> int:
        return max(self._sprite(template.replace("d", d)).width for d in DIGITS)

    def _text(self, layer: Layer, x: int, centre_y: int, sprite: TextSprite, bgr: Bgr, *, halo: bool = False) -> None:
        """Paint ``sprite`` with the style's shadow or outline under it (``halo`` forces an outline)."""
        effect = "outline" if halo else self.hud.text_effect
        if effect == "shadow":
            offset = max(1, self.digit_height // 12)
            shadow = np.asarray(sprite.mask * 0.7, np.float32)
            layer.text(x + offset, centre_y + offset, replace(sprite, mask=shadow), (0, 0, 0))
        elif effect == "outline":
            radius = max(1, self.digit_height // 16)
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
            ring = np.asarray(cv2.dilate(np.pad(sprite.mask, radius), kernel), np.float32)
            ink = (235, 235, 235) if sum(bgr) < 300 else (10, 10, 10)
            layer.text(x - radius, centre_y, replace(sprite, mask=ring, baseline_y=sprite.baseline_y + radius), ink)
        layer.text(x, centre_y, sprite, bgr)

    # -- geometry -------------------------------------------------------------------------------

    @property
    def _cell_height(self) -> int:
        return self.digit_height + 2 * self.pad

    @property
    def _crest_size(self) -> tuple[int, int]:
        height = round(self.hud.crest_height_frac * self.digit_height)
        return round(height * (0.82 if self.hud.crest_shape == "shield" else 1.0)), height

    def _marker_width(self) -> int:
        """Horizontal room a marker takes beside a code (0 for strips under the codes)."""
        if self.hud.code_marker == "strip":
            return self.strip if self.hud.strip_layout != "under" else 0
        if self.hud.code_marker == "crest":
            return self._crest_size[0] + self.pad
        return 0

    def _layout(self, home: str, away: str) -> _Layout:
        hud, pad = self.hud, self.pad
        cell_h = self._cell_height
        crest_w, crest_h = self._crest_size
        band_h = max(cell_h, crest_h + 2) if hud.code_marker == "crest" else cell_h
        added_h = 0
        if hud.added_time_box:
            added_h = max(round(cell_h * ADDED_TIME_ROW_FRAC), self.digit_height + 2 * max(2, self.digit_height // 8))
        bottom = hud.placement.startswith("bottom")
        band_y = added_h if bottom else 0
        top = band_y + (band_h - cell_h) // 2
        marker = self._marker_width()
        outer = hud.strip_layout == "outer" or (hud.code_marker == "crest" and hud.strip_layout == "under")
        outer_marker = marker if outer else 0
        inner_marker = marker if not outer else 0
        cell_gap = round(hud.cell_gap_frac * self.digit_height)
        clock_gap = round(hud.clock_gap_frac * self.digit_height)
        team_w = max(self._sprite(home).width, self._sprite(away).width)
        clock_w = self._widest("dd:dd") + 2 * pad
        divider_w = self._sprite("|").width + pad if hud.clock_divider else 0
        if hud.score_layout == "split":
            box_w = self._widest("d") + 2 * pad
            split_gap = round(hud.split_gap_frac * self.digit_height)
            score_w = 2 * box_w + split_gap
        else:
            score_w = self._widest(f"d{hud.score_separator}d") + 2 * pad

        def marker_box(x: int, code: _Slot) -> Box | None:
            """The strip or crest whose horizontal slot starts at ``x`` (strips under a code: below it)."""
            if hud.code_marker == "strip":
                if hud.strip_layout == "under":
                    return Box(code.x - pad, top + cell_h - self.strip, code.width + 2 * pad, self.strip)
                return Box(x, top, self.strip, cell_h)
            if hud.code_marker == "crest":
                right_of_code = x > code.x
                return Box(x + (pad if right_of_code else 0), band_y + (band_h - crest_h) // 2, crest_w, crest_h)
            return None

        def teams_from(x: int) -> dict[str, Any]:
            parts: dict[str, Any] = {"teams_start": x}
            if hud.clock_divider and hud.clock_position == "left":
                parts["divider"] = _Slot(x, divider_w)
                x += divider_w
            home_marker_x = x
            x += outer_marker
            home_slot = _Slot(x + pad, team_w)
            x = home_slot.x + team_w + pad
            if inner_marker:
                home_marker_x = x
                x += inner_marker
            parts["home_cell"] = _Slot(parts["teams_start"], x - parts["teams_start"])
            x += cell_gap
            score = _Slot(x, score_w)
            if hud.score_layout == "split":
                parts["score_boxes"] = (_Slot(x, box_w), _Slot(x + box_w + split_gap, box_w))
            else:
                parts["score_boxes"] = (score,)
            x += score_w + cell_gap
            away_start = x
            away_marker_x = x
            x += inner_marker
            away_slot = _Slot(x + pad, team_w)
            x = away_slot.x + team_w + pad
            if outer_marker:
                away_marker_x = x
                x += outer_marker
            if hud.clock_divider and hud.clock_position == "right":
                parts["divider"] = _Slot(x, divider_w)
                x += divider_w
            parts["away_cell"] = _Slot(away_start, x - away_start)
            parts["home_marker"] = marker_box(home_marker_x, home_slot)
            parts["away_marker"] = marker_box(away_marker_x, away_slot)
            parts.update(home=home_slot, score=score, away=away_slot, teams_end=x)
            return parts

        if hud.clock_position == "left":
            clock = _Slot(0, clock_w)
            parts = teams_from(clock_w + clock_gap)
            width = parts["teams_end"]
        else:
            parts = teams_from(0)
            clock = _Slot(parts["teams_end"] + clock_gap, clock_w)
            width = clock.x + clock_w
        added = None
        if hud.added_time_box:
            added_w = self._widest("+d") + 2 * max(2, self.digit_height // 8)
            added_y = 0 if bottom else band_y + band_h
            added = Box(clock.x + (clock_w - added_w) // 2, added_y, added_w, added_h)
        return _Layout(
            clock=clock, width=width, height=band_h + added_h, cell_top=top, cell_height=cell_h,
            added_time=added, **parts,
        )  # fmt: skip

    def origin(self, layout: _Layout) -> tuple[int, int]:
        """Top-left corner of the HUD layer in the frame, from the style's placement."""
        frame_w, frame_h = self.style.width, self.style.height
        horizontal = self.hud.placement.split("-")[1]
        if horizontal == "left":
            x = self.x
        elif horizontal == "right":
            x = frame_w - self.x - layout.width
        else:
            x = (frame_w - layout.width) // 2
        y = self.y if self.hud.placement.startswith("top") else frame_h - self.y - layout.height
        return x, y

    def geometry(self, home: str, away: str) -> HudGeometry:
        """Where every part of this match's HUD is, in frame pixels."""
        lay = self._layout(home, away)
        top, cell_h = lay.cell_top, lay.cell_height

        def cell(slot: _Slot) -> Box:
            return Box(slot.x, top, slot.width, cell_h)

        geometry = HudGeometry(
            hud=Box(0, 0, lay.width, lay.height),
            clock=cell(lay.clock),
            home_code=cell(lay.home),
            away_code=cell(lay.away),
            score=tuple(cell(slot) for slot in lay.score_boxes),
            added_time=lay.added_time,
            home_marker=lay.home_marker,
            away_marker=lay.away_marker,
        )
        return geometry.moved(*self.origin(lay))

    # -- drawing --------------------------------------------------------------------------------

    def _fill_cell(self, layer: Layer, x: int, y: int, width: int, height: int, bgr: Bgr, opacity: float) -> None:
        if self.hud.cell_fill == "gradient" and self.hud.gradient_strength > 0:
            layer.fill_vertical_gradient(x, y, width, height, bgr, opacity, self.hud.gradient_strength)
        else:
            layer.fill(x, y, width, height, bgr, opacity)

    def _score_fills(self, home: str, away: str) -> list[Bgr]:
        """The background of each score box (two colours for a team-coloured single cell)."""
        hud = self.hud
        if hud.score_cell == "team":
            return list(self.kits_for[(home, away)])
        return [hud.score_box_bgr]

    def _static_layer(self, home: str, away: str) -> tuple[_Layout, Layer]:
        if (home, away) in self._static:
            return self._static[(home, away)]
        hud, strip = self.hud, self.strip
        lay = self._layout(home, away)
        layer = Layer.blank(0, 0, lay.width, lay.height)
        top, h = lay.cell_top, lay.cell_height
        self._fill_cell(layer, lay.clock.x, top, lay.clock.width, h, hud.clock_box_bgr, hud.box_opacity)
        assert lay.home_cell is not None and lay.away_cell is not None
        if hud.cell_gap_frac == 0:
            start = lay.teams_start
            self._fill_cell(layer, start, top, lay.teams_end - start, h, hud.box_bgr, hud.box_opacity)
        else:
            for team_cell in (lay.home_cell, lay.away_cell):
                self._fill_cell(layer, team_cell.x, top, team_cell.width, h, hud.box_bgr, hud.box_opacity)
        fills = self._score_fills(home, away)
        if hud.score_box_bgr != hud.box_bgr or hud.score_layout == "split" or hud.cell_gap_frac or len(fills) > 1:
            if len(fills) == 2 and len(lay.score_boxes) == 1:
                box = lay.score_boxes[0]
                half = box.width // 2
                self._fill_cell(layer, box.x, top, half, h, fills[0], 1.0)
                self._fill_cell(layer, box.x + half, top, box.width - half, h, fills[1], 1.0)
            else:
                for index, box in enumerate(lay.score_boxes):
                    self._fill_cell(layer, box.x, top, box.width, h, fills[index % len(fills)], 1.0)
        home_kit, away_kit = self.kits_for[(home, away)]
        for marker, kit in ((lay.home_marker, home_kit), (lay.away_marker, away_kit)):
            if marker is None:
                continue
            if hud.code_marker == "strip":
                layer.fill(marker.x, marker.y, marker.width, marker.height, kit)
            else:
                self._crest(layer, marker, kit)
        if lay.divider is not None:
            bar = self._sprite("|")
            self._text(layer, lay.divider.x + (lay.divider.width - bar.width) // 2, top + h // 2, bar, hud.text_bgr)
        for slot, code in ((lay.home, home), (lay.away, away)):
            sprite = self._sprite(code)
            under = hud.code_marker == "strip" and hud.strip_layout == "under"
            centre = top + h // 2 - (strip // 2 if under else 0)
            self._text(layer, slot.x + (slot.width - sprite.width) // 2, centre, sprite, hud.text_bgr)
        self._static[(home, away)] = (lay, layer)
        return lay, layer

    def _crest(self, layer: Layer, box: Box, kit: Bgr) -> None:
        outline, body, band = _crest_masks(self.hud.crest_shape, box.width, box.height)
        edge: Bgr = (230, 230, 230) if sum(kit) < 450 else (40, 40, 40)
        layer.paint(box.x, box.y, outline, edge)
        layer.paint(box.x, box.y, body, kit)
        layer.paint(box.x, box.y, band, edge)

    def _team_cell_ink(self, fills: list[Bgr], index: int) -> tuple[Bgr, bool]:
        """Ink for a team-coloured score box, and whether it needs a dark halo to read on both kits."""
        if len(fills) == 1 or self.hud.score_layout == "split":
            return contrasting_ink(fills[index % len(fills)]), False
        inks = {contrasting_ink(fill) for fill in fills}
        return (inks.pop(), False) if len(inks) == 1 else ((255, 255, 255), True)

    def _score_texts(self, state: MatchState) -> list[str]:
        if self.hud.score_layout == "split":
            return [str(state.home_score), str(state.away_score)]
        return [f"{state.home_score}{self.hud.score_separator}{state.away_score}"]

    def _animation(self, frame_index: int | None) -> tuple[str, float]:
        """``("flash"|"slide", progress 0..1)`` on frames the score animates, else ``("none", 0)``."""
        kind = self.hud.score_animation
        if frame_index is None or kind not in ("flash", "slide"):
            return "none", 0.0
        fps = self.style.fps
        for goal in self.goals:
            if kind == "flash" and goal.frame_index <= frame_index < goal.frame_index + round(FLASH_S * fps):
                return "flash", (frame_index - goal.frame_index) / (FLASH_S * fps)
            slide_frames = max(1, round(SLIDE_S * fps))
            if kind == "slide" and goal.frame_index - slide_frames <= frame_index < goal.frame_index:
                return "slide", (frame_index - goal.frame_index + slide_frames) / slide_frames
        return "none", 0.0

    def layer_for(self, state: MatchState, frame_index: int | None = None) -> Layer:
        """The HUD for ``state``; consecutive frames with the same text reuse one layer."""
        animation, progress = self._animation(frame_index)
        key = (
            state.clock_text, state.home, state.away, state.home_score, state.away_score, state.added_time_min,
            animation, round(progress, 3),
        )  # fmt: skip
        if self._last and self._last[0] == key:
            return self._last[1]
        lay, static = self._static_layer(state.home, state.away)
        layer = replace(static, bgr=static.bgr.copy(), alpha=static.alpha.copy())
        layer.x, layer.y = self.origin(lay)
        hud = self.hud
        top, h = lay.cell_top, lay.cell_height
        centre = top + h // 2
        clock = self._sprite(state.clock_text)
        self._text(layer, lay.clock.x + (lay.clock.width - clock.width) // 2, centre, clock, hud.clock_text_bgr)
        if lay.added_time is not None and state.added_time_min:
            box = lay.added_time
            layer.fill(box.x, box.y, box.width, box.height, hud.added_time_bgr, 1.0)
            plus = self._sprite(f"+{state.added_time_min}")
            # Drawn plain: the game's own badge, not the streamer's text style.
            layer.text(box.x + (box.width - plus.width) // 2, box.y + box.height // 2, plus, (255, 255, 255))
        fills = self._score_fills(state.home, state.away)
        if animation == "flash":
            strength = 0.65 * abs(math.sin(3 * math.pi * progress))
            for slot in lay.score_boxes:
                layer.fill(slot.x, top, slot.width, h, FLASH_BGR, strength)
        for index, (slot, text) in enumerate(zip(lay.score_boxes, self._score_texts(state), strict=True)):
            sprite = self._sprite(text)
            ink, halo = hud.score_text_bgr, False
            if hud.score_cell == "team":
                ink, halo = self._team_cell_ink(fills, index)
            x = slot.x + (slot.width - sprite.width) // 2
            if animation == "slide":
                clipped = _clip_rows(sprite, centre - round(progress * h), top, top + h)
                if clipped is not None:
                    self._text(layer, x, clipped[1], clipped[0], ink, halo=halo)
            else:
                self._text(layer, x, centre, sprite, ink, halo=halo)
        self._last = (key, layer)
        return layer

    def draw(self, frame: Frame, state: MatchState, frame_index: int | None = None) -> None:
        self.layer_for(state, frame_index).draw_on(frame)


def _sheared(sprite: TextSprite, shear: float) -> TextSprite:
    """``sprite`` slanted like an italic, leaning right about its baseline."""
    height, width = sprite.mask.shape
    extra = math.ceil(shear * height) + 1
    # x' = x + shear * (baseline - y): the baseline stays put, the tops of glyphs move right.
    matrix = np.array([[1.0, -shear, shear * sprite.baseline_y], [0.0, 1.0, 0.0]], np.float32)
    mask = cv2.warpAffine(sprite.mask, matrix, (width + extra, height), flags=cv2.INTER_LINEAR)
    return replace(sprite, mask=np.asarray(mask, np.float32))


def _clip_rows(sprite: TextSprite, centre_y: int, y0: int, y1: int) -> tuple[TextSprite, int] | None:
    """``sprite`` cut to the rows that fall inside ``[y0, y1)`` when centred on ``centre_y``."""
    top = centre_y - (sprite.baseline_y - sprite.digit_height // 2)
    first, last = max(0, y0 - top), min(sprite.height, y1 - top)
    if first >= last:
        return None
    mask = sprite.mask.copy()
    mask[:first] = 0
    mask[last:] = 0
    return replace(sprite, mask=mask), centre_y


def hud_box(style: BroadcastStyle, home: str, away: str) -> tuple[int, int, int, int]:
    """The HUD's (x, y, width, height) in pixels, for tests and debugging views only."""
    box = hud_geometry(style, home, away).hud
    return box.x, box.y, box.width, box.height


def hud_geometry(style: BroadcastStyle, home: str, away: str) -> HudGeometry:
    """Where every part of the HUD for these teams is, in frame pixels."""
    return HudRenderer(style, {(home, away): ((0, 0, 0), (0, 0, 0))}).geometry(home, away)
