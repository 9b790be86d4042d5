"""Finds the FIFA scoreboard on a frame and reads it with tesseract.

Why it is built this way:
- Location is found, not configured: the HUD sits top-left, but its offset,
  size, font, colours and polarity (light on dark, dark on light, both in one
  HUD) differ per game, overlay and resolution, and a busy crowd may sit
  behind it. We look for glyph-shaped blobs of either polarity, chain them
  into text lines, redraw each line black-on-white and OCR it, and keep the
  line that reads "HOME <score> AWAY". A chat line or a shirt number does not
  have that shape.
- OCR is the expensive step (a tesseract process per call), and the score
  changes a few times per match while the clock changes every frame. Each
  frame is reduced to a glyph mask of the score box; tesseract runs only when
  that mask differs from the one last read.
- A hidden HUD (replay, half-time panel) is detected by comparing the team
  code boxes with their masks from location time: no HUD means no reading.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import pytesseract
from numpy.typing import NDArray

from capture_task.vision.readings import ScoreboardReading
from contracts import Score, Teams

logger = logging.getLogger("highlight_bot.capture")

Frame = NDArray[Any]  # OpenCV images (uint8 BGR or grey); its stubs type them loosely
Mask = NDArray[np.bool_]

SEARCH_HEIGHT_FRACTION = 0.25
"""The HUD is looked for in the top quarter of the frame..."""
SEARCH_WIDTH_FRACTION = 0.6
"""...and its left 60 %: FIFA's scoreboard is top-left, overlays sit elsewhere."""
GLYPH_MIN_HEIGHT_FRACTION = 0.012
GLYPH_MAX_HEIGHT_FRACTION = 0.07
"""HUD glyphs are 1.2-7 % of the frame height at any resolution."""

OCR_TEXT_HEIGHT_PX = 40
"""Tesseract reads best with glyphs ~30-50 px tall; crops are scaled to this."""

MASK_MISMATCH_CHANGED = 0.04
"""Share of stray glyph pixels above which the score box 'changed'.

The same digits on two keyframes score ~0 (the HUD is static); a digit that
changed scores 0.06 (a 1 becoming a 2, mostly overlapping) to 0.3. A false
'changed' costs one extra decode and OCR, a missed one costs a goal: err low.
"""
MASK_MISMATCH_HIDDEN = 0.3
"""Share of stray glyph pixels in the team-code boxes above which the HUD is 'hidden'."""

_HUD_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-"
_TEAM_CODE = re.compile(r"^[^A-Za-z0-9]*([A-Z]{3})[^A-Za-z0-9]*$")
_CLOCK = re.compile(r"^(\d{1,3})\D?(\d{2})$")
_SCORE = re.compile(r"^\D*(\d{1,2})\D+(\d{1,2})\D*$")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Box:
    """A pixel rectangle in frame coordinates."""

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
    def center_y(self) -> float:
        return (self.top + self.bottom) / 2

    def crop(self, frame: Frame) -> Frame:
        return frame[max(self.top, 0) : self.bottom, max(self.left, 0) : self.right]

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    def padded(self, x: int, y: int, shape: tuple[int, ...]) -> Box:
        return Box(
            max(self.left - x, 0), max(self.top - y, 0), min(self.right + x, shape[1]), min(self.bottom + y, shape[0])
        )


@dataclass(frozen=True)
class _Glyph:
    box: Box
    light: bool
    mask: Mask = field(repr=False, compare=False)
    colour: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Word:
    text: str
    box: Box
    light: bool


@dataclass(frozen=True)
class TextBox:
    """One part of the HUD: where it is and whether its text is lighter than its box."""

    box: Box
    light: bool


@dataclass
class HudLayout:
    """Where the HUD's parts are on frames of one resolution, and what the teams are."""

    teams: Teams
    home: TextBox
    away: TextBox
    score: TextBox
    clock: TextBox | None
    text_height_px: int
    team_masks: tuple[Mask, Mask] = field(repr=False)


def _gray(image: Frame) -> Frame:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def glyph_mask(crop: Frame, light: bool) -> Mask:
    """Glyph pixels of a crop of one HUD box, whose text polarity is known."""
    gray = _gray(crop)
    mode = cv2.THRESH_BINARY if light else cv2.THRESH_BINARY_INV
    _, binary = cv2.threshold(gray, 0, 255, mode + cv2.THRESH_OTSU)
    mask: Mask = binary > 0
    return mask


def mask_mismatch(a: Mask, b: Mask) -> float:
    """Share of glyph pixels of either mask with no glyph pixel of the other nearby.

    A one-pixel tolerance absorbs the edge flicker of compression, so the same
    digits under new noise score near 0 while a 1 turning into a 2 scores high.
    """
    if a.shape != b.shape:
        return 1.0
    ink = int(a.sum()) + int(b.sum())
    if ink == 0:
        return 0.0
    kernel = np.ones((3, 3), np.uint8)
    near_a = cv2.dilate(a.astype(np.uint8), kernel) > 0
    near_b = cv2.dilate(b.astype(np.uint8), kernel) > 0
    stray = int(np.logical_and(a, ~near_b).sum()) + int(np.logical_and(b, ~near_a).sum())
    return stray / ink


def clean_glyphs(mask: Mask, text_height_px: int, min_height_px: int) -> Mask:
    """Only the blobs of a box crop that can be glyphs of its text.

    Specks lower than ``min_height_px``, and blobs that touch the crop's sides
    or stand taller than the text (the edge of a neighbouring HUD box, a colour
    strip, a busy crowd behind a translucent box) go.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    left, width = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH]
    height = stats[:, cv2.CC_STAT_HEIGHT]
    keep = (height >= min_height_px) & (height <= 1.3 * text_height_px) & (left > 0) & (left + width < mask.shape[1])
    keep[0] = False
    if keep.sum() >= 2:
        # A colour strip inside the box is a bar taller than the digits around it.
        typical = float(np.median(height[keep]))
        solid = stats[:, cv2.CC_STAT_AREA] > 0.85 * width * height
        keep &= ~(solid & (height > 1.12 * typical) & (width < 0.4 * height))
    cleaned: Mask = keep[labels]
    return cleaned


def _ocr_canvas(glyphs: Mask, text_height_px: int) -> Frame:
    """Black glyphs on white at tesseract's favourite size, padded."""
    canvas: Frame = np.where(glyphs, 0, 255).astype(np.uint8)
    scale = OCR_TEXT_HEIGHT_PX / max(text_height_px, 1)
    if abs(scale - 1) > 0.1:
        canvas = cv2.resize(canvas, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    _, canvas = cv2.threshold(canvas, 127, 255, cv2.THRESH_BINARY)
    return cv2.copyMakeBorder(canvas, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)


def _ocr_line(image: Frame, whitelist: str) -> str:
    config = f'--psm 7 -c "tessedit_char_whitelist={whitelist} "'
    return str(pytesseract.image_to_string(image, config=config)).strip()


def _glyphs(area: Frame, frame_height: int) -> list[_Glyph]:
    """Glyph-sized blobs brighter or darker than a plain surrounding.

    A HUD glyph sits on a flat box; crowd pixels and grass texture that happen
    to be glyph-sized sit on noise, so the ring around each blob must be calm
    compared with the blob's own contrast.
    """
    gray = _gray(area)
    min_h = max(round(GLYPH_MIN_HEIGHT_FRACTION * frame_height), 6)
    max_h = round(GLYPH_MAX_HEIGHT_FRACTION * frame_height)
    block = max(round(max_h * 0.8) | 1, 15)
    glyphs: list[_Glyph] = []
    for light in (True, False):
        mode = cv2.THRESH_BINARY if light else cv2.THRESH_BINARY_INV
        binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, mode, block, -12 if light else 12)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
        for label in range(1, count):
            x, y, w, h, area_px = (int(v) for v in stats[label])
            if not min_h <= h <= max_h or w > 1.6 * h or w * 15 < h or area_px < 0.12 * w * h:
                continue
            box = Box(x, y, x + w, y + h)
            ring = box.padded(max(h // 6, 2), max(h // 6, 2), gray.shape)
            ring_mask = labels[ring.top : ring.bottom, ring.left : ring.right] != label
            ring_pixels = ring.crop(gray)[ring_mask]
            glyph_pixels = box.crop(gray)[labels[y : y + h, x : x + w] == label]
            contrast = abs(float(glyph_pixels.mean()) - float(np.median(ring_pixels)))
            if float(ring_pixels.std()) > 0.45 * contrast:
                continue
            colour = tuple(float(c) for c in box.crop(area)[labels[y : y + h, x : x + w] == label].mean(axis=0))
            glyphs.append(_Glyph(box, light, labels[y : y + h, x : x + w] == label, colour))
    return glyphs


def _text_lines(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Chain glyphs of one polarity-agnostic height into left-to-right lines."""
    lines: list[list[_Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: g.box.left):
        height = glyph.box.height
        for line in lines:
            last = line[-1]
            ref = max(g.box.height for g in line)
            if (
                abs(glyph.box.center_y - last.box.center_y) <= 0.3 * ref
                and abs(height - ref) <= 0.35 * ref
                and -0.2 * ref <= glyph.box.left - last.box.right <= 3.0 * ref
            ):
                line.append(glyph)
                break
        else:
            lines.append([glyph])
    return [kept for line in lines if len(kept := _without_strips(line)) >= 6]


def _without_strips(line: list[_Glyph]) -> list[_Glyph]:
    """Drop team colour strips: solid bars whose colour no other glyph of the line shares.

    An 'I' is a solid bar too, but it has the colour of its neighbours' text.
    """

    def shares_colour(glyph: _Glyph) -> bool:
        return any(
            other is not glyph and float(np.abs(np.subtract(glyph.colour, other.colour)).max()) < 70 for other in line
        )

    return [g for g in line if not (g.box.width < 0.5 * g.box.height and g.mask.mean() > 0.8) or shares_colour(g)]


def _line_words(line: list[_Glyph], area_shape: tuple[int, ...]) -> list[_Word]:
    """OCR a text line redrawn black-on-white; words come back with frame boxes."""
    bounds = line[0].box
    for glyph in line[1:]:
        bounds = bounds.union(glyph.box)
    text_height = int(np.median([g.box.height for g in line]))
    mask = np.zeros((bounds.height, bounds.width), bool)
    for glyph in line:
        top, left = glyph.box.top - bounds.top, glyph.box.left - bounds.left
        mask[top : top + glyph.box.height, left : left + glyph.box.width] |= glyph.mask
    canvas = _ocr_canvas(mask, text_height)
    scale = OCR_TEXT_HEIGHT_PX / max(text_height, 1)
    scale = scale if abs(scale - 1) > 0.1 else 1.0
    config = f'--psm 7 -c "tessedit_char_whitelist={_HUD_CHARACTERS} "'
    data = pytesseract.image_to_data(canvas, config=config, output_type=pytesseract.Output.DICT)
    words = []
    for index, text in enumerate(data["text"]):
        text = text.strip()
        if not text:
            continue
        word_left = bounds.left + (int(data["left"][index]) - 16) / scale
        per_char = int(data["width"][index]) / scale / len(text)
        # Tesseract glues close tokens ("0MCI"): split letters from digits, boxes in proportion.
        for run in re.finditer(r"[A-Z]+|[0-9]+|[^A-Z0-9]+", text):
            run_left, run_right = word_left + per_char * run.start(), word_left + per_char * run.end()
            inside = [g for g in line if run_left <= (g.box.left + g.box.right) / 2 < run_right]
            if not inside:
                continue
            box = Box(
                min(g.box.left for g in inside),
                min(g.box.top for g in inside),
                max(g.box.right for g in inside),
                max(g.box.bottom for g in inside),
            )
            text = run.group()
            if text.isalpha() and len(text) != len(inside):
                text = _reread_letters(inside, text_height) or text
            words.append(_Word(text, box, sum(g.light for g in inside) * 2 >= len(inside)))
    return words


def _reread_letters(glyphs: list[_Glyph], text_height: int) -> str | None:
    """Read a word's glyphs alone when the line reading lost or merged a letter.

    Tesseract drops a thin 'I' beside a wide letter now and then; on its own,
    with only capitals allowed, the word comes back whole.
    """
    left, top = min(g.box.left for g in glyphs), min(g.box.top for g in glyphs)
    right, bottom = max(g.box.right for g in glyphs), max(g.box.bottom for g in glyphs)
    mask = np.zeros((bottom - top, right - left), bool)
    for g in glyphs:
        mask[g.box.top - top : g.box.bottom - top, g.box.left - left : g.box.right - left] |= g.mask
    canvas = _ocr_canvas(np.pad(mask, text_height // 3), text_height)
    config = "--psm 8 -c tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = str(pytesseract.image_to_string(canvas, config=config)).strip()
    return text if len(text) == len(glyphs) else None


def _layout_from_words(words: list[_Word], frame: Frame, text_height: int) -> HudLayout | None:
    """Find 'HOME <digits> AWAY' in one line's words; the clock is the digits before it."""
    for home_index, home in enumerate(words):
        home_code = _TEAM_CODE.match(home.text)
        if home_code is None:
            continue
        for away_index in range(home_index + 2, len(words)):
            away = words[away_index]
            away_code = _TEAM_CODE.match(away.text)
            if away_code is None:
                continue
            between = [_as_digits(w) for w in words[home_index + 1 : away_index]]
            if len(_DIGIT.findall("".join(w.text for w in between))) < 2 or any(
                re.search(r"[A-Z]", w.text) for w in between
            ):
                continue
            clock = _clock_before(words[:home_index], text_height)
            layout = _build_layout(
                frame, Teams(home=home_code.group(1), away=away_code.group(1)), home, away, between, clock, text_height
            )
            if layout is not None:
                return layout
    return None


_LOOKALIKE_DIGITS = str.maketrans("OIl", "011")


def _as_digits(word: _Word) -> _Word:
    """Between the team codes only numbers stand: an 'O' there is a zero, an 'I' a one."""
    return _Word(word.text.translate(_LOOKALIKE_DIGITS), word.box, word.light)


def _clock_before(words: list[_Word], text_height: int) -> _Word | None:
    """The digits just left of the home code ("14", ":", "05" may come as three words)."""
    parts: list[_Word] = []
    for word in map(_as_digits, reversed(words)):
        if not re.fullmatch(r"[0-9:]+", word.text):
            break
        if parts and parts[-1].box.left - word.box.right > 1.5 * text_height:
            break
        parts.append(word)
    if not parts or not _DIGIT.search("".join(w.text for w in parts)):
        return None
    box = parts[0].box
    for word in parts[1:]:
        box = box.union(word.box)
    return _Word("".join(w.text for w in reversed(parts)), box, parts[0].light)


def _build_layout(
    frame: Frame,
    teams: Teams,
    home: _Word,
    away: _Word,
    score_words: list[_Word],
    clock: _Word | None,
    text_height: int,
) -> HudLayout | None:
    """Boxes with margins: the score box spans the gap between the two codes (None if it has none)."""
    shape = frame.shape
    margin = max(round(0.2 * text_height), 2)
    top = min(home.box.top, away.box.top, *(w.box.top for w in score_words)) - margin
    bottom = max(home.box.bottom, away.box.bottom, *(w.box.bottom for w in score_words)) + margin
    gap = max(round(0.25 * text_height), 1)
    # Around the digits, with room for a second digit, but never over the codes (or strips by them).
    room = round(0.8 * text_height)
    left = max(home.box.right + gap, min(w.box.left for w in score_words) - room)
    right = min(away.box.left - gap, max(w.box.right for w in score_words) + room)
    score_box = Box(left, top, right, bottom).padded(0, 0, shape)
    if score_box.width < text_height or top < 0:
        return None
    light = sum(w.light for w in score_words) * 2 >= len(score_words)
    home_box = Box(home.box.left, top, home.box.right, bottom).padded(margin, 0, shape)
    away_box = Box(away.box.left, top, away.box.right, bottom).padded(margin, 0, shape)
    clock_box = None
    if clock is not None:
        clock_box = TextBox(
            Box(clock.box.left, top, clock.box.right, bottom).padded(text_height, 0, shape), clock.light
        )
    return HudLayout(
        teams=teams,
        home=TextBox(home_box, home.light),
        away=TextBox(away_box, away.light),
        score=TextBox(score_box, light),
        clock=clock_box,
        text_height_px=text_height,
        team_masks=(
            _code_glyphs(home_box.crop(frame), home.light, text_height),
            _code_glyphs(away_box.crop(frame), away.light, text_height),
        ),
    )


def locate_hud(frame: Frame) -> HudLayout | None:
    """Search the top-left of a frame for the scoreboard; None when none is shown.

    Costs one tesseract run per candidate text line (~50 ms each), so callers
    do it at start and again only after the HUD has been missing for a while.
    """
    height, width = frame.shape[:2]
    area = frame[: int(height * SEARCH_HEIGHT_FRACTION), : int(width * SEARCH_WIDTH_FRACTION)]
    lines = sorted(_text_lines(_glyphs(area, height)), key=len, reverse=True)
    for line in lines[:6]:
        text_height = int(np.median([g.box.height for g in line]))
        layout = _layout_from_words(_line_words(line, area.shape), frame, text_height)
        if layout is not None:
            logger.info(
                "scoreboard found: %s-%s, score box %s, text %d px",
                layout.teams.home,
                layout.teams.away,
                layout.score.box,
                text_height,
            )
            return layout
    return None


def _parse_score(text: str) -> Score | None:
    compact = text.replace(" ", "")
    match = _SCORE.match(compact)
    if match:
        return Score(home=int(match.group(1)), away=int(match.group(2)))
    digits = _DIGIT.findall(compact)
    if len(digits) == 2 and len(compact) == 2:
        return Score(home=int(digits[0]), away=int(digits[1]))
    return None


def _parse_clock(text: str) -> str:
    found = _CLOCK.match(re.sub(r"[^0-9]", "", text))
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else ""


def _code_glyphs(crop: Frame, light: bool, text_height_px: int) -> Mask:
    """The letters of a team code box, without the box edges or the grass a hidden HUD leaves."""
    return clean_glyphs(glyph_mask(crop, light), text_height_px, max(text_height_px // 2, 3))


def _digit_groups(digits: Mask, text_height_px: int) -> list[Mask]:
    """Split the score's digits into home and away at the widest gap (where the separator stood).

    Digits of one number sit close together; the gap between the numbers is
    the widest by far, whatever the separator was. No clear widest gap: [].
    """
    columns = np.flatnonzero(digits.any(axis=0))
    if columns.size == 0:
        return []
    steps = np.diff(columns)
    order = np.argsort(steps)[::-1]
    if steps.size == 0 or steps[order[0]] < 0.2 * text_height_px:
        return [digits[:, columns[0] : columns[-1] + 1]]
    if steps.size > 1 and steps[order[0]] < 1.8 * steps[order[1]]:
        return []
    split = order[0]
    return [digits[:, columns[0] : columns[split] + 1], digits[:, columns[split + 1] : columns[-1] + 1]]


def _looks_like_zero(glyphs: Mask) -> bool:
    """One blob with one hole, centred and at least half its height: a 0 in any font."""
    contours, hierarchy = cv2.findContours(glyphs.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return False
    outer = [i for i, h in enumerate(hierarchy[0]) if h[3] == -1 and cv2.contourArea(contours[i]) > 4]
    holes = [i for i, h in enumerate(hierarchy[0]) if h[3] != -1 and cv2.contourArea(contours[i]) > 4]
    if len(outer) != 1 or len(holes) != 1:
        return False
    _, oy, _, oh = cv2.boundingRect(contours[outer[0]])
    _, hy, _, hh = cv2.boundingRect(contours[holes[0]])
    centre_offset = abs((hy + hh / 2) - (oy + oh / 2)) / oh
    return hh >= 0.5 * oh and centre_offset < 0.12


def _with_hyphen(groups: list[Mask], text_height_px: int) -> Mask:
    """The numbers redrawn as ``home - away`` with a clean hyphen of our own.

    Broadcasts separate the numbers with '-', ':' or a gap, in any size; the
    line tesseract reads best is a plain "1 - 0", so that is what it is shown.
    """
    height = text_height_px + 4
    space = np.zeros((height, max(text_height_px // 3, 2)), bool)
    hyphen = np.zeros((height, max(text_height_px // 2, 4)), bool)
    hyphen[height // 2 : height // 2 + max(text_height_px // 8, 2), 1:-1] = True
    parts: list[Mask] = []
    for group in groups:
        rows = np.flatnonzero(group.any(axis=1))
        glyphs = group[rows[0] : rows[-1] + 1][:height]
        glyphs = np.pad(glyphs, ((0, height - glyphs.shape[0]), (0, 0)))
        parts += [space, hyphen, space, glyphs] if parts else [glyphs]
    return np.pad(np.hstack(parts), 2)


def _read_score(digits: Mask, text_height_px: int) -> Score | None:
    """Two independent readings must not contradict: a wrong score is worse than none.

    The main reading is the numbers redrawn as a plain line; each number is
    also read alone, which tesseract sometimes declines (a lone 0) but rarely
    gets wrong in the same way, so a disagreement means "unreadable".
    """
    groups = _digit_groups(digits, text_height_px)
    if len(groups) != 2:
        logger.debug("score box has %d numbers, not 2", len(groups))
        return None
    line = _ocr_line(_ocr_canvas(_with_hyphen(groups, text_height_px), text_height_px), "0123456789-")
    score = _parse_score(line)
    lone = re.fullmatch(r"-?(\d{1,2})-?", line.replace(" ", ""))
    if score is None and lone is not None:
        # Tesseract tends to drop a lone zero; its shape (one centred, tall hole) is unmistakable.
        number = int(lone.group(1))
        if line.replace(" ", "").startswith("-") and _looks_like_zero(groups[0]):
            score = Score(home=0, away=number)
        elif line.replace(" ", "").endswith("-") and _looks_like_zero(groups[1]):
            score = Score(home=number, away=0)
    if score is None:
        logger.debug("score line unreadable: %r", line)
        return None
    pad = text_height_px // 2
    for group, number in zip(groups, (score.home, score.away), strict=True):
        canvas = _ocr_canvas(np.pad(group, pad), text_height_px)
        alone = str(pytesseract.image_to_string(canvas, config="--psm 10 -c tessedit_char_whitelist=0123456789"))
        if alone.strip() and alone.strip() != str(number):
            logger.debug("score readings disagree: %s by line, %r alone", score, alone.strip())
            return None
    return score


@dataclass
class ReaderStats:
    """How much work the reader did; the benchmark reports these."""

    locate_attempts: int = 0
    ocr_calls: int = 0
    readings_reused: int = 0
    unreadable: int = 0


class ScoreboardReader:
    """Reads the HUD of successive frames, OCR-ing only when the score box changed.

    Example:
        >>> reader = ScoreboardReader()
        >>> reading = reader.read(frame, may_locate=True)   # None: no HUD visible
    """

    def __init__(self) -> None:
        self.layout: HudLayout | None = None
        self.stats = ReaderStats()
        self._last_mask: Mask | None = None
        self._last_reading: ScoreboardReading | None = None

    def forget(self) -> None:
        """Drop the cached reading so the next visible frame is OCR-ed afresh."""
        self._last_mask = None
        self._last_reading = None

    def relocate(self, frame: Frame) -> bool:
        """Look for the HUD again (new match, new overlay); True when found."""
        self.stats.locate_attempts += 1
        layout = locate_hud(frame)
        if layout is not None:
            self.layout = layout
            self.forget()
        return layout is not None

    def score_mask(self, frame: Frame) -> Mask | None:
        """The score box's glyph mask, or None when the HUD is not on this frame.

        Cheap (no OCR): the frame sampler compares these to decide where to look.
        """
        layout = self.layout
        if layout is None:
            return None
        for part, reference in zip((layout.home, layout.away), layout.team_masks, strict=True):
            glyphs = _code_glyphs(part.box.crop(frame), part.light, layout.text_height_px)
            if mask_mismatch(glyphs, reference) > MASK_MISMATCH_HIDDEN:
                return None
        raw = glyph_mask(layout.score.box.crop(frame), layout.score.light)
        return clean_glyphs(raw, layout.text_height_px, max(layout.text_height_px // 4, 2))

    def read(self, frame: Frame, *, may_locate: bool = False, fresh: bool = False) -> ScoreboardReading | None:
        """The HUD on this frame, or None when it is hidden or unreadable."""
        if self.layout is None and not (may_locate and self.relocate(frame)):
            return None
        mask = self.score_mask(frame)
        if mask is None:
            return None
        if (
            not fresh
            and self._last_reading is not None
            and self._last_mask is not None
            and mask_mismatch(mask, self._last_mask) <= MASK_MISMATCH_CHANGED
        ):
            self.stats.readings_reused += 1
            return self._last_reading
        reading = self._ocr(frame, mask)
        if reading is None:
            self.stats.unreadable += 1
            return None
        self._last_mask, self._last_reading = mask, reading
        return reading

    def _ocr(self, frame: Frame, score_mask: Mask) -> ScoreboardReading | None:
        layout = self.layout
        assert layout is not None
        self.stats.ocr_calls += 1
        height = layout.text_height_px
        digit_px = max(round(height * 0.5), 3)
        digits = clean_glyphs(score_mask, height, digit_px)
        score = _read_score(digits, height)
        if score is None:
            return None
        return ScoreboardReading(teams=layout.teams, score=score, clock=self._read_clock(frame))

    def _read_clock(self, frame: Frame) -> str:
        layout = self.layout
        if layout is None or layout.clock is None:
            return ""
        height = layout.text_height_px
        clock_mask = glyph_mask(layout.clock.box.crop(frame), layout.clock.light)
        clock_digits = clean_glyphs(clock_mask, height, max(round(height * 0.5), 3))
        return _parse_clock(_ocr_line(_ocr_canvas(clock_digits, height), "0123456789:"))

    def refresh_clock(self, frame: Frame) -> ScoreboardReading | None:
        """The last reading with its clock read again (one OCR call): the clock is what moves.

        Readings are reused while the score box is unchanged, so without this
        the clock would stand still between goals; full time needs it to move.
        """
        if self._last_reading is None:
            return None
        clock = self._read_clock(frame)
        if clock:
            self._last_reading = dataclasses.replace(self._last_reading, clock=clock)
        return self._last_reading
