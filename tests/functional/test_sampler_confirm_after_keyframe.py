"""A change first read on a keyframe is confirmed from the frames after it in its segment, not two keyframes later.

dev-144: the goal's animation left every frame before the next keyframe unreadable; the keyframe read 3-2, and
the replay hid the HUD 0.45 s later, until the stream ended: read once, the goal was not reported. Painted
frames, 30 a second; the sampler, reader, tesseract and goal detector are real, only decoding is replaced.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from capture_task.capture import CaptureTask
from capture_task.publish.publisher import JsonLinesSink
from capture_task.vision.reader import ScoreboardReader
from tests.functional.hud_drawing import HudText, paint, random_look, smeared
from tests.functional.one_frame_segments import lettered_segments, painted_segments

START = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)
SEGMENT_S, FPS = 2.0, 30
_segments = partial(lettered_segments, START, segment_s=SEGMENT_S)
"""One 2 s segment per letter: 'h' 2-2, 'a' the goal's animation, 'g' 3-2 then its replay, 'r' the replay."""
LOOK = random_look(random.Random(5))
BEFORE = cv2.cvtColor(paint(LOOK, HudText("SCP", "BVB", 2, 2, "96:40"), seed=1), cv2.COLOR_BGR2GRAY)
AFTER = cv2.cvtColor(paint(LOOK, HudText("SCP", "BVB", 3, 2, "97:00"), seed=1), cv2.COLOR_BGR2GRAY)
"""Grey, as the capture decodes frames."""
REPLAY = np.full_like(BEFORE, 60)
SHOWN_AFTER_THE_KEYFRAME_S = 0.45
"""The new score shows this long after the keyframe that first reads it; then the replay hides the HUD."""


def _animated() -> NDArray[np.uint8]:
    """The goal's animation: the HUD with its score boxes smeared (nothing reads)."""
    reader = ScoreboardReader()
    assert reader.read(BEFORE, fresh=True, may_locate=True) is not None and reader.layout is not None
    boxes = [(part.box.left, part.box.top, part.box.right, part.box.bottom) for part in reader.layout.score]
    return smeared(AFTER, boxes)


def _image(kind: bytes, offset_s: float, animated: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if kind == b"h":
        return BEFORE
    if kind == b"a":
        return animated
    if kind == b"g":
        return AFTER if offset_s <= SHOWN_AFTER_THE_KEYFRAME_S + 1e-9 else REPLAY
    assert kind == b"r"
    return REPLAY


@pytest.fixture
def painted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of ``FPS`` painted frames a second: 'h' 2-2, 'a' the goal's animation, 'g' 3-2 then the replay."""
    animated = _animated()
    painted_segments(
        monkeypatch, lambda kind, offset_s: _image(kind, offset_s, animated), start=START, segment_s=SEGMENT_S, fps=FPS
    )


@pytest.mark.usefixtures("painted")
def test_a_goal_read_first_on_the_keyframe_before_its_replay_is_confirmed_by_that_segment(tmp_path: Path) -> None:
    kinds = "hhhh" + "a" + "g" + "rr"
    task = CaptureTask("confirm", sink=JsonLinesSink(tmp_path / "events.jsonl"))
    stats = task.run(_segments(kinds))
    goal_keyframe_s = SEGMENT_S * kinds.index("g")
    assert [(g.score.home, g.score.away, g.stream_time) for g in stats.goals] == [(3, 2, goal_keyframe_s)]
