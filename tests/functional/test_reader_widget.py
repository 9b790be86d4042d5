"""A streamer's widget that reads like a scoreboard ('DIV 1 - 2 PTS', no clock) is not taken for the HUD once
the HUD was read with its clock, and a widget taken before the HUD showed gives way to it.

Why: a search while a replay hid the HUD found such a widget (dev-31) and took it; its numbers were read
ever after, the real HUD's goals were lost, and its '1-2' made a goal for teams "DIV" and "PTS". Real
tesseract; the HUD and the widget are painted, so the test controls what is on screen.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from capture_task.capture import CaptureTask
from capture_task.detect.goals import GoalDetector
from capture_task.ingest.media import SegmentMedia
from capture_task.publish.publisher import JsonLinesSink
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import FrameObservation, ScoreboardReading
from capture_task.vision.sampler import CLOCKLESS_SEARCH_AT_KEYFRAMES, KeyframeSampler
from contracts import Score, Teams
from tests.functional.hud_drawing import HudText, paint, random_look
from tests.functional.one_frame_segments import one_frame_segments, painted_segments

LOOK = random_look(random.Random(5))
WIDGET = "DIV 1 - 2 PTS"


def _with_widget(frame: NDArray[np.uint8], text: str = WIDGET, top: float = 7 / 8) -> NDArray[np.uint8]:
    """The widget drawn ``top`` of the way down (the bottom quarter): dark text on a light cell, a little larger
    than the HUD's."""
    image = Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(LOOK.font), round(LOOK.text_px * 1.4))
    x, y = LOOK.width // 4, round(LOOK.height * top)
    left, top, right, bottom = draw.textbbox((x, y), text, font=font)
    pad = LOOK.text_px // 2
    draw.rectangle([left - pad, top - pad, right + pad, bottom + pad], fill=(235, 235, 230))
    draw.text((x, y), text, font=font, fill=(20, 20, 20))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


HUD_AND_WIDGET = _with_widget(paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1))
WIDGET_ONLY = _with_widget(np.full((LOOK.height, LOOK.width, 3), 60, np.uint8))
"""A replay hides the HUD; the widget stays."""


def test_with_no_hud_ever_read_the_widget_may_be_taken() -> None:
    """The widget does read as a scoreboard: without this, the next test would prove nothing."""
    reader = ScoreboardReader()
    assert reader.relocate(WIDGET_ONLY)
    assert reader.layout is not None and reader.layout.teams == Teams(home="DIV", away="PTS")
    assert reader.layout.clock is None


def test_once_the_hud_was_read_with_its_clock_a_widget_is_not_taken_for_it() -> None:
    reader = ScoreboardReader()
    reading = reader.read(HUD_AND_WIDGET, may_locate=True) or reader.read(HUD_AND_WIDGET, may_locate=True)
    assert reading is not None and reading.teams == Teams(home="LIV", away="MCI") and reading.clock == "27:10"

    assert not reader.relocate(WIDGET_ONLY)

    assert reader.layout is not None and reader.layout.teams == Teams(home="LIV", away="MCI")
    again = reader.read(HUD_AND_WIDGET, fresh=True)
    assert again is not None and again.score == Score(home=1, away=0)


def _observed(
    monkeypatch: pytest.MonkeyPatch, frames: list[NDArray[np.uint8]], *, awaiting: bool = True
) -> tuple[KeyframeSampler, list[Any]]:
    """Each frame one 2 s segment's keyframe (and all its frames), observed in turn: the readings. With
    ``awaiting``, the goal detector asks for fresh reads (no reading reused)."""
    start = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    one_frame_segments(monkeypatch, lambda segment: frames[segment.sequence])
    sampler = KeyframeSampler(ScoreboardReader())
    readings = []
    for index in range(len(frames)):
        segment = SegmentMedia(index, start + timedelta(seconds=2 * index), 2.0, 2.0 * index, b"")
        observed = sampler.observe(segment, awaiting=lambda: awaiting)
        readings += [o.reading for o in observed if o.reading is not None]
    return sampler, readings


def test_a_widget_read_before_the_hud_showed_gives_way_to_the_hud_with_its_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first keyframe shows only the widget: taken (no clock beside it) and read. The HUD then shows and
    the widget still reads: a HUD without a clock is searched for again, a clock required, and the HUD wins."""
    sampler, readings = _observed(
        monkeypatch, [WIDGET_ONLY] + [HUD_AND_WIDGET] * (min(CLOCKLESS_SEARCH_AT_KEYFRAMES) + 2)
    )

    assert readings[0].teams == Teams(home="DIV", away="PTS")
    assert sampler.reader.layout is not None and sampler.reader.layout.clock is not None
    assert readings[-1].teams == Teams(home="LIV", away="MCI") and readings[-1].score == Score(home=1, away=0)


def test_a_widget_taken_before_the_hud_showed_gives_way_to_the_hud(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first keyframe shows only the widget (the HUD not drawn yet): it is taken, without a clock, and
    read. Its numbers then turn into something no score reads ('- -') while the HUD shows: the HUD is found
    and read, and the widget is never read again."""
    scrambled = _with_widget(paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1), "DIV - - PTS")
    _, readings = _observed(monkeypatch, [WIDGET_ONLY] + [scrambled] * 5)

    assert readings[0].teams == Teams(home="DIV", away="PTS")
    hud = [r for r in readings[1:] if r.teams == Teams(home="LIV", away="MCI") and r.score == Score(home=1, away=0)]
    assert hud and len(hud) == len(readings) - 1


NUMBERED_WIDGET = "CUP 2028 DIV 4 - 7 PTS"
"""dev-106's widget: a number of four digits two words left of 'DIV' passes for a clock whose colon was lost."""
WIDGET_UNDER_THE_HUD = 0.13
"""In the top band, just under the HUD: its row is longer than the HUD's, so it is read first."""
NUMBERED_WIDGET_ONLY = _with_widget(np.full((LOOK.height, LOOK.width, 3), 60, np.uint8), NUMBERED_WIDGET,
                                    WIDGET_UNDER_THE_HUD)  # fmt: skip
HUD_AND_NUMBERED_WIDGET = _with_widget(
    paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1), NUMBERED_WIDGET, WIDGET_UNDER_THE_HUD
)


def test_searching_again_a_number_without_a_colon_is_a_clock_only_when_no_candidate_has_one_of_two_parts() -> None:
    alone = ScoreboardReader()
    assert alone.relocate(NUMBERED_WIDGET_ONLY, clock_required=True), "the widget alone is taken, '2028' a clock"
    assert alone.layout is not None and alone.layout.teams == Teams(home="DIV", away="PTS")
    assert alone.layout.clock is not None and alone.layout.clock_without_colon

    beside = ScoreboardReader()
    assert beside.relocate(HUD_AND_NUMBERED_WIDGET, clock_required=True)
    assert beside.layout is not None and beside.layout.teams == Teams(home="LIV", away="MCI")
    assert not beside.layout.clock_without_colon


def test_a_numbered_widget_followed_before_the_hud_showed_gives_way_to_the_hud_and_its_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dev-106: the widget was taken on the first keyframe, before the HUD was drawn, and followed for the whole
    stream; the HUD's scores, lower than the widget's 4-7, were refused. Its readings are marked as maybe a
    widget's, it is searched again like a widget without a clock, and the goal detector joins the HUD's match."""
    # Searched again at the keyframes COLONLESS_SEARCH_AT_KEYFRAMES says (4, 8, ...): the second finds the HUD.
    frames = [NUMBERED_WIDGET_ONLY] * 4 + [HUD_AND_NUMBERED_WIDGET] * 8
    _, readings = _observed(monkeypatch, frames)

    assert readings[0].teams == Teams(home="DIV", away="PTS") and readings[0].maybe_widget
    assert readings[-1].teams == Teams(home="LIV", away="MCI") and not readings[-1].maybe_widget
    detector = GoalDetector()
    start = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    for index, reading in enumerate(readings):
        detector.observe(FrameObservation(start + timedelta(seconds=index), float(index), reading))
    assert (detector.teams, detector.score) == (Teams(home="LIV", away="MCI"), Score(home=1, away=0))


def _searches_counted(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each search (``ScoreboardReader.relocate``) from now on found a HUD, in order."""
    searched: list[bool] = []
    relocate = ScoreboardReader.relocate

    def counted(self: ScoreboardReader, *args: Any, **kwargs: Any) -> bool:
        found = relocate(self, *args, **kwargs)
        searched.append(found)
        return found

    monkeypatch.setattr(ScoreboardReader, "relocate", counted)
    return searched


def test_a_hud_whose_clock_reads_without_its_colon_is_searched_again_but_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Most clocks read as one number are the HUD's own, their colon too thin to part the digits. The search
    again finds the same HUD: it is kept, not taken anew, which would forget the last frame known to show it
    and stamp the next goal when read, not when shown (dev-11 and dev-61: goals 1.4 s late)."""
    colonless = paint(LOOK, HudText("LIV", "MCI", 1, 0, "2710"), seed=1)
    reader = ScoreboardReader()
    assert reader.relocate(colonless) and reader.layout is not None and reader.layout.clock_without_colon
    searched = _searches_counted(monkeypatch)
    _, readings = _observed(monkeypatch, [colonless] * (min(CLOCKLESS_SEARCH_AT_KEYFRAMES) + 2))
    assert searched[0] and len(searched) >= 2, "found on the first keyframe, then searched again"
    assert not any(searched[1:]), "the same HUD found again is not taken anew"
    assert readings[-1].score == Score(home=1, away=0) and readings[-1].maybe_widget


@pytest.mark.parametrize(
    ("clocks", "runs"),
    [
        pytest.param([(0.0, "27:10"), (2.0, "27:24"), (30.0, "30:30")], True, id="rising at a match clock's pace"),
        pytest.param([(0.0, "20:28"), (2.0, "26:20"), (4.0, "20:28"), (6.0, "26:20")], False, id="misreads of one"),
        pytest.param([(0.0, "27:10"), (2.0, "27:10"), (4.0, "27:10")], False, id="standing still"),
        pytest.param([(0.0, "20:28"), (2.0, "80:00"), (4.0, "80:10")], False, id="a jump no clock makes in 2 s"),
    ],
)
def test_a_clock_without_its_colon_is_a_clock_once_seen_to_run(clocks: list[tuple[float, str]], runs: bool) -> None:
    reader = ScoreboardReader()
    assert reader.relocate(paint(LOOK, HudText("LIV", "MCI", 1, 0, "2710"), seed=1))
    assert reader.maybe_widget, "a number without a colon beside the codes may be any widget's"
    for stream_time, clock in clocks:
        reader.clock_seen(stream_time, ScoreboardReading(Teams(home="LIV", away="MCI"), Score(home=1, away=0), clock))
    assert reader.maybe_widget is not runs


def test_a_clock_without_its_colon_that_runs_is_read_on_every_keyframe_until_seen_running_then_trusted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Readings are reused while the score box is unchanged, so the clock would be read again only every ~30 s:
    a HUD whose colon is lost would be searched for elsewhere (~1 CPU s at 1080p) before its clock was seen to
    run. While unproven, it is read on every keyframe; once running, the HUD is no widget and is not searched."""
    clocks = ["2710", "2724", "2738", "2752", "2806", "2820"]
    frames = [paint(LOOK, HudText("LIV", "MCI", 1, 0, clock), seed=1) for clock in clocks]
    searches = _searches_counted(monkeypatch)
    _, readings = _observed(monkeypatch, frames, awaiting=False)  # the score stands: readings are reused
    assert searches == [True], "found on the first keyframe, and never searched for again"
    assert not readings[-1].maybe_widget, "its clock was seen running"


def _grey(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


class _FirstLayoutUnread(ScoreboardReader):
    """The real reader, reading nothing with the first layout it locates on the frames ``unread`` (all, if None):
    unseen-23's first search found the wrong boxes, which never read."""

    def __init__(self, unread: list[NDArray[np.uint8]] | None = None) -> None:
        super().__init__()
        self.unread = unread
        self.first_layout: object | None = None

    def read(self, frame: NDArray[np.uint8], **kwargs: bool) -> ScoreboardReading | None:
        reading = super().read(frame, **kwargs)
        self.first_layout = self.first_layout or self.layout
        refused = self.unread is None or any(frame is unread for unread in self.unread)
        return None if refused and self.layout is self.first_layout else reading


@pytest.mark.parametrize(
    ("first_hud", "unread"),
    [("clockless", ""), ("with its clock", "all"), ("clockless", "where found again")],
    ids=[
        "found first without its clock, read (dev-610)",
        "found first on boxes that never read (unseen-23)",
        "found first without its clock, read, then not on the keyframe it is found again on",
    ],
)
def test_a_goal_right_after_a_hud_is_found_again_is_stamped_at_its_first_frame_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_hud: str, unread: str
) -> None:
    """dev-610: its HUD was first found without its clock (taken as maybe a widget), and found again with it by a
    search on the second keyframe; a goal 0.77 s into the next segment was stamped at the keyframe after it, 1.2 s
    late: no frame was known to show the HUD found, so nothing was searched back. The keyframe it was found on is
    such a frame, once a score was read: a HUD never read before looks back over its keyframes at its first reading,
    and a goal searched back for before that was reported twice (unseen-23)."""
    fps, segment_s = 10, 2.0
    start = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    first = _grey(paint(LOOK, HudText("LIV", "MCI", 1, 0, "" if first_hud == "clockless" else "27:10"), seed=1))
    before = _grey(paint(LOOK, HudText("LIV", "MCI", 1, 0, "27:10"), seed=1))
    after = _grey(paint(LOOK, HudText("LIV", "MCI", 2, 0, "27:10"), seed=1))
    found_on = 1  # searched again on the second keyframe: one without its clock, or one never read
    goal_s = segment_s * found_on + 0.7

    def picture(data: bytes, offset_s: float) -> NDArray[np.uint8]:
        index = int(data)
        if index < found_on:
            return first
        return after if index * segment_s + offset_s >= goal_s - 1e-9 else before

    painted_segments(monkeypatch, picture, start=start, segment_s=segment_s, fps=fps)
    segments = [
        SegmentMedia(i, start + timedelta(seconds=segment_s * i), segment_s, segment_s * i, str(i).encode())
        for i in range(found_on + 5)
    ]
    searched = _searches_counted(monkeypatch)
    reader = {"": ScoreboardReader(), "all": _FirstLayoutUnread(), "where found again": _FirstLayoutUnread([before])}
    sampler = KeyframeSampler(reader[unread])
    stats = CaptureTask("t", sink=JsonLinesSink(tmp_path / "events.jsonl"), sampler=sampler).run(segments)
    assert searched[:2] == [True, True], "found on the first keyframe, then again on the second"
    assert sampler.reader.layout is not None and sampler.reader.layout.clock is not None
    assert [(g.score, round(g.stream_time, 3)) for g in stats.goals] == [(Score(home=2, away=0), goal_s)]
