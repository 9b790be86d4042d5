"""The capture loop: segments in; segment and goal events out.

One object wires the parts that each do one job: the segment keeper (which
segments a clip will need), the segment store (keeps their bytes fetchable
after Twitch drops them), the sampler and scoreboard reader (pixels to
readings), the goal detector (readings to goals) and the event sink (JSON
lines or Kinesis). It knows nothing of where segments come from.
"""

from __future__ import annotations

import logging
import os
import resource
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from capture_task.detect.goals import DetectedGoal, GoalDetector
from capture_task.detect.match_end import MatchEnd, MatchTracker
from capture_task.ingest.media import SegmentMedia
from capture_task.metrics import CaptureMetrics
from capture_task.publish.keeper import KeepPolicy, SegmentKeeper
from capture_task.publish.publisher import EventSink
from capture_task.publish.segment_store import SegmentStore, SegmentStoreError
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import ScoreboardReading
from capture_task.vision.sampler import FrameSampler, KeyframeSampler
from contracts import GoalEvent, MatchEndEvent, SegmentEvent, goal_id, match_end_id, segment_id

logger = logging.getLogger("highlight_bot.capture")


def cpu_seconds() -> float:
    """CPU time of this process, its threads and finished children (decoders, if any)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class CaptureStats:
    """What one capture run did; the CLI prints it and the benchmark reads it."""

    segments: int = 0
    stream_seconds: float = 0.0
    goals: list[GoalEvent] = field(default_factory=list)
    segments_unstored: int = 0
    segments_kept: int = 0
    """Segments stored and announced (all, or those around goals: see ``capture_task.publish.keeper``)."""
    last_reading: ScoreboardReading | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0

    @property
    def realtime_factor(self) -> float:
        """Stream seconds processed per CPU second (higher: more headroom on one core)."""
        return self.stream_seconds / self.cpu_s if self.cpu_s > 0 else float("inf")


class CaptureTask:
    """Reads segments, keeps those a clip needs, and publishes what they show.

    Example:
        >>> task = CaptureTask("sample", sink=JsonLinesSink(Path("events.jsonl")))
        >>> stats = task.run(file_segments(Path("match.mp4")))
    """

    def __init__(
        self,
        channel: str,
        *,
        sink: EventSink,
        store: SegmentStore | None = None,
        sampler: FrameSampler | None = None,
        detector: GoalDetector | None = None,
        metrics: CaptureMetrics | None = None,
        keep: KeepPolicy | None = None,
    ) -> None:
        self.channel = channel
        self.sink = sink
        self.store = store
        self.sampler: FrameSampler = sampler or KeyframeSampler(ScoreboardReader())
        self.reader = self.sampler.reader
        self.detector = detector or GoalDetector()
        self.stats = CaptureStats()
        self.matches = MatchTracker()
        self.metrics = metrics
        self._ocr_counted = (0, 0, 0)
        self.keeper = SegmentKeeper(keep or KeepPolicy.keep_all())
        self._location_of: dict[int, str] = {}

    def run(self, segments: Iterable[SegmentMedia], *, location_of: dict[int, str] | None = None) -> CaptureStats:
        """Process every segment; returns when the source ends (a live one never does)."""
        cpu_start, wall_start = cpu_seconds(), time.monotonic()
        self._location_of = location_of if location_of is not None else {}
        try:
            for segment in segments:
                self.process(segment)
                self.stats.cpu_s = cpu_seconds() - cpu_start
                self.stats.wall_s = time.monotonic() - wall_start
        finally:
            self.sink.flush()
        return self.stats

    def process(self, segment: SegmentMedia) -> list[GoalEvent]:
        """Look at one segment's frames for goals; store and announce the segments a clip will need."""
        self._announce(self.keeper.arrived(segment))
        goals: list[GoalEvent] = []
        for observation in self.sampler.observe(segment, awaiting=lambda: self.detector.awaiting_confirmation):
            if observation.reading is not None:
                self.stats.last_reading = observation.reading
            matches_before = self.detector.matches_started
            new_goals = [self._goal_event(detected) for detected in self.detector.observe(observation)]
            ended = self.matches.observe(
                observation,
                new_goals,
                teams=self.detector.teams,
                score=self.detector.score,
                new_match=self.detector.matches_started > matches_before,
            )
            # A previous match's end goes out before the new match's first goal.
            for match_end in ended:
                over = self._match_end_event(match_end)
                logger.info("match over (%s): %s, %d goals", over.reason, over.id, len(over.goals))
                self.sink.put(over)
            for event in new_goals:
                # The goal id in every log line about it: one goal traced from OCR to the hooks' logs.
                logger.info("goal_id=%s channel=%s %s %s-%s %s at %s", event.id, event.channel, event.teams.home,
                            event.score.home, event.score.away, event.teams.away, event.at.isoformat())  # fmt: skip
                # Its pre-roll's segment events go first, so enrich usually finds the goal's window filling up.
                self._announce(self.keeper.goal_at(event.at))
                self.sink.put(event)
                goals.append(event)
        self.stats.segments += 1
        self.stats.stream_seconds += segment.duration_s
        self.stats.goals += goals
        if self.metrics is not None:
            self._count(segment, len(goals))
        return goals

    def _count(self, segment: SegmentMedia, goals: int) -> None:
        """Feed the metrics: how far behind the live edge we are is wall time minus the segment's end."""
        assert self.metrics is not None
        reader = self.reader.stats
        self.metrics.segment_read(segments_behind_live=(time.time() - segment.end.timestamp()) / segment.duration_s)
        self.metrics.goals_detected(goals)
        self.metrics.ocr(
            reads=reader.ocr_calls - self._ocr_counted[0], failures=reader.unreadable - self._ocr_counted[1]
        )
        self.metrics.hud_not_found(reader.hud_not_found - self._ocr_counted[2])
        self._ocr_counted = (reader.ocr_calls, reader.unreadable, reader.hud_not_found)
        self.metrics.maybe_flush()

    def _announce(self, segments: list[SegmentMedia]) -> None:
        for segment in segments:
            self.sink.put(self._segment_event(segment, self._location_of.get(segment.sequence)))
            self.stats.segments_kept += 1

    def _segment_event(self, segment: SegmentMedia, location: str | None) -> SegmentEvent:
        init_location = None
        if self.store is not None:
            try:
                location = self.store.store(
                    self.channel, segment.sequence, segment.data, container=segment.container, start=segment.start
                )
                if segment.init_section:
                    init_location = self.store.store_init(self.channel, segment.init_section)
            except SegmentStoreError as error:
                # Losing one segment's bytes costs at most one clip; stopping would cost every goal after it.
                logger.error("segment %d not stored, clips needing it will fail: %s", segment.sequence, error)
                self.stats.segments_unstored += 1
        return SegmentEvent(
            id=segment_id(self.channel, segment.sequence, segment.start),
            channel=self.channel,
            sequence=segment.sequence,
            start=segment.start,
            duration_s=segment.duration_s,
            stream_time=segment.stream_time,
            location=location or f"unstored:{self.channel}/{segment.sequence}",
            container="fmp4" if segment.container == "fmp4" else "ts",
            init_location=init_location,
            discontinuity=segment.discontinuity,
        )

    def _match_end_event(self, match_end: MatchEnd) -> MatchEndEvent:
        observation = match_end.observation
        first_goal = match_end.goals[0].id if match_end.goals else None
        return MatchEndEvent(
            id=match_end_id(self.channel, match_end.teams, match_end.score, first_goal, observation.at),
            channel=self.channel,
            at=observation.at,
            stream_time=observation.stream_time,
            teams=match_end.teams,
            score=match_end.score,
            reason=match_end.reason,
            goals=match_end.goals,
        )

    def _goal_event(self, goal: DetectedGoal) -> GoalEvent:
        return GoalEvent(
            id=goal_id(self.channel, goal.teams, goal.score, goal.at),
            channel=self.channel,
            at=goal.at,
            stream_time=goal.stream_time,
            score=goal.score,
            previous_score=goal.previous_score,
            teams=goal.teams,
            clock=goal.clock,
            side=goal.side,
        )


def default_channel(source: str) -> str:
    """The channel name events carry when none is given: Twitch's, else the environment's."""
    if source.startswith("twitch:"):
        return source.split(":", 1)[1]
    return os.environ.get("HIGHLIGHT_BOT_CHANNEL", "sample")
