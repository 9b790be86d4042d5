"""Boxes on a frame and the glyph masks cut from them: the pixel vocabulary of the reader.

Why a module of its own: locating the HUD, reading it and the frame sampler's change test all
speak of the same boxes and masks; none of them needs OCR to do so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Frame = NDArray[Any]  # OpenCV images (uint8 BGR or grey); its stubs type them loosely
Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class Box:
    """A pixel rectangle in frame coordinates (right and bottom exclusive)."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def center_x(self) -> float:
        return (self.left + self.right) / 2

    @property
    def center_y(self) -> float:
        return (self.top + self.bottom) / 2

    def crop(self, frame: Frame) -> Frame:
        return frame[max(self.top, 0) : max(self.bottom, 0), max(self.left, 0) : max(self.right, 0)]

    @classmethod
    def of_rect(cls, rect: Iterable[int]) -> Box:
        """From OpenCV's ``(x, y, width, height)`` (``boundingRect``, a component's stats)."""
        x, y, width, height = (int(v) for v in rect)
        return cls(x, y, x + width, y + height)

    def contains(self, other: Box) -> bool:
        """Whether ``other`` lies wholly within this box (edges may touch)."""
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    def padded(self, x: int, y: int, shape: tuple[int, ...]) -> Box:
        """Grown by ``x`` and ``y`` pixels on each side, clipped to a frame of ``shape``."""
        return Box(
            max(self.left - x, 0), max(self.top - y, 0), min(self.right + x, shape[1]), min(self.bottom + y, shape[0])
        )

    def shifted(self, x: int, y: int) -> Box:
        return Box(self.left + x, self.top + y, self.right + x, self.bottom + y)


def bounding(boxes: list[Box]) -> Box:
    """The smallest box holding all of ``boxes`` (at least one)."""
    result = boxes[0]
    for box in boxes[1:]:
        result = result.union(box)
    return result


@dataclass(frozen=True)
class TextBox:
    """One part of the HUD: where it is, whether its text is lighter than its cell, and the grey
    level between the two (measured when the HUD was found, so a cell of another shade beside it
    cannot move the threshold as Otsu's would)."""

    box: Box
    light: bool
    level: int


def gray(image: Frame) -> Frame:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def glyph_mask(crop: Frame, part: TextBox) -> Mask:
    """Text-coloured pixels of a crop of one HUD part."""
    grey = gray(crop)
    mask: Mask = grey > part.level if part.light else grey < part.level
    return mask


def glyph_mask_inverted(crop: Frame, part: TextBox) -> Mask:
    """The crop's pixels of the polarity opposite to ``part``'s: the brightest (or darkest) ink, cut halfway
    between it and the cell's typical grey.

    Why: a white digit with a dark outline on a cell nearly as light as the digit (a yellow team cell) is
    located by its outline, the stronger edge; the outline is thin, JPEG breaks it, and tesseract reads it
    as nothing or as another digit. The fill is the digit.
    """
    grey = gray(crop)
    level = other_polarity_level(grey, light=part.light)
    mask: Mask = grey < level if part.light else grey > level
    return mask


def glyph_mask_either(crop: Frame, part: TextBox) -> Mask:
    """The crop's ink of both polarities: an outlined digit's outline and fill together, the digit's shape drawn
    thick (see ``ScoreboardReader._read_outlined``)."""
    mask: Mask = glyph_mask(crop, part) | glyph_mask_inverted(crop, part)
    return mask


def other_polarity_level(grey: Frame, *, light: bool) -> float:
    """The grey level halfway between a crop's typical grey (its cell) and its darkest ink when ``light`` (text
    located light, so the other polarity is dark), its brightest otherwise."""
    cell = float(np.median(grey))
    return (cell + float(np.percentile(grey, 2 if light else 98))) / 2


FILL_MIN_HEIGHT = 0.8
"""An outline's fill spans at least this share of the outline's height (the outline is a pixel or two thick:
unseen-39's 2 px round 21 px italic digits left 20 of 24 rows, 0.83, and its away '0' never read at 0.85);
a digit's counter never does (a '6', '8', '9' or '4''s is half its height or less), except a thin '0''s, whose fill
reads as that same '0'."""
FILL_INSIDE = 0.9
"""Share of a fill's pixels that lie inside the outline's holes."""


def fills_outline(outline: Mask, fill: Mask) -> bool:
    """Whether ``fill`` (the other polarity's ink, same crop) is what ``outline``'s ink is drawn around: the digits'
    fills inside their outlines, each as tall as the outline round it less its thickness.

    Why: reading the other polarity is only right for an outlined digit; elsewhere the other polarity is a
    counter or a cell's highlight, which tesseract reads as some digit ('0''s counter as '7'). Each fill is
    measured against the outline blob it stands in, not against all the outline's ink: a score box holding both
    numbers holds the separator's outline too, taller than the digits (dev-1047's bar, 19 rows round 17-row digits,
    left the fills at 0.79 of it).
    """
    if not fill.any() or not outline.any():
        return False
    contours, hierarchy = cv2.findContours(outline.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return False
    holes = np.zeros(outline.shape, np.int32)  # each hole marked with 1 + the index of the blob round it
    for index, link in enumerate(hierarchy[0]):
        if link[3] != -1:
            cv2.drawContours(holes, contours, index, int(link[3]) + 1, thickness=cv2.FILLED)
    inside = fill & (holes > 0)
    if int(inside.sum()) < FILL_INSIDE * int(fill.sum()):
        return False
    for owner in np.unique(holes[inside]):
        height = cv2.boundingRect(contours[owner - 1])[3]
        rows = np.flatnonzero((inside & (holes == owner)).any(axis=1))
        if rows[-1] - rows[0] + 1 < FILL_MIN_HEIGHT * height:
            return False
    return True


def mask_mismatch(a: Mask, b: Mask, *, tolerance_px: int = 1) -> float:
    """Share of glyph pixels of either mask with no glyph pixel of the other within ``tolerance_px``.

    A one-pixel tolerance absorbs the edge flicker of compression, so the same
    digits under new noise score near 0 while a 1 turning into a 2 scores high.
    """
    if a.shape != b.shape:
        return 1.0
    ink = int(a.sum()) + int(b.sum())
    if ink == 0:
        return 0.0
    if tolerance_px == 0:
        return int(np.logical_xor(a, b).sum()) / ink
    kernel = np.ones((2 * tolerance_px + 1, 2 * tolerance_px + 1), np.uint8)
    near_a = cv2.dilate(a.astype(np.uint8), kernel) > 0
    near_b = cv2.dilate(b.astype(np.uint8), kernel) > 0
    stray = int(np.logical_and(a, ~near_b).sum()) + int(np.logical_and(b, ~near_a).sum())
    return stray / ink


def score_mismatch(a: Mask, b: Mask, *, tolerance_px: int = 1) -> float:
    """:func:`mask_mismatch` of the score box's left and right halves, the larger.

    One number changing is diluted by the other's unchanged ink when the whole box is compared
    (a bold '1' becoming a '2' beside a '0' scored 0.024, under the 'changed' threshold); each
    half holds about one number.
    """
    if a.shape != b.shape:
        return 1.0
    middle = a.shape[1] // 2
    return max(
        mask_mismatch(a[:, :middle], b[:, :middle], tolerance_px=tolerance_px),
        mask_mismatch(a[:, middle:], b[:, middle:], tolerance_px=tolerance_px),
    )


GLUED_BAR_MIN_COVER = 0.9
"""At least two rows of a glued bar hold ink over this share of its blob's width: the bar runs under (or over) all
of the letters. No row of text does, except the joined bottoms of letters set touching (see :func:`glued_bar_rows`)."""
GLUED_BAR_EDGE_COVER = 0.7
"""The bar's rows nearest the letters hold ink over at least this share of the width: the letters' feet blur into
its edge, and what else the blob joined (a cell beside the code, its digits holes in it) leaves gaps in it."""
GLUED_BAR_MAX_THICKNESS = 0.4
GLUED_BAR_MIN_TEXT = 0.55
"""A glued bar is at most the first share of its blob's height thick; the rows left are at least the second."""
GLUED_BAR_TEXT_MAX_COVER = 0.6
"""Rows of text are mostly gaps and strokes: at least one of them holds ink over at most this share of the width."""
GLUED_BAR_TEXT_MAX_BLOB_WIDTH = 0.7
"""No blob of the text over a bar spans more than this share of its width: letters stand side by side."""


def glued_bar_rows(blob: Mask) -> tuple[int, int] | None:
    """Rows ``[start, stop)`` of a horizontal bar glued along the bottom or the top of ``blob``, or None.

    Why: a team's colour strip drawn under (or over) its code, touching the letters, makes one blob of the code
    and the strip, taller than the text and too wide for a glyph: the code is lost and the HUD never found (dev-168:
    'POR' on its yellow strip, which also joined the score cell beside it). Cutting the bar's rows gives the
    letters back as blobs of their own.
    """
    height, width = blob.shape
    cover = blob.sum(axis=1) / width
    for rows in (range(height - 1, -1, -1), range(height)):
        bar = full = 0
        for row in rows:
            if cover[row] < GLUED_BAR_EDGE_COVER:
                break
            bar += 1
            full += cover[row] >= GLUED_BAR_MIN_COVER
        if full < 2 or bar > GLUED_BAR_MAX_THICKNESS * height or height - bar < GLUED_BAR_MIN_TEXT * height:
            continue
        start, stop = (height - bar, height) if rows.start else (0, bar)
        if (np.delete(cover, np.s_[start:stop]) <= GLUED_BAR_TEXT_MAX_COVER).any() and _side_by_side(
            np.delete(blob, np.s_[start:stop], axis=0)
        ):
            return start, stop
    return None


def inner_bar_rows(blob: Mask) -> tuple[int, int] | None:
    """Rows ``[start, stop)`` of a bar across ``blob`` that touches neither its top nor its bottom, with letters on
    one side: what the bar touches beyond it is the other. Only for a blob taller than any text it may hold: a bar
    inside a blob of text's height is a stroke of its glyphs (the crossbars of a clock's '44' glued into one blob,
    unseen-02: cut there, its clock was lost).

    Why: a colour strip along the edge of a cell drawn tight over the crowd touches the crowd's blocks beyond it, so
    the code, its strip and those blocks were one blob, the strip not at its edge: the code was never found (dev-775:
    italic 'ATM' on its yellow strip at the cell's bottom edge, both goals lost). The crowd's blocks may reach wider
    than the strip, so its rows are told by their longest unbroken run of ink, not by how much of the blob's width
    they cover: rows whose run is at least ``GLUED_BAR_EDGE_COVER`` of the blob's longest, two of them a run under
    (or over) at least ``GLUED_BAR_MIN_COVER`` of the letters' width. The letters' side is held to the edge rule's
    proportions (the bar at most ``GLUED_BAR_MAX_THICKNESS`` of it and the bar, its rows at least
    ``GLUED_BAR_MIN_TEXT``) and stands side by side; the other side may be anything. The feet of letters set touching
    run under one or two of them, with gaps between the others ('LEZ' over the crowd: no bar).
    """
    height = blob.shape[0]
    lengths, starts = _longest_runs(blob)
    barred = np.flatnonzero(lengths >= GLUED_BAR_EDGE_COVER * lengths.max(initial=0))
    for run in np.split(barred, np.flatnonzero(np.diff(barred) > 1) + 1):
        if run.size < 2 or run[0] == 0 or run[-1] == height - 1:
            continue
        start, stop = int(run[0]), int(run[-1]) + 1
        for text in (np.s_[:start], np.s_[stop:]):
            letters = blob[text]
            rows, bar = letters.shape[0], stop - start
            if bar > GLUED_BAR_MAX_THICKNESS * (rows + bar) or rows < GLUED_BAR_MIN_TEXT * (rows + bar):
                continue
            columns = np.flatnonzero(letters.any(axis=0))
            left, right = int(columns[0]), int(columns[-1]) + 1
            under = np.minimum(starts[start:stop] + lengths[start:stop], right) - np.maximum(starts[start:stop], left)
            if int((under >= GLUED_BAR_MIN_COVER * (right - left)).sum()) < 2:
                continue
            if (letters.mean(axis=1) <= GLUED_BAR_TEXT_MAX_COVER).any() and _side_by_side(letters):
                return start, stop
    return None


def _longest_runs(blob: Mask) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Each row's longest unbroken run of ink: its length and its first column (0 and 1 for a row without ink)."""
    counts: NDArray[np.intp] = np.cumsum(blob, axis=1, dtype=np.intp)
    since_gap: NDArray[np.intp] = np.maximum.accumulate(np.where(blob, 0, counts), axis=1)
    runs = counts - since_gap
    ends: NDArray[np.intp] = runs.argmax(axis=1)
    lengths = runs[np.arange(blob.shape[0]), ends]
    return lengths, ends - lengths + 1


def _side_by_side(text: Mask) -> bool:
    """Whether the rows above (or below) a bar hold glyphs side by side: no blob of them spans most of the width,
    and one as tall as text stands clear of both sides (a letter between others, not a speck).

    A cell with its digits as holes in it spans all of it (dev-29's score cell, its bottom edge taken for a bar,
    read as a '3' beside its '|': 0-3 read 0-13); its pieces, when a separator cuts it in two, reach its sides
    (unseen-15's '2 / 0' cell, its top edge taken for a bar: its left piece joined the score's token).
    """
    _, _, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    left, width, height = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    if int(width.max(initial=0)) > GLUED_BAR_TEXT_MAX_BLOB_WIDTH * text.shape[1]:
        return False
    letters = (left > 0) & (left + width < text.shape[1]) & (height >= GLUED_BAR_MIN_TEXT * text.shape[0])
    return bool(letters.any())


def _without_glued_bars(mask: Mask, labels: NDArray[Any], stats: NDArray[Any], text_height_px: float) -> Mask | None:
    """``mask`` with the glued bars cut from its blobs too tall for a glyph and wider than tall (see
    :func:`glued_bar_rows`), given its components; None when no blob has one (the common case: no copy is made).
    Only blobs :func:`clean_glyphs` would drop whole: the feet of letters set touching cover a blob's width as a
    bar does."""
    height, width = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    taller = np.flatnonzero((height > GLYPH_MAX_HEIGHT * text_height_px) & (width >= height))
    cut: Mask | None = None
    for label in taller[taller > 0]:
        x, y, w, h = (int(v) for v in stats[label, :4])
        own = labels[y : y + h, x : x + w] == label
        bar = glued_bar_rows(own) or inner_bar_rows(own)
        if bar is not None:
            cut = mask.copy() if cut is None else cut
            rows = slice(y + bar[0], y + bar[1])
            cut[rows, x : x + w] &= labels[rows, x : x + w] != label
    return cut


WIDEST_GLYPH = 2.5
"""A blob of a box crop wider than this many text heights is no glyph of its text (two digits touching are ~1.3),
unless the box holds a code (``WIDEST_CODE``)."""
WIDEST_CODE = 4.5
"""A team code's letters may all touch (an italic face with a drop shadow): one blob up to four letters wide. At
2.5, dev-351's 'POR' glued by its shadow on some frames was dropped whole, its code box read as empty, and the HUD
was taken for hidden on those frames: three goals were stamped 0.6-0.8 s late, at the first frame it was not."""
GLYPH_MAX_HEIGHT = 1.3
"""A blob in a box crop taller than this many text heights is no glyph of its text, unless it is a descender."""
DESCENDER_MAX_HEIGHT = 1.4
DESCENDER_MAX_WIDTH = 0.6
"""A capital 'J' whose tail descends below the line is up to the first many text heights tall, and at most the
second share of its own height wide (Noto Sans Bold's, italic and outlined, is 1.30 times its 'U' and 0.47 wide)."""


def clean_glyphs(mask: Mask, text_height_px: int, min_height_px: int, *, widest: float = WIDEST_GLYPH) -> Mask:
    """Only the blobs of a box crop that can be glyphs of its text.

    Specks lower than ``min_height_px``, and blobs that touch the crop's sides
    or stand taller than the text (the edge of a neighbouring cell, a colour
    strip, a crest, a busy crowd behind a translucent box) go. A colour strip
    glued under or over the letters is cut from them first (:func:`glued_bar_rows`).
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    cut = _without_glued_bars(mask, labels, stats, text_height_px)
    if cut is not None:
        _, labels, stats, _ = cv2.connectedComponentsWithStats(cut.astype(np.uint8), connectivity=8)
    left, width = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH]
    height = stats[:, cv2.CC_STAT_HEIGHT]
    # A narrow blob a little taller may be a 'J' whose tail descends below the line (dev-300's 'JUV' read 'UV').
    descender = (height <= DESCENDER_MAX_HEIGHT * text_height_px) & (width <= DESCENDER_MAX_WIDTH * height)
    keep = (height >= min_height_px) & ((height <= GLYPH_MAX_HEIGHT * text_height_px) | descender)
    keep &= (left > 0) & (left + width < mask.shape[1])
    keep &= width <= widest * text_height_px
    # A narrow blob reaching the crop's top or bottom is the light gap between split cells or a cell's
    # border: the crop has a margin above and below its text, which no glyph standing on the line fills.
    top = stats[:, cv2.CC_STAT_TOP]
    at_edge = (top == 0) | (top + height >= mask.shape[0])
    keep &= ~(at_edge & (width < 0.4 * height))
    keep[0] = False
    if keep.sum() >= 2:
        # A colour strip or a '|' inside the box is a solid bar taller than the glyphs beside it: measured
        # against the others, as with only one glyph beside it the bar itself would raise their median (dev-387:
        # Roboto Light's '|3' in one box, the bar 1.18 text heights tall, read '13': 1-3 taken as 1-13).
        solid = stats[:, cv2.CC_STAT_AREA] > 0.85 * width * height
        for label in np.flatnonzero(keep & solid & (width < 0.4 * height)):
            others = keep.copy()
            others[label] = False
            if others.any() and height[label] > SOLID_BAR_TALLER_THAN_GLYPHS * float(np.median(height[others])):
                keep[label] = False
    cleaned: Mask = keep[labels]
    return cleaned


DIGITS_SHARE_HEIGHT = 0.8
"""A score's digits stand at least this share of the tallest one's height: they are set in one font at one size (round
digits overshoot by ~3 %, blur adds a pixel), so a much shorter blob among them is a fragment, not a digit."""
SOLID_BAR_TALLER_THAN_GLYPHS = 1.12
"""A solid narrow blob in a box crop this much taller than the other glyphs there is a bar, not a '1'."""
BAR_TALLER_THAN_TEXT = 1.08
"""A bar at least this much taller than the text beside it is a colour strip or a separator ('|'),
never a glyph: letters and digits share one height (round ones overshoot by ~3 %), and a '1' or
an 'I' is no taller than its neighbours."""


def is_bar(blob: Mask, text_height_px: float) -> bool:
    """Whether one blob is an upright or slanted bar taller than the text (see :func:`_one_stroke`): a
    team's colour strip, a '|' separator or a divider, never a letter or a digit."""
    return blob.shape[0] > BAR_TALLER_THAN_TEXT * text_height_px and _one_stroke(blob, SLANT_STROKE_MAX_RUN)


def is_stroke(blob: Mask, text_height_px: float) -> bool:
    """Whether one blob is a single upright or slanted stroke of the text's height: an 'I' (or a plain '1').

    Tesseract drops a lone thin 'I' beside another letter in every rendering (an italic 'LI' read 'L'),
    where its shape leaves no doubt.
    """
    height = blob.shape[0]
    fits = STROKE_MIN_HEIGHT * text_height_px <= height <= BAR_TALLER_THAN_TEXT * text_height_px
    return fits and _one_stroke(blob, LETTER_STROKE_MAX_RUN, LETTER_STROKE_MIN_NARROW_ROWS)


STROKE_MIN_HEIGHT = 0.85
"""A stroke read as an 'I' is nearly as tall as the text (a dash or a dot is not)."""
LETTER_STROKE_MAX_RUN = 0.36
"""An 'I' is thicker for its height than a bar: a semi-bold italic 'I' 14 px tall is 4 px wide."""
LETTER_STROKE_MIN_NARROW_ROWS = 0.95
"""Rows of an 'I' that must be one narrow run: an 'L' or a 'T' whose bar is a tenth of its height is not one."""


def _one_stroke(blob: Mask, max_run: float, min_narrow_rows: float = 0.9) -> bool:
    """Upright: half its columns or more are ink from top to bottom (a translucent cell lets a little of
    the crowd join its edge, so not all of them). Or slanted, as an italic face draws its '|': nearly
    every row holds one short run of ink, and the runs' centres move steadily sideways (a stroke, not
    a blob whose rows wander)."""
    height, width = blob.shape
    full_columns = int((blob.sum(axis=0) >= 0.9 * height).sum())
    if width < 0.4 * height and full_columns >= 0.5 * width:
        return True
    # Leaning by up to a quarter of its height, a stroke's box is up to that much wider than its rows' runs.
    return width < (max_run + STROKE_MAX_LEAN) * height and _slanted_stroke(blob, max_run, min_narrow_rows)


STROKE_MAX_LEAN = 0.25
"""How far an italic stroke leans, in heights: italic faces slant 10-14 degrees (0.18-0.25)."""
SLANT_STROKE_MAX_RUN = 0.25
"""A slanted bar's rows each hold ink at most this share of its height wide (an italic '|' is ~0.15)."""


def _slanted_stroke(blob: Mask, max_run: float, min_narrow_rows: float) -> bool:
    """Whether ``blob`` is one straight stroke leaning like italic type: at least ``min_narrow_rows`` of its
    rows hold a single narrow run of ink, and each run's centre lies within a pixel or two of a straight line."""
    height = blob.shape[0]
    has_ink = blob.any(axis=1)
    first = blob.argmax(axis=1)
    last = blob.shape[1] - 1 - blob[:, ::-1].argmax(axis=1)
    runs = last - first + 1
    filled = blob.sum(axis=1)
    narrow = has_ink & (runs <= max(max_run * height, 3)) & (filled >= runs - 1)
    if narrow.sum() < min_narrow_rows * height:
        return False
    rows = np.flatnonzero(narrow)
    centres = (first[rows] + last[rows]) / 2
    slope, intercept = np.polyfit(rows, centres, 1)
    return bool(np.abs(centres - (slope * rows + intercept)).max() <= max(1.5, 0.08 * height))


JOINT_MAX_THICKNESS = 0.3
"""A separator stroke joining two numbers ('0–0' set tight, or blurred together) is at most this share
of the ink's height thick; a digit's vertical extent in any column is more, except a bar's end."""
JOINT_MIN_WIDTH = 0.25
JOINT_STUB_MIN_WIDTH = 0.3
JOINT_SIDE_MIN_WIDTH = 0.28
"""A joint is at least the first many text heights wide between two numbers, the second when it
touches a number on one side only (a hyphen is ~0.3, an en dash ~0.5; a '4's crossbar sticks out
of its stem by ~0.1-0.15), with ink at least the third many wide beside it (a digit; an 'H's
crossbar has only a thin stem on either side)."""


def joints(mask: Mask, text_height_px: float) -> list[tuple[int, int]]:
    """Column ranges ``[start, end)`` of ``mask`` that hold only a thin stroke at mid height, with
    glyph-wide ink on both sides, or on one side and a gap on the other: a dash touching the
    numbers it separates.

    Such a stroke glues '0–0' into one blob; cutting it out gives the two numbers back, as a gap
    would have.
    """
    rows_with_ink = np.flatnonzero(mask.any(axis=1))
    if rows_with_ink.size == 0:
        return []
    top, ink_height = int(rows_with_ink[0]), int(rows_with_ink[-1] - rows_with_ink[0] + 1)
    has_ink: NDArray[np.bool_] = np.asarray(mask.any(axis=0))
    first = np.where(has_ink, mask.argmax(axis=0), 0)
    last = np.where(has_ink, mask.shape[0] - 1 - mask[::-1].argmax(axis=0), 0)
    centre = ((first + last) / 2 - top) / ink_height
    thin: NDArray[np.bool_] = np.asarray(
        has_ink & (last - first + 1 <= JOINT_MAX_THICKNESS * ink_height) & (centre > 0.3) & (centre < 0.75)
    )
    found: list[tuple[int, int]] = []
    column = 0
    while column < thin.size:
        if not thin[column]:
            column += 1
            continue
        end = column
        while end < thin.size and thin[end]:
            end += 1
        left = _ink_run(has_ink & ~thin, column - 1, -1)
        right = _ink_run(has_ink & ~thin, end, 1)
        width = end - column
        if width >= JOINT_MIN_WIDTH * text_height_px and min(left, right) >= JOINT_SIDE_MIN_WIDTH * text_height_px:
            found.append((column, end))
        # A dash touching only one number (a gap on its other side) is as much a separator.
        blank_left = column == 0 or not has_ink[column - 1]
        blank_right = end == thin.size or not has_ink[end]
        stub = (blank_left and right >= JOINT_SIDE_MIN_WIDTH * text_height_px) or (
            blank_right and left >= JOINT_SIDE_MIN_WIDTH * text_height_px
        )
        if stub and width >= JOINT_STUB_MIN_WIDTH * text_height_px:
            found.append((column, end))
        column = end
    return found


def _ink_run(columns: NDArray[np.bool_], start: int, step: int) -> int:
    """How many columns from ``start`` in direction ``step`` are True without a break."""
    count = 0
    while 0 <= start < columns.size and columns[start]:
        count += 1
        start += step
    return count


def without_joints(mask: Mask, text_height_px: float) -> Mask:
    """``mask`` with the dashes that join its numbers (see :func:`joints`) cleared."""
    found = joints(mask, text_height_px)
    if not found:
        return mask
    cut = mask.copy()
    for start, end in found:
        cut[:, start:end] = False
    return cut


DASH_STUB_MAX_THICKNESS = 0.3
"""A separator's stub is ink no thicker than this share of the text height in a column (a dash is ~0.1-0.2)."""
DASH_STUB_MAX_OFFSET = 0.25
"""...and centred within this share of the text height of the crop's middle (the line's middle: a score box has
equal margins above and below its text)."""


DASH_STUB_LINE_REACH = 0.6
"""The rows a stub is looked for in: this many text heights above and below the crop's middle (the text line, with a
little room for a line set off the middle)."""


def without_dash_stub(mask: Mask, text_height_px: float, *, at_right: bool) -> Mask:
    """``mask`` (a split score box's crop) without the part of a separator that crosses its inner edge: the run of
    columns, from that edge inward, whose only ink is a thin stroke at mid height.

    Why: where the HUD has one number per box and a dash between them, the boxes meet in the middle of the dash.
    A dash glued to the number beside it (dev-144's '3–2', Cantarell Bold, on its P- and B-frames) makes the
    number's blob touch its box's edge, and a blob touching a side is no glyph (``clean_glyphs``): the number
    vanished from every frame but the keyframes, and the goal was stamped on the next keyframe, 2.3 s late. Ink in
    the margins beside the stub (a cell's edge at a tight cell's top and bottom, on the tests' painter) made every
    column look thick: the stub stayed, its number was dropped with it, and '10-2' read 1-2, a wrong score.
    """
    columns = range(mask.shape[1] - 1, -1, -1) if at_right else range(mask.shape[1])
    middle = (mask.shape[0] - 1) / 2
    # Only the text line's rows: ink in the crop's margins, above and below the line (a cell's edge, the crowd
    # beside a tight cell), is no part of the stub and goes with the blobs touching the crop's sides.
    reach = DASH_STUB_LINE_REACH * text_height_px
    line = slice(max(round(middle - reach), 0), min(round(middle + reach) + 1, mask.shape[0]))
    stub_end = None
    for column in columns:
        rows = np.flatnonzero(mask[line, column]) + line.start
        if rows.size == 0:
            break
        thick, off_middle = rows[-1] - rows[0] + 1, abs((rows[0] + rows[-1]) / 2 - middle)
        if thick > DASH_STUB_MAX_THICKNESS * text_height_px or off_middle > DASH_STUB_MAX_OFFSET * text_height_px:
            break
        stub_end = column
    if stub_end is None:
        return mask
    cut = mask.copy()
    if at_right:
        cut[:, stub_end:] = False
    else:
        cut[:, : stub_end + 1] = False
    return cut


ZERO_DOT_CUTS = (0.5, 0.33, 0.2)
"""Where the mask is cut again, as shares of the way from the ink's grey to the part's level: the bridges joining a
zero's dot to its ring are halfway greys (dev-212: strokes and dot ~5-25, bridges 55-95, cell ~150-230, level 104)."""
ZERO_DOT_MAX_OFFSET = 0.2
"""A zero's dot is centred in its ring: its middle within this share of the ring's width and height of the ring's."""
ZERO_DOT_MAX_HEIGHT = 0.5
"""...and less tall than this share of the ring (an outlined digit's inner ring is taller)."""


def without_zero_dots(mask: Mask, grey: Frame, *, light: bool, level: int) -> Mask:
    """``mask`` with the dot of a dotted zero cleared from inside its ring.

    Why: a monospace face's zero has a dot in its counter (DejaVu Sans Mono, Cousine, Liberation Mono). At 14-22 px
    the video's blur joins the dot to the ring by pixels halfway between ink and cell, the mask takes them for ink,
    and the blob is an '8' in shape (two counters stacked) and to tesseract (dev-212: 1-0 read 1-8, joined at it,
    and its next goal reported as 2-8). Cut nearer the ink, those bridges go and the dot stands alone inside the
    ring; an '8''s crossing is full ink, so it keeps its two counters (its loops could only come apart, never
    leave a ring round an island)."""
    if not mask.any():
        return mask
    ink = float(np.percentile(grey[mask], 90 if light else 10))
    for share in ZERO_DOT_CUTS:
        cut = ink + share * (level - ink)
        cleared = _without_centred_islands(mask, mask & (grey > cut if light else grey < cut))
        if cleared is not mask:
            return cleared
    return mask


def _without_centred_islands(mask: Mask, strict: Mask) -> Mask:
    """``mask`` without what lies inside a blob of ``strict`` that holds a centred island of ``strict``.

    Not a blob reaching the crop's top or bottom: the crop has a margin above and below its text, so that is the
    cell itself, taken as ink round a digit drawn in the cell's colour and edged in another (dev-1170: white digits
    outlined in black on a white cell, the fill's counter showing the cell again taken for a zero's dot, and the
    whole digit cleared with it: the score never read)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strict.astype(np.uint8), connectivity=8)
    cleared = mask
    for ring in range(1, count):
        x, y, w, h = (int(v) for v in stats[ring, :4])
        if y == 0 or y + h >= strict.shape[0]:
            continue  # the cell itself, not a zero's ring
        inside: Mask | None = None  # computed only for a ring with a dot where one would be
        window = labels[y : y + h, x : x + w]
        for dot in range(1, count):
            if dot == ring:
                continue
            dx, dy, dw, dh = (int(v) for v in stats[dot, :4])
            within = dx >= x and dy >= y and dx + dw <= x + w and dy + dh <= y + h
            if not within or dh > ZERO_DOT_MAX_HEIGHT * h:
                continue
            if abs(dx + dw / 2 - (x + w / 2)) > ZERO_DOT_MAX_OFFSET * w:
                continue
            if abs(dy + dh / 2 - (y + h / 2)) > ZERO_DOT_MAX_OFFSET * h:
                continue
            if inside is None:
                inside = inside_of(window == ring)
            if not inside[window == dot].all():
                continue
            if cleared is mask:
                cleared = mask.copy()
            cleared[y : y + h, x : x + w] &= ~inside
    return cleared


HAIRLINE_STROKE = 0.5
"""A blob whose strokes are under this share as thick as the other glyphs' (their median) is a cell's edge or
compression's ringing, not a digit: one face's digits share their stroke's thickness."""


def stroke_thickness(blob: Mask) -> float:
    """The median length of a blob's horizontal runs of ink: its strokes' thickness (a '0''s sides, a '1''s stem)."""
    padded = np.pad(blob.astype(np.int8), ((0, 0), (1, 1)))
    edges = np.diff(padded, axis=1)
    starts, stops = np.nonzero(edges == 1), np.nonzero(edges == -1)
    runs = stops[1] - starts[1]
    return float(np.median(runs)) if runs.size else 0.0


def without_hairlines(groups: list[Mask]) -> list[Mask]:
    """The score's groups without blobs whose strokes are far thinner than the other blobs' (``HAIRLINE_STROKE``).

    Why: a one-pixel line where a light score cell meets a colour strip, compression's ringing along the edge,
    stood inside the home number's box as tall as a digit, and '0' read '10' (a wrong score, on a painted HUD
    whose score cell fits its numbers tightly). A '1' is as thick as the '0' beside it in any face; a light face's
    strokes are all thin alike, and stay; so does a ring of outline (dev-25's '1' edged on a yellow strip).
    """
    labelled = [cv2.connectedComponents(group.astype(np.uint8), connectivity=8) for group in groups]
    blobs = [(index, label) for index, (count, _) in enumerate(labelled) for label in range(1, count)]
    if len(blobs) < 2:
        return groups
    masks = [labelled[index][1] == label for index, label in blobs]
    strokes = [stroke_thickness(mask) for mask in masks]
    cleaned = list(groups)
    for position, ((index, _), stroke, mask) in enumerate(zip(blobs, strokes, masks, strict=True)):
        others = strokes[:position] + strokes[position + 1 :]
        width = int(np.count_nonzero(mask.any(axis=0)))
        # Only a line, one stroke wide: a ring of outline is as thin, and is a digit read by what it encloses.
        if stroke < HAIRLINE_STROKE * float(np.median(others)) and width <= 2 * stroke + 1:
            cleaned[index] = cleaned[index] & ~mask
    return cleaned


def ink_columns(mask: Mask) -> NDArray[np.intp]:
    """Indices of the columns of ``mask`` holding any glyph pixel."""
    return np.flatnonzero(mask.any(axis=0))


def blobs_left_to_right(mask: Mask) -> list[Mask]:
    """Each blob of ``mask`` alone (8-connected), cut to its own columns, ordered by its left edge."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    blobs = []
    for label in sorted(range(1, count), key=lambda i: int(stats[i, cv2.CC_STAT_LEFT])):
        left, width = int(stats[label, cv2.CC_STAT_LEFT]), int(stats[label, cv2.CC_STAT_WIDTH])
        blobs.append(labels[:, left : left + width] == label)
    return blobs


def outermost_blob_count(mask: Mask) -> int:
    """Blobs of ``mask`` (8-connected) not standing wholly inside another blob's bounding box.

    Why: an outlined digit's mask is its outline, and the outline of a digit with a counter (4, 6,
    8, 9, 0) is two or more rings, one inside the other; digits stand side by side, never one inside
    another. Counted as blobs, an outlined '4' was two digits and read '44' (dev-29's score cell).
    """
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    boxes = [Box.of_rect(rect) for rect in stats[1:count, :4]]
    return sum(not any(other != box and other.contains(box) for other in boxes) for box in boxes)


HOLE_MIN_AREA = 4.0
"""A hole smaller than this many pixels is a compression speck in a stroke, not a counter."""
COUNTER_MIN_SOLIDITY = 0.8
"""A counter (the hole of a 0, 4, 6, 8 or 9) covers at least this share of its convex hull: an oval or a
triangle. The hole of an outlined digit is the digit's own shape (a 2, a flagged 1), far less solid."""


HOLE_MIN_THICKNESS = 0.07
"""A hole thinner than this share of its blob's height is a seam, not a counter: the sliver a drop shadow leaves
between itself and a stroke (dev-108: Open Sans Light at 46 px, its shadowed '2' refused for its 'counters',
the goal lost). The thinnest counters measured, of extra-bold 4s and 8s at 18-46 px, are 0.10 of the height.

A hole one pixel wide all along is a seam too, however it bends (no 2 x 2 block of its pixels), which the
rectangle round a bent one does not show: the thin light stroke inside the dark outline of a light digit whose
light is the cell's own (dev-566: Open Sans Condensed Light at 15 px, a white '2' edged in black on a white
cell; the seam along its foot and diagonal counted as a counter, the '2' was refused on every frame)."""


def _holes(glyph: Mask) -> list[Frame]:
    """The contours of a blob's holes bigger than a speck (``HOLE_MIN_AREA``) and thicker than a seam
    (``HOLE_MIN_THICKNESS``)."""
    contours, hierarchy = cv2.findContours(glyph.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    thinnest = HOLE_MIN_THICKNESS * glyph.shape[0]
    holes = [
        c
        for c, links in zip(contours, hierarchy[0], strict=True)
        if links[3] != -1 and cv2.contourArea(c) > HOLE_MIN_AREA and min(cv2.minAreaRect(c)[1]) >= thinnest
    ]
    if not holes:
        return holes
    # Hole pixels in a 2 x 2 block of hole pixels: where a hole is wider than a seam, whatever its course.
    wide = cv2.erode((inside_of(glyph) & ~glyph).astype(np.uint8), np.ones((2, 2), np.uint8), anchor=(0, 0))
    return [c for c in holes if _holds_any(c, wide)]


def _holds_any(contour: Frame, pixels: Frame) -> bool:
    """Whether any of ``pixels`` lies inside ``contour`` (or on it)."""
    area = np.zeros(pixels.shape, np.uint8)
    cv2.drawContours(area, [contour], 0, 1, thickness=cv2.FILLED)
    return bool((area & pixels).any())


def _is_counter(hole: Frame) -> bool:
    return cv2.contourArea(hole) >= COUNTER_MIN_SOLIDITY * cv2.contourArea(cv2.convexHull(hole))


def counter_count(glyph: Mask) -> int:
    """The counters of one digit's blob: 0 in a 1, 2, 3, 5 or 7; 1 in a 0, 6 or 9 (and most 4s); 2 in an 8.

    Why: tesseract sometimes reads a digit in a heavy italic face as a digit of another shape, alone and in the
    line alike (Lato Heavy Italic's '8' as '2': 8-0 read as 2-0). How many counters a digit has is a fact of
    its shape that no face changes, so it can contradict such a reading. Holes that are specks, or the shape
    of a digit (see ``is_outline``), are no counters.
    """
    return sum(_is_counter(hole) for hole in _holes(glyph))


def is_outline(glyph: Mask) -> bool:
    """Whether one blob is the ring an outline draws round a digit, not a digit: a hole shaped like a digit
    (far less solid than a counter: a flagged '1' with its foot, a 2, a 7).

    Why: an outlined digit's mask, when the outline was taken for the text, reads as anything: a white '1'
    edged in black on a pink team cell read '4', or, declined, passed for a narrow zero (8-1 read 8-0).
    """
    return any(not _is_counter(hole) for hole in _holes(glyph))


def inside_of(glyph: Mask) -> Mask:
    """The pixels ``glyph``'s ink encloses (its holes, filled): for the ring of an outlined digit, the digit."""
    outside = np.pad((~glyph).astype(np.uint8), 1, constant_values=1)
    cv2.floodFill(outside, None, (0, 0), 0)
    inside: Mask = outside[1:-1, 1:-1].astype(bool)
    return inside


def rings_filled(mask: Mask) -> Mask | None:
    """``mask`` with each blob that is the ring of an outline (``is_outline``) replaced by what it encloses (the
    digit it is drawn round), or None when no blob is such a ring.

    Why: a yellow digit edged in black on a light cell is found by its outline; its fill is too close to the cell
    to be cut in the other polarity (``glyph_mask_inverted`` gave fragments: dev-348's '2' read '8' by their holes,
    its goal lost, said). The ring is whole; what it encloses is the digit's shape, whatever the fill's colour.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    filled: Mask | None = None
    for label in range(1, count):
        left, top, width, height = (int(v) for v in stats[label, :4])
        box = np.s_[top : top + height, left : left + width]
        blob = labels[box] == label
        if not is_outline(blob):
            continue
        if filled is None:
            filled = mask.copy()
        filled[box] &= ~blob
        filled[box] |= inside_of(blob)
    return filled


SEVEN_BAR_MAX_INSET = 0.3
"""A '7''s top row starts within this share of its width of the leftmost ink of its upper half."""
SEVEN_BAR_MIN_SPAN = 0.7
TOP_SPECK_SHARE = 0.34
"""A glyph's top row with less than the second share of the ink of the row below, when that row is one run across
the first share of the glyph's width (a '7''s bar), is a speck on the bar, not the glyph's top. A flagged '1' has
no such row at its top: its flag is a diagonal (Inter Medium Italic's sheared '1': 6 of 10 columns below a 2 px
top)."""


FOUR_CROSSBAR_ROWS = (0.4, 0.88)
"""Where a '4''s crossbar lies, as shares of its height from the top (above a '1''s foot, below its flag)."""
FOUR_CROSSBAR_MIN_SPAN = 0.6
"""A '4''s crossbar runs across this share of its width or more: from the diagonal's foot to past the stem."""


def has_a_crossbar(glyph: Mask) -> bool:
    """Whether one digit's blob has a row in its lower half that spans most of its width, as every '4''s crossbar
    does (open or closed, upright or italic). A '1' has none there: its stem alone, its flag higher, its foot (if
    any) lower.

    Why: FreeSans' '1' at 19 px, its flag blurred into a short horizontal bar, read '4' alone and in one rendering of
    the line (the first read '2-1'): 2-1 read 2-4, a wrong score (the tests' painter, a cell drawn tight).
    """
    rows = np.flatnonzero(glyph.any(axis=1))
    if rows.size < 4:
        return True
    columns = ink_columns(glyph)
    width = max(columns[-1] - columns[0] + 1, 1)
    height = rows[-1] - rows[0] + 1
    top, bottom = (rows[0] + round(share * height) for share in FOUR_CROSSBAR_ROWS)
    for row in glyph[top:bottom]:
        ink = np.flatnonzero(row)
        if ink.size and ink[-1] - ink[0] + 1 >= FOUR_CROSSBAR_MIN_SPAN * width:
            return True
    return False


def looks_like_flagged_one(glyph: Mask) -> bool:
    """Whether one digit's blob is a '1' with a flag, whatever tesseract made of it.

    Why: in light, italic or sheared faces tesseract reads a '1' as '7'. The two differ at the
    top in every font: a '7''s topmost ink is its bar, which starts at the glyph's left; a '1''s
    topmost ink is the top of its stem, and its flag hangs lower and reaches further left. Shear
    moves whole rows, so this holds for italics as well. Measured on Roboto, Inter, Open Sans,
    Lato, DejaVu, Bebas Neue and Cantarell, upright and sheared up to 0.3: a real 7's top row
    starts at most 0.12 of its width in, a '1' read as '7' at least 0.5.
    """
    rows = np.flatnonzero(glyph.any(axis=1))
    if rows.size < 2:
        return False
    upper = glyph[rows[0] : rows[0] + max((rows[-1] - rows[0] + 1) // 2, 1)]
    columns = ink_columns(upper)
    width = ink_columns(glyph)
    span = max(width[-1] - width[0] + 1, 1)
    top = rows[0]
    below = np.flatnonzero(glyph[top + 1])
    bar_below = below.size >= SEVEN_BAR_MIN_SPAN * span and below[-1] - below[0] + 1 == below.size
    if bar_below and np.count_nonzero(glyph[top]) < TOP_SPECK_SHARE * below.size:
        # A speck above a bar (a soft edge's, or compression's): the bar is the top (a blurred DejaVu Sans Mono
        # Bold '7', its top row two pixels at the bar's right end, was taken for a flagged '1': 7-1 read 1-1).
        top += 1
    top_row = np.flatnonzero(glyph[top])
    inset = (top_row[0] - columns[0]) / span
    return bool(inset > SEVEN_BAR_MAX_INSET)


ZERO_COUNTER_MIN_ASPECT = 0.2
"""A zero's counter is at least this share of its height wide (Bebas Neue Bold's, the narrowest here, ~0.27);
the hole an outline leaves round a bare '1' stem is a sliver (~0.1-0.15)."""


def looks_like_zero(glyphs: Mask) -> bool:
    """One blob with one hole, centred and at least half its height: a 0 in any font.

    Tesseract declines a lone zero now and then; its shape is unmistakable (an O never stands
    where a number must).
    """
    contours, hierarchy = cv2.findContours(glyphs.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return False
    outer = [i for i, h in enumerate(hierarchy[0]) if h[3] == -1 and cv2.contourArea(contours[i]) > 4]
    holes = [i for i, h in enumerate(hierarchy[0]) if h[3] != -1 and cv2.contourArea(contours[i]) > HOLE_MIN_AREA]
    if not outer or len(holes) != 1:
        return False
    # A monospace zero's dot or slash sits inside the hole: only the biggest blob is the zero.
    outer.sort(key=lambda i: -cv2.contourArea(contours[i]))
    _, oy, ow, oh = cv2.boundingRect(contours[outer[0]])
    hole = Box.of_rect(cv2.boundingRect(contours[holes[0]]))
    for other in outer[1:]:
        if not hole.contains(Box.of_rect(cv2.boundingRect(contours[other]))):
            return False
    _, hy, hw, hh = cv2.boundingRect(contours[holes[0]])
    centre_offset = abs((hy + hh / 2) - (oy + oh / 2)) / oh
    # A 4's closed triangle is a hole too, but shorter, narrower and off-centre. The ring an outline draws round
    # a '1' has a hole shaped like the 1 (no counter: a flag, a foot) or, round a bare stem, a sliver.
    counter = _is_counter(contours[holes[0]]) and hw >= ZERO_COUNTER_MIN_ASPECT * hh
    return counter and hh >= 0.6 * oh and hw >= 0.25 * ow and centre_offset < 0.08 and ow < 0.95 * oh
