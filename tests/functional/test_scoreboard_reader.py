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
