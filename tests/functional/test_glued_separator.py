"""A score whose separator is glued to a digit is found and read, and a digit is never cut for it.

Why: dev-116 (Lato Black Italic, 14 px, '0:3' on a light score cell) kept only the colon's lower dot, and
it touched the '0' by a corner. The search took '0' and the dot for two digits touching ('03' read as two
digits was refused) and the reader found no gap to split the numbers at: the HUD was found only after
the stream's first goal, and that goal was lost without a warning.
"""

from __future__ import annotations

import cv2
import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import WIDE_DIGITS_BLOB, _classify, _Glyph, _Token, wide_blobs
from capture_task.vision.reader import _digit_groups, read_score
from contracts import Score

DEV_116_SCORE = """
...####............#####..
..#######.........#######.
.########........#########
.####.####.......####.####
####..####........###.####
####...###...........#####
####...###..........######
####..####..........#####.
####..####...........####.
####..####............####
####..####......###...####
####.#####.##...####.####.
.########.####..#########.
..######...####..#######..
...####.....##.....####...
"""
"""dev-116's score cell as the reader cleans it: '0:3', the colon's lower dot joined to the '0' at a corner."""
TEXT_HEIGHT = 14


def _mask(drawing: str) -> np.ndarray:
    return np.array([[c == "#" for c in line] for line in drawing.strip().splitlines()])


def _token_of(mask: np.ndarray) -> _Token:
    """The mask's 8-connected blobs as the search's glyphs, left to right."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    glyphs = []
    for label in sorted(range(1, count), key=lambda i: int(stats[i, cv2.CC_STAT_LEFT])):
        left, top, width, height = (int(v) for v in stats[label, :4])
        blob = labels[top : top + height, left : left + width] == label
        glyphs.append(_Glyph(Box(left, top, left + width, top + height), False, blob, 30.0, 200.0))
    return _Token(glyphs)


def test_the_glued_score_is_split_at_its_dot_and_read() -> None:
    groups = _digit_groups(_mask(DEV_116_SCORE), TEXT_HEIGHT)
    assert len(groups) == 2
    assert read_score(groups, TEXT_HEIGHT) == Score(home=0, away=3)


def test_the_search_takes_the_glued_score_for_a_number() -> None:
    token = _token_of(_mask(DEV_116_SCORE))
    assert len(token.glyphs) == 2, "the '0' with its dot, and the '3'"
    _classify(token, TEXT_HEIGHT)
    assert (token.kind, token.text) == ("number", "03")


def test_a_glued_dot_makes_no_blob_two_digits_wide_but_touching_digits_stay_two() -> None:
    zero_and_dot = _mask(DEV_116_SCORE)[:, :15]
    assert wide_blobs(zero_and_dot, TEXT_HEIGHT, WIDE_DIGITS_BLOB) == 1, "wide with its dot"
    assert wide_blobs(zero_and_dot, TEXT_HEIGHT, WIDE_DIGITS_BLOB, bodies=True) == 0
    image = np.zeros((40, 80), np.uint8)
    cv2.putText(image, "1", (2, 33), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 255, 5)
    one_ends = int(np.flatnonzero(image.any(axis=0))[-1])
    cv2.putText(image, "0", (one_ends - 4, 33), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 255, 5)
    touching = image > 127
    assert cv2.connectedComponents(touching.astype(np.uint8), connectivity=8)[0] - 1 == 1, "drawn as one blob"
    height = int(np.ptp(np.flatnonzero(touching.any(axis=1)))) + 1
    assert wide_blobs(touching, height, WIDE_DIGITS_BLOB, bodies=True) == 1


def test_a_digit_piece_at_the_top_is_never_cleared_to_make_a_split() -> None:
    # A number whose flag touches its stem at a corner, set tight against the other number: the flag is lower
    # than half the text and clearing it would leave a gap, but it stands at the top, where no separator does.
    flagged = np.zeros((TEXT_HEIGHT, 20), bool)
    flagged[3:14, 0:4] = True  # the stem
    flagged[0:3, 4:10] = True  # the flag, touching the stem's top corner only
    flagged[:, 11:19] = True  # the other number, one column away
    assert len(_digit_groups(flagged, TEXT_HEIGHT)) == 1, "no gap: left unsplit (unreadable), not cut"
    # The same piece on the line, where a colon's dot stands, is the separator: cleared, the numbers split.
    dotted = np.zeros_like(flagged)
    dotted[0:11, 0:4] = True
    dotted[11:14, 4:10] = True  # touching the stem's bottom corner only
    dotted[:, 11:19] = True
    groups = _digit_groups(dotted, TEXT_HEIGHT)
    assert [group.shape[1] for group in groups] == [4, 8]
