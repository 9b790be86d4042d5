"""The stream's first score read looks back: the keyframes kept from before it are read with the HUD found since.

dev-174 (a team-coloured score cell joined to the crowd by the search) and dev-204 (HUD found 20 s in): the HUD
was found late, and the match was joined at the score it then showed; a goal scored before was lost (said). Here
the search is held back by its CPU budget (a counter clock: each search costs the same on any machine), so the HUD
is found ~10 s after a goal it shows. Painted frames, 30 a second; the sampler, reader, tesseract, search budget
and goal detector are real, only decoding is replaced.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture_task.capture import CaptureTask
from capture_task.publish.publisher import JsonLinesSink
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import ScoreboardReading
from capture_task.vision.sampler import KeyframeSampler
from capture_task.vision.search_budget import SearchBudget
from contracts import Score
from tests.functional.hud_drawing import HudText, paint, random_look, smeared
from tests.functional.one_frame_segments import RefusingReader, lettered_segments, painted_segments

START = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
SEGMENT_S, FPS = 2.0, 30
_segments = partial(lettered_segments, START, segment_s=SEGMENT_S)
"""One 2 s segment per letter: 'r' a replay (no HUD), 'b' 0-0, 'g' 0-0 then 0-1 from ``GOAL_OFFSET_S``, 'a' 0-1."""
LOOK = random_look(random.Random(11))
BEFORE = cv2.cvtColor(paint(LOOK, HudText("RMA", "FCB", 0, 0, "61:10"), seed=3), cv2.COLOR_BGR2GRAY)
AFTER = cv2.cvtColor(paint(LOOK, HudText("RMA", "FCB", 0, 1, "61:40"), seed=3), cv2.COLOR_BGR2GRAY)
REPLAY = np.full_like(BEFORE, 60)
GOAL_OFFSET_S = 1.0
SEARCH_COST_S, BURST_S = 5.0, 1.0
"""Each search costs 5 CPU s by the budget's clock: after the first (on the replay) the next waits until stream time
has paid 4 s back."""
SOON, LATE = 0.35, 0.08
"""Shares of stream time paid back: the next search ~12 s later; ~50 s later, longer than the segments kept for
searching back (``RECENT_SEGMENTS``), not than those kept until the first read (``JOIN_LOOK_BACK_SEGMENTS``)."""


PICTURES: dict[bytes, Callable[[float], np.ndarray]] = {
    b"r": lambda offset_s: REPLAY,
    b"b": lambda offset_s: BEFORE,
    b"g": lambda offset_s: BEFORE if offset_s < GOAL_OFFSET_S - 1e-9 else AFTER,
    b"a": lambda offset_s: AFTER,
}
"""What each letter's segment shows at an offset into it."""


@pytest.fixture
def painted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of ``FPS`` painted frames a second, as ``PICTURES`` draws them."""
    painted_segments(
        monkeypatch, lambda kind, offset_s: PICTURES[kind](offset_s), start=START, segment_s=SEGMENT_S, fps=FPS
    )


def _task(tmp_path: Path, share: float = SOON) -> CaptureTask:
    reader = ScoreboardReader()
    clock = itertools.count(0.0, SEARCH_COST_S).__next__
    reader.search_budget = SearchBudget(share=share, burst_s=BURST_S, clock=clock)
    return CaptureTask("late", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=KeyframeSampler(reader))


@pytest.mark.usefixtures("painted")
@pytest.mark.parametrize("share", [SOON, LATE], ids=["found-8s-later", "found-50s-later"])
def test_a_goal_before_a_hud_found_late_is_reported_at_its_own_first_frame(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, share: float
) -> None:
    kinds = "r" + "bbb" + "g" + "a" * (8 if share == SOON else 30)
    task = _task(tmp_path, share)
    with caplog.at_level(logging.INFO, logger="highlight_bot.capture"):
        stats = task.run(_segments(kinds))
    goal_s = SEGMENT_S * kinds.index("g") + GOAL_OFFSET_S
    assert [(g.score.home, g.score.away, g.stream_time) for g in stats.goals] == [(0, 1, goal_s)]
    first_read = next(r for r in caplog.records if "the first score read at" in r.getMessage())
    assert float(first_read.getMessage().split(" at ")[1].split(" s")[0]) > goal_s + SEGMENT_S, (
        "the HUD was read before the goal's segment had passed: this test no longer looks back"
    )


@pytest.mark.usefixtures("painted")
@pytest.mark.parametrize(("unread", "said"), [(2, True), (1, False)])
def test_keyframes_showing_the_hud_that_do_not_read_before_the_first_score_are_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, unread: int, said: bool
) -> None:
    """The HUD in view but unreadable (its score boxes smeared) before the first read: a goal then is unknown. One
    such keyframe alone (a fade-in, a goal's animation) is not said."""
    reader = ScoreboardReader()
    assert reader.read(AFTER, fresh=True, may_locate=True) is not None and reader.layout is not None
    boxes = [(part.box.left, part.box.top, part.box.right, part.box.bottom) for part in reader.layout.score]
    unreadable = smeared(BEFORE, boxes)
    monkeypatch.setitem(PICTURES, b"s", lambda offset_s: unreadable)
    with caplog.at_level(logging.WARNING, logger="highlight_bot.capture"):
        _task(tmp_path).run(_segments("r" + "s" * unread + "a" * 8))
    warnings = [r.getMessage() for r in caplog.records if "before its score was first read" in r.getMessage()]
    if said:
        assert len(warnings) == 1 and f"{unread} of those keyframes (2.0-{2.0 * unread:.1f} s" in warnings[0]
    else:
        assert warnings == []


UNREADABLE = BEFORE.copy()
"""0-0's pixels, on frames tesseract is taken to fail on (``RefusingReader``)."""


@pytest.mark.usefixtures("painted")
def test_the_first_score_a_look_back_reads_is_confirmed_from_its_own_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-357: 0-0 read on one kept keyframe, the keyframes after it unread until the goal's: read once, 0-0 was
    never confirmed, the match was joined at 1-0 and its goal lost (said)."""
    monkeypatch.setitem(PICTURES, b"u", lambda offset_s: UNREADABLE)
    monkeypatch.setitem(PICTURES, b"h", lambda offset_s: UNREADABLE if offset_s < GOAL_OFFSET_S - 1e-9 else AFTER)
    reader = RefusingReader(UNREADABLE)
    clock = itertools.count(0.0, SEARCH_COST_S).__next__
    reader.search_budget = SearchBudget(share=SOON, burst_s=BURST_S, clock=clock)
    task = CaptureTask("late", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=KeyframeSampler(reader))
    kinds = "r" + "b" + "uu" + "h" + "a" * 8
    stats = task.run(_segments(kinds))
    goal_s = SEGMENT_S * kinds.index("h") + GOAL_OFFSET_S
    assert [(g.score.home, g.score.away, g.stream_time) for g in stats.goals] == [(0, 1, goal_s)]


MISREAD, MISREAD_AGAIN = BEFORE.copy(), BEFORE.copy()
"""0-0's pixels, on keyframes tesseract is taken to misread as 0-8 and 0-9 (``_Misreading``)."""


class _Misreading(ScoreboardReader):
    """The real reader, reading 0-0 painted ``MISREAD`` as 0-8 and painted ``MISREAD_AGAIN`` as 0-9."""

    def read(self, frame: np.ndarray, **kwargs: bool) -> ScoreboardReading | None:
        reading = super().read(frame, **kwargs)
        wrong = {id(MISREAD): Score(home=0, away=8), id(MISREAD_AGAIN): Score(home=0, away=9)}.get(id(frame))
        return reading if reading is None or wrong is None else replace(reading, score=wrong)


@pytest.mark.usefixtures("painted")
def test_a_first_score_misread_on_its_keyframe_is_confirmed_by_more_of_its_segments_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-308: the first keyframe read 0-8, the two frames read after it 0-0, and no more were read; the next
    keyframe, the goal's, read 0-9: 0-0 was never confirmed, the match was joined at 0-1 and its goal lost (said).
    The segment's frames are read while the score is unconfirmed, up to ``CONFIRMING_ATTEMPTS``."""
    monkeypatch.setitem(PICTURES, b"m", lambda offset_s: MISREAD if offset_s == 0 else BEFORE)
    monkeypatch.setitem(
        PICTURES,
        b"n",
        lambda offset_s: MISREAD_AGAIN if offset_s == 0 else BEFORE if offset_s < GOAL_OFFSET_S - 1e-9 else AFTER,
    )
    reader = _Misreading()
    reader.search_budget = SearchBudget(share=SOON, burst_s=BURST_S, clock=lambda: 0.0)  # searches cost nothing
    task = CaptureTask("misread", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=KeyframeSampler(reader))
    kinds = "m" + "n" + "a" * 8
    stats = task.run(_segments(kinds))
    goal_s = SEGMENT_S * kinds.index("n") + GOAL_OFFSET_S
    assert [(g.score.home, g.score.away, g.stream_time) for g in stats.goals] == [(0, 1, goal_s)]


ANEW = 0.3
"""Share of stream time paid back: after the first search (at 0 s) the next comes ~16 s later, after the goal."""
OLD_MATCH = cv2.cvtColor(paint(LOOK, HudText("AJAX", "INTR", 1, 0, "89:40"), seed=3), cv2.COLOR_BGR2GRAY)
NEXT_BEFORE = cv2.cvtColor(paint(LOOK, HudText("RMA", "FCB", 0, 0, "00:30"), seed=3), cv2.COLOR_BGR2GRAY)
NEXT_AFTER = cv2.cvtColor(paint(LOOK, HudText("RMA", "FCB", 0, 1, "00:50"), seed=3), cv2.COLOR_BGR2GRAY)


@pytest.mark.usefixtures("painted")
def test_a_hud_found_anew_late_looks_back_to_its_first_goals_own_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dev-319, dev-42: the next match's HUD, in the old one's place, was found after its first goal (a search
    deferred, or refused for a widget's on one frame), and the goal was stamped at its first reading, 0.4-0.8 s
    late. Its first reading looks back over the keyframes kept since the last frame read."""
    monkeypatch.setitem(PICTURES, b"o", lambda offset_s: OLD_MATCH)
    monkeypatch.setitem(PICTURES, b"n", lambda offset_s: NEXT_BEFORE)
    monkeypatch.setitem(PICTURES, b"k", lambda offset_s: NEXT_BEFORE if offset_s < GOAL_OFFSET_S - 1e-9 else NEXT_AFTER)
    monkeypatch.setitem(PICTURES, b"m", lambda offset_s: NEXT_AFTER)
    kinds = "ooo" + "rr" + "nn" + "k" + "m" * 8
    task = _task(tmp_path, ANEW)
    stats = task.run(_segments(kinds))
    goal_s = SEGMENT_S * kinds.index("k") + GOAL_OFFSET_S
    assert [(g.score.home, g.score.away, g.stream_time) for g in stats.goals] == [(0, 1, goal_s)]


@pytest.mark.usefixtures("painted")
def test_a_hud_found_anew_at_kick_off_does_not_look_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """At 0-0 no goal of its match came before: a look back would only cost OCR calls (a new match's HUD found at
    kick-off on the bench's own streams: three more reads, the speed ratio under 10)."""
    monkeypatch.setitem(PICTURES, b"o", lambda offset_s: OLD_MATCH)
    monkeypatch.setitem(PICTURES, b"n", lambda offset_s: NEXT_BEFORE)
    with caplog.at_level(logging.INFO, logger="highlight_bot.capture"):
        _task(tmp_path, ANEW).run(_segments("ooo" + "rr" + "n" * 8))
    assert any("new match: RMA 0-0 FCB" in r.getMessage() for r in caplog.records), "the next match was not read"
    assert not any("found anew" in r.getMessage() for r in caplog.records)
