"""The scoreboard reader on stills of many generated HUD looks, with real tesseract.

Styles come from seeds the reader was never tuned on: fonts, sizes, offsets,
colours, polarity, resolutions, chat and webcam overlays, JPEG compression.
What must hold: a score is either right or absent, never wrong (a wrong score
could become a wrong goal). A team code may rarely lose a letter to a lookalike
(J read as I): that only touches a clip's title, so it has a looser bound.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from capture_task.vision.reader import ScoreboardReader
from sample_broadcast import FrameRenderer, random_script, random_style
from sample_broadcast.suite import dev_suite
from sample_broadcast.varied import varied_script, varied_style

SEEDS = range(300, 330)
RESOLUTIONS = ("720p", "900p", "1080p")


def _play_frame(seed: int) -> tuple[np.ndarray, tuple[int, int], tuple[str, str]]:
    style = random_style(seed, RESOLUTIONS[seed % 3], 30)
    script = random_script(seed, 40)
    renderer = FrameRenderer(script, style)
    for frame_index in range(renderer.frame_count - 1, 0, -7):
        state = script.state_at(frame_index, style.fps)
        if state.phase == "play":
            frame = renderer.render(frame_index)
            quality = 45 + seed % 40
            ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
            assert ok
            return (
                cv2.imdecode(encoded, cv2.IMREAD_COLOR),
                (state.home_score, state.away_score),
                (state.home, state.away),
            )
    raise AssertionError(f"seed {seed} has no frame of play")


@pytest.mark.slow
def test_reader_is_right_or_silent_on_unseen_looks() -> None:
    right, teams_wrong, wrong_scores = 0, [], []
    for seed in SEEDS:
        frame, score, teams = _play_frame(seed)
        reading = ScoreboardReader().read(frame, may_locate=True)
        if reading is None:
            continue
        if (reading.score.home, reading.score.away) != score:
            wrong_scores.append((seed, reading.score, score))
            continue
        right += 1
        if (reading.teams.home, reading.teams.away) != teams:
            teams_wrong.append((seed, reading.teams, teams))
    assert wrong_scores == []
    assert right >= 0.8 * len(SEEDS), f"only {right} of {len(SEEDS)} stills read"
    assert len(teams_wrong) <= 0.1 * right, teams_wrong


def test_hidden_hud_reads_as_nothing_and_same_score_is_not_re_ocred() -> None:
    frame, score, _ = _play_frame(SEEDS[0] + 1)
    reader = ScoreboardReader()
    first = reader.read(frame, may_locate=True)
    assert first is not None and (first.score.home, first.score.away) == score
    calls = reader.stats.ocr_calls
    noisy = cv2.GaussianBlur(frame, (3, 3), 0.4)
    assert reader.read(noisy) == first
    assert reader.stats.ocr_calls == calls
    blank = np.full_like(frame, 90)
    assert reader.read(blank) is None


MARKS_BESIDE_THE_TEXT = {
    600000: "a team's colour strip as tall as the cell, beside the away code, is no '1'",
    600016: "a '|' between the numbers, a strip and a clock divider a little taller than the text",
    600031: "a score box in the teams' colours: each number stands by the edge of the other colour",
    520007: "a small accent-coloured score box much lighter than the cells beside it, at the bottom",
    600045: "shield crests whose parts stand as marks of their own between the codes and the numbers",
    600068: "an 'I' beside a strip, in a row that also holds smaller text, is a letter and not a bar",
}
"""Varied styles on dev seeds whose HUD the reader did not find (the marks beside the codes and
numbers were read as text, or a number in a cell of another colour was not seen as a glyph), or
found and misread while marks were being told from text."""


@pytest.mark.parametrize("seed", MARKS_BESIDE_THE_TEXT)
def test_marks_beside_the_text_are_not_read_as_text(seed: int) -> None:
    style = varied_style(seed)
    script = varied_script(seed, 60, code_length=style.hud.team_code_length, added_time=style.hud.added_time_box,
                           n_goals=2, half_time=False, new_match=False)  # fmt: skip
    frame_index = 2 * style.fps
    state = script.state_at(frame_index, style.fps)
    assert state.phase == "play"
    frame = FrameRenderer(script, style).render(frame_index)

    reading = ScoreboardReader().read(frame, may_locate=True)

    assert reading is not None, MARKS_BESIDE_THE_TEXT[seed]
    assert (reading.teams.home, reading.teams.away) == (state.home, state.away)
    assert (reading.score.home, reading.score.away) == (state.home_score, state.away_score)


def test_a_bold_zero_line_mode_reads_as_nine_is_still_read() -> None:
    # The dev suite's fourth stream: an inverted score cell, "2 : 0" in a bold face whose 0 has a
    # slit of a hole; tesseract's line mode read the redrawn "2 - 0" as "2-9" or "2-90" at every size.
    broadcast = dev_suite(4)[3]
    style, script = broadcast.style, broadcast.script
    frame_index = 30 * style.fps
    state = script.state_at(frame_index, style.fps)
    assert state.hud_visible and (state.home_score, state.away_score) == (2, 0)
    frame = FrameRenderer(script, style).render(frame_index)

    reader = ScoreboardReader()
    reading = reader.read(frame, may_locate=True) or reader.read(frame, may_locate=True)

    assert reading is not None
    assert (reading.score.home, reading.score.away) == (2, 0)


def test_one_number_changing_beside_another_is_a_change() -> None:
    # The same stream: '1 : 0' becoming '2 : 0'. Compared over the whole score box the away 0's
    # unchanged ink diluted the change below the threshold, so the 1-0 reading was reused.
    broadcast = dev_suite(4)[3]
    style, script = broadcast.style, broadcast.script
    renderer = FrameRenderer(script, style)
    before, after = 26 * style.fps, 30 * style.fps
    assert (script.state_at(before, style.fps).home_score, script.state_at(after, style.fps).home_score) == (1, 2)
    reader = ScoreboardReader()
    first = reader.read(renderer.render(before), may_locate=True) or reader.read(renderer.render(before))
    assert first is not None and (first.score.home, first.score.away) == (1, 0)

    second = reader.read(renderer.render(after))

    assert second is not None and (second.score.home, second.score.away) == (2, 0)
