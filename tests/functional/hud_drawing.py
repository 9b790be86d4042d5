"""A test-only HUD painter, independent of ``sample_broadcast``: FIFA 19-23 and FC 24-26 layouts.

Why: reader tests that draw their frames only with the generator the reader was developed
against prove little. This painter has its own geometry, fonts and colours: separators (dash,
spaced dash, colon, none with split score boxes), light or dark cells, a score cell that differs
from the team cells, colour strips or crests, top-left or top-centre placement, the clock left or
right of the teams (with an added-time box), 2-4 letter codes, 720p-1080p and JPEG damage; and, as options no
random look draws, a score cell fitted to its numbers, a score larger than the codes or in a face of its own, a
score cell set apart from the team cells, a crowd in a low bitrate's blocks.

Example:
    >>> look = random_look(random.Random(3))
    >>> frame = paint(look, HudText("LIV", "MCI", 1, 0, "27:10"))
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.vision.locate import HudLayout, locate_hud
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import ScoreboardReading

Rgb = tuple[int, int, int]
Separator = Literal["-", " - ", ":", " : ", "split"]

FONTS = [
    path
    for path in (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf"),
        Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
        Path("/usr/share/fonts/truetype/freefont/FreeSansBold.ttf"),
        Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"),
    )
    if path.is_file()
]
CODES = ["LIV", "MCI", "ATM", "RMA", "BAR", "JUV", "PSG", "BVB", "ARS", "CHE", "MU", "FCB", "INTR", "AJAX",
         "OL", "NAP", "TOT", "SEV", "WOB", "MIL", "LEV", "BEN", "POR", "CEL", "VIL", "EVE"]  # fmt: skip
KITS: list[Rgb] = [(200, 16, 46), (108, 171, 221), (0, 56, 168), (253, 225, 0), (255, 255, 255), (20, 20, 20),
                   (0, 122, 51), (122, 38, 58), (240, 100, 0), (90, 30, 130)]  # fmt: skip
DARK_CELLS: list[Rgb] = [(12, 12, 14), (28, 30, 38), (20, 32, 70), (45, 20, 60), (38, 38, 38)]
LIGHT_CELLS: list[Rgb] = [(245, 245, 245), (230, 232, 236), (250, 246, 230), (220, 228, 240)]


@dataclass(frozen=True)
class HudText:
    """What the HUD says."""

    home: str
    away: str
    home_score: int
    away_score: int
    clock: str
    added_minutes: int = 0


@dataclass(frozen=True)
class Look:
    """How the HUD is drawn; every field is drawn from a seed by :func:`random_look`."""

    width: int
    height: int
    font: Path
    text_px: int
    placement: Literal["top-left", "top-centre", "top-right"]
    margin_px: int
    clock_side: Literal["left", "right"]
    separator: Separator
    team_cell: Rgb
    team_text: Rgb
    score_cell: Rgb
    score_text: Rgb
    clock_cell: Rgb
    clock_text: Rgb
    split_cells: tuple[Rgb, Rgb] | None
    marks: Literal["none", "strips", "crests"]
    kits: tuple[Rgb, Rgb]
    padding: float
    gap: float
    jpeg_quality: int
    soften: bool
    tight_score_for: str | None = None
    """A score cell sized to this score line with a pad of a tenth of the text height, not to '00-00' with the
    look's padding: a number drawn wider later stands that near the marks beside the cell (never drawn at random)."""
    score_scale: float = 1.0
    """The score's digits this many times the codes' height (TV-style scorebugs set the score larger)."""
    score_font: Path | None = None
    """The score's own font (a bold score beside regular codes); the look's font when None."""
    score_apart: float = 0.0
    """Text heights between the score cell and each team's cell, where the background shows (FC 24-26's boxes)."""
    crowd_block_px: int = 0
    """The crowd behind the HUD as blocks this wide of unblurred grey (a low bitrate's macroblocks); blurred when 0."""


def _text_of(cell: Rgb, rng: random.Random) -> Rgb:
    light = sum(cell) / 3 < 128
    return rng.choice([(255, 255, 255), (240, 240, 235)]) if light else rng.choice([(10, 10, 10), (30, 30, 50)])


def random_look(rng: random.Random) -> Look:
    """A plausible broadcast HUD look from ``rng``."""
    width, height = rng.choice([(1280, 720), (1600, 900), (1920, 1080)])
    team_cell = rng.choice(DARK_CELLS + LIGHT_CELLS)
    kind = rng.choice(["same", "shade", "inverted", "split"])
    dark = sum(team_cell) / 3 < 128
    kits = tuple(rng.sample(KITS, 2))
    split_cells: tuple[Rgb, Rgb] | None = None
    if kind == "shade":
        step = 35 if dark else -35
        score_cell: Rgb = tuple(min(max(c + step, 0), 255) for c in team_cell)  # type: ignore[assignment]
    elif kind == "inverted":
        score_cell = rng.choice(LIGHT_CELLS if dark else DARK_CELLS)
    else:
        score_cell = team_cell
    if kind == "split":
        split_cells = (kits[0], kits[1]) if rng.random() < 0.5 else (score_cell, score_cell)
    clock_cell = rng.choice([team_cell, rng.choice(DARK_CELLS + LIGHT_CELLS)])
    return Look(
        width=width,
        height=height,
        font=rng.choice(FONTS),
        text_px=round(height * rng.uniform(0.02, 0.032)),
        placement=rng.choice(["top-left", "top-centre", "top-right"]),
        margin_px=round(height * rng.uniform(0.015, 0.05)),
        clock_side=rng.choice(["left", "right"]),
        separator="split" if kind == "split" else rng.choice(["-", " - ", ":", " : "]),
        team_cell=team_cell,
        team_text=_text_of(team_cell, rng),
        score_cell=score_cell,
        score_text=_text_of(score_cell, rng),
        clock_cell=clock_cell,
        clock_text=_text_of(clock_cell, rng),
        split_cells=split_cells,
        marks=rng.choice(["none", "strips", "crests"]),
        kits=kits,  # type: ignore[arg-type]
        padding=rng.uniform(0.3, 0.7),
        gap=rng.choice([0.0, rng.uniform(0.15, 0.6)]),
        jpeg_quality=rng.randint(35, 90),
        soften=rng.random() < 0.4,
    )


def _background(look: Look, seed: int) -> NDArray[np.uint8]:
    """A pitch with a busy crowd band at the top, where the HUD sits."""
    rng = np.random.default_rng(seed)
    frame = np.zeros((look.height, look.width, 3), np.uint8)
    crowd_h = look.height // 4
    if look.crowd_block_px:
        block = look.crowd_block_px
        small = rng.integers(20, 230, (-(-crowd_h // block), -(-look.width // block), 1), dtype=np.uint8)
        blocks = np.repeat(np.repeat(small, block, axis=0), block, axis=1)[:crowd_h, : look.width]
        frame[:crowd_h] = np.repeat(blocks, 3, axis=2)
    else:
        frame[:crowd_h] = rng.integers(20, 200, (crowd_h, look.width, 3), dtype=np.uint8)
        frame[:crowd_h] = cv2.GaussianBlur(frame[:crowd_h], (5, 5), 0)
    stripes = (np.arange(look.width) // (look.width // 12)) % 2
    frame[crowd_h:, :, 1] = (110 + 25 * stripes)[None, :]
    frame[crowd_h:, :, 0] = 40
    frame[crowd_h:, :, 2] = 50
    return frame


def _font_of_digit_height(path: Path, digit_px: int) -> ImageFont.FreeTypeFont:
    """``path``'s font at the size whose '0' stands ``digit_px`` tall."""
    size = digit_px
    font = ImageFont.truetype(str(path), size)
    for _ in range(6):
        top, bottom = font.getbbox("0")[1], font.getbbox("0")[3]
        size = max(round(size * digit_px / max(bottom - top, 1)), 6)
        font = ImageFont.truetype(str(path), size)
    return font


class _Painter:
    def __init__(self, look: Look) -> None:
        self.look = look
        self.font = _font_of_digit_height(look.font, look.text_px)
        self.score_px = max(round(look.text_px * look.score_scale), 6)
        self.score_font = _font_of_digit_height(look.score_font or look.font, self.score_px)
        self.pad = max(round(look.padding * look.text_px), 2)
        self.cell_h = max(look.text_px, self.score_px) + 2 * self.pad

    def text_width(self, text: str, *, score: bool = False) -> int:
        return round((self.score_font if score else self.font).getlength(text))


def paint(look: Look, text: HudText, *, seed: int = 0, frame: NDArray[np.uint8] | None = None) -> NDArray[np.uint8]:
    """A BGR frame of ``look``'s size showing the HUD with ``text``, JPEG-damaged as the look says."""
    painter = _Painter(look)
    base = _background(look, seed) if frame is None else frame.copy()
    image = Image.fromarray(cv2.cvtColor(base, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    pad, cell_h, text_px = painter.pad, painter.cell_h, look.text_px
    gap = round(look.gap * text_px)
    code_w = max(painter.text_width(code) for code in (text.home, text.away)) + 2 * pad
    mark_w = {"none": 0, "strips": max(round(0.3 * text_px), 3), "crests": round(1.5 * text_px)}[look.marks]
    if look.separator == "split":
        score_parts = [str(text.home_score), str(text.away_score)]
        number_w = painter.text_width("00", score=True) + 2 * pad
        score_w = 2 * number_w + max(round(0.15 * text_px), 2)
    else:
        score_parts = [f"{text.home_score}{look.separator}{text.away_score}"]
        score_w = painter.text_width(f"00{look.separator}00", score=True) + 2 * pad
        if look.tight_score_for is not None:
            score_w = painter.text_width(look.tight_score_for, score=True) + 2 * max(round(0.15 * text_px), 1)
    clock_w = painter.text_width("00:00") + 2 * pad
    added_w = painter.text_width("+0") + 2 * pad if text.added_minutes else 0
    apart = round(look.score_apart * text_px)
    teams_w = 2 * (code_w + mark_w + apart) + score_w
    total = teams_w + gap + clock_w + (added_w + max(gap, 2) if added_w else 0)
    x0 = {"top-left": look.margin_px, "top-centre": (look.width - total) // 2,
          "top-right": look.width - look.margin_px - total}[look.placement]  # fmt: skip
    y0 = look.margin_px

    def cell(x: int, w: int, colour: tuple[int, int, int]) -> None:
        draw.rectangle([x, y0, x + w - 1, y0 + cell_h - 1], fill=colour)

    def label(x: int, w: int, value: str, colour: tuple[int, int, int], *, score: bool = False) -> None:
        # Centred in its cell both ways: a larger score stands as far above the codes' line as below it.
        font, digit_px = (painter.score_font, painter.score_px) if score else (painter.font, text_px)
        tx = x + (w - painter.text_width(value, score=score)) // 2
        draw.text((tx, y0 + (cell_h - digit_px) // 2 - font.getbbox("0")[1]), value, font=font, fill=colour)

    def clock_at(x: int) -> int:
        cell(x, clock_w, look.clock_cell)
        label(x, clock_w, text.clock, look.clock_text)
        x += clock_w
        if added_w:
            x += max(gap, 2)
            cell(x, added_w, look.clock_cell)
            label(x, added_w, f"+{text.added_minutes}", look.clock_text)
            x += added_w
        return x

    x = x0
    if look.clock_side == "left":
        x = clock_at(x) + gap
    score_x = x + code_w + mark_w + apart
    if apart:
        cell(x, code_w + mark_w, look.team_cell)
        cell(score_x + score_w + apart, code_w + mark_w, look.team_cell)
    else:
        cell(x, teams_w, look.team_cell)
    # Inner marks: [HOME][mark][score][mark][AWAY], as most FIFA and FC HUDs put them.
    after_score = score_x + score_w + apart
    places = ((x, x + code_w), (after_score + mark_w, after_score))
    for (code_x, mark_x), code, kit, other in zip(
        places, (text.home, text.away), look.kits, look.kits[::-1], strict=True
    ):
        if look.marks == "strips":
            draw.rectangle([mark_x, y0, mark_x + mark_w - 1, y0 + cell_h - 1], fill=kit)
        elif look.marks == "crests":
            crest_h = round(1.6 * text_px)
            top = y0 + (cell_h - crest_h) // 2
            draw.ellipse([mark_x + 2, top, mark_x + mark_w - 2, top + crest_h], fill=kit, outline=(230, 200, 60))
            draw.rectangle([mark_x + mark_w // 3, top + crest_h // 3, mark_x + 2 * mark_w // 3, top + 2 * crest_h // 3],
                           fill=other)  # fmt: skip
        label(code_x, code_w, code, look.team_text)
    if look.separator == "split":
        cells = look.split_cells or (look.score_cell, look.score_cell)
        number_w = (score_w - max(round(0.15 * text_px), 2)) // 2
        for index, value in enumerate(score_parts):
            part_x = score_x + index * (score_w - number_w)
            cell(part_x, number_w, cells[index])
            label(part_x, number_w, value, _text_of(cells[index], random.Random(index)), score=True)
    else:
        cell(score_x, score_w, look.score_cell)
        label(score_x, score_w, score_parts[0], look.score_text, score=True)
    x += teams_w
    if look.clock_side == "right":
        clock_at(x + gap)
    bgr = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    if look.soften:
        # A low bitrate: detail lost to downscaling, then blown back up.
        small = cv2.resize(bgr, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
        bgr = cv2.resize(small, (look.width, look.height), interpolation=cv2.INTER_LINEAR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, look.jpeg_quality])
    assert ok
    return cv2.imdecode(encoded, cv2.IMREAD_COLOR)


def random_text(rng: random.Random) -> HudText:
    home, away = rng.sample(CODES, 2)
    minute = rng.randint(0, 95)
    return HudText(
        home,
        away,
        rng.choice([0, 0, 1, 1, 2, 3, 4, 7, 10]),
        rng.choice([0, 0, 1, 1, 2, 3, 5, 6, 12]),
        f"{minute:02d}:{rng.randint(0, 59):02d}",
        added_minutes=rng.choice([0, 0, 0, rng.randint(1, 9)]),
    )


def smeared(frame: NDArray[np.uint8], boxes: list[tuple[int, int, int, int]]) -> NDArray[np.uint8]:
    """``frame`` with each box (left, top, right, bottom) blurred past reading: a goal's animation, a score the
    reader will not guess at."""
    out = frame.copy()
    for left, top, right, bottom in boxes:
        out[top:bottom, left:right] = cv2.GaussianBlur(out[top:bottom, left:right], (0, 0), 6)
    return out


def stroked(
    frame: NDArray[np.uint8], layout: HudLayout, colour: int | tuple[int, int, int], *, right: bool = False
) -> NDArray[np.uint8]:
    """``frame`` with a short upright stroke of ``colour`` (the score's text colour) just inside its first score
    box's left (or right) edge, halfway up: a cell's edge caught by one frame's compression. Taller than the smallest
    glyph a score mask keeps, shorter than a digit and within the digits' line (a blob reaching past the line is
    dropped as the crowd's: ``reader._without_strays``), so it changes the mask and not the reading."""
    box = layout.score[0].box
    out = frame.copy()
    x = box.right - 3 if right else box.left + 1
    height = max(4, round(layout.text_height_px * 0.35))
    top = (box.top + box.bottom - height) // 2
    cv2.rectangle(out, (x, top), (x + 1, top + height), colour, thickness=-1)
    return out


def read_as_a_stream_would(frame: NDArray[np.uint8]) -> tuple[HudLayout | None, ScoreboardReading | None]:
    """What the search finds on ``frame`` alone, and what a fresh reader reads on it once its team codes are
    confirmed (they are, over a few reads of the same frame)."""
    reader = ScoreboardReader()
    reading = None
    for _ in range(3):
        reading = reader.read(frame, fresh=True, may_locate=True) or reading
    return locate_hud(frame), reading
