"""A code whose box was fitted to it cut short is read whole once a letter beyond its box shows on two frames.

dev-794: a pitch line crosses the 'M' of 'MUN' in its translucent cell on the first frames, joined to it the 'M' is no
glyph, and the HUD was found as 'PSG-UN'; every later frame read 'UN' in the box fitted to it, and both goals were
named 'PSG-UN' (dev-809's 'CELT-BETI' so as 'CEL-BE', found on a faded frame).
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from capture_task.vision.code_edges import with_codes_widened
from capture_task.vision.geometry import Box
from capture_task.vision.locate import HudLayout
from capture_task.vision.reader import ScoreboardReader
from contracts import Teams
from sample_broadcast import FrameRenderer
from sample_broadcast.suite import dev_suite


def _dev_794_frames(seconds: float, start_s: float = 0.0) -> list[np.ndarray]:
    """dev-794's frames every half second from ``start_s``, for ``seconds``."""
    broadcast = dev_suite(795)[794]
    renderer = FrameRenderer(broadcast.script, broadcast.style)
    fps = broadcast.style.fps
    first = round(start_s * fps)
    return [renderer.render(index) for index in range(first, first + round(seconds * fps), fps // 2)]


def test_a_code_found_cut_is_read_whole_from_the_second_frame_showing_its_letter() -> None:
    first, second, third = _dev_794_frames(1.5)
    reader = ScoreboardReader()
    reading = reader.read(first, may_locate=True, fresh=True)
    assert reading is not None and reading.teams == Teams(home="PSG", away="UN"), "dev-794 no longer found cut"
    cut = reader.layout
    assert cut is not None
    reading = reader.read(second, fresh=True)
    assert reading is not None and reading.teams == Teams(home="PSG", away="MUN")
    assert reader.teams == Teams(home="PSG", away="MUN")
    # Only the names change: the boxes, which the HUD's "hidden" test compares, stay as found.
    assert reader.layout == dataclasses.replace(cut, teams=Teams(home="PSG", away="MUN"))
    reading = reader.read(third, fresh=True)
    assert reading is not None and reading.teams == Teams(home="PSG", away="MUN")


def _whole_layout() -> tuple[np.ndarray, HudLayout]:
    """dev-794's HUD found whole (the pitch line has moved off its 'M' 6 s in), and the frame."""
    frames = _dev_794_frames(1.5, start_s=6.0)
    reader = ScoreboardReader()
    for frame in frames:
        reader.read(frame, may_locate=True, fresh=True)
    assert reader.teams == Teams(home="PSG", away="MUN"), "dev-794's HUD no longer reads: these tests test nothing"
    assert reader.layout is not None
    return frames[-1], reader.layout


def test_codes_read_whole_have_no_letter_beyond_them() -> None:
    frame, layout = _whole_layout()
    assert with_codes_widened(frame, layout) is None


@pytest.mark.parametrize(
    ("shape", "gap", "raised", "widened"),
    [
        ("ring", 4, 0, True),  # a letter beyond 'MUN' as near as its letters stand
        ("ring", 14, 0, False),  # 0.7 text heights off: a crest or a widget, not a letter of the code
        ("ring", 11, 0, False),  # 0.55 text heights off: over a quarter further than MUN's letters stand apart (5 px)
        ("ring", 4, 6, False),  # 0.3 text heights off the code's line
        ("bar", 4, 0, False),  # a stroke: a colour strip, as likely as an 'I'
        ("ring on the crowd", 4, 0, False),  # not on the code's cell: the crowd beyond a tight cell
    ],
)
def test_only_a_letter_on_the_code_s_line_and_as_near_as_its_letters_widens_the_box(
    shape: str, gap: int, raised: int, widened: bool
) -> None:
    frame, layout = _whole_layout()
    frame = frame.copy()
    away = layout.away.box
    # The right end of the last letter, as the code box (fitted with a margin of a quarter text height) holds it.
    right = away.right - max(round(0.25 * layout.text_height_px), 2)
    line = away.top + 25 - raised  # the code's letters stand on row 25 of its box, 20 px tall
    left = right + gap
    # The cell drawn on beyond the code, as a cell holding one letter more would be (it ends just after the 'N').
    frame[away.top : away.bottom, right : right + 40] = frame[away.top + 2, away.left + 2]
    if shape == "ring on the crowd":
        blocks = np.random.default_rng(794).integers(70, 115, (8, 8, 3), dtype=np.uint8)  # no ink: darker than it
        frame[line - 26 : line + 6, left - 4 : left + 28] = cv2.resize(
            blocks, (32, 32), interpolation=cv2.INTER_NEAREST
        )
    if shape.startswith("ring"):
        cv2.ellipse(frame, ((left + 8, line - 9), (15, 16), 0), (235, 235, 235), 2)  # 18 px tall, 17 wide
    else:
        frame[line - 20 : line, left : left + 2] = 235
    wider = with_codes_widened(frame, layout)
    assert (wider is not None) is widened
    if wider is not None:
        assert wider.home == layout.home and wider.away.box.right > away.right
        assert dataclasses.replace(wider.away, box=Box(away.left, away.top, away.right, away.bottom)) == layout.away


@pytest.mark.parametrize(("width", "widened"), [(14, False), (4, True)])
def test_no_code_is_widened_while_a_glyph_of_its_size_between_the_codes_was_left_unread(
    width: int, widened: bool
) -> None:
    # unseen-23's 'NA 0 0 ? BLZ' for 'NAPO 0 - 0 RBLZ': found in the wrong boxes, its away number a mark the search
    # could not read. A strip (a mark narrower than 0.4 of its height) is no glyph left unread.
    frame, layout = _whole_layout()
    frame = frame.copy()
    right = layout.away.box.right - 5
    frame[layout.away.box.top : layout.away.box.bottom, right : right + 40] = frame[
        layout.away.box.top + 2, layout.away.box.left + 2
    ]
    cv2.ellipse(frame, ((right + 12, layout.away.box.top + 16), (15, 16), 0), (235, 235, 235), 2)
    score = layout.score[-1].box
    unread = Box(score.right - width, layout.away.box.top + 5, score.right, layout.away.box.top + 25)
    assert (with_codes_widened(frame, dataclasses.replace(layout, marks=(unread,))) is not None) is widened


def test_two_letters_beyond_a_box_widen_it_over_both() -> None:
    # dev-1195's 'ATMA' found as 'AT' (its italic 'MA' a token the search could not read): reached for 1.5 text
    # heights, the box took the 'M' and half the 'A', and every goal was named 'ATM'. A code of 4 letters found with 2
    # has two beyond its box.
    frame, layout = _whole_layout()
    frame = frame.copy()
    away = layout.away.box
    right = away.right - max(round(0.25 * layout.text_height_px), 2)
    line = away.top + 25
    frame[away.top : away.bottom, right : right + 60] = frame[away.top + 2, away.left + 2]
    for left in (right + 4, right + 25):  # 17 px wide rings 4 px apart, as the code's letters stand
        cv2.ellipse(frame, ((left + 8, line - 9), (15, 16), 0), (235, 235, 235), 2)
    wider = with_codes_widened(frame, layout)
    assert wider is not None
    assert wider.away.box.right >= right + 25 + 17, "the second letter beyond the box is cut"
