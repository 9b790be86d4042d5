"""Stores segments and announces them, with goals and match ends, in one worker thread.

Why a worker: a segment event must say where the bytes are, so it can go out only once they are
stored; a store that fails is retried for a while, and waiting for S3 must stall neither the fetcher
(the playlist keeps moving) nor the analysis. So the capture loop hands segments and events to an
:class:`Announcer` and goes on; its worker stores each segment (retrying with a bounded backoff),
then puts its event.

Two lanes, each in order. Goal and match-end events, and match checkpoints, go in the first, and
the worker takes from it before the next segment, also between a failing store's retries: a goal
is on the stream (and its alert in the chat) as soon as it is confirmed, not after its twenty
seconds of pre-roll were written to S3 (~10 PUTs and PutRecords: about a second on AWS, more while
S3 is slow). Segments go in the second lane, in stream order. Enrich does not need a goal's
segments before the goal: it keeps a goal waiting until its window's segments are announced
(``functions.enrich.index``), which it must anyway for the post-roll; and since segments stay in
order, a hole in a window is only ever judged "not coming" once a later segment was announced.
Within the first lane order is kept: a checkpoint naming goals as pending precedes them, and a
match's end precedes the next match's first goal. The price: a task killed in the second or so
between a goal's event and its pre-roll's storage loses those segments (they were in memory), and
with them the goal's clip: enrich gives it up with a ``goal_given_up`` letter saying no segment
shows it, and the match reel lists it, loudly. Before, such a kill lost the goal event instead, and
a restart found the goal again with whatever segments were still in Twitch's window.

A segment announced is either stored (``location`` is where) or a gap: ``missing_reason`` says why
(its bytes were corrupt, the store kept failing, no store was configured and the source has no
URL). Enrich treats a gap as absent, never as bytes clip could read.

A store outage: the first failing segment is retried for up to ``retry_budget_s`` (long enough
to ride out a minute of S3 trouble with nothing lost). If that is spent, it is announced as a gap,
and while the outage lasts each later segment gets one attempt, so the backlog drains instead of
each segment waiting the whole budget; the first success ends the outage.

A long outage (of S3, or of Kinesis, whose sink retries without limit) makes the queue grow. Its
segments' bytes are held in memory up to ``memory_limit_bytes`` and in files on local disk beyond
it, up to ``disk_limit_bytes`` (``capture_task.ingest.buffer.SegmentSpool``). When even the disk is
full, a segment's bytes are dropped but the segment keeps its place in line and is announced as a
gap with that reason, with an ERROR log and the ``AnnouncerBacklogFull`` metric: nothing leaves the
queue silently and the order of events never changes. (The events themselves, a few hundred bytes
each, stay in memory: ~1 MB per hour of announced segments.)

Example:
    >>> announcer = Announcer("somechannel", sink, store)
    >>> announcer.segment(segment)   # returns at once; stored and announced by the worker
    >>> announcer.event(goal_event)  # goes out before that segment's event, unless it is under way
    >>> announcer.close()            # waits until everything handed over was announced
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from capture_task.detect.checkpoint import MatchCheckpoint
from capture_task.ingest.buffer import HeldSegment, SegmentSpool
from capture_task.ingest.media import SegmentMedia
from capture_task.metrics import CaptureMetric, CaptureMetrics
from capture_task.publish.checkpoints import CheckpointStore, CheckpointStoreError
from capture_task.publish.publisher import EventSink
from capture_task.publish.segment_store import SegmentStore, SegmentStoreError
from contracts import Event, SegmentEvent, missing_location, segment_id

logger = logging.getLogger("highlight_bot.capture")

STORE_RETRY_BUDGET_S = 90.0
"""How long one segment's store is retried before it is announced as a gap: more than a minute of S3
trouble, less than enrich's wait for a goal's post-roll (``post_roll_wait_s``, 120 s), so the post-roll of
a goal announced just before an outage still reaches enrich in time."""
STORE_FIRST_BACKOFF_S = 0.5
STORE_MAX_BACKOFF_S = 10.0
MEMORY_LIMIT_BYTES = 32 * 1024 * 1024
"""Bytes of segments waiting to be stored held in memory (~20 s of 1080p60 at Twitch's rates); beyond it, on disk."""
DISK_LIMIT_BYTES = 4 * 1024 * 1024 * 1024
"""Bytes of waiting segments on local disk (beside the fetch buffer's 4 GiB, within Fargate's 20 GiB): over an hour
of every segment at 8 Mbit/s, far more with only goal windows kept."""
BACKLOG_FULL_REASON = (
    "the announcer's backlog was full in memory and on disk (the segment store or the event stream has been "
    "failing for long), so its bytes were dropped before they could be stored"
)
NO_STORE_REASON = "no segment store is configured (pass --segments-dir or --segments-bucket) and the source has no URL"


@dataclass
class AnnounceStats:
    """What the announcer did; the capture's stats read it."""

    segments: int = 0
    """Segment events put: stored, or with no store configured, where the source serves them."""
    missing: int = 0
    """Segments announced as gaps because they were corrupt or the store kept failing."""
    store_failures: int = 0
    """Failed store attempts, each retry counted."""
    events: int = 0
    """Events put on the sink, segment events included."""
    checkpoints: int = 0
    """Match checkpoints saved."""
    spilled: int = 0
    """Segments whose bytes waited on disk because the memory bound was reached."""
    backlog_full: int = 0
    """Segments announced as gaps because memory and disk were both full."""
    most_waiting: int = 0
    """The longest the queue got, in segments and events."""


class Announcer:
    """Hands segments to the store and events to the sink from one worker thread, in order.

    Errors the sink cannot retry (``PublishError``: no stream, no permission) stop the worker; the
    next ``segment``, ``event`` or ``close`` call raises it in the caller's thread.
    """

    def __init__(
        self,
        channel: str,
        sink: EventSink,
        store: SegmentStore | None,
        *,
        checkpoints: CheckpointStore | None = None,
        metrics: CaptureMetrics | None = None,
        retry_budget_s: float = STORE_RETRY_BUDGET_S,
        max_backoff_s: float = STORE_MAX_BACKOFF_S,
        memory_limit_bytes: int = MEMORY_LIMIT_BYTES,
        disk_limit_bytes: int = DISK_LIMIT_BYTES,
        spool_root: Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel = channel
        self.sink = sink
        self.store = store
        self.checkpoints = checkpoints
        self.metrics = metrics
        self.retry_budget_s = retry_budget_s
        self.max_backoff_s = max_backoff_s
        self.stats = AnnounceStats()
        self._sleep = sleep
        self._clock = clock
        self._jitter = random.Random()
        self._cond = threading.Condition()
        self._spool = SegmentSpool(
            memory_limit_bytes=memory_limit_bytes,
            disk_limit_bytes=disk_limit_bytes,
            root=spool_root,
            prefix=f"highlight-bot-announce-{channel}-",
        )
        self._first: deque[Event | MatchCheckpoint] = deque()
        """Goal and match-end events and checkpoints, in order: taken before any waiting segment."""
        self._queue: deque[HeldSegment] = deque()
        """Segments, in stream order."""
        self._busy = False
        self._closed = False
        self._error: BaseException | None = None
        self._outage = False
        self._thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """Segments and events handed over and not yet announced."""
        with self._cond:
            return len(self._queue) + len(self._first) + self._busy

    def segment(self, segment: SegmentMedia) -> None:
        """Store ``segment`` and announce it (or announce it as a gap), after the segments handed over before."""
        held = self._spool.hold(segment)
        if held is None:
            held = HeldSegment(self._backlog_full(segment), 0)
        elif held.spill_path is not None:
            self.stats.spilled += 1
            if self.stats.spilled == 1 or self.stats.spilled % 100 == 0:
                logger.warning(
                    "%d segments and events of %s wait to be announced; keeping their bytes on disk",
                    self.pending + 1,
                    self.channel,
                )
        self._hand_over(held)

    def event(self, event: Event) -> None:
        """Put ``event`` on the sink before any segment still waiting, after the events handed over before it."""
        self._hand_over(event)

    def checkpoint(self, checkpoint: MatchCheckpoint) -> None:
        """Save the match state after the events handed over before it (never ahead of its goals' events)."""
        if self.checkpoints is not None:
            self._hand_over(checkpoint)

    def drain(self) -> None:
        """Wait until everything handed over is announced; raise the worker's error if it stopped on one."""
        with self._cond:
            while (self._queue or self._first or self._busy) and self._error is None:
                self._cond.wait()
            self._raise_error()

    def close(self) -> None:
        """Drain, then stop the worker; later calls raise."""
        try:
            self.drain()
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            if self._thread is not None:
                self._thread.join()
            self._spool.close()

    def _backlog_full(self, segment: SegmentMedia) -> SegmentMedia:
        """No room for the bytes anywhere: the segment keeps its place, as a gap saying why (loudly)."""
        self.stats.backlog_full += 1
        if self.stats.backlog_full == 1 or self.stats.backlog_full % 100 == 0:
            logger.error(
                "the announcer of %s holds %d MiB in memory and %d MiB on disk, its bounds: segment %d is announced "
                "as a gap, as are others until the segment store and the event stream catch up (%d so far); "
                "check S3 and Kinesis",
                self.channel,
                self._spool.memory_bytes >> 20,
                self._spool.disk_bytes >> 20,
                segment.sequence,
                self.stats.backlog_full,
            )
        if self.metrics is not None:
            self.metrics.problem(CaptureMetric.ANNOUNCER_BACKLOG_FULL)
        return replace(segment, data=b"", init_section=None, defect=BACKLOG_FULL_REASON)

    def _hand_over(self, item: HeldSegment | Event | MatchCheckpoint) -> None:
        with self._cond:
            if self._error is not None and isinstance(item, HeldSegment):
                self._spool.discard(item)
            self._raise_error()
            if self._closed:
                if isinstance(item, HeldSegment):
                    self._spool.discard(item)
                raise RuntimeError(f"cannot announce for {self.channel}: the announcer is closed")
            if isinstance(item, HeldSegment):
                self._queue.append(item)
            else:
                self._first.append(item)
            self.stats.most_waiting = max(self.stats.most_waiting, len(self._queue) + len(self._first))
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=f"announce-{self.channel}", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._first and not self._closed:
                    self._cond.wait()
                if not self._queue and not self._first:
                    return
                item: HeldSegment | Event | MatchCheckpoint = (
                    self._first.popleft() if self._first else self._queue.popleft()
                )
                self._busy = True
            try:
                if isinstance(item, HeldSegment):
                    self.sink.put(self._segment_event(self._spool.take(item)))
                    self.stats.events += 1
                    self.stats.segments += 1
                else:
                    self._announce_first(item)
            except Exception as error:
                logger.error("announcing for %s failed, the capture stops: %s", self.channel, error)
                with self._cond:
                    self._error = error
                    self._busy = False
                    for left in self._queue:
                        self._spool.discard(left)
                    self._queue.clear()
                    self._first.clear()
                    self._cond.notify_all()
                return
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def _announce_first(self, item: Event | MatchCheckpoint) -> None:
        if isinstance(item, MatchCheckpoint):
            self._save(item)
        else:
            self.sink.put(item)
            self.stats.events += 1

    def _announce_waiting_events(self) -> None:
        """Between a failing store's retries: the events waiting go out now, not after the outage."""
        while True:
            with self._cond:
                if not self._first:
                    return
                item = self._first.popleft()
            self._announce_first(item)

    def _save(self, checkpoint: MatchCheckpoint) -> None:
        """One attempt: a failed save is superseded by the next checkpoint, and must not hold back events."""
        assert self.checkpoints is not None
        try:
            self.checkpoints.save(checkpoint)
        except CheckpointStoreError as error:
            logger.warning(
                "match checkpoint of %s not saved (a restart would resume from an older one): %s", self.channel, error
            )
            return
        self.stats.checkpoints += 1

    def _segment_event(self, segment: SegmentMedia) -> SegmentEvent:
        if segment.defect is not None:
            # A segment never downloaded says why itself; bytes that came but are unusable say what is wrong.
            return self._gap(segment, f"its bytes were unusable: {segment.defect}" if segment.data else segment.defect)
        if self.store is None:
            # Nothing to store by choice (`detect` without --segments-dir): the source's URL, if any.
            if segment.uri is None:
                return self._event(
                    segment, location=missing_location(self.channel, segment.sequence), missing_reason=NO_STORE_REASON
                )
            return self._event(segment, location=segment.uri)
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                location, init_location = self._store(segment)
            except SegmentStoreError as error:
                self.stats.store_failures += 1
                spent = self._clock() - started
                if self._outage or spent >= self.retry_budget_s:
                    if not self._outage:
                        logger.error(
                            "the segment store has failed for %.0f s; segments are announced as gaps until it works",
                            spent,
                        )
                    self._outage = True
                    return self._gap(segment, f"it could not be stored: {error}")
                backoff_s = self._backoff_s(attempt)
                logger.warning(
                    "segment %d not stored (attempt %d), retrying in %.1f s: %s",
                    *(segment.sequence, attempt, backoff_s, error),
                )
                self._announce_waiting_events()
                self._sleep(backoff_s)
                continue
            if self._outage:
                logger.info("the segment store works again (segment %d stored)", segment.sequence)
            self._outage = False
            return self._event(segment, location=location, init_location=init_location)

    def _store(self, segment: SegmentMedia) -> tuple[str, str | None]:
        """Where the segment's bytes and (fMP4) its init section were stored."""
        assert self.store is not None
        location = self.store.store(
            self.channel, segment.sequence, segment.data, container=segment.container, start=segment.start
        )
        init_location = self.store.store_init(self.channel, segment.init_section) if segment.init_section else None
        return location, init_location

    def _gap(self, segment: SegmentMedia, reason: str) -> SegmentEvent:
        logger.warning("segment %d of %s is announced as missing: %s", segment.sequence, self.channel, reason)
        self.stats.missing += 1
        if self.metrics is not None:
            self.metrics.segment_missing()
        return self._event(segment, location=missing_location(self.channel, segment.sequence), missing_reason=reason)

    def _event(
        self,
        segment: SegmentMedia,
        *,
        location: str,
        init_location: str | None = None,
        missing_reason: str | None = None,
    ) -> SegmentEvent:
        return SegmentEvent(
            id=segment_id(self.channel, segment.sequence, segment.start),
            channel=self.channel,
            sequence=segment.sequence,
            start=segment.start,
            duration_s=segment.duration_s,
            stream_time=segment.stream_time,
            location=location,
            container="fmp4" if segment.container == "fmp4" else "ts",
            init_location=init_location,
            discontinuity=segment.discontinuity,
            missing_reason=missing_reason,
        )

    def _backoff_s(self, attempt: int) -> float:
        """Exponential with "equal jitter" (half fixed, half random), capped: retries never stop for long."""
        ceiling_s = min(self.max_backoff_s, STORE_FIRST_BACKOFF_S * 2 ** min(attempt - 1, 20))
        return ceiling_s / 2 + self._jitter.uniform(0, ceiling_s / 2)
