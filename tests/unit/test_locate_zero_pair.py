"""Two zeros a tesseract reads as nothing are read by their shape, as one is.

dev-348: a new match's clock '00:19' in Roboto Black with a drop shadow, whose zeros' counters are slits; its
'00' read as nothing in every rendering, the row had no clock, and the new match's HUD was refused as a widget for
20 s: its first goal was stamped late as a new match's first read, and counted as a false goal and a miss.
"""

from __future__ import annotations

import cv2
import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _classify, _Glyph, _Token

# One of dev-348's clock zeros as the search cut it (1080p, 31 px).
DEV_348_ZERO = """
.......######.........  .....##########.......  ...##############.....  ..################....
..#################...  .###################..  .###################..  ###########..########.
##########...########.  #########....########.  #########....#########  #########....#########
#########....#########  #########....#########  #########....#########  #########....#########
#########....#########  #########....#########  #########....#########  #########....#########
#########....#########  #########....#########  .########...##########  .########..##########.
..###################.  ..###################.  ...#################..  ....###############...
.....##############...  .......##########.....  .........######.......
"""


def _glyph(mask: np.ndarray, left: int) -> _Glyph:
    height, width = mask.shape
    return _Glyph(Box(left, 0, left + width, height), False, mask, 30.0, 200.0)


def test_two_zeros_by_their_shape_are_a_number() -> None:
    zero = np.array([[c == "#" for c in line] for line in DEV_348_ZERO.split()])
    token = _Token([_glyph(zero, 0), _glyph(zero, zero.shape[1] + 2)])
    _classify(token, zero.shape[0])
    assert (token.kind, token.text) == ("number", "00")


def test_a_zero_beside_a_blob_that_reads_as_nothing_is_no_number() -> None:
    zero = np.array([[c == "#" for c in line] for line in DEV_348_ZERO.split()])
    disc = np.zeros(zero.shape, np.uint8)
    cv2.ellipse(disc, (11, 15), (10, 15), 0, 0, 360, 1, -1)  # solid: no counter, no digit
    token = _Token([_glyph(zero, 0), _glyph(disc > 0, zero.shape[1] + 2)])
    _classify(token, zero.shape[0])
    assert (token.kind, token.text) == ("other", "")
