"""A goal read on too few frames before its replay, and a search back misled by a keyframe's stray pixels.

dev-243: the goal's search back read it twice, then its next frame and the next keyframe did not read, and the
replay hid the HUD until the stream ended: read twice of the three needed, the goal was lost (said). A keyframe
that shows the HUD unread, while a goal is being confirmed, is now confirmed from its segment's frames too.

unseen-04: the goal's animation read once as 10-1 (from 0-1): the search back took that frame for the change, and
passed over the frames showing 0-2 as unlike it; the goal was stamped at the next keyframe, 0.6 s late. A first
read beyond a jump is a misread frame, not the change.

dev-302: a keyframe's score mask held a stray stroke (its cell's edge in that frame's compression); the frames
after it, the same score without the stroke, looked changed, were read, read the old score, and ended the search
back before the goal's first frame: the goal was stamped at the next keyframe, 0.4 s late.

Painted frames; the sampler, reader, tesseract and goal detector are real, only decoding is replaced.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from capture_task.capture import CaptureTask
from capture_task.publish.publisher import JsonLinesSink
from capture_task.vision.frames import TimedFrame
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import ScoreboardReading
from capture_task.vision.sampler import KeyframeSampler, _VisibleFrame
from contracts import Score
from tests.functional.hud_drawing import HudText, paint, random_look, smeared, stroked
from tests.functional.one_frame_segments import RefusingReader, lettered_segments, painted_segments

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
SEGMENT_S, FPS = 2.0, 10
_segments = partial(lettered_segments, START, segment_s=SEGMENT_S)
LOOK = random_look(random.Random(5))
BEFORE = cv2.cvtColor(paint(LOOK, HudText("ATM", "BRU", 3, 4, "45:20"), seed=4), cv2.COLOR_BGR2GRAY)
AFTER = cv2.cvtColor(paint(LOOK, HudText("ATM", "BRU", 3, 5, "45:35"), seed=4), cv2.COLOR_BGR2GRAY)
REPLAY = np.full_like(BEFORE, 70)
UNREADABLE = AFTER.copy()
"""The new score's pixels, on frames tesseract is taken to fail on (``RefusingReader``)."""
GOAL_S = 1.0
"""Offset of the goal's first frame in its segment."""


def _run(tmp_path: Path, kinds: str) -> list[tuple[int, int, float]]:
    task = CaptureTask(
        "t", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=KeyframeSampler(RefusingReader(UNREADABLE))
    )
    stats = task.run(_segments(kinds))
    return [(g.score.home, g.score.away, round(g.stream_time, 3)) for g in stats.goals]


def _painted(monkeypatch: pytest.MonkeyPatch, pictures: dict[bytes, Callable[[float], NDArray[np.uint8]]]) -> None:
    painted_segments(
        monkeypatch, lambda kind, offset_s: pictures[kind](offset_s), start=START, segment_s=SEGMENT_S, fps=FPS
    )


def test_a_goal_read_twice_then_unread_on_a_keyframe_is_confirmed_from_that_keyframes_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def goal(offset_s: float) -> NDArray[np.uint8]:
        """0-0, the goal read on two frames (a search back reads frames 0.2 s apart), then unread."""
        if offset_s < GOAL_S - 1e-9:
            return BEFORE
        return AFTER if offset_s < GOAL_S + 0.25 else UNREADABLE

    def unread_keyframe(offset_s: float) -> NDArray[np.uint8]:
        """The keyframe unread, the frames after it readable, then the replay."""
        return UNREADABLE if offset_s == 0 else AFTER if offset_s < 1.0 else REPLAY

    _painted(monkeypatch, {b"b": lambda _: BEFORE, b"g": goal, b"k": unread_keyframe, b"r": lambda _: REPLAY})
    kinds = "bbb" + "g" + "k" + "r" * 5
    assert _run(tmp_path, kinds) == [(3, 5, SEGMENT_S * kinds.index("g") + GOAL_S)]


def test_a_goal_read_twice_then_caught_mid_animation_on_a_keyframe_is_confirmed_from_the_frames_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-800: the keyframe after the goal's two reads fell in a flash that turned the score cells over; the frames
    after it, the HUD as it stands, all differed from that keyframe's mask and none was read: the replay hid the HUD
    till the stream ended and the goal was lost (said). The first frame that reads now gives the mask to compare."""
    reader = RefusingReader(UNREADABLE)
    assert reader.read(AFTER, fresh=True, may_locate=True) is not None and reader.layout is not None
    flashed = AFTER.copy()
    for part in reader.layout.score:
        box = part.box
        flashed[box.top : box.bottom, box.left : box.right] = 255 - flashed[box.top : box.bottom, box.left : box.right]
    reader = RefusingReader(UNREADABLE, flashed)

    def goal(offset_s: float) -> NDArray[np.uint8]:
        if offset_s < GOAL_S - 1e-9:
            return BEFORE
        return AFTER if offset_s < GOAL_S + 0.25 else UNREADABLE

    def flashed_keyframe(offset_s: float) -> NDArray[np.uint8]:
        return flashed if offset_s < 0.15 else AFTER if offset_s < 1.0 else REPLAY

    _painted(monkeypatch, {b"b": lambda _: BEFORE, b"g": goal, b"k": flashed_keyframe, b"r": lambda _: REPLAY})
    kinds = "bbb" + "g" + "k" + "r" * 5
    task = CaptureTask("t", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=KeyframeSampler(reader))
    goals = [(g.score.home, g.score.away, round(g.stream_time, 3)) for g in task.run(_segments(kinds)).goals]
    assert goals == [(3, 5, SEGMENT_S * kinds.index("g") + GOAL_S)]


def test_a_search_back_goes_past_frames_reading_the_old_score_to_the_goals_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = ScoreboardReader()
    assert reader.read(BEFORE, fresh=True, may_locate=True) is not None and reader.layout is not None
    text = round(float(np.mean(LOOK.score_text)))
    flashed = stroked(BEFORE, reader.layout, text)

    def goal(offset_s: float) -> NDArray[np.uint8]:
        """A keyframe with a stray stroke in the score box, the same score without it, then the goal."""
        if offset_s == 0:
            return flashed
        return BEFORE if offset_s < GOAL_S - 1e-9 else AFTER

    _painted(monkeypatch, {b"b": lambda _: BEFORE, b"g": goal, b"a": lambda _: AFTER})
    kinds = "bbb" + "g" + "aaa"
    assert _run(tmp_path, kinds) == [(3, 5, SEGMENT_S * kinds.index("g") + GOAL_S)]


BEYOND_A_JUMP = Score(home=13, away=5)
"""Ten goals from 3-4 at once: a misread the goal detector refuses."""


class _MisreadingOneFrame(ScoreboardReader):
    """The real reader, reading the frame ``misread`` (the goal's animation, a copy of its new score's pixels, or a
    frame with a stray stroke) as ``misread_as``: by default 13-5, beyond a jump from 3-4."""

    def __init__(self, misread: NDArray[np.uint8], misread_as: Score = BEYOND_A_JUMP) -> None:
        super().__init__()
        self.misread = misread
        self.misread_as = misread_as

    def read(self, frame: NDArray[np.uint8], **kwargs: bool) -> ScoreboardReading | None:
        reading = super().read(frame, **kwargs)
        if frame is self.misread and self.teams is not None:
            return ScoreboardReading(self.teams, self.misread_as, "45:34")
        return reading


GOAL_SEGMENT_S = 3 * SEGMENT_S
"""Where the goal's segment starts in ``_goals_around``'s stream."""


def _goals_around(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    goal: Callable[[float], NDArray[np.uint8]],
    reader: ScoreboardReader,
) -> list[tuple[int, int, float]]:
    """The goals of three segments of 3-4, the goal's segment (``goal(offset_s)``), three of 3-5, read by ``reader``:
    (home, away, stream time)."""
    _painted(monkeypatch, {b"b": lambda _: BEFORE, b"g": goal, b"a": lambda _: AFTER})
    task = CaptureTask("t", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=KeyframeSampler(reader))
    stats = task.run(_segments("bbb" + "g" + "aaa"))
    return [(g.score.home, g.score.away, round(g.stream_time, 3)) for g in stats.goals]


def test_a_search_back_passes_over_a_first_read_beyond_a_jump_to_the_changes_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = ScoreboardReader()
    assert reader.read(BEFORE, fresh=True, may_locate=True) is not None and reader.layout is not None
    animated = smeared(AFTER, [(p.box.left, p.box.top, p.box.right, p.box.bottom) for p in reader.layout.score])

    def goal(offset_s: float) -> NDArray[np.uint8]:
        """0-0, the goal's animation (one frame), then the new score."""
        if offset_s < GOAL_S - 1e-9:
            return BEFORE
        return animated if offset_s < GOAL_S + 0.05 else AFTER

    assert _goals_around(tmp_path, monkeypatch, goal, _MisreadingOneFrame(animated)) == [
        (3, 5, GOAL_SEGMENT_S + GOAL_S + 1 / FPS)
    ]


def test_a_misread_beyond_a_jump_that_repeats_on_the_changes_frames_still_says_where_the_change_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-221: a '1' on a yellow cell read '4' by its outline on every frame of the goal's segment (1-0 as 4-1);
    the next keyframe read 1-1 by its fill. The misread, read so again on a frame like it, is held no more: the goal
    is stamped where its new number was first read."""
    misread = AFTER.copy()

    def goal(offset_s: float) -> NDArray[np.uint8]:
        return BEFORE if offset_s < GOAL_S - 1e-9 else misread

    goals = _goals_around(tmp_path, monkeypatch, goal, _MisreadingOneFrame(misread))
    assert goals == [(3, 5, GOAL_SEGMENT_S + GOAL_S)]


class _MisreadingThenRefusing(_MisreadingOneFrame):
    """``_MisreadingOneFrame`` that also reads nothing on the frame ``UNREADABLE`` (as ``RefusingReader``)."""

    def read(self, frame: NDArray[np.uint8], **kwargs: bool) -> ScoreboardReading | None:
        return None if frame is UNREADABLE else super().read(frame, **kwargs)


def test_a_change_first_read_beyond_a_jump_then_unread_is_stamped_where_its_pixels_first_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-56: the goal's first frame read 4-1 for 0-1 (its italic '0' read '4'), refused as beyond a jump; the
    frames after it, the same pixels, read nothing for 1.2 s, then 0-1: the goal was stamped there. The refused frame
    and those unread after it show the score read later on the same pixels."""
    misread = AFTER.copy()

    def goal(offset_s: float) -> NDArray[np.uint8]:
        """0-0, the new score's pixels: misread on the goal's first frame, unread for half a second, then read."""
        if offset_s < GOAL_S - 1e-9:
            return BEFORE
        if offset_s < GOAL_S + 0.05:
            return misread
        return UNREADABLE if offset_s < GOAL_S + 0.55 else AFTER

    goals = _goals_around(tmp_path, monkeypatch, goal, _MisreadingThenRefusing(misread))
    assert goals == [(3, 5, GOAL_SEGMENT_S + GOAL_S)]


def test_a_search_back_that_read_a_change_once_finds_a_second_change_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-1051: its search back read 0-1 once on a frame 0.8 s before the goal (a crest beside a gradient cell
    misread), then passed over the goal's frames as unlike that read, and the goal was stamped at the next keyframe,
    1.1 s late. Frames unlike the change read and unlike the score before it are a second change, searched for."""
    reader = ScoreboardReader()
    assert reader.read(BEFORE, fresh=True, may_locate=True) is not None and reader.layout is not None
    misread = stroked(BEFORE, reader.layout, round(float(np.mean(LOOK.score_text))))

    def goal(offset_s: float) -> NDArray[np.uint8]:
        """3-4, one frame misread 4-4 (a stray stroke in the score box), 3-4 again, then the goal."""
        if GOAL_S - 0.55 < offset_s < GOAL_S - 0.45:
            return misread
        return BEFORE if offset_s < GOAL_S - 1e-9 else AFTER

    reader_misreading = _MisreadingOneFrame(misread, misread_as=Score(home=4, away=4))  # one goal: not held
    assert _goals_around(tmp_path, monkeypatch, goal, reader_misreading) == [(3, 5, GOAL_SEGMENT_S + GOAL_S)]


def _search_back_after_a_misread(confirmed: Score | None) -> list[tuple[float, tuple[int, int]]]:
    """A search back over 0.7 s of frames whose masks jitter (a speck the compression leaves or not: 'changed' from
    the keyframe's, 'same' among themselves) and read the held score 3-4, then the goal's frames, reading 3-5, while the
    reader's last reading is a search's misread, 13-4, that the goal detector refused (it holds ``confirmed``)."""
    reader = ScoreboardReader()
    located = reader.read(BEFORE, fresh=True, may_locate=True)
    assert located is not None
    teams = located.teams
    reader._last_reading = ScoreboardReading(teams, Score(home=13, away=4), "45:20")
    sampler = KeyframeSampler(reader)
    keyframe_mask = np.zeros((20, 40), bool)
    keyframe_mask[5:16, 5:11] = keyframe_mask[5:16, 25:31] = True
    jittered = keyframe_mask.copy()
    jittered[1:4, 14:17] = True  # 9 stray pixels of 141: 'changed'
    scored = keyframe_mask.copy()
    scored[5:16, 25:31], scored[5:16, 32:38] = False, True
    frames = [TimedFrame(START + timedelta(seconds=t), t, np.full((4, 4), i, np.uint8)) for i, t in enumerate(
        (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))]  # fmt: skip
    masks = {id(f.image): jittered if f.stream_time < 0.75 else scored for f in frames}
    reads = {id(f.image): Score(home=3, away=4) if f.stream_time < 0.75 else Score(home=3, away=5) for f in frames}
    sampler._score_mask = lambda image: masks[id(image)]  # type: ignore[method-assign]
    reader.read = lambda image, **kwargs: ScoreboardReading(teams, reads[id(image)], "45:21")  # type: ignore[method-assign]
    sampler._confirmed = None if confirmed is None else lambda: confirmed
    previous = _VisibleFrame(0, 0.0, keyframe_mask)
    found = sampler._search_back(previous, frames, unread=[])
    return [(round(o.stream_time, 3), (o.reading.score.home, o.reading.score.away)) for o in found if o.reading]


def test_a_search_back_after_a_refused_misread_does_not_take_the_held_score_for_the_change() -> None:
    """dev-967: a search back misread '6-0' once (refused: the detector held 0-0); the next search back, its frames'
    masks jittering over a translucent cell, read 0-0 three times, took that for a change from 6-0, and ended before
    the goal: stamped 1.03 s late at the keyframe. A frame reading the score the detector holds is no change."""
    assert next(o for o in _search_back_after_a_misread(Score(home=3, away=4)) if o[1] == (3, 5)) == (0.8, (3, 5))
    # Without the held score the search ends on the jittered frames, read three times (as a change), as it did.
    assert all(score != (3, 5) for _, score in _search_back_after_a_misread(None))
