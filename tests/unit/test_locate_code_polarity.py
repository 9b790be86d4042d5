"""A code's letters are of one polarity: glyphs of the other at a token's ends are left out of its code.

dev-19: 'OLY 0 1 SEV', dark letters on light cells drawn tight round them over the crowd. Between the 'V' and its
cell's edge (and between the 'O' and its own) a wedge of the light cell, closed off by the crowd's dark blocks, was
found as a light glyph as tall as the letters and too near to stand apart: 'SEV' read as a token of four glyphs and no
code (its HUD was never found, all of its goals lost, said), 'OLY' as 'POLY'.
"""

from __future__ import annotations

import numpy as np

from capture_task.vision.geometry import Box
from capture_task.vision.locate import _classify, _Glyph, _Token

TEXT_HEIGHT = 16

S = """
..#######...
.###...###..
###......##.
##.......##.
##..........
###.........
.####.......
..#######...
.....#####..
........###.
.........##.
##.......###
##.......##.
###.....###.
.#########..
...#####....
"""
E = """
##########
##########
##........
###.......
###.......
###.......
##########
##########
##########
###.......
###.......
###.......
###.......
###.......
##########
##########
"""
V = """
###.........##
.##........###
.###.......###
.###.......##.
..##......###.
..###.....##..
..###.....##..
...##....###..
...###...##...
....##...##...
....##..###...
....###.##....
.....##.##....
.....#####....
.....####.....
......###.....
"""
CELL_WEDGE_RIGHT = """
.....#####
.....#####
....######
....######
....######
...#######
...#######
...#######
..########
..########
..########
.#########
.#########
.#########
##########
##########
"""
"""The light cell between the 'V''s right stroke and the cell's edge, as the search found it (a light glyph)."""
CELL_WEDGE_LEFT = CELL_WEDGE_RIGHT[::-1].strip("\n")[::-1]
"""Its mirror: the light cell between a round letter and the cell's edge on the left (as before dev-19's 'O')."""


def _glyph(drawing: str, left: int, *, light: bool) -> _Glyph:
    mask = np.array([[c == "#" for c in line] for line in drawing.split()])
    height, width = mask.shape
    ink, cell = (203.0, 109.0) if light else (36.0, 111.0)
    return _Glyph(Box(left, 8, left + width, 8 + height), light, mask, ink, cell)


def _sev(*, wedge_left: bool = False, wedge_right: bool = False, wedge_inside: bool = False) -> _Token:
    glyphs = [_glyph(CELL_WEDGE_LEFT, 0, light=True)] if wedge_left else []
    glyphs += [_glyph(S, 12, light=False), _glyph(E, 27, light=False)]
    glyphs += [_glyph(CELL_WEDGE_RIGHT, 38, light=True)] if wedge_inside else []
    glyphs += [_glyph(V, 50, light=False)]
    glyphs += [_glyph(CELL_WEDGE_RIGHT, 60, light=True)] if wedge_right else []
    return _Token(glyphs)


def test_a_code_with_a_glyph_of_the_other_polarity_beside_it_reads_without_it() -> None:
    for token in (_sev(wedge_right=True), _sev(wedge_left=True), _sev(wedge_left=True, wedge_right=True)):
        _classify(token, TEXT_HEIGHT)
        assert (token.kind, token.text) == ("code", "SEV")
        assert [glyph.light for glyph in token.glyphs] == [False, False, False]
        assert token.box.left == 12 and token.box.right == 64  # the code's box is its letters'


def test_a_code_of_one_polarity_reads_as_before() -> None:
    token = _sev()
    _classify(token, TEXT_HEIGHT)
    assert (token.kind, token.text, len(token.glyphs)) == ("code", "SEV", 3)


def test_a_glyph_of_the_other_polarity_between_letters_is_not_cut_out() -> None:
    # Between letters it is no cell's edge: the token is read whole, as before (here the wedge reads as an 'A').
    token = _sev(wedge_inside=True)
    _classify(token, TEXT_HEIGHT)
    assert len(token.glyphs) == 4
    assert token.text != "SEV"
