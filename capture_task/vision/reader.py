"""Reads the located scoreboard on successive frames, OCR-ing only when the score changed.

Why it is built this way:
- OCR is the expensive step and the score changes a few times per match while the clock changes
  every frame. Each frame is reduced to a glyph mask of the score parts (no OCR); tesseract runs
  only when that mask differs from the one last read.
- A wrong score is worse than none: each number is read twice (alone, and as part of a redrawn
  ``h - a`` line) and the two must agree; a number no football match shows (above
  ``MAX_GOALS``) is a misread, never a reading.
- Team codes get the same care: after the HUD is located they are read again on later frames,
  and no reading leaves the reader until two readings of the codes agree.
- A hidden HUD (replay, half-time panel) is detected by comparing the team code boxes with their
  masks from location time: no HUD means no reading.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar, cast

import cv2
import numpy as np

from capture_task.vision.code_edges import with_codes_widened
from capture_task.vision.geometry import (
    DIGITS_SHARE_HEIGHT,
    GLYPH_MAX_HEIGHT,
    Box,
    Frame,
    Mask,
    TextBox,
    blobs_left_to_right,
    clean_glyphs,
    counter_count,
    fills_outline,
    glyph_mask,
    glyph_mask_either,
    glyph_mask_inverted,
    gray,
    has_a_crossbar,
    ink_columns,
    is_outline,
    looks_like_flagged_one,
    looks_like_zero,
    mask_mismatch,
    other_polarity_level,
    outermost_blob_count,
    rings_filled,
    score_mismatch,
    stroke_thickness,
    without_dash_stub,
    without_hairlines,
    without_joints,
    without_zero_dots,
)
from capture_task.vision.locate import (
    DIGITS,
    GLYPH_RENDERINGS,
    SEARCH_BANDS,
    WIDE_DIGITS_BLOB,
    HudLayout,
    LocateReport,
    code_glyphs,
    locate_hud,
    read_code,
    read_counted,
    read_glyphs,
    touching_letters,
    wide_blobs,
)
from capture_task.vision.ocr import OCR_TEXT_HEIGHT_PX, PageMode, ocr_canvas, read_text
from capture_task.vision.readings import (
    NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN,
    NIL_NIL,
    ScoreboardReading,
    codes_cut_from,
    lookalike_teams,
)
from capture_task.vision.search_budget import SearchBudget
from contracts import Score, Teams

logger = logging.getLogger("highlight_bot.capture")

MASK_MISMATCH_CHANGED = 0.04
"""Share of stray glyph pixels above which the score box 'changed'.

The same digits on two keyframes score ~0 (the HUD is static); a digit that
changed scores 0.06 (a 1 becoming a 2, mostly overlapping) to 0.3. A false
'changed' costs one extra decode and OCR, a missed one costs a goal: err low.
"""
MASK_MISMATCH_SAME = 0.005
"""Share of stray glyph pixels at or under which two score masks show the same glyphs, so a reading is reused.

Between this and 'changed' a frame is read again (OCR; the frame sampler searches back only when the score read
differs, see ``KeyframeSampler._search_back_if_changed``): a 2 becoming a 3 in a condensed
bold face scored 0.012-0.018 (dev-98), under 'changed', and the old reading was reused for the rest of the
match. Measured on the dev suite's 1,276 reused readings: 0 at the 90th percentile in 97 of 100 streams,
0.013 at most (a translucent cell), so the extra reads are rare.
"""
MASK_MISMATCH_SAME_EXACT = 0.04
"""...and at or under which share of their pixels differ exactly (no tolerance): within a pixel, small digits of the
next number are the same glyphs. dev-1044's 14 px Roboto Bold Italic '2' and '3' differed by 0 within a pixel, and
its 2-1 was reused over 3-1 for 18 s (a double jump to 4-1, one goal reported, said). Clean renders of the 64 faces
the dev suite draws from, at 11-20 px: 628 pairs of a digit and the next are the same within a pixel, none differs
by less than 0.048 exactly (BebasNeue Bold '8' and '9'; '5' and '6', '2' and '3' from 0.067). The same score under
compression, 1,873 reuses in 140 dev streams: 0.010 at the median, over this in 153 (an OCR call each)."""


def same_glyphs(a: Mask, b: Mask) -> bool:
    """Whether two score masks show the same glyphs, so one's reading stands for the other: within 'same' allowing a
    pixel of compression's flicker (``MASK_MISMATCH_SAME``), and within ``MASK_MISMATCH_SAME_EXACT`` without.
    The reader reuses a reading on it; the sampler searches a change it does not hold for."""
    return (
        score_mismatch(a, b) <= MASK_MISMATCH_SAME and score_mismatch(a, b, tolerance_px=0) <= MASK_MISMATCH_SAME_EXACT
    )


MASK_MISMATCH_HIDDEN = 0.3
"""Share of stray glyph pixels in a team-code box above which the HUD is 'hidden' (but see
``MASK_MISMATCH_ONE_CODE_HIDDEN``)."""
MASK_MISMATCH_ONE_CODE_HIDDEN = 0.5
"""With the other code's glyphs unchanged (``MASK_MISMATCH_CODE_UNCHANGED``), one code's must change by more than this
share for the HUD to be 'hidden'. Why: a code box that took in a blob of the crowd beside its cell changes with the
crowd, past ``MASK_MISMATCH_HIDDEN`` at times (dev-1104's 'MSEV' for SEV, 0.24-0.35 as the stand moved, its away
code's 0.0), and the HUD was taken as hidden on the keyframe that showed its last goal before a replay: missed, in
silence. A code of other letters, or one under an overlay, changes more than half its pixels. Only beside a clock:
a widget taken for a HUD (no clock) changes its text piecemeal, and taken as in view it was read on and on, the HUD
itself searched for less (dev-845: found 30 s later, its two goals lost; dev-816: 3x the OCR calls)."""
MASK_MISMATCH_CODE_UNCHANGED = 0.1
"""A code's glyphs changed by at most this share are unchanged (compression noise). Not up to ``MASK_MISMATCH_HIDDEN``:
a new match's HUD, both codes other letters, changed one code's by 0.42 and the other's by only 0.21 (dev-939's
MUN-JUV to ARS-RBL); taken as in view, its transition's frames were searched back and read one by one (84 OCR calls)."""
MAX_GOALS = 20
"""No football match shows a number above this: such a reading is a misread."""
LINE_RENDERINGS = ((PageMode.LINE, 1.0), (PageMode.LINE, 1.35), (PageMode.LINE, 0.8), (PageMode.WORD, 1.0))
"""Page modes and text heights (as factors) the redrawn score line is read with, until one agrees
with the numbers alone. A bold 0 with a slit of a hole reads as 9 (or 90) in line mode at every
size now and then; tesseract's word mode, which expects no gaps to split at, reads it as a 0."""
LINE_BACKING_RENDERINGS = 2
"""Renderings of a number read alone (of the five ``GLYPH_RENDERINGS``) that must read what every rendering of
the score line read, for the line's number to stand where the first reading alone said another. Tesseract reads
a narrow flagged '1' cropped tight as '4' in two renderings of five and as '1' in two others (dev-10: 3-1 read
'3-4' alone, '3-1' by all four line renderings; the goal was lost); a number read one way by the line and by one
rendering alone is not enough (a zero-shaped '4' taken from the line gave 3 wrong scores on the blind suite)."""
TEAM_READINGS_TO_AGREE = 2
CODE_LATER_LOOKS = 4
"""Frames after the codes were confirmed on which their boxes are read again, each a vote (``_look_at_codes_again``).

Why: the two readings that confirm the codes are most often of one frame (the search's, then the boxes' on that
frame), so a misread of that frame's pixels stands for the whole match: dev-1203's 'INT' on a translucent cell over
the crowd read 'INIT' by both, while every later frame read 'INT'; both goals were reported as NAP-INIT. Four more
frames (most often a segment's keyframe each, seconds apart) outvote one frame's misread read twice, at up to 8 OCR
calls a HUD found (a code's glyphs read before are not read again: ``ocr.read_text``)."""
TURNED_READS_TO_LOCATE = 3
"""Fresh readings in a row that read only with one number turned over (``_read_one_polarity``) before that number is
located so. Why not at once: a goal's flash turns a cell over for a few frames (dev-1286's 0-4 to 1-4: its first
frame read 1-4 turned over, the number located so, and no frame read after it: the goal lost)."""
TEAM_REREADS_BEFORE_SEARCH = 2
"""Frames whose code boxes do not read before the HUD is searched for again to read the codes."""
CODE_EDGE_READS = 6
"""Readings of the codes in boxes widened to a letter beyond them (``with_codes_widened``), per HUD found: a crest
or a blob of the crowd that looks like a letter costs no more than these (two OCR calls each)."""
NEW_MATCH_CLOCK_BACK_S = 10 * 60
"""A match clock read this far behind the clock read before it is the next match's: a match clock only runs on (a
half starts where the last one stopped). That HUD, in the same place and face, may name other teams, so its codes
are read again (``ScoreboardReader._codes_read_again``)."""
KICK_OFF_CLOCK_S = 60
"""A clock in its first minute at 0-0, read after one at least this much further on, is a kick-off too, however short
the match before it: a match left early for the next (dev-1196: ZS-SP quit at 09:48, AT-IN kicked off in the same HUD;
the clock went back only 9:48, and AT-IN's goal was reported as 'ZS 0-1 SP'). A misread clock must also read the
first minute on a 0-0 to cost a reading of the codes."""

MAX_CLOCK_MINUTES = 130
"""No match clock shows more minutes: 120 of extra time and its added minutes. A clock read beyond (or with seconds
past 59) is a misread, not a clock: dev-1339's '08:58' read '708:58' made the next reading of 08:58 a clock gone
ten minutes back, a next match; the codes were read again, as 'IBEN', and its first goal was stamped 1.1 s late."""
_CLOCK = re.compile(r"(\d{1,3})\D{0,2}(\d{2})(?!\d)")
_SCORE_LINE = re.compile(r"^\D*(\d{1,2})\D+(\d{1,2})\D*$")


def _digit_groups(digits: Mask, text_height_px: int) -> list[Mask]:
    """Split one box's digits into home and away at the widest gap (where the separator stood).

    Digits of one number sit close together; the gap between the numbers is
    the widest by far, whatever the separator was. No clear widest gap: [].

    A separator's dot glued by a corner to a digit leaves no gap (a tight italic '0:3' whose colon kept
    only its lower dot, dev-116): when no gap splits the box, the dots (pieces lower than a digit's half,
    4-connected, below the top quarter) are cleared and the split tried again. Only this failing case is
    retried; a piece at the top (a '7's bar, a '1's flag joined by a corner) is never cleared.
    """
    groups = _split_at_widest_gap(digits, text_height_px)
    if len(groups) != 1:
        return groups
    count, labels, stats, _ = cv2.connectedComponentsWithStats(digits.astype(np.uint8), connectivity=4)
    rows = np.flatnonzero(digits.any(axis=1))
    # A separator's dots and dash stand at mid height or on the line; at the top stand a '7's bar, a '1's flag.
    below_the_top = rows[0] + DOT_MIN_TOP * (rows[-1] - rows[0] + 1)
    dots = [
        label
        for label in range(1, count)
        if stats[label, cv2.CC_STAT_HEIGHT] < DOT_MAX_HEIGHT * text_height_px
        and stats[label, cv2.CC_STAT_TOP] >= below_the_top
    ]
    if not dots:
        return groups
    split = _split_at_widest_gap(digits & ~np.isin(labels, dots), text_height_px)
    return split if len(split) == 2 else groups


DOT_MAX_HEIGHT = 0.5
"""A piece of a score box lower than this many text heights is no digit (the same floor ``clean_glyphs``
keeps digits by)."""
DOT_MIN_TOP = 0.25
"""A separator's piece starts at least this far down the digits' height."""


def _split_at_widest_gap(digits: Mask, text_height_px: int) -> list[Mask]:
    columns = ink_columns(digits)
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


def _trimmed(group: Mask) -> Mask:
    columns = ink_columns(group)
    rows = np.flatnonzero(group.any(axis=1))
    if columns.size == 0:
        return group
    return group[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def _with_hyphen(groups: list[Mask], text_height_px: int) -> Mask:
    """The numbers redrawn as ``home - away`` with a clean hyphen of our own.

    Broadcasts separate the numbers with '-', ':', a gap or two boxes, in any size; the
    line tesseract reads best is a plain "1 - 0", so that is what it is shown.
    """
    height = text_height_px + 4
    space = np.zeros((height, max(text_height_px // 3, 2)), bool)
    hyphen = np.zeros((height, max(text_height_px // 2, 4)), bool)
    hyphen[height // 2 : height // 2 + max(text_height_px // 8, 2), 1:-1] = True
    parts: list[Mask] = []
    for group in groups:
        glyphs = _trimmed(group)[:height]
        glyphs = np.pad(glyphs, ((0, height - glyphs.shape[0]), (0, 0)))
        parts += [space, hyphen, space, glyphs] if parts else [glyphs]
    return np.pad(np.hstack(parts), 2)


class _Number(NamedTuple):
    """One number as tesseract read it, and as its digits' shapes say it is (they differ only where a
    flagged '1' was read '7', or an 8's blob, two counters, as another digit): the line reading is checked
    against either, the latter is the score."""

    as_read: int
    value: int


def _read_number(group: Mask, text_height_px: int) -> _Number | None:
    """One number read alone; a lone zero tesseract declines is recognised by its shape."""
    glyphs = _trimmed(group)
    count = outermost_blob_count(glyphs)
    if count in (1, 2):
        # No digit is as wide as a blob of two touching ones: such a blob must read as two digits.
        digits = min(count + wide_blobs(glyphs, text_height_px, WIDE_DIGITS_BLOB), 2)
        text = read_counted(glyphs, text_height_px, "0123456789", r"\d{1,2}", digits)
        if text is not None:
            by_shape = _digits_by_shape(glyphs, text)
            return None if by_shape is None else _Number(as_read=int(text), value=int(by_shape))
    if count == 1 and looks_like_zero(glyphs):
        return _Number(as_read=0, value=0)
    return None


HOLELESS_DIGITS = "12357"
"""Digits without a counter in any face (a '4' may be open or closed; a '0', '6', '9' has one, an '8' two)."""


def _digits_by_shape(glyphs: Mask, text: str) -> str | None:
    """``text`` checked digit by digit against its blobs' shapes, or None when a shape contradicts it.

    - A blob that is the ring of an outline (``is_outline``) is no digit: no reading (the fill inside may
      read, in the other polarity: see ``ScoreboardReader._read_inverted``).
    - A blob with two counters is an '8' unless read as '0' or '8' (a slashed zero has two holes too); read as '6'
      or '9', it is no reading: a bold '6' blurred at 17 px closes its hook into a second counter as large as the
      first (FreeSans Bold on the painter's HUD: 0-6 read 0-8, a wrong score).
    - A blob with one counter, centred and tall (``looks_like_zero``), read as '8' or '9' is a '0': a condensed italic
      '0' read '8' on some frames and '0' on others, and the stream joined at 8-3 for 0-3 refused every later score as
      a fall (dev-850: both goals lost); a bold '0' with a speck of the crowd glued under it read '9' on the first
      frames, and the stream joined at 0-9 for 0-0 (dev-910: both goals lost). Drawn in 64 faces at 12-44 px, leaned
      and blurred, no '8' or '9' is one such blob (an '8''s top counter closed in the blur leaves the lower one, short
      and low; a '9''s sits high), and 1653 of 1701 one-blob zeros are.
    - A blob with a counter read as a digit that has none (1, 2, 3, 5, 7) is contradicted: no reading.
    - A '7' whose blob is a flagged '1' (``looks_like_flagged_one``) is a '1'.

    Why read them, not refuse them: tesseract reads some faces' digits as others every time, and a refusal
    left such a face unreadable for the rest of the match: its goals were lost. Roboto Light Italic's '1'
    reads '7' (dev-23); Lato Heavy Italic's '8' reads '2' (a wrong score, 8-0 as 2-0, until the counters were
    counted). The shape rules separate these by a wide margin (a real 7's bar starts at most 0.12 of its width
    in, a flagged 1's top at least 0.5; only an 8 has two counters). Where the shape says only "not that
    digit", the number is refused rather than guessed. A '4', '6' or '9' whose blob looks like a zero is left
    as read: an italic '0' reads '4' now and then (dev-56), but a light face's closed '4' passes
    ``looks_like_zero`` too (Inter Light's 4-5 read 0-5 when it was corrected), and with a stricter zero
    (its counter filling 0.55 of its box) the blind suite gave 3 wrong scores and 5 more silent misses; taken
    only where all four renderings of the score line read '0' too, it still gave 3 wrong scores there (Dec 4).
    A '6' is left as read too, though a one-blob 6's counter never looks like a zero's (64 faces, 12-44 px, leaned
    and blurred): tesseract reads a light face's clean '0' alone as '6' (dev-726's first goal lost, said), and so the
    letter 'O' of a code taken for a number (unseen-23's HUD found on the wrong boxes, 'NA' for NAPO); with the '6'
    taken for '0', that HUD read 0-1, 0-2, 0-3 for 1-0, 2-0, 3-0: three wrong scores (Dec 6).
    Should a rule ever take a real digit for another, the goal detector refuses the resulting score (a fall,
    or a jump it cannot explain), loudly. Only a number whose blobs are its digits, one each, can be checked
    digit by digit; a digit touching its neighbour is left as read.
    """
    blobs = blobs_left_to_right(glyphs)
    if len(blobs) != len(text):
        return text
    digits = []
    for char, blob in zip(text, blobs, strict=True):
        if is_outline(blob):
            logger.debug("digit read as %s is the ring of an outline, not a digit: number %s not read", char, text)
            return None
        counters = counter_count(blob)
        if counters == 2 and char in "69":
            # A '6' or '9' whose hook closed in the blur has two counters too: an '8' or not, the shape cannot say.
            logger.debug("digit read as %s has two counters: an 8 or a closed %s, number %s not read", char, char, text)
            return None
        if counters == 2 and char not in "08":
            digits.append("8")
        elif counters == 1 and char in "89" and looks_like_zero(blob):
            digits.append("0")
        elif counters and char in HOLELESS_DIGITS:
            logger.debug("digit read as %s has a counter, which no %s has: number %s not read", char, char, text)
            return None
        elif char == "7" and looks_like_flagged_one(blob):
            digits.append("1")
        else:
            digits.append(char)
    read = "".join(digits)
    if read != text:
        logger.debug("number read as %s is %s by its digits' shapes", text, read)
    return read


LINE_OFFSET_TOLERANCE = 0.2
"""A number stands on the text line when its ink's middle lies within this many text heights of the
score box's middle (the box is the text line with equal margins above and below)."""


def stands_on_the_line(group: Mask, text_height_px: int) -> bool:
    """Whether one number's glyphs stand whole where the score's text line is.

    A goal animation slides the old number out of its cell and the new one in: on those frames the
    number is cut by the cell's edge (a '1' without its tip reads as '7') or stands above or below
    the line. Its ink then touches the top or bottom of the score box, or its middle is off the
    box's middle: that frame shows no score, whatever it reads as.
    """
    rows = _ink_rows(group)
    if rows is None:
        return True  # nothing to read: read_score says so
    top, bottom = rows
    if top == 0 or bottom == group.shape[0] - 1:
        return False
    middle = (top + bottom + 1) / 2
    return abs(middle - group.shape[0] / 2) <= LINE_OFFSET_TOLERANCE * text_height_px


LINE_EDGES_TOLERANCE = 0.1
"""Text heights by which the two numbers' tops (and bottoms) may differ: one face, one line; a round digit
overshoots by ~3 %, an outline adds a pixel."""


def _on_one_line(groups: list[Mask], text_height_px: int) -> bool:
    """Whether the numbers' ink starts and ends on the same rows, within ``LINE_EDGES_TOLERANCE``.

    Why (checked only of numbers cut in both polarities): what the cell shows near an outlined digit joins it in
    that cut (dev-440: a stub above the away '0' made it a '6': 1-0 read 1-6, twice)."""
    first, second = (_ink_rows(group) for group in groups)
    if first is None or second is None:
        return False
    tolerance = max(2, round(LINE_EDGES_TOLERANCE * text_height_px))
    return abs(first[0] - second[0]) <= tolerance and abs(first[1] - second[1]) <= tolerance


def _ink_rows(group: Mask) -> tuple[int, int] | None:
    """The first and last rows of ``group`` holding ink, or None when it holds none."""
    rows = np.flatnonzero(group.any(axis=1))
    return (int(rows[0]), int(rows[-1])) if rows.size else None


def _ink_height(group: Mask) -> int:
    rows = _ink_rows(group)
    return rows[1] - rows[0] + 1 if rows is not None else 0


def read_score(groups: list[Mask], text_height_px: int) -> Score | None:
    """Two independent readings must agree: a wrong score is worse than none.

    The numbers are read as a redrawn ``h - a`` line and each alone; any disagreement, or a
    number no match shows, means "unreadable". So does a number much shorter than the other
    (``DIGITS_SHARE_HEIGHT``): dev-427's light outlined '0' on a white cell, read by its fill, kept only
    a stroke of its left side half the text tall, and tesseract read it '1' in every rendering: 0-0 read
    1-0 on the keyframes before the goal to 1-0, which was lost in silence.
    """
    if len(groups) != 2 or any(not group.any() for group in groups):
        return None
    heights = [_ink_height(group) for group in groups]
    if min(heights) < DIGITS_SHARE_HEIGHT * max(heights):
        logger.debug("score numbers %r px tall: the shorter is a fragment, not a number", heights)
        return None
    home, away = (_read_number(group, text_height_px) for group in groups)
    if home is None or away is None:
        logger.debug("score numbers unreadable alone: %r", [home, away])
        return None
    alone: list[int | None] = [home.as_read, away.as_read]
    lines = []
    for mode, factor in LINE_RENDERINGS:
        # A bold 0 with a slit of a hole reads as 9 in one rendering and as 0 in another: the line
        # is read in a few, and one of them must agree with the numbers read alone.
        height = round(text_height_px * factor)
        canvas = ocr_canvas(_with_hyphen(groups, text_height_px), height)
        line = read_text(canvas, whitelist="0123456789-", mode=mode).replace(" ", "")
        lines.append(line)
        if _agrees(_line_score(line, alone), (home, away), groups):
            break
    else:
        line_scores = [_line_score(line, alone) for line in lines]
        if not any(lines):
            # No rendering of the line read anything: not another score, no score. The numbers read alone stand
            # if the renderings of each alone back them (unseen-33: Open Sans Condensed Bold's slit zeros,
            # '0' alone in four renderings of five, '' in every rendering of '0-0': 0-0 never read, its first
            # goal lost, said).
            line_scores = [(home.value, away.value)]
        backed = _backed_by_renderings(groups, line_scores, text_height_px)
        if backed is None:
            logger.debug("score readings disagree: %r by line, %r alone", lines, alone)
            return None
        home, away = backed
        logger.debug(
            "score %d-%d read so by every line rendering, and alone by some: %r", home.value, away.value, lines
        )
    by_line = (home.value, away.value)
    if max(by_line) > MAX_GOALS:
        logger.info("score %d-%d read and rejected: no match shows a number above %d", *by_line, MAX_GOALS)
        return None
    return Score(home=by_line[0], away=by_line[1])


def _read_rings_filled(groups: list[Mask], text_height_px: int) -> Score | None:
    """The score read with each number drawn as a ring of outline replaced by what the ring encloses
    (``rings_filled``), or None when no number is such a ring or it still does not read."""
    filled = [rings_filled(group) for group in groups]
    if all(group is None for group in filled):
        return None
    score = read_score([group if fill is None else fill for group, fill in zip(groups, filled, strict=True)],
                       text_height_px)  # fmt: skip
    if score is not None:
        logger.debug("score %s read with its outlined numbers filled", score)
    return score


HEAVY_STROKE = 0.18
"""Numbers whose strokes are at least this share of the text height thick (black and heavy faces: Roboto Black's are
0.25) are read again thinned (``_read_thinned``) when they do not read as cut."""
HEAVY_STROKE_MIN_PX = 4
"""...and at least this many pixels thick: thinned by a pixel on each side, a stroke keeps two."""


def _read_thinned(groups: list[Mask], text_height_px: int) -> Score | None:
    """The score read with a heavy face's strokes thinned by a pixel on each side, last: both readings of
    ``read_score`` must still agree, and the digits' shapes are checked as thinned.

    Why: blur and compression close a heavy face's counters into slits; tesseract read Roboto Black's '0 | 0' at
    30 px as nothing in every rendering of the line and as '0' alone in one rendering of five (dev-610: 0-0 never
    read in the 7 s before its first goal, which was lost, said). Thinned by one pixel, it reads '0-0' in every
    rendering. A thinner face is left alone: thinned, its strokes would break.
    """
    if len(groups) != 2 or any(not group.any() for group in groups):
        return None
    thickness = min(stroke_thickness(group) for group in groups)
    if thickness < max(HEAVY_STROKE * text_height_px, HEAVY_STROKE_MIN_PX):
        return None
    kernel = np.ones((3, 3), np.uint8)
    thinned = [cv2.erode(group.astype(np.uint8), kernel).astype(bool) for group in groups]
    blobs = [len(blobs_left_to_right(group)) for group in (*groups, *thinned)]
    if blobs[:2] != blobs[2:]:
        # A stroke thinned in two (a narrow waist, a hairline) makes other shapes: an '8' in two blobs may read '00'.
        return None
    score = read_score(thinned, text_height_px)
    if score is not None:
        logger.debug("score %s read with its heavy strokes thinned", score)
    return score


def _backed_by_renderings(
    groups: list[Mask], by_line: list[tuple[int, int] | None], text_height_px: int
) -> tuple[_Number, _Number] | None:
    """The numbers every rendering of the score line read, when each is also read so alone by at least
    ``LINE_BACKING_RENDERINGS`` renderings and its digits' shapes do not contradict it; else None."""
    if not by_line or by_line[0] is None or any(score != by_line[0] for score in by_line):
        return None
    numbers = []
    for group, value in zip(groups, by_line[0], strict=True):
        glyphs, text = _trimmed(group), str(value)
        readings = [
            read_glyphs(glyphs, round(text_height_px * factor), DIGITS, mode) for mode, factor in GLYPH_RENDERINGS
        ]
        if readings.count(text) < LINE_BACKING_RENDERINGS or _digits_by_shape(glyphs, text) != text:
            return None
        numbers.append(_Number(as_read=value, value=value))
    return numbers[0], numbers[1]


def _agrees(by_line: tuple[int, int] | None, numbers: tuple[_Number, _Number], groups: list[Mask]) -> bool:
    """Whether the line's numbers are those read alone. A flagged '1' may read '7' in one reading and
    '1' in the other, so either of a number's two forms agrees, and so does the line's number checked by
    its digits' shapes as a number read alone is (``_digits_by_shape``). Why the last: an italic '1' read
    alone as '1' read '7' in every rendering of the line ('1|1' as '1-7'), and no goal to 1-1 was read
    (dev-322, lost at the stream's end, said)."""
    if by_line is None:
        return False
    for read, number, group in zip(by_line, numbers, groups, strict=True):
        if _four_without_crossbar(group, str(read)):
            return False
        forms = (number.as_read, number.value)
        if read in forms:
            continue
        by_shape = _digits_by_shape(group, str(read))
        if by_shape is None or int(by_shape) not in forms:
            return False
    return True


def _four_without_crossbar(group: Mask, text: str) -> bool:
    """Whether a '4' of ``text`` is a blob with no crossbar across its lower half (``has_a_crossbar``): then the
    line and the number alone agree on no '4', and the score stands only if every rendering of the line reads it
    (``_backed_by_renderings``).

    Why: FreeSans' '1' at 19 px, its flag blurred into a short bar above the middle, read '4' alone and in one
    rendering of the line (the first read '2-1'): 2-1 read 2-4, a wrong score (the tests' painter, a cell drawn
    tight). Refusing the '4' alone lost dev-10's 3-1, whose Cantarell '1' reads '4' alone and '1' in every
    rendering of the line; it still reads so.
    """
    if "4" not in text:
        return False
    blobs = blobs_left_to_right(group)
    return len(blobs) == len(text) and any(
        char == "4" and not has_a_crossbar(blob) for char, blob in zip(text, blobs, strict=True)
    )


def _line_score(line: str, alone: list[int | None]) -> tuple[int, int] | None:
    """The two numbers of a redrawn score line; a lone zero the line dropped is taken from ``alone``."""
    found = _SCORE_LINE.match(line)
    if found is not None:
        return int(found.group(1)), int(found.group(2))
    # Tesseract drops a lone zero in a line now and then; the number read alone stands in.
    lone = re.fullmatch(r"-?(\d{1,2})-?", line)
    if lone is None or alone[0] is None or alone[1] is None:
        return None
    return (alone[0], int(lone.group(1))) if line.startswith("-") else (int(lone.group(1)), alone[1])


def read_clock(glyphs: Mask, text_height_px: int) -> str:
    """``mm:ss`` from a clock box's glyphs, or "" when they do not read as a clock."""
    if not glyphs.any():
        return ""
    text = read_text(ocr_canvas(glyphs, text_height_px), whitelist="0123456789:+")
    found = _CLOCK.search(text)
    if found is None:
        return ""
    minutes, seconds = int(found.group(1)), found.group(2)
    return "" if minutes > MAX_CLOCK_MINUTES or int(seconds) > 59 else f"{minutes:02d}:{seconds}"


def read_team_codes(frame: Frame, layout: HudLayout) -> Teams | None:
    """The two team codes as read on this frame (letters only, 2-4 each), or None."""
    codes = []
    for part in (layout.home, layout.away):
        glyphs = code_glyphs(frame, part, layout.text_height_px)
        if not glyphs.any():
            return None
        count = cv2.connectedComponents(glyphs.astype(np.uint8), connectivity=8)[0] - 1
        trimmed = _trimmed(glyphs)
        touching = touching_letters(trimmed, layout.text_height_px)
        text = read_code(trimmed, layout.text_height_px, count, touching=touching)
        if text is None:
            return None
        codes.append(text)
    return Teams(home=codes[0], away=codes[1])


def _overlapping(a: HudLayout, b: HudLayout) -> bool:
    """Two layouts whose extents share pixels: the same HUD, though its boxes differ (a code box found wider
    before the codes were corrected: dev-76's 'ABM', read 'BM' since)."""
    one, other = a.extent, b.extent
    return min(one.right, other.right) > max(one.left, other.left) and min(one.bottom, other.bottom) > max(
        one.top, other.top
    )


def _same_teams_misread(teams: Teams, other: Teams) -> bool:
    """Whether ``other`` are ``teams`` read with a letter off or lost (``lookalike_teams``), or cut at the edges
    (``codes_cut_from``), either way round: the same teams, not another match's."""
    return (
        other == teams or lookalike_teams(teams, other) or codes_cut_from(other, teams) or codes_cut_from(teams, other)
    )


def _same_place(a: HudLayout, b: HudLayout) -> bool:
    """Two layouts of one HUD: their team code boxes within a third of a text height of each other."""
    tolerance = max(a.text_height_px, b.text_height_px) / 3
    return all(
        abs(x.box.left - y.box.left) <= tolerance and abs(x.box.top - y.box.top) <= tolerance
        for x, y in ((a.home, b.home), (a.away, b.away))
    )


def _digit_px(text_height_px: int) -> int:
    """The least height of a score's digit: lower pieces are specks or a separator's."""
    return max(round(text_height_px * 0.5), 3)


def _blob_at_side(frame: Frame, part: TextBox, text_height_px: int, *, right: bool) -> bool:
    """Whether a blob of ``part``'s ink, of digit height and no taller than the text, touches the box's right (or
    left) side: a number standing across it, which ``clean_glyphs`` drops as a neighbour's edge."""
    mask = glyph_mask(part.box.crop(frame), part)
    stats = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)[2]
    left, width, tall = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    at_side = left + width == mask.shape[1] if right else left == 0
    sized = (tall >= _digit_px(text_height_px)) & (tall <= GLYPH_MAX_HEIGHT * text_height_px)
    return bool((at_side & sized).any())


def _one_box_groups(digits: Mask, text_height_px: int) -> list[Mask]:
    """Both numbers of one score box, split where the separator stands (``_digit_groups``); a dash touching both
    numbers ('0–0' set tight) leaves no gap to split at until it is cut out (``without_joints``)."""
    return without_hairlines(_digit_groups(without_joints(digits, text_height_px), text_height_px))


def _score_part_glyphs(
    frame: Frame, layout: HudLayout, masked: Sequence[Callable[[Frame, TextBox], Mask]], min_height_px: int
) -> list[Mask]:
    """The glyphs of each score part, cut by its own of ``masked``; of split parts, without a separator's stub
    at the edge where they meet (``without_dash_stub``)."""
    height = layout.score_height_px
    masks = []
    for part, masked_by in zip(layout.score, masked, strict=True):
        crop = part.box.crop(frame)
        masks.append(without_zero_dots(masked_by(crop, part), gray(crop), light=part.light, level=part.level))
    if len(masks) == 2:
        home, away = masks
        masks = [without_dash_stub(home, height, at_right=True), without_dash_stub(away, height, at_right=False)]
    return _without_strays([clean_glyphs(mask, height, min_height_px) for mask in masks])


STRAY_LINE_TOLERANCE = 0.08
"""Share of the tallest digit's height by which a blob may reach past the digits' line and still be on it."""


def _without_strays(masks: list[Mask]) -> list[Mask]:
    """Each part's glyphs without blobs shorter than a digit (``DIGITS_SHARE_HEIGHT`` of the tallest in the score)
    that reach above or below the line its digit-tall blobs stand on: the crowd or a cell's edge beside a number.

    Why: a score cell drawn tight over the crowd leaves a stroke of the crowd's blocks inside the number's box, half
    a digit tall and hanging below the line, that reads as a '1' (dev-1280's '0' read '10' on most frames, the 0-2
    shown for 0.9 s before a replay never read: the goal lost). Digits stand on one line at one size; a piece of a
    digit broken by compression stays within the line, and so does a dash or a colon.
    """
    found = [cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8) for mask in masks]
    heights = [int(h) for _, _, stats, _ in found for h in stats[1:, cv2.CC_STAT_HEIGHT]]
    if not heights:
        return masks
    digit = DIGITS_SHARE_HEIGHT * max(heights)
    tolerance = max(1, round(STRAY_LINE_TOLERANCE * max(heights)))
    cleaned = []
    for mask, (_, labels, stats, _) in zip(masks, found, strict=True):
        tops, tall = stats[1:, cv2.CC_STAT_TOP], stats[1:, cv2.CC_STAT_HEIGHT]
        on_line = tall >= digit
        if not on_line.any() or on_line.all():
            cleaned.append(mask)
            continue
        line_top, line_bottom = int(tops[on_line].min()), int((tops + tall)[on_line].max())
        strays = ~on_line & ((tops < line_top - tolerance) | (tops + tall > line_bottom + tolerance))
        cleaned.append(mask & ~np.isin(labels, np.flatnonzero(strays) + 1) if strays.any() else mask)
    return cleaned


INVERTED_MISSES_BEFORE_GIVING_UP = 6
"""Unreadable reads in a row that the other polarity did not read either, after which it is tried only on one
unreadable read in ``INVERTED_RETRY_EVERY`` until a score is read again or the HUD is found again: each try
costs up to three more readings, and a HUD it does not help (a smeared or hidden score) would pay them on
every frame."""
INVERTED_RETRY_EVERY = 8
"""Why it is still tried now and then: an outlined number may read only in the other polarity, and a run of
unreadable frames (another number that will not read, a goal animation) must not leave it unread for the rest
of the match (dev-10: a '1' that read '4' alone used up the tries; its 3-2 later went unread)."""


CLOCK_MAX_PACE = 15.0
"""Match-clock seconds per stream second, at most: a FIFA match of 90 minutes lasts 6-20 minutes of play."""
CLOCK_SLACK_S = 5
"""Match-clock seconds a rise may exceed that pace by (the clock read a frame later than its keyframe)."""
CLOCK_RUNNING_STEPS = 2
"""Rises in a row, each at a match clock's pace, after which a clock read without its colon is taken to run."""


@dataclass
class ReaderStats:
    """How much work the reader did; the benchmark and the metrics report these."""

    locate_attempts: int = 0
    ocr_calls: int = 0
    readings_reused: int = 0
    unreadable: int = 0
    transitions: int = 0
    """Frames of a goal animation: a number cut by its box's edge or off its line, or a fresh read of a
    changed score box that still showed the last score."""
    hud_not_found: int = 0
    """Times a search went on for a minute of stream without finding the HUD (set by the sampler)."""
    score_unread: int = 0
    """Runs of keyframes showing the HUD with its score unreadable that were reported (set by the sampler)."""


_T = TypeVar("_T")


@dataclass(frozen=True)
class _Made:
    """What ``ScoreboardReader.score_mask`` made of one group of a layout's boxes, and those boxes' pixels then."""

    layout: HudLayout
    crops: tuple[Frame, ...]
    made: object


class ScoreboardReader:
    """Reads the HUD of successive frames, OCR-ing only when the score parts changed.

    Example:
        >>> reader = ScoreboardReader()
        >>> reading = reader.read(frame, may_locate=True)   # None: no HUD visible (yet)
    """

    def __init__(self) -> None:
        self.layout: HudLayout | None = None
        self.stats = ReaderStats()
        self.last_search = LocateReport()
        self.search_budget = SearchBudget()
        """Charged with every search, asked before the searches a stream schedules (the sampler's, and this
        reader's own for codes that do not read); the sampler pays it in stream time."""
        self._last_mask: Mask | None = None
        self._made: dict[str, _Made] = {}
        """What ``score_mask`` last made of each group of the layout's boxes (see ``_made_from``)."""
        self._last_reading: ScoreboardReading | None = None
        self._transition_mask: Mask | None = None
        """The score's glyphs on the last frame refused as a transition (see ``_in_transition``)."""
        self._team_votes: Counter[Teams] = Counter()
        self._teams: Teams | None = None
        self._failed_team_reads = 0
        self._turned_reads: tuple[int, int] = (0, 0)
        """(number, readings in a row) read only with that number turned over (``TURNED_READS_TO_LOCATE``)."""
        self._later_looks_left = 0
        """Frames left on which the confirmed codes are read again (``CODE_LATER_LOOKS``)."""
        self._edge_reads_left = CODE_EDGE_READS
        self._widened_votes: Counter[Teams] = Counter()
        """Readings of longer codes in code boxes widened to a letter beyond them (``_longer_codes``)."""
        self._inverted_misses = 0
        """Unreadable reads in a row, since the last reading, that did not read in the other polarity either."""
        self._filled_parts: frozenset[int] = frozenset()
        """Score parts read in the other polarity than located (by the fill inside an outline), since a reading
        took them so: see ``_read_inverted``."""
        self._last_clock_s: int | None = None
        """The clock of the last reading with one, in seconds (``_clock_went_back``)."""
        self._clock_steps: list[tuple[float, int]] = []
        """(stream time, clock seconds) of the clock readings on this layout that rose like a match clock."""
        self._clock_runs = False
        self._hud_has_clock = False
        """Once a HUD with a clock was read, a scoreboard without one is a widget, not this stream's HUD
        found again (a streamer's "DIV 1 - 2 PTS" was taken while a replay hid the HUD, and read ever after)."""

    @property
    def teams(self) -> Teams | None:
        """The team codes once two readings agree; None before."""
        return self._teams

    @property
    def last_reading(self) -> ScoreboardReading | None:
        """The last reading made by OCR (reused readings are this one), until :meth:`forget`."""
        return self._last_reading

    def forget(self) -> None:
        """Drop the cached reading so the next visible frame is OCR-ed afresh."""
        self._last_mask = None
        self._last_reading = None
        self._transition_mask = None

    def relocate(
        self,
        frame: Frame,
        *,
        clock_required: bool = False,
        only_another: bool = False,
        only_elsewhere: bool = False,
        near: bool = False,
        only_other_than: Teams | None = None,
    ) -> bool:
        """Look for the HUD again (new match, new overlay); True when found. With ``clock_required`` (or once
        the HUD was read with its clock) only a scoreboard with a clock beside it is taken. With ``only_another``,
        the HUD found in the same place with the confirmed teams is not taken (False): nothing changed; with
        ``only_elsewhere``, no HUD overlapping the one known is (its codes and boxes as first read may differ); with
        ``only_other_than``, no HUD whose codes are those teams' misread (``_same_teams_misread``). With
        ``near``, only the rows of the HUD known now are searched, and of them only those with text of its height and
        its codes' polarity (a tenth of the cost of both bands)."""
        self.stats.locate_attempts += 1
        self.last_search = LocateReport()
        known = self.layout if near else None
        bands = SEARCH_BANDS if known is None else (known.band(frame.shape[0]),)
        text_height = None if known is None else known.text_height_px
        polarities = None if known is None else frozenset((known.home.light, known.away.light))
        clock_required = clock_required or self._hud_has_clock
        with self.search_budget.spending():
            layout = locate_hud(
                frame, self.last_search, clock_required=clock_required, bands=bands, text_height=text_height,
                polarities=polarities,
            )  # fmt: skip
        if layout is not None:
            same_place = self.layout is not None and _same_place(self.layout, layout)
            if only_another and same_place and (layout.teams == self._teams or self._team_votes[layout.teams]):
                # The codes found are those confirmed, or a reading of them outvoted on this HUD: nothing changed.
                return False
            if only_elsewhere and self.layout is not None and _overlapping(self.layout, layout):
                return False
            if only_other_than is not None and _same_teams_misread(only_other_than, layout.teams):
                return False
            # The same HUD found again while its codes are being confirmed is another reading of them.
            # A HUD elsewhere, or found again after its codes were confirmed (it was hidden: a kick-off
            # panel may have brought the next match's teams), starts afresh: the old match's votes
            # would outvote the new codes and keep the old teams' names on the new match's goals.
            voting = same_place and self._teams is None
            self._team_votes = self._team_votes + Counter([layout.teams]) if voting else Counter([layout.teams])
            self.layout = layout
            self._teams = None
            self._inverted_misses = 0
            self._filled_parts = frozenset()
            self._clock_steps, self._clock_runs = [], False
            self._edge_reads_left, self._widened_votes = CODE_EDGE_READS, Counter()
            self.forget()
        return layout is not None

    def score_mask(self, frame: Frame) -> Mask | None:
        """The score parts' glyphs side by side, or None when the HUD is not on this frame.

        Cheap (no OCR): the frame sampler compares these to decide where to look.
        """
        layout = self.layout
        if layout is None:
            return None
        text_height = layout.text_height_px

        def mismatch(part: TextBox, reference: Mask) -> Callable[[], float]:
            return lambda: mask_mismatch(code_glyphs(frame, part, text_height), reference)

        codes = [
            self._made_from(side, layout, (part.box,), frame, mismatch(part, reference))
            for side, part, reference in zip(
                ("home", "away"), (layout.home, layout.away), layout.team_masks, strict=True
            )
        ]
        if max(codes) > MASK_MISMATCH_HIDDEN and (
            layout.clock is None
            or min(codes) > MASK_MISMATCH_CODE_UNCHANGED
            or max(codes) > MASK_MISMATCH_ONE_CODE_HIDDEN
        ):
            return None
        height = layout.score_height_px
        parts = self._made_from(
            "score", layout, tuple(part.box for part in layout.score), frame,
            lambda: _score_part_glyphs(frame, layout, [glyph_mask] * len(layout.score), max(height // 4, 2)),
        )  # fmt: skip
        if len(parts) == 1:
            return parts[0]
        rows = max(p.shape[0] for p in parts)
        return np.hstack([np.pad(p, ((0, rows - p.shape[0]), (0, 1))) for p in parts])

    def _made_from(
        self, key: str, layout: HudLayout, boxes: tuple[Box, ...], frame: Frame, make: Callable[[], _T]
    ) -> _T:
        """``make()``, or what it made of the last frame masked when ``boxes`` hold the same pixels on ``frame``
        (``key`` names the group of boxes: a code's, or the score's).

        Why: half of the frames whose HUD area differs from the last one's (the crowd behind one part moved) show
        one code's or the score's boxes unchanged, pixel for pixel; what ``score_mask`` makes of each depends on
        those pixels and the layout only, so it changes no result (~30 % of the masking work of a search back).
        """
        crops = tuple(box.crop(frame) for box in boxes)
        kept = self._made.get(key)
        if (
            kept is not None
            and kept.layout is layout
            and all(np.array_equal(earlier, now) for earlier, now in zip(kept.crops, crops, strict=True))
        ):
            return cast(_T, kept.made)
        made = make()
        self._made[key] = _Made(layout, tuple(crop.copy() for crop in crops), made)
        return made

    def read(self, frame: Frame, *, may_locate: bool = False, fresh: bool = False) -> ScoreboardReading | None:
        """The HUD on this frame, or None when it is hidden, unreadable or its teams unconfirmed."""
        if self.layout is None and not (may_locate and self.relocate(frame)):
            return None
        mask = self.score_mask(frame)
        if mask is None:
            return None
        if self._teams is None:
            located = self.layout
            if not self._confirm_teams(frame):
                return None
            if self.layout is not located:
                # Confirming the codes may have found the HUD again (or renamed its teams): the mask
                # kept with this reading must be of the layout later frames are compared in.
                mask = self.score_mask(frame)
                if mask is None:
                    return None
        elif self._later_looks_left:
            self._look_at_codes_again(frame)
        if (
            not fresh
            and self._last_reading is not None
            and self._last_mask is not None
            and same_glyphs(mask, self._last_mask)
        ):
            self.stats.readings_reused += 1
            return self._last_reading
        height = self.layout.score_height_px if self.layout is not None else 0
        groups = self._score_groups(frame)
        if not all(stands_on_the_line(group, height) for group in groups):
            # A number sliding in or out of its box (a goal animation): no score is shown on this frame.
            self.stats.transitions += 1
            return None
        located = self.layout
        reading = self._ocr(frame, groups)
        if reading is None:
            self.stats.unreadable += 1
            return None
        if self.layout is not located and (mask := self.score_mask(frame)) is None:
            return None  # a number turned over (``_read_one_polarity``): later frames are compared as it is now
        if fresh and self._in_transition(mask, reading):
            self.stats.transitions += 1
            return None
        if self._clock_went_back(reading):
            return self._codes_read_again(frame, reading)
        if self._edge_reads_left and (longer := self._longer_codes(frame, reading.teams)) is not None:
            reading = dataclasses.replace(reading, teams=longer)
        # A reading with a number turned over, not yet located so, is not reused: its mask does not show that number.
        self._last_mask, self._last_reading = None if self._turned_reads[1] else mask, reading
        self._hud_has_clock |= self.layout is not None and self.layout.clock is not None
        return reading

    def _in_transition(self, mask: Mask, reading: ScoreboardReading) -> bool:
        """Whether a frame read afresh shows the last score although its score box changed: the old
        number sliding or fading out before the new one shows (FC's goal animations), not a reading.

        Called "no reading", so the frame sampler's search back goes on to the first frame that shows
        the new score instead of stopping at a frame of the animation (which timed goals late).

        Two such frames read in a row whose glyphs agree are the score's steady look, not an animation (which
        moves from one read to the next): it is read, and the next frames are compared with it. Why: a frame
        read during a goal's flash kept a strip of its cell's edge in the glyphs compared; every later frame
        of that score was refused as a transition until the stream ended (dev-302: 1-1 read twice, then 174
        frames refused; the goal lost, said).
        """
        last, last_mask = self._last_reading, self._last_mask
        changed = (
            last is not None
            and last_mask is not None
            and reading.score == last.score
            and reading.teams == last.teams
            and mask.shape == last_mask.shape  # another shape: the HUD was found again, not animated
            and score_mismatch(mask, last_mask) > MASK_MISMATCH_CHANGED
        )
        steady = (
            changed
            and self._transition_mask is not None
            and score_mismatch(mask, self._transition_mask) <= MASK_MISMATCH_SAME
        )
        self._transition_mask = mask if changed and not steady else None
        return changed and not steady

    def _confirm_teams(self, frame: Frame) -> bool:
        """Read the codes on this frame too; True once two readings agree."""
        layout = self.layout
        assert layout is not None
        teams = read_team_codes(frame, layout)
        if teams is not None:
            self._team_votes[teams] += 1
        else:
            # The code boxes alone do not read (a mark inside them, say): the search reads the codes as tokens.
            self._failed_team_reads += 1
            # Ever more rarely (after 2, 4, 8, ... failed reads): codes that never read left a search on every
            # other read, ~1 CPU s each (dev-168: 2.4x realtime on a core; 0.6x on the task's quarter vCPU).
            tries = self._failed_team_reads // TEAM_REREADS_BEFORE_SEARCH
            due = self._failed_team_reads % TEAM_REREADS_BEFORE_SEARCH == 0 and tries & (tries - 1) == 0
            if due and self.search_budget.allows("its team codes do not read"):
                self.relocate(frame)
        return self._confirm_from_votes()

    def _confirm_from_votes(self) -> bool:
        layout = self.layout
        assert layout is not None
        best, votes = self._team_votes.most_common(1)[0] if self._team_votes else (None, 0)
        if best is None or votes < TEAM_READINGS_TO_AGREE:
            return False
        if best != layout.teams:
            logger.info("team codes corrected on re-reading: %s-%s, not %s-%s", best.home, best.away,
                        layout.teams.home, layout.teams.away)  # fmt: skip
        self._teams = best
        self.layout = dataclasses.replace(layout, teams=best)
        self._later_looks_left = CODE_LATER_LOOKS
        return True

    def _look_at_codes_again(self, frame: Frame) -> None:
        """Read the confirmed codes' boxes on this later frame too, a vote; codes read more often than the confirmed
        ones (and at least ``TEAM_READINGS_TO_AGREE`` times) replace them, in the readings from now on.

        The boxes stay as found, so the HUD's "hidden" test and which frames read are unchanged; only the names
        change. A goal detector takes a same-score reading with corrected codes as the same match (the clock runs on).
        """
        layout, confirmed = self.layout, self._teams
        assert layout is not None and confirmed is not None
        self._later_looks_left -= 1
        teams = read_team_codes(frame, layout)
        if teams is None:
            return
        self._team_votes[teams] += 1
        best, votes = self._team_votes.most_common(1)[0]
        if best == confirmed or votes < TEAM_READINGS_TO_AGREE or votes <= self._team_votes[confirmed]:
            return
        if codes_cut_from(best, confirmed):
            return  # the boxes as found cut codes read whole in widened ones (``_longer_codes``): those stand
        logger.info(
            "team codes corrected on later frames: %s-%s (read %d times), not %s-%s (read %d times)",
            best.home, best.away, votes, confirmed.home, confirmed.away, self._team_votes[confirmed],
        )  # fmt: skip
        self._teams = best
        self.layout = dataclasses.replace(layout, teams=best)
        if self._last_reading is not None and self._last_reading.teams == confirmed:
            self._last_reading = dataclasses.replace(self._last_reading, teams=best)

    def _score_groups(
        self, frame: Frame, *, inverted: bool = False, either: frozenset[int] = frozenset()
    ) -> list[Mask]:
        layout = self.layout
        assert layout is not None
        height = layout.score_height_px
        digit_px = _digit_px(height)
        # A part read by its fill is cut in the other polarity than located; ``inverted`` turns every part over;
        # the parts in ``either`` are cut in both (``glyph_mask_either``).
        flipped = [inverted != (index in self._filled_parts) for index in range(len(layout.score))]
        masked = [
            glyph_mask_either if index in either else glyph_mask_inverted if flip else glyph_mask
            for index, flip in enumerate(flipped)
        ]
        digits = _score_part_glyphs(frame, layout, masked, digit_px)
        if len(digits) == 1:
            return _one_box_groups(digits[0], height)
        return without_hairlines(digits)

    def _ocr(self, frame: Frame, groups: list[Mask]) -> ScoreboardReading | None:
        """The reading of ``frame``, whose score groups (``_score_groups``) are ``groups``."""
        layout = self.layout
        assert layout is not None and self._teams is not None
        self.stats.ocr_calls += 1
        turned_reads, self._turned_reads = self._turned_reads, (0, 0)
        as_located = self._as_located_unless_fills_hold(frame, groups)
        score = read_score(groups, layout.score_height_px) if as_located is None else None
        if score is not None:
            self._inverted_misses = 0
        else:
            # The readings of the outlined look at the numbers as located: what they fill or thin is an outline,
            # not the fragments of a fill that no longer holds.
            located = groups if as_located is None else as_located
            score = (
                self._read_inverted(frame, groups)
                or _read_rings_filled(located, layout.score_height_px)
                or self._read_outlined(frame, located)
                or _read_thinned(located, layout.score_height_px)
                or self._read_resplit(frame)
                or self._read_one_polarity(frame, located, turned_reads)
            )
        if score is None:
            return None
        return ScoreboardReading(self._teams, score, self._read_clock(frame), maybe_widget=self.maybe_widget)

    def _read_one_polarity(self, frame: Frame, located: list[Mask], turned_reads: tuple[int, int]) -> Score | None:
        """The score read with the number located in the other polarity than its partner turned over to match it,
        when the two numbers in boxes of their own were located one light, one dark, and read no other way, and the
        one turned over shows no ink at all as located; it is located so once that reads on ``TURNED_READS_TO_LOCATE``
        fresh frames in a row (the readings before are not reused).

        Why: the numbers of one score are drawn in one colour. Black italic digits nearly filling small light cells
        (dev-1230: Inter Bold Italic on pink split cells) had the home one located as the light cell round it, its
        away partner dark: located, never read, every goal lost (said). Last, after every other reading: turned
        over, a number that is not a digit's fill is a counter or a cell's highlight, and both readings of
        ``read_score`` must still agree. Located so from then on, not only read so: the score's mask, which says
        whether a frame is read afresh, was of the cell round the digit, the same whichever digit it held, and
        the next goal's frames reused the last reading (dev-1230's 3-4 passed as 2-4 until the HUD was hidden). Only a
        number showing no ink as located: one whose ink did not read is a digit in motion as often (dev-1286's goal
        animation, read 1-4 turned over on its first frame, then nothing on any frame: the goal lost).
        """
        layout = self.layout
        assert layout is not None
        if len(layout.score) != 2 or len(located) != 2 or layout.score[0].light == layout.score[1].light:
            return None
        inverted = self._score_groups(frame, inverted=True)
        for turned, numbers in ((0, [inverted[0], located[1]]), (1, [located[0], inverted[1]])):
            if located[turned].any():
                continue  # ink as located is a number, or one in motion: what a goal's animation shows
            score = read_score(numbers, layout.score_height_px)
            if score is None:
                continue
            streak = turned_reads[1] + 1 if turned_reads[0] == turned else 1
            if streak < TURNED_READS_TO_LOCATE:
                self._turned_reads = (turned, streak)
                logger.debug("score %s read with its number %d turned over (%d in a row)", score, turned, streak)
                return score
            part = layout.score[turned]
            level = round(other_polarity_level(gray(part.box.crop(frame)), light=part.light))
            parts = list(layout.score)
            parts[turned] = TextBox(part.box, not part.light, level)
            self.layout = dataclasses.replace(layout, score=(parts[0], parts[1]))
            logger.info(
                "score %s read with its %s number turned over to its partner's polarity: located so from now on",
                score, "home" if turned == 0 else "away",
            )  # fmt: skip
            return score
        return None

    def _read_resplit(self, frame: Frame) -> Score | None:
        """The score read with the two numbers' boxes taken as one box and split at the gap between the numbers as
        they stand on this frame, when a number stands across the line between the boxes (a blob of digit height
        touching a box's inner side) and the boxes are the halves of one cell (side by side, one polarity).

        Why: a score centred in its cell moves when a number's width changes. dev-650's italic '0:3' became '1:3',
        the narrower '1' moved the '3' 4 px left, across the middle of the gap as located at 0-3; touching its box's
        side, it was dropped as a neighbour's edge and 1-3 never read (the goal came as a jump 0-3 -> 2-3: one goal
        reported, said). Both readings of ``read_score`` must still agree on the groups split afresh.
        """
        layout = self.layout
        assert layout is not None
        if len(layout.score) != 2 or self._filled_parts:
            return None
        home, away = layout.score
        if home.box.right != away.box.left or home.light != away.light:
            return None
        height = layout.score_height_px
        if not (_blob_at_side(frame, home, height, right=True) or _blob_at_side(frame, away, height, right=False)):
            return None
        top, bottom = min(home.box.top, away.box.top), max(home.box.bottom, away.box.bottom)
        one_box = TextBox(Box(home.box.left, top, away.box.right, bottom), home.light, (home.level + away.level) // 2)
        digits = _score_part_glyphs(
            frame, dataclasses.replace(layout, score=(one_box,)), [glyph_mask], _digit_px(height)
        )
        score = read_score(_one_box_groups(digits[0], height), height)
        if score is not None:
            logger.debug("score %s read with the numbers split where they stand now", score)
        return score

    def _as_located_unless_fills_hold(self, frame: Frame, groups: list[Mask]) -> list[Mask] | None:
        """None when each part read by its fill (``_filled_parts``) shows on this frame a fill inside its outline
        (``fills_outline``), as when the fill was first taken; else the groups with those parts cut as located:
        the fills are not read as they are, nor handed on to the readings of outlines.

        Why: once a part is read by its fill, every later frame reads the fill first, and a thin fill comes in
        fragments that read as other digits (dev-440's '0' as a '7', made a '1' by its shape: 1-0 read 1-1). And
        when the fill fails, what the outline readings need is the outline: dev-1109's white '1' edged in black on
        a white cell was read by its fill; the '2' after it, its outline broken at one curve (so no fill held
        inside it), reads by its ring filled (``_read_rings_filled``), but was handed the cell leaking into the
        broken ring in the other polarity ('2 has a counter'): 2-2 never read, the goal lost, said at the end.
        """
        layout = self.layout
        assert layout is not None
        if not self._filled_parts:
            return None
        if len(layout.score) == 1:
            if self._box_fill_holds(frame):
                return None
            logger.debug("a score read by its fill shows no fill inside its outline here: not read so")
            return self._score_groups(frame, inverted=True)
        if len(layout.score) != 2 or len(groups) != 2:
            return None
        located = self._score_groups(frame, inverted=True)
        if all(fills_outline(located[index], groups[index]) for index in self._filled_parts):
            return None
        logger.debug("a number read by its fill shows no fill inside its outline here: not read so")
        return [located[index] if index in self._filled_parts else group for index, group in enumerate(groups)]

    def _box_fill_holds(self, frame: Frame) -> bool:
        """Whether a score in one box shows, in the other polarity than located, the fills inside its outlines
        (``fills_outline``, the whole box cut each way: its groups split the two numbers apart, not outline from
        fill)."""
        layout = self.layout
        assert layout is not None and len(layout.score) == 1
        digit_px = _digit_px(layout.score_height_px)
        located, fill = (
            _score_part_glyphs(frame, layout, [cut], digit_px)[0] for cut in (glyph_mask, glyph_mask_inverted)
        )
        return fills_outline(located, fill)

    def _read_inverted(self, frame: Frame, groups: list[Mask]) -> Score | None:
        """The score read with its outlined numbers taken in the other polarity, when it did not read as
        located (see ``glyph_mask_inverted``): only a number in a box of its own, whose other polarity is the
        fill inside its outline (``fills_outline``); the result must still pass both readings of ``read_score``.

        A number read so is read so from then on (``_filled_parts``), first, until it reads only as located again.
        Why: tried only after the located polarity failed, and then only now and then (each try costs up to three
        readings), the fill was seldom tried on the frames a goal's search back reads: dev-221's white '1' edged
        in black on a yellow cell read '9' by its outline on every frame from its first, and the goal was timed
        at the next keyframe that tried the fill, 3.2 s late.
        """
        layout = self.layout
        assert layout is not None
        if len(layout.score) not in (1, 2) or (len(layout.score) == 2 and len(groups) != 2):
            return None
        beyond = self._inverted_misses - INVERTED_MISSES_BEFORE_GIVING_UP
        if beyond >= 0 and beyond % INVERTED_RETRY_EVERY and not self._filled_parts:
            # Parts read by their fill always try their located polarity again: a fill taken on one frame of a goal's
            # animation (a flash turning the cell over) must not leave the frames after it unread for want of tries.
            self._inverted_misses += 1
            return None
        inverted = self._score_groups(frame, inverted=True)
        # A part read by its fill turns back to its located polarity without the test: that is what was found.
        choices: list[tuple[list[Mask], set[int]]]
        if len(layout.score) == 1:
            # Both numbers in one box (dev-1047: white Bebas Neue edged in black on the team cells, one bar between
            # them, located by the outlines, which split into no numbers at all): the box turns over as one part.
            choices = [(inverted, {0})] if self._filled_parts or self._box_fill_holds(frame) else []
        else:
            others = [
                other if index in self._filled_parts or fills_outline(group, other) else None
                for index, (group, other) in enumerate(zip(groups, inverted, strict=True))
            ]
            pairs = [((groups[0], others[1]), {1}), ((others[0], groups[1]), {0}), ((others[0], others[1]), {0, 1})]
            choices = [
                ([home, away], turned) for (home, away), turned in pairs if home is not None and away is not None
            ]
        for numbers, turned in choices:
            score = read_score(numbers, layout.score_height_px)
            if score is not None:
                logger.debug("score %s read with its numbers in the other polarity", score)
                self._inverted_misses = 0
                self._filled_parts = self._filled_parts ^ turned
                return score
        self._inverted_misses += 1
        return None

    def _read_outlined(self, frame: Frame, groups: list[Mask]) -> Score | None:
        """The score read with each part holding the ring of an outline (``is_outline``) cut in both polarities at
        once, last: outline and fill together are the digit's shape, drawn thick.

        Why: a thin light digit edged in black on a light team cell (Lato Light, Roboto Condensed Light on a white
        kit's cell): its located polarity is the outline, a ring read as no digit; its fill, a stroke a pixel or two
        wide as light as the cell's highlights, comes in fragments in the other polarity (dev-427's read as a '1',
        dev-440's as nothing), and what the ring encloses is the fill and the counter's own ring. Both together
        read: dev-440 never read 0-0 in 28 s, its first goal lost, said (dev-427's and dev-174's strokes, thinner
        still, read so on a frame now and then, not enough to keep their first goals).
        """
        layout = self.layout
        assert layout is not None
        if len(groups) != 2:
            return None
        rings = [any(is_outline(blob) for blob in blobs_left_to_right(group)) for group in groups]
        # A part read by its fill is an outlined number too: its fill, in fragments, may show no ring.
        parts = frozenset(index for index, ring in enumerate(rings) if ring) | self._filled_parts
        if not parts:
            return None
        if len(layout.score) == 1:
            parts = frozenset({0})
        cut = self._score_groups(frame, either=parts)
        if not _on_one_line(cut, layout.score_height_px):
            logger.debug("outlined numbers cut in both polarities do not stand on one line: not read")
            return None
        score = read_score(cut, layout.score_height_px)
        if score is not None:
            logger.debug("score %s read with its outlined numbers cut in both polarities", score)
        return score

    def _read_clock(self, frame: Frame) -> str:
        layout = self.layout
        if layout is None or layout.clock is None:
            return ""
        clock = layout.clock
        height = clock.box.height
        crop = clock.box.crop(frame)
        masked = without_zero_dots(glyph_mask(crop, clock), gray(crop), light=clock.light, level=clock.level)
        glyphs = clean_glyphs(masked, height, max(round(height * 0.3), 3))
        rows = np.flatnonzero(glyphs.any(axis=1))
        return read_clock(glyphs, int(rows[-1] - rows[0] + 1) if rows.size else height)

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
            if self._clock_went_back(self._last_reading):
                return self._codes_read_again(frame, self._last_reading)
        return self._last_reading

    def _clock_went_back(self, reading: ScoreboardReading) -> bool:
        """Whether ``reading``'s clock stands ``NEW_MATCH_CLOCK_BACK_S`` or more behind the last clock read (which it
        now is), or ``KICK_OFF_CLOCK_S`` at a kick-off, at a next match's start: below
        ``NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN``, where the goal detector takes other codes for a new match. Why not at
        any clock: a clock misread far back happens (dev-40's '87:50' read '47:50' and '89:05' '49:05'), and each time
        the codes are read again a misread of them may stand."""
        seconds = reading.clock_seconds
        if seconds is None:
            return False
        last, self._last_clock_s = self._last_clock_s, seconds
        kick_off = reading.score == NIL_NIL and seconds < KICK_OFF_CLOCK_S
        back = NEW_MATCH_CLOCK_BACK_S if not kick_off else KICK_OFF_CLOCK_S
        went_back = last is not None and seconds <= last - back
        return went_back and seconds < 60 * NEW_MATCH_OTHER_TEAMS_MAX_CLOCK_MIN

    def _codes_read_again(self, frame: Frame, reading: ScoreboardReading) -> ScoreboardReading | None:
        """The HUD on ``frame`` read afresh once its codes agree again: the clock went back, so it may show the next
        match, and other teams (``NEW_MATCH_CLOCK_BACK_S``). It is searched for again (its codes as found are one
        reading), and the codes as confirmed count as one reading: codes read twice stand (the same at once; others
        when the search and the code boxes agree, or on the next frame).

        Why: the codes were read only until two readings agreed, and the score cell is compared with the last one
        before it is read again. The next match of other teams in the same HUD, kicking off at 0-0 after a 0-0,
        changed neither: its two goals were reported under the first match's names (dev-707: 'CHEL 0-1 MILA' for
        THFC-AVFC, the clock gone from 43:52 to 01:18; nothing said).
        """
        logger.info(
            "the clock went back to %s (was read further on before): the next match? its team codes are read again",
            reading.clock,
        )
        self._team_votes = Counter([reading.teams])
        self._teams = None
        self.forget()
        if self.search_budget.allows("the clock went back (the next match?)"):
            # The codes as found anew are a vote, in boxes fitted to them (the last match's boxes cut unseen-24's
            # next codes short: 'OT-PO' for TOT-POR); not when they are the same codes misread: a clock misread
            # far back ('86:39' as '06:39') found dev-757's HUD again as 'WH-PSG', which outvoted WHU-PSG.
            self.relocate(frame, clock_required=True, only_other_than=reading.teams)
        return self.read(frame, fresh=True)

    def _longer_codes(self, frame: Frame, teams: Teams) -> Teams | None:
        """The codes read in boxes widened to a letter standing beyond them (``with_codes_widened``) when they held
        ``teams``' and more on this frame and one before (they are taken, the boxes are not); else None.

        Why: the codes are read only inside the boxes the search fitted to them on one frame, so codes found cut
        there read cut on every frame, and two readings agree (dev-794's 'UN' for MUN, a pitch line through its
        'M' on the frames the HUD was found on, and searched for again on; dev-809's 'CEL-BE' for CELT-BETI, found
        on a faded frame: every goal named so). Only the names change: the boxes stay as found, and with them what
        the HUD's "hidden" test compares, so which frames read stays as it was. A code cut short may be a HUD found
        in the wrong boxes (unseen-23: 'NA-BLZ' for NAPO-RBLZ, the 'O' of 'NAPO' read as the home number and the
        home number as the away one), read as little as it was (taking the widened boxes and reading the frame
        afresh, it read 0-1 and 0-2 for 1-0 and 2-0).
        """
        layout = self.layout
        if layout is None or (widened := with_codes_widened(frame, layout)) is None:
            return None
        self._edge_reads_left -= 1
        longer = read_team_codes(frame, widened)
        if longer is None or not codes_cut_from(teams, longer):
            return None
        self._widened_votes[longer] += 1
        if self._widened_votes[longer] < TEAM_READINGS_TO_AGREE:
            return None
        logger.info("team codes read as %s-%s in boxes widened to letters beyond them (were read %s-%s)",
                    longer.home, longer.away, teams.home, teams.away)  # fmt: skip
        self.layout = dataclasses.replace(layout, teams=longer)
        self._teams = longer
        self._team_votes = Counter({longer: self._widened_votes[longer]})
        self._edge_reads_left, self._widened_votes = CODE_EDGE_READS, Counter()
        return longer

    @property
    def clock_unproven(self) -> bool:
        """Whether the located HUD's clock is a number without a colon not yet seen to run (``clock_seen``): the
        sampler reads it on every keyframe until it runs, so that a HUD whose colon is lost stops being searched
        for elsewhere within a few keyframes (each such search costs ~1 CPU s at 1080p)."""
        layout = self.layout
        return layout is not None and layout.clock_without_colon and not self._clock_runs

    @property
    def maybe_widget(self) -> bool:
        """Whether the scoreboard located may be a streamer's widget, not the match HUD: it has no clock beside it,
        or only a number without a colon that has not been seen to run like a match clock (``clock_seen``)."""
        return self.layout is not None and (self.layout.clock is None or self.clock_unproven)

    def clock_seen(self, stream_time: float, reading: ScoreboardReading) -> None:
        """Note the clock of a reading made at ``stream_time``: a colon-less clock read at rising times, each
        step no faster than a match clock runs, is a clock (``maybe_widget`` no longer), not a number that may
        be any widget's ('2028' read '20:28', then '26:20').

        Why: a HUD whose colon is lost is searched for again elsewhere; once its clock is seen to run, a
        scoreboard-like row with a clock elsewhere (a chat line '18:12 mod: GG 2 - 1 EZ') must not replace it.
        """
        seconds = reading.clock_seconds
        if seconds is None or self._clock_runs:
            return
        last = self._clock_steps[-1] if self._clock_steps else None
        if last is not None and seconds == last[1]:
            return
        runs = last is not None and 0 < seconds - last[1] <= CLOCK_MAX_PACE * (stream_time - last[0]) + CLOCK_SLACK_S
        self._clock_steps = [*self._clock_steps, (stream_time, seconds)] if runs else [(stream_time, seconds)]
        if len(self._clock_steps) > CLOCK_RUNNING_STEPS:
            self._clock_runs = True
            if self._last_reading is not None:
                self._last_reading = dataclasses.replace(self._last_reading, maybe_widget=False)


__all__ = [
    "MASK_MISMATCH_CHANGED",
    "MASK_MISMATCH_SAME",
    "OCR_TEXT_HEIGHT_PX",
    "PageMode",
    "ScoreboardReader",
    "same_glyphs",
]
