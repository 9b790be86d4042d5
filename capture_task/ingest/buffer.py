"""Fetch apart from analysis: a fetcher thread reads segments ahead into a bounded buffer.

Why: Twitch lists a segment for about 28 s (14 of 2 s). When the same thread fetched segments and
decoded them, any analysis stall longer than that (a burst of OCR, a busy neighbour on a quarter
vCPU) let the playlist slide past segments never fetched: they were gone. Now a fetcher thread
only polls the playlist and downloads, which takes little CPU, and hands each segment to a
:class:`SegmentBuffer`; the analysis takes them from there at its own pace and catches up after a
stall. The buffer holds recent segments in memory and spills the bytes of the rest to a folder on
local disk, so minutes of backlog cost disk, not the task's 512 MiB.

Only when even the disk bound is reached (hours behind: analysis can no longer catch up) does it
drop segments' bytes, the oldest first, so the capture returns to the live edge; each drop is a
warning and a count, and the segment stays in line without bytes, its ``defect`` saying why, so it
is announced as a gap rather than silently missing.

Example:
    >>> segments = FetchAhead(source_segments(source, "best", stop), stop_event=stop)
    >>> task.run(segments)   # the fetcher runs in its own thread meanwhile
    >>> segments.stats.worst_lag_s
    3.9
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from capture_task.ingest.media import SegmentMedia

logger = logging.getLogger("highlight_bot.capture")

FAR_BEHIND_SEGMENTS = 15
"""Fetched segments waiting, more than waited ``FAR_BEHIND_SEGMENTS`` takes before, that say the analysis of a live
stream is falling ever further behind it (~30 s of Twitch's 2 s segments, and growing): the capture defers its
scoreboard searches until the backlog shrinks again (``SearchBudget.hold_while``). A backlog that shrinks is being
caught up, however long: the playlist's first window handed out at once (~14 of Twitch's segments; an HLS event's
whole history), or a burst of searches after a replay (the budget's burst is ~24 s of a quarter vCPU)."""

MEMORY_LIMIT_BYTES = 64 * 1024 * 1024
"""Segment bytes held in memory (~40 s of 1080p60 at Twitch's bit rates); beyond it they go to disk."""
DISK_LIMIT_BYTES = 4 * 1024 * 1024 * 1024
"""Segment bytes spilled to disk (~1.5 h of 1080p60; Fargate gives a task 20 GiB); beyond it the oldest are dropped."""
STOP_CHECK_S = 0.2
"""How often a waiting reader looks at the stop event (the buffer's own condition wakes it for segments)."""
FETCHER_JOIN_S = 15.0
"""How long closing waits for the fetcher: one segment download's timeout and a little more."""


@dataclass
class BufferStats:
    """What the buffer saw: the capture reports it and the live benchmark reads it."""

    fetched: int = 0
    """Segments the fetcher handed in."""
    spilled: int = 0
    """Segments whose bytes went to disk because memory was full."""
    dropped: int = 0
    """Segments whose bytes were dropped unread because disk was full too (hours behind live); each is
    handed on without bytes, with a defect saying why, so it is announced as a gap."""
    most_waiting: int = 0
    """The longest the queue got, in segments."""
    worst_lag_s: float = 0.0
    """The longest a segment took from being fetched to being analysed: how far behind live analysis fell."""


@dataclass
class HeldSegment:
    """A segment in a :class:`SegmentSpool`: its bytes in memory, or (``spill_path``) in a file."""

    segment: SegmentMedia
    """With ``data=b""`` while its bytes are spilled."""
    size: int
    spill_path: Path | None = None


class SegmentSpool:
    """Segment bytes held in memory up to one bound and in files on local disk up to another.

    Why one class: the fetch-ahead buffer (analysis behind) and the announcer (S3 or Kinesis down)
    both queue segments for as long as the trouble lasts; memory is the task's scarce resource
    (512 MiB), disk is not (20 GiB). What to do when both bounds are reached is each queue's own
    policy, so :meth:`hold` only says it could not.
    """

    def __init__(self, *, memory_limit_bytes: int, disk_limit_bytes: int, root: Path | None, prefix: str) -> None:
        self.memory_limit_bytes = memory_limit_bytes
        self.disk_limit_bytes = disk_limit_bytes
        self.memory_bytes = 0
        self.disk_bytes = 0
        self.spilled = 0
        self._root = root
        self._prefix = prefix
        self._folder: Path | None = None
        self._lock = threading.Lock()

    def hold(self, segment: SegmentMedia, *, over_disk_limit: bool = False) -> HeldSegment | None:
        """Keep ``segment``: in memory while there is room, else its bytes on disk; None when neither has room."""
        size = len(segment.data)
        with self._lock:
            if self.memory_bytes + size <= self.memory_limit_bytes:
                self.memory_bytes += size
                return HeldSegment(segment, size)
            if self.disk_bytes + size > self.disk_limit_bytes and not over_disk_limit:
                return None
            self.disk_bytes += size
            self.spilled += 1
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix=self._prefix, dir=self._root))
            path = self._folder / f"{segment.sequence:012d}-{self.spilled}.seg"
        try:
            path.write_bytes(segment.data)
        except OSError:
            with self._lock:
                self.disk_bytes -= size
            return None
        return HeldSegment(replace(segment, data=b""), size, path)

    def take(self, held: HeldSegment) -> SegmentMedia:
        """The segment with its bytes, no longer held."""
        self.discard(held, remove_file=False)
        if held.spill_path is None:
            return held.segment
        data = held.spill_path.read_bytes()
        held.spill_path.unlink(missing_ok=True)
        return replace(held.segment, data=data)

    def discard(self, held: HeldSegment, *, remove_file: bool = True) -> None:
        """Stop holding ``held`` without reading its bytes back."""
        with self._lock:
            if held.spill_path is None:
                self.memory_bytes -= held.size
            else:
                self.disk_bytes -= held.size
        if remove_file and held.spill_path is not None:
            held.spill_path.unlink(missing_ok=True)

    def close(self) -> None:
        """Forget everything held and remove the spool folder."""
        with self._lock:
            folder, self._folder = self._folder, None
            self.memory_bytes = self.disk_bytes = 0
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


DROPPED_REASON = "analysis fell too far behind live and the disk buffer was full, so its bytes were dropped unread"


@dataclass
class _Entry:
    held: HeldSegment
    fetched_at: float


class SegmentBuffer:
    """A FIFO of segments between one producer (the fetcher) and one consumer (the analysis).

    ``put`` never blocks, whatever the consumer does. ``get`` waits for the next segment and
    returns None once the producer has finished and everything was taken, or when stopped.
    """

    def __init__(
        self,
        *,
        memory_limit_bytes: int = MEMORY_LIMIT_BYTES,
        disk_limit_bytes: int = DISK_LIMIT_BYTES,
        spool_root: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stats = BufferStats()
        self._spool = SegmentSpool(
            memory_limit_bytes=memory_limit_bytes,
            disk_limit_bytes=disk_limit_bytes,
            root=spool_root,
            prefix="highlight-bot-spool-",
        )
        self._clock = clock
        self._cond = threading.Condition()
        self._entries: deque[_Entry] = deque()
        self._finished = False
        self._error: BaseException | None = None
        self._last_taken_at: float | None = None
        self._waiting_after_takes: deque[int] = deque(maxlen=FAR_BEHIND_SEGMENTS + 1)
        """Segments left waiting after each of the last takes: whether the backlog grows or shrinks."""

    @property
    def memory_limit_bytes(self) -> int:
        return self._spool.memory_limit_bytes

    @property
    def disk_limit_bytes(self) -> int:
        return self._spool.disk_limit_bytes

    @property
    def waiting(self) -> int:
        """Segments fetched and not yet taken by the analysis."""
        with self._cond:
            return len(self._entries)

    def growth_over_takes(self, takes: int) -> int | None:
        """How many more segments wait now than ``takes`` takes ago (None before that many were taken, or more
        than the buffer remembers: ``FAR_BEHIND_SEGMENTS``)."""
        with self._cond:
            history = self._waiting_after_takes
            if not 0 < takes < len(history):
                return None
            return len(self._entries) - history[-1 - takes]

    def put(self, segment: SegmentMedia) -> None:
        """Queue a fetched segment: in memory while there is room, else its bytes on disk."""
        with self._cond:
            self.stats.fetched += 1
            held = self._spool.hold(segment)
            while held is None and self._drop_oldest_spilled():
                held = self._spool.hold(segment)
            if held is None:  # nothing spilled left to drop: only a segment larger than the disk bound
                held = self._spool.hold(segment, over_disk_limit=True)
            if held is None:
                held = self._dropped(HeldSegment(segment, 0), why="it could not be written to disk")
            elif held.spill_path is not None:
                self.stats.spilled += 1
                if self.stats.spilled == 1 or self.stats.spilled % 100 == 0:
                    logger.info("analysis is %d segments behind; keeping the newest on disk", len(self._entries) + 1)
            self._entries.append(_Entry(held, self._clock()))
            self.stats.most_waiting = max(self.stats.most_waiting, len(self._entries))
            self._cond.notify_all()

    def finish(self, error: BaseException | None = None) -> None:
        """The producer is done (the source ended, or failed with ``error``, raised to the consumer last)."""
        with self._cond:
            self._finished = True
            self._error = error
            self._cond.notify_all()

    def get(self, stop_event: threading.Event | None = None) -> SegmentMedia | None:
        """The next segment, in the order fetched; None when the source ended and all was taken, or on stop."""
        with self._cond:
            self._note_previous_done()
            while not self._entries:
                if self._finished:
                    if self._error is not None:
                        error, self._error = self._error, None
                        raise error
                    return None
                if stop_event is not None and stop_event.is_set():
                    return None
                self._cond.wait(STOP_CHECK_S if stop_event is not None else None)
            if stop_event is not None and stop_event.is_set():
                return None
            entry = self._entries.popleft()
            self._last_taken_at = entry.fetched_at
            self._waiting_after_takes.append(len(self._entries))
        return self._spool.take(entry.held)

    def close(self) -> None:
        """Forget whatever is queued and remove the spool folder."""
        with self._cond:
            self._entries.clear()
            self._finished = True
            self._cond.notify_all()
        self._spool.close()

    def _note_previous_done(self) -> None:
        """Asking for the next segment means the previous one was analysed: how long after it was fetched."""
        if self._last_taken_at is not None:
            self.stats.worst_lag_s = max(self.stats.worst_lag_s, self._clock() - self._last_taken_at)
            self._last_taken_at = None

    def _drop_oldest_spilled(self) -> bool:
        """Drop the bytes of the oldest spilled segment (hours behind, the live edge wins); False if none is left."""
        oldest = next((e for e in self._entries if e.held.spill_path is not None), None)
        if oldest is None:
            return False
        self._spool.discard(oldest.held)
        oldest.held = self._dropped(oldest.held, why=DROPPED_REASON)
        following = next((e for e in self._entries if e.fetched_at >= oldest.fetched_at and e is not oldest), None)
        if following is not None:  # its decoder state cannot follow from bytes that are gone
            following.held.segment = replace(following.held.segment, discontinuity=True)
        return True

    def _dropped(self, held: HeldSegment, *, why: str) -> HeldSegment:
        """A stand-in without bytes, its defect saying why: analysed as unreadable, announced as a gap."""
        self.stats.dropped += 1
        segment = held.segment
        logger.warning("dropped the bytes of segment %d unanalysed: %s", segment.sequence, why)
        return HeldSegment(replace(segment, data=b"", init_section=None, discontinuity=True, defect=why), 0)


@dataclass(frozen=True)
class LiveEdge:
    """Whether the analysis is at a live stream's edge: the policy for decoding more than keyframes.

    Why this signal: a segment of a live stream arrives every ~2 s. When the analysis has taken the
    newest one and no other waits in the buffer, it has kept up, and its CPU would idle until the
    next segment is broadcast: spending it on the segment's later frames lets a goal be seen ~2 s
    sooner (``capture_task.vision.sampler``). A segment waiting means the analysis is behind (a slow
    or shared CPU, a burst of OCR, the playlist's first window handed out at once): then keyframes
    only, at once, so the extra decoding can never make it fall further behind or lose a segment.
    Once it catches up the buffer is empty again and tail decoding resumes: the policy adapts to the
    CPU it gets. A file has no live edge (``live`` False): its segments come as fast as they can be
    read, and an empty buffer there only means the reading is slower than the analysis.

    Example:
        >>> edge = LiveEdge(buffer, live=True)
        >>> edge.reached()   # nothing fetched is waiting
        True
        >>> buffer.put(segment); edge.reached()
        False
    """

    buffer: SegmentBuffer
    live: bool

    def reached(self) -> bool:
        """True when following a live source with no fetched segment waiting to be analysed."""
        return self.live and self.buffer.waiting == 0

    def far_behind(self) -> bool:
        """True when following a live source with ``FAR_BEHIND_SEGMENTS`` or more fetched segments waiting, more
        than waited ``FAR_BEHIND_SEGMENTS`` takes before: the analysis is slower than the stream."""
        if not self.live or self.buffer.waiting < FAR_BEHIND_SEGMENTS:
            return False
        growth = self.buffer.growth_over_takes(FAR_BEHIND_SEGMENTS)
        return growth is not None and growth > 0


class FetchAhead:
    """Iterates a source's segments while a fetcher thread reads them ahead into a :class:`SegmentBuffer`.

    The source (``source_segments``, ``hls_segments``, a list) is iterated in the fetcher thread only.
    Iteration ends when the source ends and the buffer is empty, or at once when ``stop_event`` is
    set; an error the source raised is raised here after the segments fetched before it.

    ``live`` says the source is a live stream (a Twitch channel, an HLS playlist being followed), whose
    analysis may decode more than keyframes while it keeps up (:class:`LiveEdge`); a file is not.
    """

    def __init__(
        self,
        source: Iterable[SegmentMedia],
        *,
        stop_event: threading.Event | None = None,
        buffer: SegmentBuffer | None = None,
        name: str = "segment-fetcher",
        live: bool = False,
    ) -> None:
        self._source = source
        self._stop_event = stop_event or threading.Event()
        self.buffer = buffer or SegmentBuffer()
        self.live_edge = LiveEdge(self.buffer, live)
        self._thread = threading.Thread(target=self._fetch, name=name, daemon=True)

    @property
    def stats(self) -> BufferStats:
        return self.buffer.stats

    def __iter__(self) -> Iterator[SegmentMedia]:
        self._thread.start()
        try:
            while (segment := self.buffer.get(self._stop_event)) is not None:
                yield segment
        finally:
            self._stop_event.set()
            self._thread.join(FETCHER_JOIN_S)
            self.buffer.close()

    def _fetch(self) -> None:
        error: BaseException | None = None
        try:
            for segment in self._source:
                self.buffer.put(segment)
                if self._stop_event.is_set():
                    break
        except Exception as failure:  # handed to the analysis thread, which raises it
            error = failure
        finally:
            self.buffer.finish(error)
