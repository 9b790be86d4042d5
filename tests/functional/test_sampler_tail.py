"""The adaptive tail decode: at the live edge a goal is read in the segment it is shown in.

Real parts: rendered x264 broadcasts, PyAV decoding, tesseract. Each capture runs on the segment
files in order; whether it is at the live edge is set by how the segments arrive, never by the
machine's speed:
- *at the live edge*: a live source hands the next segment over only once the analysis finished
  the last one (as a real stream does when the analysis keeps up), so nothing ever waits;
- *behind live*: every segment is already in the buffer when the analysis starts;
- *offline*: a file, or a list of segments, whose analysis never decodes more than keyframes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import m3u8
import pytest

from bench.capture import _CollectingSink
from capture_task.capture import CaptureStats, CaptureTask
from capture_task.detect.goals import GoalDetector
from capture_task.ingest.buffer import FetchAhead, SegmentBuffer
from capture_task.ingest.media import SegmentMedia
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.sampler import CONFIRMING_READS, CONFIRMING_SPACING_S, KeyframeSampler
from contracts import GoalEvent
from sample_broadcast import BroadcastInfo, bench_suite, dev_suite, test_broadcast
from tests.e2e_local.capture_support import NOT_HUNG, rendered

pytestmark = [pytest.mark.slow, NOT_HUNG]
STOP_CHECK_S = 0.1
"""How often a held-back source looks whether the capture stopped (it is woken at once otherwise)."""


def _disk_segments(info: BroadcastInfo) -> list[SegmentMedia]:
    playlist = m3u8.load(str(info.directory / "playlist.m3u8"))
    segments, elapsed = [], 0.0
    for sequence, segment in enumerate(playlist.segments):
        start: datetime = segment.current_program_date_time
        data = (info.directory / segment.uri).read_bytes()
        segments.append(SegmentMedia(sequence, start, segment.duration, elapsed, data))
        elapsed += segment.duration
    return segments


class _Capture:
    """A capture that notes in which segment each goal came out, and can hand segments over one at a time."""

    def __init__(self) -> None:
        self.task = CaptureTask("sample", sink=_CollectingSink())
        self.goal_segments: dict[tuple[int, int], int] = {}
        self.analysed = threading.Semaphore(0)
        self.stopped = threading.Event()
        original = self.task.process

        def process(segment: SegmentMedia) -> list[GoalEvent]:
            goals = original(segment)
            for goal in goals:
                self.goal_segments[(goal.score.home, goal.score.away)] = segment.sequence
            self.analysed.release()
            return goals

        self.task.process = process  # type: ignore[method-assign]

    def at_the_live_edge(self, segments: list[SegmentMedia]) -> Iterator[SegmentMedia]:
        """Each segment is 'broadcast' once the analysis is done with the one before: nothing ever waits."""
        for segment in segments:
            yield segment
            while not self.analysed.acquire(timeout=STOP_CHECK_S):
                if self.stopped.is_set():
                    return

    def run(self, segments: Iterable[SegmentMedia]) -> CaptureStats:
        try:
            return self.task.run(segments)
        finally:
            self.stopped.set()


def _truth_goals(info: BroadcastInfo) -> list[dict[str, Any]]:
    return list(info.truth()["goals"])


def _assert_each_goal_once_at_its_first_frame(goals: list[GoalEvent], truth: list[dict[str, Any]]) -> None:
    assert [(g.score.home, g.score.away) for g in goals] == [(t["score"]["home"], t["score"]["away"]) for t in truth]
    for goal, expected in zip(goals, truth, strict=True):
        expected_at = datetime.fromisoformat(expected["at"].replace("Z", "+00:00"))
        # The truth's times are to the millisecond: the goal is stamped with the first frame showing the new score.
        assert abs((goal.at - expected_at).total_seconds()) <= 0.001, (goal.at, expected_at)
        assert goal.stream_time == pytest.approx(expected["stream_time"], abs=0.001)


def _score(goal: dict[str, Any]) -> tuple[int, int]:
    return goal["score"]["home"], goal["score"]["away"]


@pytest.fixture(scope="module")
def early_goals(broadcast_cache: Path) -> BroadcastInfo:
    """Two goals shown early in their segments (0.67 s and 0.53 s in): room for three reads before the segment ends."""
    return rendered(broadcast_cache, test_broadcast("720p30"))


@pytest.fixture(scope="module")
def late_goals(broadcast_cache: Path) -> BroadcastInfo:
    """Two goals shown late in their segments (1.3 s and 1.73 s in): only the first leaves room for its reads."""
    return rendered(broadcast_cache, next(s for s in bench_suite() if s.name == "bench-720p30-b"))


def test_at_the_live_edge_a_goal_is_found_in_the_segment_it_is_shown_in(early_goals: BroadcastInfo) -> None:
    segments, truth = _disk_segments(early_goals), _truth_goals(early_goals)
    capture = _Capture()
    stats = capture.run(FetchAhead(capture.at_the_live_edge(segments), live=True))
    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)
    assert capture.goal_segments == {_score(goal): goal["segment_index"] for goal in truth}
    assert stats.tail_fallbacks == 0
    # Tails are decoded once the HUD is located and its codes confirmed: every segment from the first few on.
    assert len(segments) - 4 <= stats.tail_decodes <= len(segments)


def test_keyframes_alone_find_the_same_goals_a_segment_later(early_goals: BroadcastInfo) -> None:
    segments, truth = _disk_segments(early_goals), _truth_goals(early_goals)
    capture = _Capture()
    stats = capture.run(segments)  # a list of segments: an offline run
    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)
    assert capture.goal_segments == {_score(goal): goal["segment_index"] + 1 for goal in truth}
    assert stats.tail_decodes == stats.tail_fallbacks == 0


def test_a_goal_is_confirmed_in_its_own_segment_when_its_reads_fit_there_else_by_the_next(
    late_goals: BroadcastInfo,
) -> None:
    """Three agreeing reads, CONFIRMING_SPACING_S apart, confirm a goal: 1.3 s into a 2 s segment they fit (1.3,
    1.5, 1.7 s), 1.73 s in they do not, and the next segment's keyframe gives the last read."""
    segments, truth = _disk_segments(late_goals), _truth_goals(late_goals)
    frame_s = 1 / 30
    last_frame_s = 2.0 - frame_s
    reads_span_s = CONFIRMING_READS * (CONFIRMING_SPACING_S + frame_s)  # frames fall on 1/30 s, so up to one more
    fits = {_score(g): g["stream_time"] - 2.0 * g["segment_index"] + reads_span_s <= last_frame_s for g in truth}
    assert sorted(fits.values()) == [False, True], "one goal of each kind"
    capture = _Capture()
    stats = capture.run(FetchAhead(capture.at_the_live_edge(segments), live=True))
    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)
    assert capture.goal_segments == {_score(g): g["segment_index"] + (not fits[_score(g)]) for g in truth}


def test_behind_live_the_capture_falls_back_to_keyframes_until_it_catches_up(early_goals: BroadcastInfo) -> None:
    segments, truth = _disk_segments(early_goals), _truth_goals(early_goals)
    buffer = SegmentBuffer()
    for segment in segments:
        buffer.put(segment)  # all fetched before the analysis starts: each one finds the next waiting
    capture = _Capture()
    stats = capture.run(FetchAhead([], buffer=buffer, live=True))
    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)
    assert stats.tail_fallbacks == len(segments) - 1, "keyframes only while a segment waits"
    assert stats.tail_decodes == 1, "the last segment, with nothing behind it, is at the live edge"
    assert capture.goal_segments == {_score(goal): goal["segment_index"] + 1 for goal in truth}


def test_a_file_has_no_live_edge_even_when_its_analysis_waits_for_it(early_goals: BroadcastInfo) -> None:
    segments, truth = _disk_segments(early_goals), _truth_goals(early_goals)
    capture = _Capture()
    stats = capture.run(FetchAhead(capture.at_the_live_edge(segments), live=False))
    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)
    assert stats.tail_decodes == stats.tail_fallbacks == 0
    assert capture.task.sampler.segments_tail_decoded == 0


def test_a_tail_is_abandoned_as_soon_as_the_next_segment_arrives(early_goals: BroadcastInfo) -> None:
    segments, truth = _disk_segments(early_goals), _truth_goals(early_goals)
    sampler, detector = KeyframeSampler(ScoreboardReader()), GoalDetector()
    goals: list[GoalEvent] = []
    goal_segments: dict[tuple[int, int], int] = {}
    for segment in segments:
        asked = 0

        def next_segment_waits_after_three_frames() -> bool:
            nonlocal asked
            asked += 1
            return asked <= 4  # asked before the tail begins, then before each frame

        for observation in sampler.observe(
            segment, awaiting=lambda: detector.awaiting_confirmation, live_edge=next_segment_waits_after_three_frames
        ):
            for found in detector.observe(observation):
                goals.append(found.to_event("sample"))
                goal_segments[_score(goals[-1].model_dump())] = segment.sequence
        assert asked in (0, 5), "not asked (no HUD known yet), or asked until it said no, before the fourth frame"
    _assert_each_goal_once_at_its_first_frame(goals, truth)
    assert sampler.segments_tail_decoded == 0 and sampler.segments_tail_abandoned >= len(segments) - 4
    assert goal_segments == {_score(goal): goal["segment_index"] + 1 for goal in truth}, "found by the next keyframe"


def test_a_goal_one_segment_after_the_hud_is_found_is_reported(early_goals: BroadcastInfo) -> None:
    """The capture joins one segment before the first goal's: keyframes alone would read the old score twice
    before the new one shows, too few to confirm it, and the goal would be lost (joined at the new score, with
    a warning). The frames after the first keyframe confirm it within its segment."""
    segments, truth = _disk_segments(early_goals), _truth_goals(early_goals)
    first_goal_segment = truth[0]["segment_index"]
    assert first_goal_segment >= 1 and truth[0]["stream_time"] - 2.0 * first_goal_segment < CONFIRMING_SPACING_S * 4
    capture = _Capture()
    stats = capture.run(segments[first_goal_segment - 1 :])
    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)


def test_a_new_match_in_the_same_face_and_place_is_found_by_its_score_no_longer_reading(
    broadcast_cache: Path,
) -> None:
    """dev-74: BEN-SEV replace PSV-POR in the same HUD. The new codes differ from the old by less than 'hidden',
    so the HUD stayed 'in view'; the score cells, in the new teams' colours, no longer read with the old levels.
    Nothing was read for the rest of the stream: both goals of the new match were lost."""
    info = rendered(broadcast_cache, dev_suite(75)[74])
    segments, truth = _disk_segments(info), _truth_goals(info)

    stats = _Capture().run(segments)

    _assert_each_goal_once_at_its_first_frame(stats.goals, truth)
    assert {(goal.teams.home, goal.teams.away) for goal in stats.goals} == {("BEN", "SEV")}
