"""Letters of a team code standing beyond the box the search fitted to it.

A code box is fitted to the letters the search found on one frame. A letter lost there (joined to a pitch line
crossing a translucent cell, ghosted in a cross-fade) is outside the box on every later frame, and the code reads cut
the same way on all of them: two readings agree, and every goal carries the cut name (dev-794's 'MUN' read 'UN' from
its first frame on, a pitch line through its 'M'; dev-809's 'CELT-BETI' read 'CEL-BE', found on a faded frame).
Looking just beyond each box for a letter costs no OCR; the reader then reads the codes in boxes widened to it, and
takes the names they read, not the boxes (``ScoreboardReader._longer_codes``).
"""

from __future__ import annotations

import dataclasses
import itertools

import cv2
import numpy as np
from numpy.typing import NDArray

from capture_task.vision.geometry import Box, Frame, Mask, TextBox, glyph_mask, gray, is_stroke
from capture_task.vision.locate import LETTER_HEIGHTS, HudLayout, code_glyphs, letter_sized

EDGE_REACH = 2.6
"""Text heights looked at beyond each side of a code box (a letter is ~0.6-1.0 wide, ~0.1-0.3 apart), up to the next
part's box: two letters, as a 4-letter code found with 2 has (dev-1195's 'ATMA' found as 'AT': reaching 1.5, the box
took the 'M' and cut the 'A', and every goal was named 'ATM')."""
LETTER_GAP_MAX = 0.6
"""Text heights between a letter beyond the box and the code's nearest letter: letters of one word stand ~0.1-0.3
apart; a crest or a strip is set further off."""
LETTER_GAP_SLACK = 0.25
"""Text heights a letter beyond the box may stand further from the code than its own letters stand apart (the widest
gap between them), when it has two or more. Why: a roundel crest in the code's cell, a ring as tall as the letters
on their line, read 'O' 0.55 text heights beyond a tight italic 'ARS' whose letters touch (dev-1370 named 'ARSO' on
every goal). A letter the search lost stands as its neighbours do."""
STROKE_MAX = 0.4
"""A mark narrower than this many of its heights is a stroke (a strip, a bar), not a glyph the search left unread."""
CELL_LEVEL_TOLERANCE = 16
"""Grey levels off the cell's own grey (the median of the code box's pixels, ink aside) a pixel of the cell may be."""
CELL_SHARE_OF_CODES = 0.8
"""A letter beyond the box has at least this share of the cell's grey about it that the least of the code's
letters has: it stands on the same cell, not on the crowd or grass beyond it."""
LINE_TOLERANCE = 0.2
"""Text heights a letter beyond the box may stand off the line the code's letters stand on."""


def with_codes_widened(frame: Frame, layout: HudLayout) -> HudLayout | None:
    """``layout`` with each code box that has a letter beyond it (of the codes' height, on their line, as near them
    as letters of a word stand, not a stroke: a colour strip is one) widened to hold it; None when neither has. Its
    teams and team masks are as located: it is only for reading the codes in. None too when the search left a glyph
    of the codes' size unread between them (``_unread_glyph``).
    """
    if _unread_glyph(layout):
        return None
    home, away = (_widened(frame, layout, part) for part in (layout.home, layout.away))
    if home is None and away is None:
        return None
    return dataclasses.replace(layout, home=home or layout.home, away=away or layout.away)


def _unread_glyph(layout: HudLayout) -> bool:
    """Whether a mark between the codes is as tall as their letters and no stroke: a glyph of the HUD's text the
    search could not read.

    Why: the search then read that row wrongly, and a code found cut there may be a HUD found in the wrong boxes.
    unseen-23's 'NA 0 0 ? BLZ' for 'NAPO 0 - 0 RBLZ' (the 'O' of 'NAPO' read as the home number, the home number
    as the away one, the away number unread): named 'NA-RBLZ', not 'NA-BLZ', its frames were read more closely by
    the goal detector (other codes), and 0-1 and 0-2 were reported for 1-0 and 2-0. Named as found, it read too
    little to report them; the same HUD found again in the right boxes later corrects both.
    """
    low, high = (share * layout.text_height_px for share in LETTER_HEIGHTS)
    return any(low <= mark.height <= high and mark.width >= STROKE_MAX * mark.height for mark in layout.marks)


def _widened(frame: Frame, layout: HudLayout, part: TextBox) -> TextBox | None:
    height = layout.text_height_px
    box = part.box
    left, right = _room_beside(frame, layout, part, round(EDGE_REACH * height))
    if right - left <= box.width:
        return None
    wide = TextBox(Box(left, box.top, right, box.bottom), part.light, part.level)
    glyphs = code_glyphs(frame, wide, height)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(glyphs.astype(np.uint8), connectivity=8)
    inner_left, inner_right = box.left - left, box.right - left
    inside: list[tuple[int, int, int, int, int]] = []
    beyond: list[tuple[int, int, int, int, int]] = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        (inside if inner_left <= x and x + w <= inner_right else beyond).append((label, x, y, w, h))
    if not inside or not beyond:
        return None
    line = float(np.median([y + h for _, _, y, _, h in inside]))
    letters = [(x, x + w) for _, x, _, w, _ in inside]
    reach = LETTER_GAP_MAX * height
    if len(letters) >= 2:
        spaced = sorted(letters)
        widest = max(max(later[0] - earlier[1], 0) for earlier, later in itertools.pairwise(spaced))
        reach = min(reach, widest + LETTER_GAP_SLACK * height)
    crop = wide.box.crop(frame)
    grey, ink = gray(crop).astype(np.int16), glyph_mask(crop, part)
    paper = grey[:, inner_left:inner_right][~ink[:, inner_left:inner_right]]
    if paper.size == 0:
        return None
    cell = float(np.median(paper))
    # A letter of the code stands on its cell as the code's letters do (a blob of the crowd beyond a tight cell, read
    # as a letter on two frames, made dev-653's 'CEL' 'ACEL' and dev-711's 'ZEN' 'IZEN').
    on_cell = CELL_SHARE_OF_CODES * min(_on_cell(grey, ink, cell, x, w) for _, x, _, w, _ in inside)
    for label, x, y, w, h in sorted(beyond, key=lambda blob: _gap(blob[1], blob[3], letters)):
        blob = labels[y : y + h, x : x + w] == label
        if (
            letter_sized(blob, height)
            and not is_stroke(blob, height)
            and abs(y + h - line) <= LINE_TOLERANCE * height
            and _gap(x, w, letters) <= reach
            and _on_cell(grey, ink, cell, x, w) >= on_cell
        ):
            letters.append((x, x + w))
    if len(letters) == len(inside):
        return None
    margin = max(round(0.25 * height), 2)
    first, last = min(start for start, _ in letters), max(end for _, end in letters)
    widened = Box(max(left + first - margin, left), box.top, min(left + last + margin, right), box.bottom)
    return TextBox(widened, part.light, part.level)


def _on_cell(grey: NDArray[np.int16], ink: Mask, cell: float, x: int, width: int) -> float:
    """The share of the pixels beside a blob's columns (its own and a few on each side), ink aside, within
    ``CELL_LEVEL_TOLERANCE`` of the cell's grey."""
    pad = max(width // 3, 2)
    columns = slice(max(x - pad, 0), x + width + pad)
    paper = grey[:, columns][~ink[:, columns]]
    return float((np.abs(paper - cell) <= CELL_LEVEL_TOLERANCE).mean()) if paper.size else 0.0


def _gap(x: int, width: int, letters: list[tuple[int, int]]) -> int:
    """Columns between a blob at ``x`` and the nearest of ``letters`` (start, end)."""
    return min(max(start - (x + width), x - end) for start, end in letters)


def _room_beside(frame: Frame, layout: HudLayout, part: TextBox, reach: int) -> tuple[int, int]:
    """The columns ``reach`` beyond ``part``'s box on each side, short of the HUD's other parts in its rows and of
    the marks the search found between the codes.

    Why the marks: a glyph the search saw there and did not read as a letter of the code is no letter the search
    lost (a crest's part beside a code may look like one).
    """
    box = part.box
    left, right = max(box.left - reach, 0), min(box.right + reach, frame.shape[1])
    parts = [layout.home, layout.away, *layout.score, *([layout.clock] if layout.clock is not None else [])]
    others = [other.box for other in parts if other is not part] + list(layout.marks)
    for other in others:
        if other.bottom <= box.top or other.top >= box.bottom:
            continue
        if other.left + other.right > box.left + box.right:
            right = min(right, max(other.left, box.right))
        else:
            left = max(left, min(other.right, box.left))
    return left, right
