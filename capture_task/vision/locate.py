"""Finds the scoreboard anywhere in a frame's top band (the bottom band as a fallback).

How, from first principles rather than from one game's looks:
1. Text-like blobs of either polarity: adaptive thresholds find marks brighter or darker than
   their surroundings; a glyph is glyph-sized and sits on a calm cell (the ring around it is
   flat compared with its own contrast), which grass, crowd and players rarely are.
2. Rows: glyphs of one text line share their top and bottom. Blobs of another height (a crest,
   a colour strip, an edge) fall into rows of their own, so they cannot join digits and codes.
3. Tokens: a row splits into tokens at gaps wider than letter spacing; the separator of a score
   ("-", " - ", ":") or the border between split score boxes is such a gap, whatever it looks like.
4. Each token is read alone; the row must hold ``CODE n n CODE`` (2-4 letter codes, one or two
   digits per number), the clock is ``m:ss`` digits nearest to the teams, left or right.
Each part's text polarity and the grey level between ink and cell are kept, so the reader can
threshold each part on later frames without looking again.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from capture_task.vision.geometry import (
    DESCENDER_MAX_HEIGHT,
    DESCENDER_MAX_WIDTH,
    DIGITS_SHARE_HEIGHT,
    WIDEST_CODE,
    Box,
    Frame,
    Mask,
    TextBox,
    blobs_left_to_right,
    bounding,
    clean_glyphs,
    glued_bar_rows,
    glyph_mask,
    gray,
    ink_columns,
    inner_bar_rows,
    inside_of,
    is_bar,
    is_outline,
    is_stroke,
    joints,
    looks_like_zero,
    other_polarity_level,
)
from capture_task.vision.ocr import PageMode, ocr_canvas, read_text
from capture_task.vision.work import count_blobs
from contracts import Teams

logger = logging.getLogger("highlight_bot.capture")

Band = tuple[str, float, float]
"""(name, top, bottom) of a horizontal band searched for the HUD, as fractions of the frame height."""
SEARCH_BANDS: tuple[Band, ...] = (("top", 0.0, 0.22), ("bottom", 0.78, 1.0))
"""Every FIFA and FC HUD sits in the top band, the full width of it (top-left or top-centre); some overlays
move it to the bottom."""
GLYPH_MIN_HEIGHT_FRACTION = 0.011
GLYPH_MAX_HEIGHT_FRACTION = 0.06
"""HUD glyphs are 1.1-6 % of the frame height at any resolution."""
TOKEN_GAP = 0.4
"""Glyphs further apart than this many text heights belong to different tokens (letter spacing
is ~0.05-0.2; a score's separator, a clock's colon or a box border leave more)."""
WIDE_BLOB = 0.8
"""A blob wider than this many text heights may be two letters touching (a bold 'M' is ~1.1: it is
only a permission to read one more letter); each further such width, one more (see :func:`touching_letters`)."""
WIDE_DIGITS_BLOB = 1.05
"""A blob wider than this many text heights is two digits touching (a bold '0' is ~0.9): it must
read as two."""
RING_SPREAD = 0.4
"""A glyph's surrounding ring is calm when its pixels' standard deviation is below this share of
the glyph's contrast (ink minus background)."""
RING_MOSTLY_FLAT = 0.1
RING_SPREAD_BESIDE_A_CELL = 0.6
"""Or when most of the ring is flat (its pixels' median distance from their median below the first
share) and its standard deviation below the second: another cell's colour on one side. Measured on
dev-seed styles: 0.41 for a digit beside the other team's cell, 0.68 for a patch of cell between a
colour strip and the crowd."""
ROWS_TRIED = 8
"""Candidate rows read per band, longest first: each costs a few OCR calls."""
HOOK_TOP_TOLERANCE = 0.12
"""A hooked letter's top is within this many text heights of the next glyph's (see ``_is_hooked_letter``)."""
HOOK_MIN_REACH = 0.12
"""How far left of its stem, in text heights, a hooked letter's foot reaches, its lean taken out (its right edge not
moving right: a blurred bar spreads both ways). dev-256's italic Noto Sans Bold 'J' reaches 0.13."""
KNOWN_HEIGHT_TOLERANCE = 1.3
"""A glyph within this factor of a known HUD's text height (either way) may be one of its letters or digits."""
KNOWN_HEIGHT_MIN_GLYPHS = 5
"""Glyphs of the known HUD's text height a row needs to be read when that HUD is looked for: two codes of two
letters or more and a number. A panel's title, a replay banner, the crowd, in other sizes, are not read."""

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
_LETTERS_FOR_DIGITS = str.maketrans("0125689", "OIZSGBB")
_DIGITS_FOR_LETTERS = str.maketrans("OQDIlLZSGB", "0001112568")


def _median(values: list[int] | list[float]) -> float:
    """``float(np.median(values))`` of a short list, without numpy's overhead (~20 us a call)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    return float(ordered[half]) if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


@dataclass(frozen=True)
class _Glyph:
    box: Box
    light: bool
    mask: Mask = field(repr=False, compare=False)
    ink: float
    background: float
    """The surrounding grey level nearest the ink (see :func:`_nearest_surrounding`)."""
    joined: bool = False
    """Cut out of a wider blob at a dash that joined it to its neighbour (see :func:`_cut_at_joints`)."""
    whole: _Glyph | None = field(default=None, repr=False, compare=False)
    """The blob a joined piece was cut from: an 'H' whose crossbar looked like such a dash reads as
    one letter again from it."""
    enclosed: bool = False
    """Bordered on all four sides by one blob of the other polarity (see :func:`_without_counters`)."""
    emblem: bool = False
    """A round blob with another of its own polarity inside it: a crest, no letter or digit (see :func:`_emblem`)."""
    strong: bool = False
    """Found by the strong look alone (see :func:`_glyphs_inside_others`)."""


@dataclass
class _Token:
    glyphs: list[_Glyph]
    text: str = ""
    kind: str = "other"  # "code", "number", "mark" (a strip or a '|': never read) or "other"

    @property
    def box(self) -> Box:
        return bounding([g.box for g in self.glyphs])

    @property
    def light(self) -> bool:
        return sum(g.light for g in self.glyphs) * 2 >= len(self.glyphs)

    @property
    def level(self) -> int:
        """The grey level halfway between this token's ink and its cell."""
        ink = _median([g.ink for g in self.glyphs])
        background = _median([g.background for g in self.glyphs])
        return round((ink + background) / 2)


@dataclass
class HudLayout:
    """Where the HUD's parts are on frames of one resolution, and what the teams read as there."""

    teams: Teams
    home: TextBox
    away: TextBox
    score: tuple[TextBox, ...]
    """One box holding both numbers, or one box per number (split score boxes, or a wide separator)."""
    clock: TextBox | None
    text_height_px: int
    team_masks: tuple[Mask, Mask] = field(repr=False)
    clock_without_colon: bool = False
    """The clock was one token of digits (``2028`` for ``20:28``): a HUD whose colon was lost, or any number
    beside a widget. Such a layout is searched again, as one without a clock is."""
    score_text_height_px: int | None = None
    """The score's digits' own height when it is not the codes' (``SCORE_OWN_HEIGHT``); None when it is."""
    marks: tuple[Box, ...] = ()
    """The tokens the search found between the codes that are no number (a crest's parts, a strip, a separator, a
    glyph it could not read): no code box is widened into them (``code_edges``)."""

    @property
    def score_height_px(self) -> int:
        """The text height the score is read at: its digits' own, or the codes'."""
        return self.score_text_height_px or self.text_height_px

    @property
    def extent(self) -> Box:
        """The smallest box holding every part: both codes, the score, and the clock when there is one."""
        parts = [self.home, self.away, *self.score, *([self.clock] if self.clock is not None else [])]
        return bounding([part.box for part in parts])

    @property
    def rows_needed(self) -> int:
        """Rows from the frame's top that hold this HUD and a text height below it: what a keyframe decoded only at
        its top must hold to be searched near this HUD (``band``); reading it needs only ``extent``'s rows."""
        return self.extent.bottom + self.text_height_px

    def band(self, frame_height: int) -> Band:
        """The rows of this HUD, two text heights above it and down to ``rows_needed``, the full width: where the
        next match's HUD or this one back after a panel shows, in another width (longer codes, a new clock box)
        or a little lower."""
        top, bottom = max(self.extent.top - 2 * self.text_height_px, 0), min(self.rows_needed, frame_height)
        return "known", top / frame_height, bottom / frame_height


@dataclass
class LocateReport:
    """What one search looked at, for the warning logged when no HUD turns up."""

    bands: list[str] = field(default_factory=list)
    rows: int = 0
    rows_read: int = 0
    best: str = ""


TEXT_OFFSET = 10
"""Grey levels by which a glyph stands brighter (or darker) than the mean of its neighbourhood."""
STRONG_TEXT_OFFSET = 40
"""The offset of the last look: ink this far from its neighbourhood's mean is text set apart from its own cell.

Why: a cell drawn tight round its text over the crowd stands out from the crowd itself, so at the usual offset the
cell is ink too, and the glyph on it is one blob with the cell and, through the crowd's blocks touching the cell,
with half the band (unseen-12: a thin white '1' on a blue score box; dev-558's digits on teal boxes; dev-542's on a
blue and a red box). Legible text stands much further from its cell than a cell from the crowd around it: at 40 grey
levels the glyph comes apart from both. Not the first look: strokes lighter than that (anti-aliased thin type,
text on a cell of a near shade) break up at this offset, and the usual offset reads them."""


@dataclass(frozen=True)
class _Look:
    """One way of looking for glyphs: the neighbourhood sizes and the offset their thresholds use."""

    fine: bool
    offset: int = TEXT_OFFSET
    finest: bool = False
    """Also in neighbourhoods of about half a text height: see ``FINEST_BLOCK``."""

    @property
    def strong(self) -> bool:
        return self.offset > TEXT_OFFSET


FINEST_BLOCK = 0.2
"""The finest neighbourhood, as a share of the tallest glyph height looked for: about half a text height of 18 px at
720p. Why: a score cell in a team's colour barely wider than small text is ink at the fine look's size too (about a
text height: the cell and its black neighbours average below the cell), its digit one blob with it and the crowd:
dev-886's white '0' on an orange cell, 18 px Bebas Neue, never found ('GAL 0 FCB'), both goals lost (said). In half
a text height, the cell is the neighbourhood and the digit stands out of it. Only in the fine look: the strong one
sets glyphs apart from their cells by its offset, and each size costs a threshold and a labelling of the band."""

LOOKS = (_Look(fine=False), _Look(fine=True, finest=True), _Look(fine=True, offset=STRONG_TEXT_OFFSET))
"""Tried in turn, each over every band, until one finds the HUD: each finds more than the one before, of the HUD
and of everything else (so costs more, and its candidates are taken more warily)."""


@dataclass
class _UsualGlyphs:
    """What the usual threshold found in one band, of one polarity, in neighbourhoods of one size: its glyphs, its
    components (labels, stats), and which of those were taken as glyphs (the strong look asks which)."""

    glyphs: list[_Glyph]
    components: tuple[NDArray[Any], NDArray[Any]]
    taken: NDArray[np.bool_]


def _glyphs(
    area: Frame,
    frame_height: int,
    look: _Look = LOOKS[0],
    seen: dict[tuple[bool, int], _UsualGlyphs] | None = None,
) -> list[_Glyph]:
    """Glyph-sized blobs brighter or darker than a calm surrounding.

    Brighter or darker than the mean of a neighbourhood twice the tallest text height, which suits
    text on a wide cell. A cell barely larger than its text and much lighter or darker than the
    cells beside it (an accent-coloured score box) is itself "ink" at that scale, its digits merged
    into it; a ``fine`` look also looks in neighbourhoods of about one text height, which find them
    (and more fragments of everything else, so only when the first look found no HUD), and a ``finest`` one in
    half that, for a cell barely wider than small text (``FINEST_BLOCK``); a strong one
    asks more contrast of the ink (see ``STRONG_TEXT_OFFSET``). ``seen`` keeps what the usual threshold found in
    this ``area``, per polarity and neighbourhood size, for the next look over it: the fine look repeats the
    coarse one's size, the strong look both of the fine one's.
    """
    grey = gray(area)
    min_h = max(round(GLYPH_MIN_HEIGHT_FRACTION * frame_height), 6)
    max_h = round(GLYPH_MAX_HEIGHT_FRACTION * frame_height)
    blocks = (max(round(max_h * 0.8) | 1, 15),) + ((max(round(max_h * 0.4) | 1, 9),) if look.fine else ())
    blocks += (max(round(max_h * FINEST_BLOCK) | 1, 7),) if look.finest else ()
    kinds = list(itertools.product((True, False), blocks))
    usual = _usual_glyphs(grey, blocks, min_h, max_h, {} if seen is None else seen)
    glyphs = [glyph for kind in kinds for glyph in usual[kind].glyphs]
    if not look.strong:
        return glyphs
    strong = {(light, block): _components(grey, light, block, look.offset) for light, block in kinds}
    for light, block in kinds:
        glyphs += _glyphs_inside_others(
            grey, light, strong[(light, block)], strong[(not light, block)][0], usual[(light, block)].components,
            usual[(light, block)].taken, min_h, max_h,
        )  # fmt: skip
    return glyphs


def _components(grey: Frame, light: bool, block: int, offset: int) -> tuple[NDArray[Any], NDArray[Any]]:
    """Labels and stats of the blobs ``offset`` grey levels brighter (``light``) or darker than the mean of their
    ``block``-sized neighbourhood."""
    mode = cv2.THRESH_BINARY if light else cv2.THRESH_BINARY_INV
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, mode, block, -offset if light else offset)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    count_blobs(len(stats))
    return labels, stats


def _usual_glyphs(
    grey: Frame, blocks: tuple[int, ...], min_h: int, max_h: int, seen: dict[tuple[bool, int], _UsualGlyphs]
) -> dict[tuple[bool, int], _UsualGlyphs]:
    """The glyphs at the usual offset (``TEXT_OFFSET``), per polarity and each of ``blocks``; what ``seen`` holds
    is taken from it, and what is found is added to it."""
    kinds = list(itertools.product((True, False), blocks))
    components = {
        (light, block): seen[(light, block)].components if (light, block) in seen
        else _components(grey, light, block, TEXT_OFFSET)
        for light, block in kinds
    }  # fmt: skip
    for light, block in kinds:
        if (light, block) in seen:
            continue
        labels, stats = components[(light, block)]
        other_labels = components[(not light, block)][0]
        sized, barred = _glyph_candidates(stats, min_h, max_h)
        taken = np.zeros(len(stats), dtype=bool)
        glyphs: list[_Glyph] = []
        for label in np.flatnonzero(sized | barred):
            x, y, bw, bh = (int(v) for v in stats[label, :4])
            own = labels[y : y + bh, x : x + bw] == label
            bar = glued_bar_rows(own) if barred[label] else None
            if bar is None and barred[label] and bh > max_h:
                bar = inner_bar_rows(own)  # taller than any text: the crowd beyond a strip glued to a code
            found: list[_Glyph] = []
            if bar is not None:
                found = _glyphs_over_bar(grey, labels, light, Box(x, y, x + bw, y + bh), own, bar, min_h, max_h)
            elif sized[label]:
                found = _glyph(grey, labels, light, Box(x, y, x + bw, y + bh), own, int(label), stats, other_labels)
            taken[label] = bool(found)
            glyphs += found
        seen[(light, block)] = _UsualGlyphs(glyphs, (labels, stats), taken)
    return {kind: seen[kind] for kind in kinds}


def _glyph_candidates(stats: NDArray[Any], min_h: int, max_h: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which components (by label) are glyph-sized, and which may be a code glued to its colour strip."""
    w, h, area_px = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    filled = area_px >= 0.12 * w * h
    sized = _glyph_sized(w, h, min_h, max_h) & filled
    # A blob no glyph could be (too tall, too wide, or too wide to be letters touching, see _cut_at_joints) up
    # to the tallest text and a bar's thickness more may be a code glued to its colour strip. Only such: the
    # feet of letters set touching ('LE') cover a blob's width as a bar does, and are cut with it.
    barred = (h >= min_h) & (h <= GLUED_BAR_MAX_HEIGHT * max_h) & (w > 2.0 * h) & filled
    barred |= (h > max_h) & (h <= GLUED_BAR_MAX_HEIGHT * max_h) & (w > WIDE_DIGITS_BLOB * h) & filled
    sized[0] = barred[0] = False
    return sized, barred


def _glyphs_inside_others(
    grey: Frame,
    light: bool,
    strong: tuple[NDArray[Any], NDArray[Any]],
    strong_other_labels: NDArray[Any],
    usual: tuple[NDArray[Any], NDArray[Any]],
    usual_taken: NDArray[np.bool_],
    min_h: int,
    max_h: int,
) -> list[_Glyph]:
    """The glyphs the strong threshold (``strong``: its labels and stats) finds inside blobs (``usual``: labels and
    stats) the usual one did not take as glyphs (a tight cell and the crowd it touches, see ``STRONG_TEXT_OFFSET``),
    or took as a glyph standing clear above and below it (a cell the size of a glyph, holding one: dev-542's blue
    score box).

    Not elsewhere: a glyph the usual threshold found whole was taken by it, and what the strong one leaves of it
    (the thin strokes of a chat line's lower-case letters gone) is fragments, which read as letters: on a replay of
    dev-197, '19:01 pepe_ftw: 5-4 incoming' read as '19 01 EP ? 5 4 LU', a HUD with a clock. Every strong blob lies
    inside one usual blob (it is the same threshold, higher), so one pixel of it tells which.
    """
    labels, stats = strong
    usual_labels, usual_stats = usual
    sized, _ = _glyph_candidates(stats, min_h, max_h)
    glyphs: list[_Glyph] = []
    for label in np.flatnonzero(sized):
        x, y, bw, bh = (int(v) for v in stats[label, :4])
        own = labels[y : y + bh, x : x + bw] == label
        row, column = np.argwhere(own)[0]
        around = usual_labels[y + row, x + column]
        top, height = int(usual_stats[around, cv2.CC_STAT_TOP]), int(usual_stats[around, cv2.CC_STAT_HEIGHT])
        clear = max(bh // 10, 2)
        inside = y - top >= clear and top + height - (y + bh) >= clear
        if usual_taken[around] and not inside:
            continue
        found = _glyph(grey, labels, light, Box(x, y, x + bw, y + bh), own, int(label), stats, strong_other_labels)
        glyphs += [replace(glyph, strong=True) for glyph in found]
    return glyphs


def _glyph_sized(width: Any, height: Any, min_h: int, max_h: int) -> Any:
    """Whether blobs of ``width`` and ``height`` (numbers, or arrays of them) are glyph-sized: a text height the
    search looks for, up to 4 text heights wide (two numbers glued by their dash, '0–0', are one blob, cut at
    the joint), not a sliver."""
    return (height >= min_h) & (height <= max_h) & (width <= 4.0 * height) & (width * 12 >= height)


GLUED_BAR_MAX_HEIGHT = 1.6
"""A code with a colour strip glued under it is up to this many times the tallest text's height."""


def _glyph(
    grey: Frame,
    labels: NDArray[Any],
    light: bool,
    box: Box,
    own: Mask,
    label: int | None,
    stats: NDArray[Any] | None = None,
    other_labels: NDArray[Any] | None = None,
) -> list[_Glyph]:
    """The glyph (or glyphs, cut at joints) of the blob ``own`` in ``box`` if it stands on a calm cell; ``label``
    and the components, when the blob is one of them, tell whether it is an emblem or enclosed."""
    bw, bh = box.width, box.height
    ring = box.padded(max(bh // 5, 2), max(bh // 5, 2), grey.shape)
    # The ring is the cell around the glyph: background pixels only, not its neighbour letters.
    ring_pixels = ring.crop(grey)[labels[ring.top : ring.bottom, ring.left : ring.right] == 0]
    if ring_pixels.size < bw + bh:
        return []
    ink = float(box.crop(grey)[own].mean())
    levels = _GreyLevels(ring_pixels)
    background = levels.median()
    contrast = abs(ink - background)
    if contrast < 25 or not _calm(ring_pixels, levels, background, contrast):
        return []
    background = _nearest_surrounding(levels, light, background, contrast)
    if bw > WIDE_DIGITS_BLOB * bh:
        return _cut_at_joints(_Glyph(box, light, own, ink, background))
    if label is None or stats is None or other_labels is None:
        return [_Glyph(box, light, own, ink, background)]
    emblem = _emblem(box, label, labels, stats)
    return [_Glyph(box, light, own, ink, background, enclosed=_enclosed(box, other_labels), emblem=emblem)]


def _glyphs_over_bar(
    grey: Frame, labels: NDArray[Any], light: bool, box: Box, own: Mask, bar: tuple[int, int], min_h: int, max_h: int
) -> list[_Glyph]:
    """The glyphs of a blob once the bar glued along its bottom or top (rows ``bar`` of it) is cut off: the letters
    of a code drawn touching its colour strip (see :func:`glued_bar_rows`). Their ring leaves out the bar, as it
    leaves out the blob they were part of."""
    text = own.copy()
    text[bar[0] : bar[1]] = False
    count, parts, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    glyphs: list[_Glyph] = []
    for part in range(1, count):
        x, y, w, h = (int(v) for v in stats[part, :4])
        if _glyph_sized(w, h, min_h, max_h):
            inner = Box(box.left + x, box.top + y, box.left + x + w, box.top + y + h)
            glyphs += _glyph(grey, labels, light, inner, parts[y : y + h, x : x + w] == part, None)
    return glyphs


EMBLEM_MIN_ASPECT = 0.9
"""A blob at least this wide for its height may be an emblem: a round crest. A dotted zero, the one digit with a mark
inside it, is narrower (~0.6), and so are most outlined digits (an outlined '0''s inner outline lies inside it)."""
EMBLEM_ISLAND_MIN_HEIGHT = 0.2
"""The blob inside an emblem is at least this share of its height (a speck of noise is less)."""
EMBLEM_ISLAND_MIN_ASPECT = 0.6
"""The blob inside an emblem is a solid dot, about as wide as tall (either way, at least this share). The inner
outline round an outlined '0''s or 'O''s counter is a ring (it has a hole), and a '0''s a tall one."""


def _emblem(box: Box, label: int, labels: NDArray[Any], stats: NDArray[Any]) -> bool:
    """Whether the blob ``label`` in ``box`` is round and has a solid round blob of its own polarity wholly inside
    it, clear of its edges: a rim round a dot, a roundel, a crest; no letter or digit is drawn so.

    Why: a roundel crest of text height beside each number (dev-254: dark rim, light field, dark centre) joined the
    numbers' tokens: 'BRUG O2 10 MCFC', and the HUD was never found. The field is found in the other polarity only
    where it is lighter than the cell, so the crest was not known as a graphic (``_graphic_parts``). The dot must be
    solid and round: taking any blob inside took an outlined bold '0' (its outline round the outline of its
    counter) for a crest, and dev-308's HUD was never found.
    """
    if box.width < EMBLEM_MIN_ASPECT * box.height:
        return False
    inside = np.unique(labels[box.top + 1 : box.bottom - 1, box.left + 1 : box.right - 1])
    for other in inside:
        if other in (0, label):
            continue
        x, y, w, h = (int(v) for v in stats[other, :4])
        within = x > box.left and y > box.top and x + w < box.right and y + h < box.bottom
        if not within or h < EMBLEM_ISLAND_MIN_HEIGHT * box.height or min(w, h) < EMBLEM_ISLAND_MIN_ASPECT * max(w, h):
            continue
        if not inside_of(labels[y : y + h, x : x + w] == other).any():  # a dot, not a ring
            return True
    return False


COUNTER_REACH = 3
"""Pixels beyond a blob's box where a glyph of the other polarity enclosing it is looked for."""
SLOT_MAX_ASPECT = 0.4
COUNTER_MAX_HEIGHT = 0.85
"""An enclosed blob less tall than this share of its row's text is a counter (a '0''s is ~0.7), not a glyph."""


def _enclosed(box: Box, labels: NDArray[Any]) -> bool:
    """Whether one blob of the other polarity borders the blob in ``box`` on all four sides, within
    ``COUNTER_REACH`` pixels: the blob is a counter (the slot of a '0'), or a glyph on a cell."""
    rows, columns = labels.shape
    middle_row, middle_column = (box.top + box.bottom) // 2, (box.left + box.right) // 2
    reach = range(COUNTER_REACH)
    probes = (
        [(middle_row, box.left - 1 - step) for step in reach],
        [(middle_row, box.right + step) for step in reach],
        [(box.top - 1 - step, middle_column) for step in reach],
        [(box.bottom + step, middle_column) for step in reach],
    )
    sides: set[int] = set()
    for probe in probes:
        found = {int(labels[r, c]) for r, c in probe if 0 <= r < rows and 0 <= c < columns} - {0}
        if len(found) != 1:
            return False
        sides |= found
    return len(sides) == 1


def _without_counters(row: list[_Glyph]) -> list[_Glyph]:
    """The row without the counters of glyphs of the other polarity.

    Why: where a light '0' is not found as a glyph (joined to the crowd above its cell), its dark counter
    is, a slot that reads '1': dev-78's 0-0 read 0-1, and the match was joined at 0-1. A digit on a cell is
    enclosed too, but is as tall as the text; a counter is shorter. Only slots go: two letters glued into one
    blob on a cell may be shorter than a row of taller marks, but are wide (dev-62's 'LI').
    """
    height = _median([g.box.height for g in row])
    return [g for g in row if not (g.enclosed and _slot(g.box) and g.box.height < COUNTER_MAX_HEIGHT * height)]


def _score_part(frame: Frame, box: Box, number: _Token, text_height: int) -> TextBox:
    """The part reading one number (or both) in ``box``, in the number's polarity; in the other one when the number
    was found only by its digits' counters (each glyph enclosed by the other polarity, shorter than the text).

    Why: light digits on a mid-grey score cell (dev-149: white on a green gradient, drop-shadowed) join the
    cell, and through it the crowd above the HUD, at the search's scales; only the dark counters of its '0-0'
    stand apart as glyphs, read '6 6'. Read dark, the box showed only those counters: no score was ever read.
    The other polarity's level is cut as ``glyph_mask_inverted`` cuts it (``other_polarity_level``).
    """
    counters = all(g.enclosed and g.box.height < COUNTER_MAX_HEIGHT * text_height for g in number.glyphs)
    if not counters:
        return TextBox(box, number.light, number.level)
    return TextBox(box, not number.light, round(other_polarity_level(gray(box.crop(frame)), light=number.light)))


def _slot(box: Box) -> bool:
    """A blob as narrow as a '1': the counter of a condensed '0' (a rounder counter reads '0', which it is)."""
    return box.width < SLOT_MAX_ASPECT * box.height


class _GreyLevels:
    """Order statistics of a glyph's ring of uint8 grey pixels, from one histogram of its 256 levels.

    Why: ``np.median`` and ``np.percentile`` on a ring of a few dozen pixels cost ~20-60 us each, mostly
    numpy's overhead, and a search computes them for every glyph-sized blob (hundreds per band). These
    give the same floats (the same interpolation, in the same float64 arithmetic): a performance change
    only, checked against numpy in ``tests/unit/test_locate_statistics.py``.
    """

    def __init__(self, pixels: Frame) -> None:
        counts = np.bincount(pixels, minlength=256)
        self._present = np.flatnonzero(counts)
        self._counts = counts[self._present]
        self._cumulative = np.cumsum(self._counts)
        self.size = int(pixels.size)

    def _nth(self, cumulative: NDArray[np.intp], values: NDArray[Any], index: int) -> Any:
        return values[int(np.searchsorted(cumulative, index, side="right"))]

    def median(self) -> float:
        """``float(np.median(pixels))``."""
        return self._median_of(self._cumulative, self._present)

    def _median_of(self, cumulative: NDArray[np.intp], values: NDArray[Any]) -> float:
        half = self.size // 2
        if self.size % 2:
            return float(self._nth(cumulative, values, half))
        return (float(self._nth(cumulative, values, half - 1)) + float(self._nth(cumulative, values, half))) / 2

    def percentile(self, percent: int) -> float:
        """``float(np.percentile(pixels, percent))``: numpy's linear interpolation, term for term."""
        quantile = percent / 100
        virtual = (self.size - 1) * quantile
        below = min(int(virtual // 1), self.size - 1)
        above = min(below + 1, self.size - 1)
        gamma = virtual - below
        low = int(self._nth(self._cumulative, self._present, below))
        high = int(self._nth(self._cumulative, self._present, above))
        step = high - low
        return high - step * (1 - gamma) if gamma >= 0.5 else low + step * gamma

    def median_distance_from(self, level: float) -> float:
        """``float(np.median(np.abs(pixels - level)))``."""
        distances = np.abs(self._present - level)
        order = np.argsort(distances, kind="stable")
        return self._median_of(np.cumsum(self._counts[order]), distances[order])


NEAREST_SURROUNDING_PERCENTILE = 75
OUTLINED_RING_SHIFT = 0.25
"""A glyph's ring holds a second surrounding (the cell beyond an outline) when the level this share of
it lies at (from the far side of the ink) differs from the ring's median by more than the second
share of the glyph's contrast; a plain cell with anti-aliased edges differs by less."""


def _nearest_surrounding(ring: _GreyLevels, light: bool, median: float, contrast: float) -> float:
    """The grey level around a glyph that lies nearest its ink: the cell, when an outline hugs the glyph.

    An outlined digit's ring is mostly its outline (black round white ink), with the cell beyond it;
    the median is the outline's level, and a threshold halfway between it and the ink sits just
    above a mid-grey cell (a team-coloured score box), so the cell's noise turns into ink on some
    frames and not on others. A threshold halfway between the ink and the nearer of the two clears
    both. On a plain cell the ring's median stands (a higher threshold would thin light type).
    """
    percentile = NEAREST_SURROUNDING_PERCENTILE if light else 100 - NEAREST_SURROUNDING_PERCENTILE
    nearer = ring.percentile(percentile)
    return nearer if abs(nearer - median) > OUTLINED_RING_SHIFT * contrast else median


def _cut_at_joints(glyph: _Glyph) -> list[_Glyph]:
    """A blob wider than any digit, cut where a dash joins two numbers (see :func:`joints`).

    Without a joint, a blob up to two text heights wide stays whole (letters touching: read as
    several); a wider one is no text.
    """
    box = glyph.box
    found = joints(glyph.mask, box.height)
    if not found:
        return [glyph] if box.width <= 2.0 * box.height else []
    edges = [0, *(edge for joint in found for edge in joint), box.width]
    parts = []
    for start, end in itertools.pairwise(edges):
        if (start, end) in found or end <= start:
            continue
        mask = glyph.mask[:, start:end]
        part = Box(box.left + start, box.top, box.left + end, box.bottom)
        parts.append(_Glyph(part, glyph.light, mask, glyph.ink, glyph.background, joined=True, whole=glyph))
    return parts


def _calm(ring: Frame, levels: _GreyLevels, background: float, contrast: float) -> bool:
    """Whether a glyph's surrounding ring is a cell rather than grass or crowd.

    Flat all round; or flat over most of it with one other flat colour on a side, as a glyph near
    the edge of its cell has (a score box in a team's colour beside the next cell). Grass and
    crowd are busy over most of the ring.
    """
    spread = float(ring.std())
    if spread <= RING_SPREAD * contrast:
        return True
    mostly_flat = levels.median_distance_from(background) <= RING_MOSTLY_FLAT * contrast
    return mostly_flat and spread <= RING_SPREAD_BESIDE_A_CELL * contrast


def _rows(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs sharing top and bottom (within a fifth of their height), near each other, as rows."""
    parent = list(range(len(glyphs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(glyphs)), key=lambda i: glyphs[i].box.left)
    # (left, right, top, bottom, height) once per glyph: this pairwise loop runs thousands of times a search.
    edges = [(b.left, b.right, b.top, b.bottom, b.bottom - b.top) for b in (glyphs[i].box for i in order)]
    for position, i in enumerate(order):
        a_left, a_right, a_top, a_bottom, a_height = edges[position]
        reach = a_right + ROW_REACH * a_height
        for offset, (b_left, b_right, b_top, b_bottom, b_height) in enumerate(edges[position + 1 :]):
            if b_left > reach:
                break
            a_width, b_width, gap = a_right - a_left, b_right - b_left, b_left - a_right
            if _same_line_edges(a_top, a_bottom, a_height, a_width, b_top, b_bottom, b_height, b_width, gap):
                j = order[position + 1 + offset]
                parent[root(j)] = root(i)
    rows: dict[int, list[_Glyph]] = {}
    for i in order:
        rows.setdefault(root(i), []).append(glyphs[i])
    found = [row for row in rows.values() if len(row) >= 4]
    shortest = min((glyph.box.height for row in found for glyph in row), default=0)
    tall = [glyph for glyph in glyphs if glyph.box.height > DESCENDER_MAX_HEIGHT * shortest]
    return [_deduplicated(_without_counters(_with_overhangs_cut(row, tall))) for row in found]


OVERHANG_MAX = 1.0
"""How far beyond its row's line (in text heights) the ink glued to a letter of it may reach and be cut off."""
OVERHANG_NECK_REACH = 0.4
"""The cut is made within this many text heights beyond the line's edge (a descender's reach), where the glyph's
ink widens most from one row to the next going away from the line: where the letter meets what it touches."""


def _with_overhangs_cut(row: list[_Glyph], tall: list[_Glyph]) -> list[_Glyph]:
    """The row with each letter glued to what lies beyond its cell cut free and added back.

    Why: a cell drawn tight round dark letters over the crowd leaves a letter that touches the cell's edge (a 'J''s
    tail, a letter set high) joined to the crowd's dark blocks beyond it: one blob, taller than any descender, on no
    line; its neighbours become two one-letter tokens and the code is lost (dev-1008's 'AJX': 'J' 43 px high with
    the crowd under its 28 px cell, 'A' and 'X' read alone, the HUD never found). Such a glyph shares one edge of
    the row's line (its top, or its foot), stands between two glyphs of it, each as near as a letter's neighbour, and
    its ink beyond the other edge is cut off where it widens most within ``OVERHANG_NECK_REACH`` text heights of that
    edge: where the letter meets what it touches. Cut free, its top is the line's. Not a glyph beside one glyph of
    the row only: the crowd beyond a HUD's edge cut so joined a code (a drawn 'CELT' over the crowd read as a token of
    five glyphs, no code: its HUD lost), and a piece of the crowd between a score cell and a code, cut at the
    line's foot, stood above the line (unseen-16: taken as a mark, its HUD searched for again, 3.5 CPU s).
    """
    height = _median([glyph.box.height for glyph in row])
    top = round(_median([glyph.box.top for glyph in row]))
    bottom = round(_median([glyph.box.bottom for glyph in row]))
    gap = DESCENDER_MAX_GAP * height
    near, far = round(0.1 * height), round(OVERHANG_NECK_REACH * height)
    cut: list[_Glyph] = []
    for glyph in tall:
        box = glyph.box
        if not height * DESCENDER_MAX_HEIGHT < box.height <= height * (1 + OVERHANG_MAX):
            continue
        middle = (box.left + box.right) / 2
        before = any(other.box.right <= middle and box.left - other.box.right <= gap for other in row)
        after = any(other.box.left >= middle and other.box.left - box.right <= gap for other in row)
        if not (before and after):
            continue  # not inside a word: the crowd beside a HUD's edge cuts into glyph-sized pieces too
        widths = glyph.mask.sum(axis=1).astype(int)
        if abs(box.top - top) <= 0.1 * height:
            # Between rows ``at`` and ``at + 1``, growing most away from the line.
            reach = range(max(bottom - near - box.top, 1), min(bottom + far - box.top, box.height - 1))
            kept = (0, max(reach, key=lambda at: widths[at + 1] - widths[at]) + 1) if reach else None
        elif abs(box.bottom - bottom) <= 0.1 * height:
            reach = range(max(top - far - box.top, 1), min(top + near - box.top, box.height - 1))
            kept = (max(reversed(reach), key=lambda at: widths[at - 1] - widths[at]), box.height) if reach else None
        else:
            continue
        if kept is None:
            continue
        piece = _trimmed(glyph, *kept)
        # Cut free, it stands on the line as a letter does: its top on the line's, its foot there or a tail below.
        if piece is not None and abs(piece.box.top - top) <= near and piece.box.height <= DESCENDER_MAX_HEIGHT * height:
            cut.append(piece)
    return sorted(row + cut, key=lambda glyph: glyph.box.left) if cut else row


def _trimmed(glyph: _Glyph, first_row: int, end_row: int) -> _Glyph | None:
    """The glyph's rows ``first_row`` to ``end_row`` of its box, cropped to their ink (None if there is none)."""
    mask = glyph.mask[max(first_row, 0) : end_row]
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    mask = mask[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    left, top = glyph.box.left + int(columns[0]), glyph.box.top + max(first_row, 0) + int(rows[0])
    return replace(glyph, box=Box(left, top, left + mask.shape[1], top + mask.shape[0]), mask=mask, whole=None)


DESCENDER_MAX_GAP = 0.5
"""A glyph with a tail below the line stands at most this many text heights from the one it shares the line with."""
ROW_REACH = 6
"""Glyphs up to this many of their heights apart may share a row (a clock, a divider and a crest stand between
a clock and its code). 8 joined a translucent HUD's row with crowd specks beyond its away code, read 'SEVE'
(dev-32); at 6 the clock of dev-56, 6.1 heights away, is left out (that HUD is not found for its touching
italic code 'AJ' anyway)."""
SAME_LINE_MIN_OVERLAP = 0.75
"""Glyphs of about the same height overlapping vertically by this share of the shorter one are on one line."""
SAME_LINE_OVERLAP_MAX_HEIGHT_RATIO = 1.12
"""How much taller than the other a glyph may be and still share its line by overlapping: the same type size
(a digit overshoots a letter by a few %). Smaller text beside the HUD (a widget's) joined its row otherwise, and
the row's text height, the median of its glyphs', came out too small to keep the HUD's own digits (dev-26)."""


def _same_line(a: Box, b: Box) -> bool:
    """Top and bottom aligned; or one of them aligned and the other off by a descender or tail (J, Q); or,
    about as tall, mostly overlapping: numbers set a little lower than the codes in their cell (the score
    cell's own padding, a shadow), which left codes and numbers on two "lines" and the HUD unfound (dev-25).

    A crest or a badge is centred on the cell and taller than the text: neither edge aligns.
    """
    gap = max(b.left - a.right, a.left - b.right)
    return _same_line_edges(a.top, a.bottom, a.height, a.width, b.top, b.bottom, b.height, b.width, gap)


def _same_line_edges(
    a_top: int,
    a_bottom: int,
    a_height: int,
    a_width: int,
    b_top: int,
    b_bottom: int,
    b_height: int,
    b_width: int,
    gap: int,
) -> bool:
    """:func:`_same_line` of two boxes given by their edges, sizes and the ``gap`` between them (no ``Box`` property
    calls)."""
    shorter = a_height if a_height < b_height else b_height
    top = a_top - b_top if a_top >= b_top else b_top - a_top
    bottom = a_bottom - b_bottom if a_bottom >= b_bottom else b_bottom - a_bottom
    if top <= 0.2 * shorter and bottom <= 0.2 * shorter:
        return True
    taller = a_height if a_height > b_height else b_height
    if (top if top < bottom else bottom) <= 0.1 * shorter and taller <= 1.3 * shorter:
        return True
    if (
        top <= 0.1 * shorter
        and bottom >= taller - shorter - 1
        and taller <= DESCENDER_MAX_HEIGHT * shorter
        and gap <= DESCENDER_MAX_GAP * shorter
    ):
        # A 'J''s tail below the line: all the taller one's extra height is below the other's bottom, and it is
        # narrow. At 1.3 (either edge) dev-256's italic outlined Noto Sans Bold 'J', 1.30 times its 'U', fell off
        # its row: 'JU' read 'U', the HUD never found. A blob of the crowd as wide as tall beside a translucent HUD
        # joined dev-116's row so and read 'FATM'; a digit joined to the crowd above and below its cell is taller
        # both ways (unseen-23). A 'J' stands as near its letters as they stand to each other: far apart, narrow
        # blobs of grass and players joined rows, and the search read twice as many tokens.
        return (a_width if a_height > b_height else b_width) <= DESCENDER_MAX_WIDTH * taller
    overlap = (a_bottom if a_bottom < b_bottom else b_bottom) - (a_top if a_top > b_top else b_top)
    return overlap >= SAME_LINE_MIN_OVERLAP * shorter and taller <= SAME_LINE_OVERLAP_MAX_HEIGHT_RATIO * shorter


def _deduplicated(row: list[_Glyph]) -> list[_Glyph]:
    """One glyph per place: a blob found in both polarities (a hole, a cell edge) counts once; where the
    two are a glyph and the outline or cell round it, the glyph; where either is an emblem, an emblem."""
    kept: list[_Glyph] = []
    text_height = _median([g.box.height for g in row])
    for glyph in row:
        clash = next((index for index, other in enumerate(kept) if _overlap(glyph.box, other.box) > 0.5), None)
        if clash is None:
            kept.append(glyph)
            continue
        other = kept[clash]
        if _fills_outline(glyph, other) or _printed_on_cell(glyph, other) or _cut_from_cell(glyph, other, text_height):
            kept[clash] = glyph
        if glyph.emblem or other.emblem:
            # A crest's field inside its rim is no glyph either (the rim alone shows it is a crest).
            kept[clash] = replace(kept[clash], emblem=True)
    return kept


def _cut_from_cell(inner: _Glyph, outer: _Glyph, text_height: float) -> bool:
    """Whether ``inner`` is a glyph and ``outer`` the same glyph found joined to the edge of its cell: both of one
    polarity, ``outer``'s box round ``inner``'s, ``inner`` of the row's text height and ``outer`` taller than it.

    Why: an accent-coloured score cell lighter than the HUD round it, its light digits in a margin a few pixels
    high (dev-274: cream digits on a green cell, 30 px text in a 40 px cell): at the search's coarse scale the
    cell's edge is lighter than the dark HUD beside it and joined each digit into a blob of the cell's height; the
    finer scale finds each digit alone, but the blob found first stood for the place, and the HUD was never found.
    Of a letter and a fragment of it (also found by the finer scale), the letter is the one of the text's height.
    """
    a, b = inner.box, outer.box
    if inner.light != outer.light or not b.contains(a):
        return False
    return b.height > a.height and abs(a.height - text_height) < abs(b.height - text_height)


OUTLINE_MAX_THICKNESS = 0.2
"""An outline around a glyph is at most this share of the glyph's height thick on any side."""
FILL_MAX_SOLIDITY = 0.85
"""A glyph's fill covers less of its convex hull than this (a '0' is a ring, a '1' has a flag); a
letter's hole, the other thing found inside a glyph, is a convex blob covering nearly all of it."""
CELL_TEXT_MIN_HEIGHT = 0.5
"""A cell is at most twice as tall as the text printed on it."""
CELL_MIN_COVER = 0.9
"""A cell's blob and the glyph printed on it cover at least this share of the cell's box (a letter's
blob and its hole cover a letter's outline: an 'O' ~0.79, and its hole is convex anyway)."""


def _inside_non_convex(inner: _Glyph, outer: _Glyph, min_height: float) -> bool:
    """The opening test of both rules below: ``inner`` is of the other polarity, lies within ``outer``,
    is at least ``min_height`` of its height, and is not convex (a letter's hole is)."""
    a, b = inner.box, outer.box
    if inner.light == outer.light or a.height < min_height * b.height or not b.contains(a):
        return False
    points = cv2.findNonZero(inner.mask.astype(np.uint8))
    hull = cv2.contourArea(cv2.convexHull(points)) if points is not None else 0.0
    return hull > 0 and float(inner.mask.sum()) < FILL_MAX_SOLIDITY * hull


def _fills_outline(inner: _Glyph, outer: _Glyph) -> bool:
    """Whether ``inner`` is the ink of a glyph and ``outer`` the outline drawn round it.

    Outlined text (white digits edged in black, as FC's team-coloured score cells draw them) is found
    twice: the outline as a dark glyph, the fill as a light one inside it, nearly as tall, with a
    thicker stroke than the outline's. The fill is the text: the outline's level sits beside the
    cell's, and reading the outline reads a '1' as nothing. A letter's hole is found inside its
    letter too, but it is convex, or much shorter.
    """
    if not _inside_non_convex(inner, outer, 0.75):
        return False
    a, b = inner.box, outer.box
    margin = max(OUTLINE_MAX_THICKNESS * b.height, 2)
    if max(a.left - b.left, b.right - a.right, a.top - b.top, b.bottom - a.bottom) > margin:
        return False
    # The outline is the thinner stroke (an outlined '0' also has a thin dark ring inside its fill,
    # round the hole: that ring is an outline, not the ink).
    return _stroke_width(outer.mask) < OUTLINE_THINNER * _stroke_width(inner.mask)


def _printed_on_cell(inner: _Glyph, outer: _Glyph) -> bool:
    """Whether ``inner`` is a glyph printed on ``outer``, a cell of its own (a team-coloured score cell
    on a darker HUD: the cell is a blob of the other polarity, taller than the text).

    Found as a glyph, the cell was taken for the number: its level lay between the cell and the HUD,
    and the digit read as the scraps of its outline (dev-57: a dark '2' edged in white on a yellow
    cell). The cell's blob is the whole box but for the glyph; a letter's is not, and its hole is convex.
    """
    if not _inside_non_convex(inner, outer, CELL_TEXT_MIN_HEIGHT):
        return False
    a, b = inner.box, outer.box
    covered = outer.mask.copy()
    covered[a.top - b.top : a.bottom - b.top, a.left - b.left : a.right - b.left] = True
    return float(covered.mean()) >= CELL_MIN_COVER


OUTLINE_THINNER = 0.8


def _stroke_width(mask: Mask) -> float:
    """A blob's mean stroke width: its area over half its contours' length (a ring of width w and
    length L has area w*L and contours 2L long)."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    length = sum(cv2.arcLength(contour, True) for contour in contours)
    return float(mask.sum()) / max(length / 2, 1.0)


def _overlap(a: Box, b: Box) -> float:
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / min(a.width * a.height, b.width * b.height)


def _tokens(row: list[_Glyph]) -> list[_Token]:
    """The row split at gaps into tokens; marks that are no text stand as tokens of their own.

    A mark is a bar taller than the text (a colour strip, a '|' between the numbers or before the
    clock) or a part of a graphic (a crest's rings: light and dark blobs over one another, where
    the letters of a text stand side by side). Marks are never read, so a strip cannot read as a
    '1', nor a crest as a '4', and no mark joins a code or a number.
    """
    height = _median([g.box.height for g in row])
    graphic = _graphic_parts(row)
    tokens: list[_Token] = []
    for index, glyph in enumerate(row):
        # Taller than the glyphs beside it, not than the row's median: a row may join the HUD's
        # text with a smaller one (a widget, the clock), and an 'I' is as tall as its own letters.
        beside = _heights_beside(row, index, height)
        mark = (
            index in graphic
            or glyph.emblem
            or (bool(beside) and is_bar(glyph.mask, _median(beside)) and not _is_hooked_letter(glyph, row, index))
            or _raised_stroke(row, index)
            or _overreaching(row, index)
        )
        near = bool(tokens) and glyph.box.left - tokens[-1].glyphs[-1].box.right <= TOKEN_GAP * height
        if near and (tokens[-1].kind == "mark") == mark:
            tokens[-1].glyphs.append(glyph)
        else:
            tokens.append(_Token([glyph], kind="mark" if mark else "other"))
    return tokens


def _heights_beside(row: list[_Glyph], index: int, text_height: float) -> list[int]:
    """The heights of up to two glyphs on each side of ``row[index]``: those of its own word (no further apart than
    ``TOKEN_GAP``) when it has any, else the nearest.

    Why its own word first: an 'I' ending a code a pixel taller than its letters, beside a streamer's smaller widget
    text ('MCI UPTIME 1:02:05'), was taller than the median of 'M', 'C', 'U', 'P' by ``BAR_TALLER_THAN_TEXT``: taken
    for a bar, the code read 'MC' until the HUD was found again (unseen-09, both goals named so).
    """
    gap = TOKEN_GAP * text_height
    glyph = row[index]
    before, after = row[max(index - 2, 0) : index], row[index + 1 : index + 3]
    own = [g for g in before if glyph.box.left - g.box.right <= gap] + [
        g for g in after if g.box.left - glyph.box.right <= gap
    ]
    return [g.box.height for g in (own or [*before, *after])]


RAISED_STROKE_MIN_RISE = 0.1
"""A stroke whose top stands this share of the text height above its neighbours' (and whose foot is above theirs)
is raised off the line: letters and digits share the cap height (round ones overshoot by ~3 %)."""
RAISED_STROKE_MAX_WIDTH = 0.5
RAISED_STROKE_REACH = 3
"""Glyphs looked at on each side of a stroke for the nearest that is no stroke (a crest has several stripes)."""
RAISED_STROKE_MAX_NEIGHBOUR = 1.2
"""...and no taller than this many times the stroke: text. A roundel crest beside a code is wider and taller than its
letters; a condensed face's letters are all as narrow as a stroke (Bebas Neue Bold's 'P', 'S', 'G': 0.45-0.47 of
their height), so the crest was the nearest glyph compared, and the 'P' of 'PSG', its foot a few pixels above the
crest's, was taken for a raised stripe: the code was read 'SG' for the whole match (unseen-38)."""


def _raised_stroke(row: list[_Glyph], index: int) -> bool:
    """Whether ``row[index]`` is a narrow blob (at most half as wide as tall) set higher than the nearest glyph
    wider than that, and not much taller (``RAISED_STROKE_MAX_NEIGHBOUR``), on either side (its top above theirs, or
    its foot off their line): a stripe of a crest, not an 'I' or a '1'.

    Why: a striped shield crest beside each number (dev-82) stands a little taller than the text, its stripes
    just short of the height of a bar (:func:`is_bar`); they joined the numbers' tokens, read 'II0' and '0IJ', and
    the HUD was never found. Higher than the glyphs on both sides: an 'I' ending a code whose numbers are set
    lower than it in their cell stands as high as its own code's letters (dev-80's 'MI'). A '1' as tall as a
    bigger clock's digits beside smaller letters is taller, not raised: its foot is on the line, or below it.
    A foot off the line on both sides is a crest's too: a shield's halves as tall as the text, set higher than it
    (dev-365: 'IIO' beside the home '0'); every letter and digit stands on the line.
    """
    glyph = row[index]
    if glyph.box.width > RAISED_STROKE_MAX_WIDTH * glyph.box.height:
        return False
    sides = (row[max(index - RAISED_STROKE_REACH, 0) : index][::-1], row[index + 1 : index + 1 + RAISED_STROKE_REACH])
    tallest = RAISED_STROKE_MAX_NEIGHBOUR * glyph.box.height
    neighbours = [
        next(
            (g for g in side if g.box.width > RAISED_STROKE_MAX_WIDTH * g.box.height and g.box.height <= tallest), None
        )
        for side in sides
    ]
    found = [g for g in neighbours if g is not None]
    return bool(found) and all(
        (g.box.top - glyph.box.top >= RAISED_STROKE_MIN_RISE * g.box.height and glyph.box.bottom < g.box.bottom)
        or g.box.bottom - glyph.box.bottom >= RAISED_STROKE_MIN_RISE * g.box.height
        for g in found
    )


OVERREACH = 0.2
"""A blob this share taller than its neighbours, its top above theirs and its foot below theirs (each by
``OVERREACH_EACH_WAY`` of their height or more), reaches past the line both ways: no letter or digit does (a 'J' or
'Q' only below it, an accent only above; a round letter overshoots a flat one by ~3 % each way)."""
OVERREACH_EACH_WAY = 0.05
OVERREACH_MIN_SPAN = 0.5
"""...and what reaches past the line on one side at least spans this share of its width: a rim's top, a cell's edge.
A letter grown by specks of a noisy translucent cell above and below it does not (unseen-23's 'R': 0.15 each way;
taken for a mark, its HUD was found on the wrong boxes and three goals went to the wrong team, in silence)."""


def _overreaching(row: list[_Glyph], index: int) -> bool:
    """Whether ``row[index]`` reaches past the line of the glyph beside it on each side, above and below: a crest's
    rim, or a cell's edge found joined to the separator, a mark and no text.

    Why: a shield crest 1.3 times the text's height beside each number (dev-365) and, on a green score cell lighter
    than the HUD round it, blobs of the cell's edge joined to its '|' and to a strip (dev-274, as streamed) stood
    between the digits and the codes; they joined tokens that read 'OV' and 'OTO3ZEN', and neither HUD was found.
    Both neighbours must be shorter: a number set larger than the codes beside it stands beside its other digit or
    number, and a bar (a strip, a '|') is a mark already.
    """
    if index == 0 or index + 1 >= len(row):
        return False
    glyph, neighbours = row[index], (row[index - 1].box, row[index + 1].box)
    box = glyph.box
    if not all(
        box.height >= (1 + OVERREACH) * other.height
        and min(other.top - box.top, box.bottom - other.bottom) >= OVERREACH_EACH_WAY * other.height
        for other in neighbours
    ):
        return False
    above = glyph.mask[: max(other.top for other in neighbours) - box.top]
    below = glyph.mask[min(other.bottom for other in neighbours) - box.top :]
    return max(_span_share(above), _span_share(below)) >= OVERREACH_MIN_SPAN


def _span_share(mask: Mask) -> float:
    """How much of ``mask``'s width its ink spans, from its leftmost inked column to its rightmost."""
    columns = ink_columns(mask)
    return 0.0 if columns.size == 0 else (int(columns[-1]) - int(columns[0]) + 1) / mask.shape[1]


def _is_hooked_letter(glyph: _Glyph, row: list[_Glyph], index: int) -> bool:
    """Whether a glyph taller than its neighbours is a letter with a descender hooked to the left (DejaVu Sans'
    'J'), not a bar: its top on the next glyph's top line, and, its lean taken out (:func:`_upright`), its bottom
    rows reaching left of its stem by ``HOOK_MIN_REACH`` text heights or more while its right edge does not move
    right. A strip or a '|' has no hook, upright or slanted; a blurred one spreads both ways.

    Why: the 'J' was taken for a strip and left out of its code: JUV read UV, AJAX read AX, on HUDs drawn by the
    tests' own painter; dev-256's italic 'J' too ('JU' read 'U'), whose lean moved both edges of its foot left.
    dev-24's 'J' (Open Sans Condensed Bold) is read letter by letter (:func:`read_code`).
    """
    if index + 1 >= len(row):
        return False
    after = row[index + 1]
    height = after.box.height
    if abs(glyph.box.top - after.box.top) > HOOK_TOP_TOLERANCE * height or glyph.box.bottom <= after.box.bottom:
        return False
    rows = [np.flatnonzero(line) for line in glyph.mask]
    spans = [(float(columns[0]), float(columns[-1])) for columns in rows if columns.size]
    if len(spans) < 5:
        return False
    spans = _upright(spans)
    stem = spans[len(spans) // 4 : len(spans) // 2]
    foot = spans[-max(len(spans) // 5, 1) :]
    left_move = _median([s[0] for s in stem]) - min(s[0] for s in foot)
    right_move = _median([s[1] for s in stem]) - _median([s[1] for s in foot])
    return left_move >= HOOK_MIN_REACH * height and right_move >= -1


def _upright(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Each row's ink span ``(first, last)``, from the top, moved back by the lean of the glyph's upper part (its
    stem's): an italic letter as if set upright. An italic bar's edges then stand still; a hooked letter's foot
    still reaches left of its stem (dev-256's italic 'J': both edges of its curled foot move left)."""
    upper = len(spans) * 3 // 5
    centres = [(first + last) / 2 for first, last in spans[:upper]]
    slope = float(np.polyfit(np.arange(upper), centres, 1)[0])
    return [(first - slope * row, last - slope * row) for row, (first, last) in enumerate(spans)]


def _graphic_parts(row: list[_Glyph]) -> set[int]:
    """Indices of glyphs lying over a glyph of the other polarity (by half the narrower
    one's width or more): the rings and fields of a crest, never letters side by side."""
    parts: set[int] = set()
    for i, a in enumerate(row):
        for j in range(i + 1, len(row)):
            b = row[j]
            if b.box.left >= a.box.right:
                break
            if a.light == b.light:
                continue
            overlap = min(a.box.right, b.box.right) - max(a.box.left, b.box.left)
            if overlap >= 0.5 * min(a.box.width, b.box.width):
                parts.update((i, j))
    return parts


def token_mask(glyphs: list[_Glyph]) -> tuple[Mask, Box]:
    """The glyphs' own pixels on a blank canvas the size of their bounding box."""
    bounds = bounding([g.box for g in glyphs])
    mask = np.zeros((bounds.height, bounds.width), bool)
    for g in glyphs:
        top, left = g.box.top - bounds.top, g.box.left - bounds.left
        mask[top : top + g.box.height, left : left + g.box.width] |= g.mask
    return mask, bounds


def read_glyphs(mask: Mask, text_height: int, whitelist: str, mode: PageMode = PageMode.LINE) -> str:
    """One token's glyphs, read alone.

    The same glyphs read the same way give the same text, so a reading is kept (see
    :data:`READINGS_KEPT`): a search repeated over a still overlay (a replay's banner standing over
    the HUD's place) reads the same tokens again, ~3 ms of tesseract each.
    """
    pixels = np.ascontiguousarray(mask, dtype=bool)
    return _read_pixels(pixels.tobytes(), pixels.shape, text_height, whitelist, mode)


READINGS_KEPT = 1024
"""Token readings kept by :func:`read_glyphs` (a search reads a few hundred tokens; each key holds the
token's mask, a few KB at most)."""


@lru_cache(maxsize=READINGS_KEPT)
def _read_pixels(pixels: bytes, shape: tuple[int, ...], text_height: int, whitelist: str, mode: PageMode) -> str:
    mask = np.frombuffer(pixels, dtype=bool).reshape(shape)
    return re.sub(r"\s", "", read_text(ocr_canvas(mask, text_height), whitelist=whitelist, mode=mode))


TOKEN_RENDERINGS = ((PageMode.LINE, 1.0), (PageMode.WORD, 1.0), (PageMode.LINE, 1.35), (PageMode.WORD, 0.75))
"""Page modes and text-height factors to read a token with when a reading loses or gains a glyph:
tesseract's LSTM drops a thin 'I', a lone '0' or a whole word in one mode or size and not in another."""
GLYPH_RENDERINGS = ((PageMode.CHARACTER, 1.0), *TOKEN_RENDERINGS)
"""The renderings of one glyph read alone: tesseract's single-character mode first."""


APPENDAGE_HEIGHT = 0.4
"""End columns of a blob whose ink spans less than this share of its height are an appendage (a dot, a dash's
end), not a character's body."""


def wide_blobs(mask: Mask, text_height: int, wider_than: float = WIDE_BLOB, *, bodies: bool = False) -> int:
    """Blobs of ``mask`` wide enough to be two characters touching (bold, italic, tight kerning, blur).

    With ``bodies``, a blob's width leaves out the columns at either end where its ink spans under
    :data:`APPENDAGE_HEIGHT` of its height: a separator's dot or dash glued to a digit ('0:' in an italic
    black face at 14 px, dev-116) makes no blob two digits wide.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    if bodies:
        widths = np.array([_body_width(labels == label) for label in range(1, count)], dtype=int)
    return int((widths > wider_than * text_height).sum())


def touching_letters(mask: Mask, text_height: int) -> int:
    """How many more letters than blobs a code's ``mask`` may hold: one for each ``WIDE_BLOB`` text heights of each
    blob's width beyond the first (a blob 0.8-1.6 text heights wide may hold two letters, 1.6-2.4 three).

    Why: a bold face with a drop shadow at 17 px glued 'EVI' of dev-1028's 'SEVI' into one blob 1.8 text heights
    wide; allowed one letter more than its two blobs, the code's four letters were refused, and its HUD never found.
    """
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_WIDTH] // (WIDE_BLOB * text_height)).sum())


def _body_width(blob: Mask) -> int:
    rows = np.flatnonzero(blob.any(axis=1))
    height = rows[-1] - rows[0] + 1
    columns = np.flatnonzero(blob.any(axis=0))
    tops = blob[:, columns].argmax(axis=0)
    bottoms = blob.shape[0] - 1 - blob[::-1, columns].argmax(axis=0)
    tall = columns[(bottoms - tops + 1) >= APPENDAGE_HEIGHT * height]
    return int(tall[-1] - tall[0] + 1) if tall.size else 0


def spaced_glyphs(mask: Mask, text_height: int) -> Mask:
    """The blobs of ``mask`` redrawn left to right with a clear gap between them.

    Tesseract's line model merges or drops letters that stand close (a 'V' after a 'U', a thin
    'I'); the same blobs spaced apart read one by one, whatever the font's kerning was.
    """
    blobs = blobs_left_to_right(mask)
    if len(blobs) <= 1:
        return mask
    gap = np.zeros((mask.shape[0], max(round(0.3 * text_height), 2)), bool)
    parts: list[Mask] = []
    for blob in blobs:
        parts += ([gap] if parts else []) + [blob]
    return np.hstack(parts)


def read_counted(
    mask: Mask, text_height: int, whitelist: str, pattern: str, glyph_count: int, *, touching: int = 0
) -> str | None:
    """A reading of ``glyph_count`` characters (up to ``touching`` more: blobs holding two) matching
    ``pattern``, trying a few renderings and, last, the blobs spaced apart."""
    renderings = GLYPH_RENDERINGS if glyph_count == 1 and not touching else TOKEN_RENDERINGS

    def fits(text: str) -> bool:
        return glyph_count <= len(text) <= glyph_count + touching and re.fullmatch(pattern, text) is not None

    for mode, factor in renderings:
        text = read_glyphs(mask, round(text_height * factor), whitelist, mode)
        if fits(text):
            return text
    if glyph_count > 1:
        text = read_glyphs(spaced_glyphs(mask, text_height), text_height, whitelist)
        if fits(text):
            return text
    return None


CODE_PATTERN = r"[A-Z]{2,4}"
LOOKALIKE_LETTERS = ("IJLT", "VY")
"""Letters tesseract reads as each other within a code (a 'T' as 'I' or 'J', a serif 'I' as 'T', a 'V' as 'Y'):
each is read again alone, and two renderings of it alone agreeing on another letter of its group win."""


def read_code(
    mask: Mask, text_height: int, glyph_count: int, *, touching: int = 0, pattern: str = CODE_PATTERN
) -> str | None:
    """A team code of ``glyph_count`` blobs (up to ``touching`` more letters: blobs holding two), or None.

    :func:`read_counted` first; then, when no blob holds two letters, blob by blob: a stroke of the
    text's height is an 'I', any other blob is read alone as one letter. Tesseract drops a thin 'I'
    beside another letter in every rendering of the whole code (italic 'LI' read 'L', dev-65), and the letter
    after a 'J' whose tail descends below the line (Open Sans Condensed Bold's 'JUV' read 'JU' in every
    rendering, dev-24). Without an 'I', each blob must read as the same letter in two renderings: a token
    that did not read whole may be no text at all.
    """
    code = read_counted(mask, text_height, LETTERS, pattern, glyph_count, touching=touching)
    if code is not None:
        return _letters_by_shape(mask, code, text_height)
    if touching or glyph_count < 2:
        return None
    blobs = blobs_left_to_right(mask)
    strokes = [is_stroke(_cropped(blob), text_height) for blob in blobs]
    if len(blobs) != glyph_count or all(strokes) or not all(letter_sized(blob, text_height) for blob in blobs):
        return None  # nothing but strokes (a crest's stripes, bars), or a blob of another size: no code
    letters = []
    for blob, stroke in zip(blobs, strokes, strict=True):
        letter = "I" if stroke else read_glyphs(blob, text_height, LETTERS, PageMode.CHARACTER)
        if len(letter) != 1 or (not any(strokes) and read_glyphs(blob, text_height, LETTERS) != letter):
            return None
        letters.append(letter)
    code = "".join(letters)
    return code if re.fullmatch(pattern, code) else None


LETTER_HEIGHTS = (0.85, 1.15)
"""A letter read alone is this many text heights tall: the text's own height, a round one's overshoot; or it is a
'J' whose tail descends (``DESCENDER_MAX_HEIGHT``, ``DESCENDER_MAX_WIDTH``)."""


def letter_sized(blob: Mask, text_height: int) -> bool:
    """Whether one blob of a code is as tall as its text, or a narrow 'J' whose tail descends below it; a blob
    of the crowd beside a translucent HUD joined to its row is neither (dev-116's 'ATM' read 'FATM' so)."""
    height, width = _cropped(blob).shape
    if LETTER_HEIGHTS[0] * text_height <= height <= LETTER_HEIGHTS[1] * text_height:
        return True
    return height <= DESCENDER_MAX_HEIGHT * text_height and width <= DESCENDER_MAX_WIDTH * height


def _letters_by_shape(mask: Mask, code: str, text_height: int) -> str:
    """``code`` checked letter by letter against its blobs: an 'E' or an 'F' is told by its bottom arm (``_e_or_f``),
    a letter of a lookalike group (``LOOKALIKE_LETTERS``) with a foot or a top bar is an 'L' or a 'T'
    (``_foot_or_bar``), a stroke is an 'I', and any other letter of a lookalike group is read again alone.

    Why: tesseract reads lookalike letters as each other now and then, the same way on every frame, so two
    agreeing readings do not catch it (ATM read AIM, TOT read JOT, BVB read BYB, on HUDs drawn by the tests'
    own painter). Only a code whose blobs are its letters, one each, can be checked so; of a code with one blob
    holding two letters, only an 'E' first in that blob (``_glued_e_or_f``).

    A stroke read as a letter that is never one (not 'I', 'J', 'L' or 'T', nor an 'E' or 'F' its arms name) shows a
    reading whose letters stand on the wrong blobs: every other blob is then read alone, and a letter two renderings
    agree on is taken. Why: dev-878's B612 'VI' read 'MV' in one rendering of the whole token (the 'V' named on the
    'I'), so 'MI' on every frame and goal; each blob alone reads 'V' and nothing else.
    """
    blobs = blobs_left_to_right(mask)
    if len(blobs) == len(code) - 1:
        return _glued_t(blobs, _glued_e_or_f(blobs, code))
    if len(blobs) != len(code):
        return code
    letters: list[str] = []
    by_shape: list[bool] = []  # named by its shape (arms, a foot or bar, a stroke), not by tesseract
    misaligned = False
    for letter, blob in zip(code, blobs, strict=True):
        lookalikes = next((group for group in LOOKALIKE_LETTERS if letter in group), "")
        by_stem = _foot_or_bar(blob) if lookalikes else None
        named = None
        if letter in "EF":
            named = _e_or_f(blob)
        elif by_stem is not None and by_stem in lookalikes:
            named = by_stem  # before the stroke test: a thin 'L''s one-row foot leaves it a stroke by its rows
        elif is_stroke(_cropped(blob), text_height):
            misaligned |= letter not in STROKE_LETTERS
            named = "I"
        elif lookalikes and (other := _read_alone(blob, text_height)) is not None and other in lookalikes:
            letter = other
        letters.append(named or letter)
        by_shape.append(named is not None)
    if misaligned:
        letters = [letter if shaped else _read_alone(blob, text_height) or letter
                   for letter, blob, shaped in zip(letters, blobs, by_shape, strict=True)]  # fmt: skip
    return "".join(letters)


STROKE_LETTERS = "IJLT"
"""The letters a stroke of the text's height may be read as (a thin or sans-serif 'I', a tail-less 'J', a faint
foot or bar)."""


def _read_alone(blob: Mask, text_height: int) -> str | None:
    """The one letter a blob reads as alone, in two renderings that agree; None when they do not."""
    alone = {read_glyphs(blob, text_height, LETTERS, mode) for mode in (PageMode.CHARACTER, PageMode.WORD)}
    return letter if len(alone) == 1 and len(letter := alone.pop()) == 1 else None


GLUED_PAIR_MIN_WIDTH = 1.4
"""A blob holding two letters is at least this many times as wide as the code's widest other blob."""


def _glued_pair(blobs: list[Mask]) -> int | None:
    """Which of a code's ``blobs`` (one fewer than its letters) holds two letters: the widest, when it is wider than
    any other by ``GLUED_PAIR_MIN_WIDTH``; None when no blob stands out so."""
    widths = [blob.shape[1] for blob in blobs]
    glued = int(np.argmax(widths))
    others = widths[:glued] + widths[glued + 1 :]
    return None if others and widths[glued] < GLUED_PAIR_MIN_WIDTH * max(others) else glued


def _glued_e_or_f(blobs: list[Mask], code: str) -> str:
    """``code``, read from ``blobs`` one fewer than its letters, with an 'E' first in the blob holding two (the
    widest, by far) made an 'F' when, cut from the second at some column of the blob's middle, it is an 'F' by its
    bottom (``_e_or_f``) and at no column an 'E'.

    Why: an 'F' whose middle arm touches the 'C' after it reads 'EC' whole and in every rendering (dev-98's 'THFC'
    read 'THEC', dev-574's 'MCFC' 'MCEC': every goal named so), and an 'FC' ends many codes. Only so, not the other
    way: the next letter's curve, touching, may add a bottom arm (a leaned, blurred 'FC' in 1 of 1266 faces and sizes
    drawn), never take one away.
    """
    glued = _glued_pair(blobs)
    if glued is None or code[glued] != "E":
        return code
    blob = blobs[glued]
    width = blob.shape[1]
    # Where the letters touch is not known: the thinnest column may be the tip of the 'F''s arm, and cut there a bold
    # 'F''s arm is too short to tell (dev-98's).
    named = {_e_or_f(blob[:, :cut]) for cut in range(round(0.3 * width), round(0.7 * width) + 1)}
    return code[:glued] + "F" + code[glued + 1 :] if "F" in named and "E" not in named else code


GLUED_STEM_COVER = 0.8
"""A column of a blob is part of a stem when ink covers at least this share of its rows."""
GLUED_STEM_MAX = 0.35
"""A stem is at most this many text heights wide (wider: two stems glued, or a block)..."""
GLUED_STEM_MAX_START = 0.45
"""...and starts at most this many text heights into the blob (half a 'T''s bar, at most)."""
GLUED_BAR_REACH = 0.75
"""A 'T''s bar reaches left of its stem by at least this many stem widths at the top..."""
GLUED_FOOT_REACH = 0.25
"""...and nothing at the bottom reaches left of it by more than this many (an 'I''s serif, a 'J''s hook do)."""


def _glued_t(blobs: list[Mask], code: str) -> str:
    """``code``, read from ``blobs`` one fewer than its letters, with an 'I' or 'J' first in the blob holding two
    (the widest, by far) made a 'T' when that blob's first stem has a bar reaching left of it at the top and nothing
    left of it at the bottom.

    Why: a small 'T' whose bar touches the next letter is one blob with it, so ``_foot_or_bar`` never sees it alone,
    and tesseract reads it 'I' on every frame (dev-1115's 12 px 'ATM', its 'TM' one blob: every goal named 'AIM', as
    issue 9 saw on a held-back HUD). Only the first letter of the blob: its left side is free, where a 'T''s bar
    shows. Drawn glued to each of 'MANBERO' in every face at 12-24 px, upright and leaned, sharp and blurred, this names
    3195 of 7156 'T's and no 'I' or 'L' a 'T' (5 'J's of 7056, a light face's at 12 px blurred to a stroke); the last
    letter of a blob, checked the same way mirrored, named 1567 'I's 'T' (a leaned stem's top reaches past its foot)."""
    glued = _glued_pair(blobs)
    if glued is None or code[glued] not in "IJ":
        return code
    glyph = _one_piece(blobs[glued])
    if glyph is None:
        return code
    height = glyph.shape[0]
    cover = glyph.mean(axis=0)
    stems = np.flatnonzero(cover >= GLUED_STEM_COVER)
    if stems.size == 0:
        return code
    left = int(stems[0])
    stem = int(np.argmin(np.append(cover[left:] >= GLUED_STEM_COVER, False)))
    if stem > GLUED_STEM_MAX * height or left > GLUED_STEM_MAX_START * height:
        return code
    end = max(1, round(0.15 * height))
    lefts = glyph.argmax(axis=1)
    bar, foot = left - int(lefts[:end].min()), left - int(lefts[height - end :].min())
    if bar >= GLUED_BAR_REACH * stem and foot <= GLUED_FOOT_REACH * stem:
        return code[:glued] + "T" + code[glued + 1 :]
    return code


def _one_piece(blob: Mask) -> Mask | None:
    """The blob cut to its ink, or None when it is under 8 rows tall or a row of it has no ink (in pieces: no one
    stem to measure a letter's arms against)."""
    rows, columns = np.flatnonzero(blob.any(axis=1)), np.flatnonzero(blob.any(axis=0))
    if rows.size < 8:
        return None
    glyph = blob[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    return glyph if glyph.any(axis=1).all() else None


STEM_ARM_MIN = 2.5
"""A foot or a top bar spans at least this many stem widths (an 'L''s foot, a 'T''s bar: 3-6)..."""
STEM_END_MAX = 1.6
"""...and the other end of the stem at most this many (a serif: ~1.3-2; a sans stem's end: 1)."""


def _foot_or_bar(blob: Mask) -> str | None:
    """'L' for a stem with a foot running right from its bottom and nothing across its top; 'T' for a bar across
    the top of a stem, reaching past it to the right, and nothing along its bottom; None for any other shape (an
    'I', serifed or not, a 'J''s hook, which runs left, a blob of noise).

    Why: tesseract reads a thin 'L' alone as 'I' in every rendering (dev-748: Inter Light Italic's 'LCFC' read
    'LCFC' whole, then 'ICFC' once its 'L' was read again alone as a lookalike: all three goals named so), and a
    'T' as 'I' or 'J' (the painter's ATM as AIM, TOT as JOT). A foot or a bar is a fact of the shape: drawn in 64
    faces at 12-32 px, upright and leaned, sharp and blurred, this names 1146 of 1280 'L's and 783 of 1280 'T's, and
    no 'I', 'J', 'L' or 'T' as another letter.
    """
    glyph = _one_piece(blob)
    if glyph is None:
        return None
    height = glyph.shape[0]
    lefts = glyph.argmax(axis=1)
    rights = glyph.shape[1] - 1 - glyph[:, ::-1].argmax(axis=1)
    widths = rights - lefts + 1
    middle = slice(round(0.35 * height), round(0.65 * height) + 1)
    stem = float(np.median(widths[middle]))
    stem_right = float(np.median(rights[middle]))
    end = max(1, round(0.15 * height))
    top, bottom = slice(0, end), slice(height - end, height)
    if (
        widths[bottom].max() >= STEM_ARM_MIN * stem
        and widths[top].max() <= STEM_END_MAX * stem
        and rights[bottom].max() > stem_right + stem
    ):
        return "L"
    if (
        widths[top].max() >= STEM_ARM_MIN * stem
        and widths[bottom].max() <= STEM_END_MAX * stem
        and rights[top].max() > stem_right + stem
    ):
        return "T"
    return None


E_OR_F_ARM_MIN = 1.5
"""An 'E''s or 'F''s top arm, with the stem it grows from, spans at least this many stem widths (a bold condensed
'F': ~2.2; no arm: 1)..."""
E_BOTTOM_ARM_MIN = 0.75
"""An 'E''s bottom arm is at least this share of its top arm (0.9-1.1 in the faces drawn)..."""
F_BOTTOM_MAX = 0.55
"""...an 'F''s foot at most this share: its stem alone (0.2-0.35), or the stem and its serifs (0.4-0.55)."""


def _e_or_f(blob: Mask) -> str | None:
    """'E' for a letter whose bottom arm runs as far right as its top arm, 'F' for one whose bottom is its stem
    (with its serifs), None for any other shape (a blob in pieces, a top arm no longer than the stem is wide).

    Why: tesseract reads an 'F' as 'E' the same way on every frame and alone, before a 'C' most of all (dev-784's
    'AVFC', four clean blobs, read 'AVEC' on every frame; dev-98's 'THEC', dev-574's 'MCEC' for THFC and MCFC). The
    arm is a fact of the shape: drawn in 64 faces at 12-32 px, upright and leaned, sharp and blurred, this names
    1239 of 1280 'E's and 1238 of 1280 'F's, and neither as the other.
    """
    glyph = _one_piece(blob)
    if glyph is None or glyph.shape[1] > glyph.shape[0]:
        return None  # wider than tall: letters touching
    height = glyph.shape[0]
    # Each row's first run of ink from its left: the stem, or an arm with the stem it grows from.
    lefts = glyph.argmax(axis=1)
    runs = np.array([np.argmin(np.append(row[left:], False)) for row, left in zip(glyph, lefts, strict=True)])
    stem = float(np.percentile(runs[round(0.2 * height) : round(0.8 * height)], 25))
    end = max(1, round(0.15 * height))
    top, bottom = int(runs[:end].max()), int(runs[height - end :].max())
    if top < E_OR_F_ARM_MIN * stem:
        return None
    if bottom >= E_BOTTOM_ARM_MIN * top and bottom >= E_OR_F_ARM_MIN * stem:
        return "E"
    return "F" if bottom <= F_BOTTOM_MAX * top else None


def _cropped(blob: Mask) -> Mask:
    """The blob cut to its own rows (``blobs_left_to_right`` cuts it to its columns only)."""
    rows = np.flatnonzero(blob.any(axis=1))
    return blob[rows[0] : rows[-1] + 1] if rows.size else blob


def _classify(token: _Token, text_height: int) -> None:
    """Read a token and call it a team code, a number or other, re-reading with the right alphabet."""
    if token.kind == "mark" or _read_code_of_one_polarity(token, text_height):
        return
    mask, _ = token_mask(token.glyphs)
    count = len(token.glyphs)
    if count == 1:
        # One glyph is never a code; read it as the digit it must be (a lone 0 by its shape), or call it other.
        # As wide as two digits, it may be two touching (its own height, not the row's: a score set larger).
        touching = int(token.glyphs[0].box.width > WIDE_DIGITS_BLOB * token.glyphs[0].box.height)
        digit = read_counted(mask, text_height, DIGITS, r"\d{1,2}", 1, touching=touching) or (
            "0" if looks_like_zero(mask) else ""
        )
        digit = digit or _outlined_digit(mask, text_height)
        token.text, token.kind = (digit, "number") if digit else ("", "other")
        return
    both = read_glyphs(mask, text_height, LETTERS + DIGITS) or read_glyphs(
        mask, text_height, LETTERS + DIGITS, PageMode.WORD
    )
    letters = sum(c.isalpha() for c in both)
    digits = sum(c.isdigit() for c in both)
    touching = touching_letters(mask, text_height)
    if (letters > digits or not both) and count <= 4:
        # Nothing read at all, not even as digits, is tried as a code too: tesseract drops a word whose 'I' it
        # cannot place ('1' '0' it dropped would be a stroke and an 'O': "IO"). Whether it reads as digits is
        # asked only of a code read so (a search reads many tokens of nothing: a replay, a panel, a crowd).
        code = read_code(mask, text_height, count, touching=touching)
        if code is not None and (both or read_counted(mask, text_height, DIGITS, r"\d{1,4}", count) is None):
            token.text, token.kind = code, "code"
            return
    elif digits and digits >= letters and count <= 4:
        # No digit is as wide as a blob of two touching ones: such a blob must read as two digits (one digit
        # may read when only a separator's dot, glued on, made it wide).
        digits = count + wide_blobs(mask, text_height, WIDE_DIGITS_BLOB, bodies=True)
        glued = count + wide_blobs(mask, text_height, WIDE_DIGITS_BLOB) - digits
        number = read_counted(mask, text_height, DIGITS, r"\d{1,4}", digits, touching=glued)
        if number is not None:
            token.text, token.kind = number, "number"
            return
    if count == 2 and all(looks_like_zero(glyph.mask) for glyph in token.glyphs):
        # Two zeros by their shape, as one is: a new match's clock '00:19' in a black face whose counters are slits
        # read as nothing in every rendering, its HUD was taken for a clockless widget and refused (dev-348).
        token.text, token.kind = "00", "number"
        return
    if not _read_uncut_code(token, text_height):
        token.text, token.kind = both, "other"


def _outlined_digit(mask: Mask, text_height: int) -> str:
    """The digit a ring of outline is drawn round, or "" when ``mask`` is no such ring or its inside reads as none.

    Why: a white digit edged in black on a white cell (a score cell in the team's colour, when that is white)
    is found by its outline alone; the ring reads as nothing, the number was missing from the row, and the HUD
    was never found (dev-80: 'MI ? 1 AR'). The reader reads such a number in the other polarity.
    """
    return (read_counted(inside_of(mask), text_height, DIGITS, r"\d", 1) or "") if is_outline(mask) else ""


def _read_uncut_code(token: _Token, text_height: int) -> bool:
    """Read a token whose blobs were cut at joints as a code of the uncut blobs; True when it reads.

    A letter's crossbar at mid height ('H', 'A' in a slanted face, whose stems span more columns) can
    look like a dash glued between two numbers, and cutting it leaves pieces that read as nothing.
    Only a token that read as neither a code nor a number is tried again this way, so a glued '0–0'
    that reads as numbers is never turned into letters.
    """
    wholes: list[_Glyph] = []
    for glyph in token.glyphs:
        whole = glyph.whole or glyph
        if not any(whole is kept for kept in wholes):
            wholes.append(whole)
    bounds = token.box
    if len(wholes) == len(token.glyphs) or not 2 <= len(wholes) <= 4:
        return False
    if any(whole.box.left < bounds.left or whole.box.right > bounds.right for whole in wholes):
        return False  # a blob cut across two tokens: its pieces are not one code's letters
    mask, _ = token_mask(wholes)
    code = read_code(mask, text_height, len(wholes), touching=touching_letters(mask, text_height))
    if code is None:
        return False
    token.glyphs, token.text, token.kind = wholes, code, "code"
    return True


def _read_code_of_one_polarity(token: _Token, text_height: int) -> bool:
    """Read a token whose glyphs of one polarity stand only at its ends as a code of the others; True when they read
    as one (the token then holds those glyphs only).

    A code's letters are of one colour. Between the outer letters of a code drawn tight in its cell and the cell's
    edges, the cell itself, closed off by the crowd's blocks outside, may be found as a glyph of the other polarity,
    as tall as the letters and too near to stand apart: dev-19's dark 'SEV' on a light cell read as a token of four
    glyphs, a wedge of the cell beside its 'V' (no code: its HUD was never found, its goals lost, said), and its 'OLY'
    as 'POLY' with such a wedge before its 'O'. Between two letters such a glyph is left in (no cell's edge is there).
    """
    glyphs = token.glyphs
    light = sum(glyph.light for glyph in glyphs) * 2 > len(glyphs)
    ours = [index for index, glyph in enumerate(glyphs) if glyph.light == light]
    if len(ours) == len(glyphs) or not 2 <= len(ours) <= 4 or ours[-1] - ours[0] + 1 != len(ours):
        return False  # one polarity, too few or many letters, or the other's glyphs between the letters
    kept = _Token(glyphs[ours[0] : ours[-1] + 1])
    _classify(kept, text_height)
    if kept.kind != "code":
        return False
    token.glyphs, token.text, token.kind = kept.glyphs, kept.text, kept.kind
    return True


GLUED_CODE_HEIGHTS = (0.8, 1.25)
"""Heights, in text heights, of a lone blob that may be a two-letter code glued into one (a crest is taller)."""


def _score_number(token: _Token) -> bool:
    return token.kind == "number" and len(token.text) <= 2


def _read_glued_codes(tokens: list[_Token], text_height: int) -> bool:
    """Read as a two-letter team code each lone blob two letters wide, of the text's height, next to two
    numbers of one or two digits on one side (marks aside): a score; True when one reads.

    Two letters of a bold face at ~15 px touch once the stream is compressed ('ZS', 'LI'), and one
    blob is never taken for a code on a first reading: a clock's glued '00' read as letters would
    become a code. So this second reading is tried only on a row where no scoreboard was found, and
    only where a code would stand: next to the score.
    """
    words = [t for t in tokens if t.kind != "mark"]
    low, high = GLUED_CODE_HEIGHTS
    candidates = []
    for index, token in enumerate(words):
        # A glued code may have read as one digit (forced to digits, 'ZS' read '7') or as nothing; never as two.
        if token.kind not in ("other", "number") or len(token.glyphs) != 1 or len(token.text) > 1:
            continue
        box = token.glyphs[0].box
        if not low * text_height <= box.height <= high * text_height or box.width <= WIDE_BLOB * text_height:
            continue
        before, after = words[max(index - 2, 0) : index], words[index + 1 : index + 3]
        if any(len(side) == 2 and all(_score_number(t) for t in side) for side in (before, after)):
            candidates.append(token)  # not a widget's count and clock beside it ('followers 3298 00:06')
    read_any = False
    for token in candidates:  # chosen first: one re-read must not make or unmake another's score numbers
        mask, _ = token_mask(token.glyphs)
        code = read_code(mask, text_height, 1, touching=1, pattern=r"[A-Z]{2}")
        if code is not None:
            token.text, token.kind = code, "code"
            read_any = True
    return read_any


def _score_tokens(between: list[_Token]) -> list[_Token] | None:
    """The numbers between two codes: two one- or two-digit tokens, or one token of 2-4 digits
    (a separator too thin to leave a gap). Unreadable marks (a crest's parts) may stand beside
    them; anything that reads as text may not."""
    if any(t.kind == "code" or (t.kind == "other" and t.text) for t in between):
        return None
    numbers = [t for t in between if t.kind == "number"]
    if len(numbers) == 2 and all(len(t.glyphs) <= 2 and not _leading_zero(t) for t in numbers):
        return numbers
    if len(numbers) == 1 and 2 <= len(numbers[0].glyphs) <= 4:
        return numbers
    return None


def _leading_zero(number: _Token) -> bool:
    """Whether a number of two or more digits starts with a '0': no scoreboard writes a team's score so ('01'), only a
    clock ('00:19'). Why: dev-1383's '0-0' in a light condensed face, its '-0' glued by the dash into one glyph read
    '0', beside a block of the crowd seen through the gap between two cells read '1', was found as 'BVB 00 1 ZEN':
    the match joined at 0-1, both goals lost. One token of two digits, the separator too thin to leave a gap, is
    both numbers ('00' for 0-0): that is not this."""
    return len(number.text) >= 2 and number.text[0] == "0"


def _clock_tokens(tokens: list[_Token], home: int, away: int, text_height: int) -> list[_Token] | None:
    """Digits reading ``m:ss`` (1-3 then 2 digits, close together) nearest the teams, either side."""

    def clock_at(candidates: list[_Token]) -> list[_Token] | None:
        numbers = [t for t in candidates if t.kind == "number"]
        for first, second in itertools.pairwise(numbers):
            gap = second.box.left - first.box.right
            if len(first.text) <= 3 and len(second.text) == 2 and gap <= 1.2 * text_height:
                return [first, second]
        # A colon too thin to leave a gap: the clock is one token of 3-5 digits.
        # (Touching digits make fewer glyphs than characters, so any token reading as digits will do.)
        whole = [t for t in candidates if re.fullmatch(r"\d{3,5}", t.text)]
        return whole[:1] or None

    left = clock_at(list(reversed(tokens[:home]))[:4][::-1])
    right = clock_at(tokens[away + 1 : away + 5])
    if left and right:
        # A widget's time ("UPTIME 1:02:09") beside the HUD on the other side: the HUD's clock is the nearer.
        left_gap = tokens[home].box.left - left[-1].box.right
        return left if left_gap <= right[0].box.left - tokens[away].box.right else right
    return left or right


def _find_hud(tokens: list[_Token], text_height: int) -> list[tuple[int, int, list[_Token]]]:
    """Every ``CODE n n CODE`` in the row, those whose numbers stand apart as two tokens first.

    A clock's digits misread as a code ('03:03' as 'OS 03') make a second candidate beside the HUD,
    its "score" one token of two digits; the HUD's own numbers, apart, are the likelier reading.
    """
    found = []
    for home in range(len(tokens)):
        if tokens[home].kind != "code":
            continue
        # Up to 7 tokens between the codes: two numbers, a separator and the marks of two crests.
        for away in range(home + 2, min(home + 9, len(tokens))):
            if tokens[away].kind != "code":
                continue
            numbers = _score_tokens(tokens[home + 1 : away])
            if (
                numbers is not None
                and tokens[away].box.left - tokens[home].box.right <= 14 * text_height
                and _centred(tokens[home], tokens[away], numbers, text_height)
            ):
                found.append((home, away, tokens[home + 1 : away]))
                break
    return sorted(found, key=lambda candidate: sum(t.kind == "number" for t in candidate[2]) != 2)


SCORE_OFF_CENTRE = 0.75
"""How far (in text heights) the middle of a HUD's numbers may stand from the middle of the gap between its codes."""


def _centred(home: _Token, away: _Token, numbers: list[_Token], text_height: int) -> bool:
    """Whether the numbers stand centred between the codes, as every FIFA and FC scoreboard sets them.

    Why: a code cut short makes a "HUD" of its last letters. unseen-23's 'NAPO 0 - 0 RBLZ' in a thin light face over
    the crowd lost its 'P', its 'O' read as a digit and the home score as the away one: 'NA 0 0 ? BLZ', every goal
    reported for the wrong side, silent. Its numbers stood 1.55 text heights off the middle; on the HUDs found
    right in 240 streams of five suites (2-4 letter codes, crests, strips, split boxes) at most 0.38.
    """
    middle = (home.box.right + away.box.left) / 2
    numbers_middle = (min(t.box.left for t in numbers) + max(t.box.right for t in numbers)) / 2
    return abs(numbers_middle - middle) <= SCORE_OFF_CENTRE * text_height


def _part(token_box: Box, light: bool, level: int, top: int, bottom: int) -> TextBox:
    return TextBox(Box(token_box.left, top, token_box.right, bottom), light, level)


def _own_text_height(tokens: list[_Token], found: tuple[int, int, list[_Token]]) -> int:
    """The text height of a candidate's codes and numbers, not of its whole row: smaller text beside the HUD
    (a streamer's widget, crowd specks) may share the row, and the reader drops glyphs taller than 1.3 text
    heights (dev-26's digits were, against a row median pulled down by a widget's text)."""
    home_index, away_index, between = found
    own = [tokens[home_index], tokens[away_index], *(t for t in between if t.kind == "number")]
    return round(_median([glyph.box.height for token in own for glyph in token.glyphs]))


MARK_GAP = 0.05
"""A score part's box stops this many text heights short of a mark (a strip or crest) beside its number."""


SCORE_OWN_HEIGHT = 1.25
"""Numbers this much taller than the codes are read at their own height: TV-style scorebugs set the score larger
than the team codes, and the reader drops glyphs much taller than the text height it is given. Not less: at 1.15 a
HUD found on the wrong boxes (unseen-23: 'NA' for NAPO, its 'O' a number, the crowd behind a translucent cell making
its glyphs 1.16 times the letters' height) read its home score as the away one, three goals, wrong and silent."""


def _digit_tall(glyphs: list[_Glyph]) -> list[_Glyph]:
    """The glyphs standing as tall as digits (``DIGITS_SHARE_HEIGHT`` of the tallest): a shorter blob read with
    a number is no digit of it."""
    tallest = max(glyph.box.height for glyph in glyphs)
    return [glyph for glyph in glyphs if glyph.box.height >= DIGITS_SHARE_HEIGHT * tallest]


def _score_text_height(numbers: list[_Token], text_height: int) -> int | None:
    """The numbers' own digit height when it exceeds ``text_height`` by ``SCORE_OWN_HEIGHT``, else None. Never a
    shorter one: numbers found only by their counters (dev-149) stand shorter than the text they are part of."""
    own = round(_median([g.box.height for g in _digit_tall([g for number in numbers for g in number.glyphs])]))
    return own if own >= SCORE_OWN_HEIGHT * text_height else None


def _digits_box(number: _Token) -> Box:
    """The box of a number's glyphs that stand as tall as digits (``DIGITS_SHARE_HEIGHT``): a shorter blob read
    with them is no digit of it, and the number's box is not sized from it.

    Why: a score cell set apart from the team cells by a gap showing the crowd (dev-452, 31 px text): the search
    read the crowd's blocks in the gap beside the '0' as a digit ('70'), and the box sized from both took in a strip
    of the gap, whose blocks read as a digit ('40-0', '70-0') or stood above the line: no score was read for the
    first 8 s nor for 19 s later, the goal among them stamped 14.5 s late.
    """
    return bounding([glyph.box for glyph in _digit_tall(number.glyphs)])


def _layout(
    frame: Frame,
    tokens: list[_Token],
    found: tuple[int, int, list[_Token]],
    offset_y: int,
    text_height: int,
) -> HudLayout:
    home_index, away_index, between = found
    home, away = tokens[home_index], tokens[away_index]
    numbers = _numbers_by_cell([t for t in between if t.kind == "number"])
    marks = [t for t in between if t.kind != "number"]
    shape = frame.shape
    margin = max(round(0.25 * text_height), 2)
    # The line the numbers stand on, and the codes' letters: a 'J''s tail below it (dev-300's 'JUV') is in its code's
    # box only. Every part as deep as the tail let more of the crowd below a translucent score cell into its box:
    # the score's pixels changed from frame to frame, and a goal's search back read frames showing nothing new.
    code_lines = [
        (_median([g.box.top for g in t.glyphs]), _median([g.box.bottom for g in t.glyphs])) for t in (home, away)
    ]
    top = round(min([t.box.top for t in numbers] + [line[0] for line in code_lines])) + offset_y - margin
    bottom = round(max([t.box.bottom for t in numbers] + [line[1] for line in code_lines])) + offset_y + margin
    top, bottom = max(top, 0), min(bottom, shape[0])
    home_bottom, away_bottom = (min(max(bottom, t.box.bottom + offset_y + margin), shape[0]) for t in (home, away))
    gap = max(round(0.2 * text_height), 1)
    mark_gap = max(round(MARK_GAP * text_height), 1)
    # Room for a wider digit later (a 1 becoming a 4), not so much that the next cell's edge joins in.
    room = round(0.5 * text_height)
    # The score parts stop short of the codes and of any mark (crest, strip) between them: of a mark by less, as a
    # number may stand nearer one than a code's letters stand apart (dev-42: a '1' found 5 px from a strip left a
    # '0' no room; the next match's first goal was stamped at its HUD's first reading, 0.4 s late). What of a mark
    # is left in a part's box touches its side, and goes as a neighbour's edge.
    inner_left = max(
        [home.box.right + gap] + [m.box.right + mark_gap for m in marks if m.box.right <= numbers[0].box.left]
    )
    inner_right = min(
        [away.box.left - gap] + [m.box.left - mark_gap for m in marks if m.box.left >= numbers[-1].box.right]
    )
    # Never at the numbers' own edge: a glyph touching its box's side is dropped as a neighbour's edge (a crest
    # as near a number as its letters stand apart left the '2' no margin).
    inner_left = min(inner_left, numbers[0].box.left - 1)
    inner_right = max(inner_right, numbers[-1].box.right + 1)
    # Numbers glued by their dash stay in one box: the reader cuts the dash out again.
    glued = len(numbers) == 2 and (numbers[0].glyphs[-1].joined or numbers[1].glyphs[0].joined)
    first, last = _digits_box(numbers[0]), _digits_box(numbers[-1])
    outer_left, outer_right = max(inner_left, first.left - room), min(inner_right, last.right + room)
    if len(numbers) == 2 and not glued:
        middle = round((first.right + last.left) / 2)
        # Each number's box holds room for a wider number around it, not all the way to the middle:
        # between split cells lies a strip of the HUD's frame, grey, which noise makes ink or not.
        spans = [(outer_left, min(middle, first.right + room)), (max(middle, last.left - room), outer_right)]
    else:
        spans = [(outer_left, outer_right)]
    score = tuple(
        _score_part(frame, Box(left, top, right, bottom), number, text_height)
        for (left, right), number in zip(spans, numbers, strict=False)
    )
    home_part = TextBox(Box(home.box.left - margin, top, home.box.right + margin, home_bottom).padded(0, 0, shape),
                        home.light, home.level)  # fmt: skip
    away_part = TextBox(Box(away.box.left - margin, top, away.box.right + margin, away_bottom).padded(0, 0, shape),
                        away.light, away.level)  # fmt: skip
    clock = None
    clock_tokens = _clock_tokens(tokens, home_index, away_index, text_height)
    if clock_tokens is not None:
        box = bounding([t.box for t in clock_tokens]).shifted(0, offset_y)
        clock_height = box.height
        clock_box = box.padded(round(0.6 * clock_height), max(round(0.25 * clock_height), 2), shape)
        if clock_box.right > home_part.box.left and clock_box.left < home_part.box.left:
            clock_box = Box(clock_box.left, clock_box.top, home_part.box.left, clock_box.bottom)
        if clock_box.left < away_part.box.right and clock_box.right > away_part.box.right:
            clock_box = Box(away_part.box.right, clock_box.top, clock_box.right, clock_box.bottom)
        clock = TextBox(clock_box, clock_tokens[0].light, clock_tokens[0].level)
    teams = Teams(home=home.text, away=away.text)
    return HudLayout(
        teams=teams,
        home=home_part,
        away=away_part,
        score=score,
        clock=clock,
        text_height_px=text_height,
        team_masks=(code_glyphs(frame, home_part, text_height), code_glyphs(frame, away_part, text_height)),
        clock_without_colon=clock_tokens is not None and len(clock_tokens) == 1,
        score_text_height_px=_score_text_height(numbers, text_height),
        marks=tuple(mark.box.shifted(0, offset_y) for mark in marks),
    )


def _numbers_by_cell(numbers: list[_Token]) -> list[_Token]:
    """``numbers``, the score read as one number of two digits cut into its two numbers when no one polarity and grey
    level reads both digits: each on a cell of its own team's colour, one found light, the other by its dark
    outline, or one digit's cell on the ink's side of the level halfway between the digits' ink and cells.

    Why: dev-937's '1:2', its colon lost, on a light blue and a dark red cell (greys 153 and 46), the '1' found by
    its dark outline and the '2' light: one score box read light at level 113 took the blue cell for ink, and the
    '1' was never read (both goals lost, said). Split, each number's box has its own polarity and level, as the
    numbers of a HUD with a box per number do.
    """
    if len(numbers) != 1 or len(numbers[0].glyphs) != 2 or len(numbers[0].text) != 2:
        return numbers
    token = numbers[0]
    level = token.level
    mixed = len({glyph.light for glyph in token.glyphs}) == 2
    inked = any((glyph.background >= level) == token.light for glyph in token.glyphs)
    if not mixed and not inked:
        return numbers
    return [_Token([glyph], digit, "number") for glyph, digit in zip(token.glyphs, token.text, strict=True)]


def code_glyphs(frame: Frame, part: TextBox, text_height_px: int) -> Mask:
    """The letters of a team code box, without the cell edges or the grass a hidden HUD leaves."""
    mask = glyph_mask(part.box.crop(frame), part)
    return clean_glyphs(mask, text_height_px, max(text_height_px // 2, 3), widest=WIDEST_CODE)


def locate_hud(
    frame: Frame,
    report: LocateReport | None = None,
    *,
    clock_required: bool = False,
    bands: Sequence[Band] = SEARCH_BANDS,
    text_height: int | None = None,
    polarities: frozenset[bool] | None = None,
) -> HudLayout | None:
    """Search the frame's top band, then its bottom band (or ``bands``), for the scoreboard (then each again with
    each of the other ``LOOKS``); None when none is shown. Given the ``text_height`` of the HUD looked for (one
    known before), only rows with enough glyphs of that height are read; given its codes' ``polarities`` too (light
    or dark), only rows with enough glyphs of that height and one of those polarities.

    A scoreboard with a match clock beside it is preferred (with ``clock_required``, one whose clock has two
    parts, ``m:ss``, before one whose clock is a number without a colon: ``HudLayout.clock_without_colon``); then
    one whose codes were read from glued blobs
    (see :func:`_read_glued_codes`, with a clock too); one without a clock is taken only when none has one
    and ``clock_required`` is False (the stream's HUD was never seen with a clock).

    Costs a few OCR calls per candidate row (a few ms each), so callers do it at start and
    again only after the HUD has been missing for a while.
    """
    report = report if report is not None else LocateReport()
    frame_height = frame.shape[0]
    without_clock: tuple[HudLayout, str, str] | None = None
    colonless: tuple[HudLayout, str, str] | None = None
    glued: tuple[HudLayout, str, str] | None = None
    seen: dict[str, dict[tuple[bool, int], _UsualGlyphs]] = {name: {} for name, _, _ in bands}
    for look, (name, top_fraction, bottom_fraction) in itertools.product(LOOKS, bands):
        if name not in report.bands:
            report.bands.append(name)
        offset_y = int(frame_height * top_fraction)
        area = frame[offset_y : int(frame_height * bottom_fraction)]
        rows = sorted(_rows(_glyphs(area, frame_height, look, seen[name])), key=len, reverse=True)
        report.rows += len(rows)
        if look.strong:
            # A row without a glyph of the strong look's own was read as it is by the look before.
            rows = [row for row in rows if any(glyph.strong for glyph in row)]
        for row in rows[:ROWS_TRIED]:
            tokens = _tokens(row)
            if len(tokens) < 3 or (text_height is not None and not _holds_text_of(row, text_height, polarities)):
                continue
            report.rows_read += 1
            row_height = round(_median([g.box.height for g in row]))
            for token in tokens:
                _classify(token, row_height)
            candidates = _find_hud(tokens, row_height)
            from_glued = False
            if not candidates and glued is None and _read_glued_codes(tokens, row_height):
                candidates, from_glued = _find_hud(tokens, row_height), True
            line = " ".join(t.text or "?" for t in tokens)
            if not candidates and len(line) > len(report.best):
                report.best = line
            for found in candidates:
                layout = _layout(frame, tokens, found, offset_y, _own_text_height(tokens, found))
                if look.strong and (
                    layout.clock is None
                    or (layout.clock_without_colon and not _in_capitals(tokens[found[0]], tokens[found[1]]))
                ):
                    # A second guard (the first: _glyphs_inside_others): at this offset a chat line's words split
                    # as glyphs split from their cells (every look strong, a replay of dev-197 read '19:01 pepe_ftw:
                    # 5-4 incoming' as '1901 EP ? 5 4 LU', a HUD with a clock of one number). A HUD is taken from
                    # the strong look with an 'm:ss' clock beside it, or with a clock of one number when both its
                    # codes are in capitals: a chat line's words are lower case (see _in_capitals).
                    continue
                if from_glued:
                    # Taken only when no row of either band reads as a HUD in the usual way: taken at once,
                    # glued codes cost the blind suite 2 of its 93 goals and made 3 misreads (refused).
                    glued = glued or (None if layout.clock is None else (layout, name, line))
                    continue
                if layout.clock is None:
                    # A streamer's widget ("DIV 1 - 2 PTS") has codes and numbers too, but no match clock.
                    without_clock = without_clock or (layout, name, line)
                    continue
                if layout.clock_without_colon and clock_required:
                    # A clock read as one token of digits (its colon lost) may be any number beside a widget
                    # ('CHAMPIONS 2028 DIV 4 7 PTS', dev-106, whose HUD the finer look found): when searching again
                    # for a HUD with a clock, taken only when no candidate has a clock of two parts. A first search
                    # takes it (reading the rest of both bands, and finer, would double its cost): the sampler
                    # searches again while such a clock is not seen running.
                    colonless = colonless or (layout, name, line)
                    continue
                _found(layout, name, line)
                return layout
    if colonless is not None:
        _found(*colonless)
        return colonless[0]
    if glued is not None:
        _found(*glued)
        return glued[0]
    if without_clock is not None and clock_required:
        layout, name, line = without_clock
        logger.info("%r in the %s band looks like a scoreboard but has no clock: not the HUD seen before", line, name)
    elif without_clock is not None:
        layout, name, line = without_clock
        logger.warning(
            "scoreboard taken without a match clock beside it (%r in the %s band): it may be a widget, not the HUD",
            line,
            name,
        )
        return layout
    return None


CAPITALS_HEIGHT_SPREAD = 0.12
"""A code's letters are capitals when every one's height, top and foot lie within this share of their median height
of the others' (see :func:`_in_capitals`)."""


def _in_capitals(*codes: _Token) -> bool:
    """Whether each code's letters are capitals: as tall as each other, their tops and feet on two lines.

    Why: a small italic HUD whose clock's colon is lost (dev-839's '25:04' read '2504', 19 px at 900p) is read only
    by the strong look, which took no clock of one number, as a chat line's fragments read as one: its goals were
    lost, said. A chat line's words are lower case, and letters of one read as a code mix the x-height with an
    ascender or a descender ('pepe' read 'EP': an 'e' and a 'p', 8 and 11 px at 15 px type). A code with a
    descending 'J' or 'Q' (read as such, one glyph per letter) is held to the others' top only: a chat line's 'p'
    reads 'P' (dev-1008's 'AJX', its 'J' cut from the crowd under its cell, 1.14 text heights: never found).
    """
    for code in codes:
        heights = [glyph.box.height for glyph in code.glyphs]
        spread = CAPITALS_HEIGHT_SPREAD * _median(heights)
        tops = [glyph.box.top for glyph in code.glyphs]
        if max(tops) - min(tops) > spread:
            return False
        flush = code.glyphs
        if len(code.text) == len(code.glyphs):  # one glyph per letter: a 'J' or 'Q' may descend
            flush = [glyph for glyph, letter in zip(code.glyphs, code.text, strict=True) if letter not in "JQ"]
        heights, feet = [glyph.box.height for glyph in flush], [glyph.box.bottom for glyph in flush]
        if not flush or any(max(values) - min(values) > spread for values in (heights, feet)):
            return False
    return True


def _holds_text_of(row: list[_Glyph], text_height: int, polarities: frozenset[bool] | None = None) -> bool:
    """Whether ``row`` has enough glyphs of ``text_height`` (and, given ``polarities``, light or dark as those are)
    to hold a HUD's codes and a number in that size.

    Why the polarity: a search near a HUD that was read looks for it, or the next match's in the same style, where it
    was; its codes' letters are as light or dark as they were. bench-720p30-a's half-time search over a still crowd of
    coarse blocks read four rows of light specks of the height of its dark letters (114 tesseract calls, 0.38 CPU s,
    as much as the stream's reading): none of those glyphs was dark. A HUD in another style is found by the search of
    both bands, every third one (``sampler.WHOLE_SEARCH_EVERY``).
    """
    sized = sum(
        text_height / KNOWN_HEIGHT_TOLERANCE <= g.box.height <= text_height * KNOWN_HEIGHT_TOLERANCE
        and (polarities is None or g.light in polarities)
        for g in row
    )
    return sized >= KNOWN_HEIGHT_MIN_GLYPHS


def _found(layout: HudLayout, band: str, line: str) -> None:
    logger.info(
        "scoreboard found in the %s band: %s-%s, text %d px, row read as %r",
        band,
        layout.teams.home,
        layout.teams.away,
        layout.text_height_px,
        line,
    )
