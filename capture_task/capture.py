"""The capture loop: segments in; segment and goal events out.

One object wires the parts that each do one job: the segment keeper (which
segments a clip will need), the announcer (stores their bytes so they stay
fetchable after Twitch drops them, and puts events on the sink, in its own
worker), the sampler and scoreboard reader (pixels to readings), the goal
detector (readings to goals). It knows nothing of where segments come from;
live sources reach it through ``capture_task.ingest.buffer.FetchAhead``, so
fetching never waits for analysis.

A segment that cannot be analysed (corrupt bytes, a decoder error) is skipped
with a warning and a metric: it never ends the capture.

Resuming from a ``MatchCheckpoint`` (``resume_from``) continues the detector's
score, the match tracker's goals (so a reel after a restart lists the goals
before it) and the ids of goals that were pending when it was saved. Just before
goal events go out, the last checkpoint is saved again with them as pending: a
kill between a goal event and the checkpoint after it gives the same goal id
after the restart, so downstream dedupes it into one clip.
"""

from __future__ import annotations

import logging
import os
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import cv2

from capture_task.detect.checkpoint import MatchCheckpoint
from capture_task.detect.goals import GoalDetector
from capture_task.detect.match_end import MatchEnd, MatchTracker
from capture_task.ingest.buffer import BufferStats, FetchAhead, LiveEdge
from capture_task.ingest.media import SegmentMedia
from capture_task.metrics import CaptureMetric, CaptureMetrics
from capture_task.publish.announcer import Announcer
from capture_task.publish.checkpoints import CheckpointStore
from capture_task.publish.keeper import KeepPolicy, SegmentKeeper
from capture_task.publish.publisher import EventSink
from capture_task.publish.segment_store import SegmentStore
from capture_task.vision.reader import ReaderStats, ScoreboardReader
from capture_task.vision.readings import FrameObservation, ScoreboardReading
from capture_task.vision.sampler import FrameSampler, KeyframeSampler
from contracts import GoalEvent, MatchEndEvent, match_end_id

logger = logging.getLogger("highlight_bot.capture")

CHECKPOINT_EVERY_S = 60.0
"""Stream seconds between checkpoints while the score stands: one small PUT a minute keeps a gap's start precise."""
SCORE_UNREAD_WARN_AFTER_S = 60.0
"""Stream seconds a located scoreboard may go without a confirmed score before that is said (a warning and a
``ScoreUnread`` count), and again after every further such stretch. The sampler says when no scoreboard is
found; this says when one was found and is never read, which was silent until the stream ended."""
LIVE_EDGE_LOG_EVERY_SEGMENTS = 900
"""Segments between log lines saying how often the live edge allowed a tail decode (~30 min of 2 s segments)."""


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
    """Segments announced as gaps: corrupt, or the store kept failing (``capture_task.publish.announcer``)."""
    segments_kept: int = 0
    """Segments announced (all, or those around goals: see ``capture_task.publish.keeper``), gaps included."""
    segments_unreadable: int = 0
    """Segments skipped by the analysis because they could not be decoded."""
    tail_decodes: int = 0
    """Segments of a live source whose later frames were decoded too, at the live edge (``LiveEdge``; not
    before the HUD is located and its codes confirmed)."""
    tail_fallbacks: int = 0
    """Segments of a live source analysed by their keyframe alone because a later segment was waiting (those
    whose tail was begun and abandoned when the next one arrived included)."""
    buffer: BufferStats | None = None
    """The fetch-ahead buffer's figures, when segments came through one (how far behind live, spills)."""
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
        checkpoints: CheckpointStore | None = None,
        resume_from: MatchCheckpoint | None = None,
    ) -> None:
        self.channel = channel
        self.sink = sink
        self.store = store
        self.sampler: FrameSampler = sampler or KeyframeSampler(ScoreboardReader())
        self.reader = self.sampler.reader
        if detector is None:
            detector = GoalDetector() if resume_from is None else GoalDetector.resume(resume_from)
        self.detector = detector
        self.stats = CaptureStats()
        self.matches = MatchTracker() if resume_from is None else MatchTracker.restore(resume_from)
        self._pending_ids = list(resume_from.pending_goals) if resume_from is not None else []
        """Goals that were about to go out when the checkpoint resumed from was saved: their ids are kept."""
        self.metrics = metrics
        self._reader_counted = ReaderStats()
        """The reader's figures as last sent to the metrics, which take the increase since."""
        self.keeper = SegmentKeeper(keep or KeepPolicy.keep_all())
        self.announcer = Announcer(channel, sink, store, checkpoints=checkpoints, metrics=metrics)
        """Stores segments, puts events and saves checkpoints, in order, in its own worker."""
        self._buffer: FetchAhead | None = None
        self._live_edge: LiveEdge | None = None
        self._keyframe_only_behind_live = 0
        """Live segments not even begun as tails because a later segment was already waiting."""
        self._checkpointed: MatchCheckpoint | None = resume_from or self._checkpoint()
        self._checkpointed_stream_time = 0.0
        self._unread_since: float | None = None
        """Stream time since which no score is confirmed (None while one is)."""
        self._located_while_unread = False
        """Whether a scoreboard was located in that stretch (if never, the sampler's "not found" warning says it)."""

    def run(self, segments: Iterable[SegmentMedia]) -> CaptureStats:
        """Process every segment; returns when the source ends (a live one never does).

        Returns once every segment and event handed to the announcer was stored and put on the sink.
        """
        cpu_start, wall_start = cpu_seconds(), time.monotonic()
        if isinstance(segments, FetchAhead):
            self._buffer = segments
            self.stats.buffer = segments.stats
            self._live_edge = segments.live_edge
            if segments.live_edge.live:
                self.reader.search_budget.hold_while(segments.live_edge.far_behind)
        try:
            for segment in segments:
                self.process(segment)
                self.stats.cpu_s = cpu_seconds() - cpu_start
                self.stats.wall_s = time.monotonic() - wall_start
        finally:
            self._say_what_the_stream_lost()
            try:
                self.announcer.close()
            finally:
                self._count_announced()
                self.sink.flush()
                self._log_live_edge()
        return self.stats

    def _say_what_the_stream_lost(self) -> None:
        """When the stream ends, make every give-up loud: changes still waiting for confirmation, and a
        stream in which no score was ever read (the HUD never found, or found and never read), whose goals
        were all missed. Why: a short stream ends before the one-minute "no scoreboard found" warning,
        and a located HUD that never reads gave no warning at all: "0 goals" in silence."""
        self.detector.end_of_stream()
        self.sampler.end_of_stream()
        if self.metrics is not None:
            self._count_reader()
        if self.detector.score is not None or self.stats.segments == 0:
            return
        located = self.reader.layout is not None
        logger.warning(
            "no score was read in %.0f s of stream (%d segments): %s; any goal in it was missed",
            self.stats.stream_seconds,
            self.stats.segments,
            "a scoreboard was located but its score was never confirmed"
            if located
            else "no scoreboard with 'CODE score score CODE' was found",
        )

    def _say_if_the_score_stays_unread(self, segment: SegmentMedia) -> None:
        """Warn (and count ``ScoreUnread``) after each minute of stream with a scoreboard located and no score
        confirmed: its goals are being missed, and a live stream may never end to say so."""
        if self.detector.score is not None:
            self._unread_since, self._located_while_unread = None, False
            return
        now = self.stats.stream_seconds
        if self._unread_since is None:
            self._unread_since = now - segment.duration_s
        self._located_while_unread |= self.reader.layout is not None
        if now - self._unread_since < SCORE_UNREAD_WARN_AFTER_S or not self._located_while_unread:
            return
        logger.warning(
            "a scoreboard was located but no score has been confirmed in %.0f s of stream (up to segment %d): "
            "goals scored meanwhile are missed; still reading it",
            now - self._unread_since,
            self.stats.segments - 1,
        )
        if self.metrics is not None:
            self.metrics.problem(CaptureMetric.SCORE_UNREAD)
        self._unread_since, self._located_while_unread = now, False

    def process(self, segment: SegmentMedia) -> list[GoalEvent]:
        """Look at one segment's frames for goals; store and announce the segments a clip will need."""
        self._announce(self.keeper.arrived(segment))
        goals: list[GoalEvent] = []
        if segment.defect is not None:
            # Already logged where it was fetched; announced as a gap if a clip needs it.
            self._unreadable()
        else:
            goals = self._look_for_goals(segment)
        self.stats.segments += 1
        self.stats.stream_seconds += segment.duration_s
        self.stats.goals += goals
        self._say_if_the_score_stays_unread(segment)
        self.stats.tail_decodes = self.sampler.segments_tail_decoded
        self.stats.tail_fallbacks = self._keyframe_only_behind_live + self.sampler.segments_tail_abandoned
        if self.stats.segments % LIVE_EDGE_LOG_EVERY_SEGMENTS == 0:
            self._log_live_edge()
        self._count_announced()
        if self.metrics is not None:
            self._count(segment, len(goals))
        return goals

    def _observations(self, segment: SegmentMedia) -> Iterable[FrameObservation]:
        """The sampler's observations of ``segment``; a decoder failure ends them with a warning, not an error."""
        observations = self.sampler.observe(
            segment,
            awaiting=lambda: self.detector.awaiting_confirmation,
            live_edge=self._live_edge_now(),
            awaiting_goal=lambda: self.detector.awaiting_goal,
            confirmed=lambda: self.detector.score,
        )
        while True:
            try:
                observation = next(observations)
            except StopIteration:
                return
            except (ValueError, cv2.error) as error:
                logger.warning("segment %d could not be analysed and is skipped: %s", segment.sequence, error)
                self._unreadable()
                return
            yield observation

    def _live_edge_now(self) -> Callable[[], bool] | None:
        """What tells the sampler it may decode this segment's tail (``LiveEdge.reached``, asked again before each
        frame); None when a segment waits already, or the source is not live."""
        edge = self._live_edge
        if edge is None or not edge.live:
            return None
        if edge.reached():
            return edge.reached
        self._keyframe_only_behind_live += 1
        return None

    def _log_live_edge(self) -> None:
        if self._live_edge is not None and self._live_edge.live:
            logger.info(
                "live edge: %d of %d segments had their later frames decoded too; %d fell back to the keyframe "
                "alone because later segments were waiting",
                self.stats.tail_decodes,
                self.stats.segments,
                self.stats.tail_fallbacks,
            )

    def _unreadable(self) -> None:
        self.stats.segments_unreadable += 1
        if self.metrics is not None:
            self.metrics.segment_unreadable()

    def _look_for_goals(self, segment: SegmentMedia) -> list[GoalEvent]:
        goals: list[GoalEvent] = []
        for observation in self._observations(segment):
            if observation.reading is not None:
                self.stats.last_reading = observation.reading
            matches_before = self.detector.matches_started
            new_goals = [
                self._same_id_as_pending(found.to_event(self.channel)) for found in self.detector.observe(observation)
            ]
            if new_goals and self._checkpointed is not None:
                # Saved before the goals go out: a restart before the next checkpoint gives them the same ids.
                pending = (*self._pending_ids, *new_goals)
                self.announcer.checkpoint(self._checkpointed.model_copy(update={"pending_goals": pending}))
            new_match = self.detector.matches_started > matches_before
            if new_match:
                self._pending_ids.clear()  # goals pending in the match before the restart were not seen again
            ended = self.matches.observe(
                observation,
                new_goals,
                teams=self.detector.teams,
                score=self.detector.score,
                new_match=new_match,
            )
            # A previous match's end goes out before the new match's first goal.
            for match_end in ended:
                over = self._match_end_event(match_end)
                logger.info("match over (%s): %s, %d goals", over.reason, over.id, len(over.goals))
                self.announcer.event(over)
            for event in new_goals:
                # The goal id in every log line about it: one goal traced from OCR to the hooks' logs.
                logger.info("goal_id=%s channel=%s %s %s-%s %s at %s", event.id, event.channel, event.teams.home,
                            event.score.home, event.score.away, event.teams.away, event.at.isoformat())  # fmt: skip
                # The goal goes out first (its alert should not wait for S3), then its pre-roll's segments.
                self.announcer.event(event)
                self._announce(self.keeper.goal_at(event.at))
                goals.append(event)
            self._maybe_checkpoint(observation.stream_time)
        return goals

    def _same_id_as_pending(self, goal: GoalEvent) -> GoalEvent:
        """``goal`` under the id it had before a restart, when the checkpoint resumed from had it pending."""
        for pending in self._pending_ids:
            if (pending.teams, pending.score) == (goal.teams, goal.score):
                self._pending_ids.remove(pending)
                logger.info("goal %s is the one pending when the capture stopped: keeping its id", pending.id)
                return goal.model_copy(update={"id": pending.id})
        return goal

    def _checkpoint(self) -> MatchCheckpoint | None:
        """The detector's state with the match so far (its goals as announced, and whether it is over)."""
        checkpoint = self.detector.checkpoint(self.channel)
        if checkpoint is None:
            return None
        goals = tuple(self.matches.goals)
        return checkpoint.model_copy(
            update={
                "last_goal_id": goals[-1].id if goals else checkpoint.last_goal_id,
                "match_goals": goals,
                "match_over": self.matches.over,
                "pending_goals": tuple(self._pending_ids),
            }
        )

    def _maybe_checkpoint(self, stream_time: float) -> None:
        """Save the match state when score or teams changed, and now and then (its ``at`` marks where a gap began)."""
        checkpoint = self._checkpoint()
        if checkpoint is None or checkpoint == self._checkpointed:
            return
        before = self._checkpointed
        changed = before is None or (checkpoint.teams, checkpoint.score, checkpoint.match_over) != (
            before.teams,
            before.score,
            before.match_over,
        )
        if changed or stream_time - self._checkpointed_stream_time >= CHECKPOINT_EVERY_S:
            self.announcer.checkpoint(checkpoint)
            self._checkpointed, self._checkpointed_stream_time = checkpoint, stream_time

    def _count_announced(self) -> None:
        announced = self.announcer.stats
        self.stats.segments_kept, self.stats.segments_unstored = announced.segments, announced.missing

    def _count(self, segment: SegmentMedia, goals: int) -> None:
        """Feed the metrics: how far behind the live edge we are is wall time minus the segment's end."""
        assert self.metrics is not None
        self.metrics.segment_read(
            segments_behind_live=(time.time() - segment.end.timestamp()) / segment.duration_s,
            buffered=self._buffer.buffer.waiting if self._buffer is not None else None,
        )
        self.metrics.announcer_backlog(self.announcer.pending)
        self.metrics.goals_detected(goals)
        self._count_reader()
        self.metrics.maybe_flush()

    def _count_reader(self) -> None:
        """Feed the metrics the reader's counts that grew since they were last fed."""
        assert self.metrics is not None
        reader, sent = self.reader.stats, self._reader_counted
        self.metrics.ocr(reads=reader.ocr_calls - sent.ocr_calls, failures=reader.unreadable - sent.unreadable)
        self.metrics.hud_not_found(reader.hud_not_found - sent.hud_not_found)
        if reader.score_unread > sent.score_unread:
            self.metrics.problem(CaptureMetric.SCORE_UNREAD, reader.score_unread - sent.score_unread)
        self._reader_counted = replace(reader)

    def _announce(self, segments: list[SegmentMedia]) -> None:
        for segment in segments:
            self.announcer.segment(segment)

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


def default_channel(source: str) -> str:
    """The channel name events carry when none is given: Twitch's, else the environment's."""
    if source.startswith("twitch:"):
        return source.split(":", 1)[1]
    return os.environ.get("HIGHLIGHT_BOT_CHANNEL", "sample")
