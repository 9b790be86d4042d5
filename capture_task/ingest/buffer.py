"""Fetch apart from analysis: a fetcher thread reads segments ahead into a bounded buffer.

Why: Twitch lists a segment for about 28 s (14 of 2 s). When the same thread fetched segments and
decoded them, any analysis stall longer than that (a burst of OCR, a busy neighbour on a quarter
vCPU) let the playlist slide past segments never fetched: they were gone. Now a fetcher thread
only polls the playlist and downloads, which takes little CPU, and hands each segment to a
:class:`SegmentBuffer`; the analysis takes them from there at its own pace and catches up after a
stall. The buffer holds recent segments in memory and spills the bytes of the rest to a folder on
local disk, so minutes of backlog cost disk, not the task's 512 MiB.

Only when even the disk bound is reached (hours behind: analysis can no longer catch up) does it
drop segments, the oldest first, so the capture returns to the live edge; each drop is a warning and
a count, and the next segment is marked as a discontinuity.

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
    """Segments dropped unread because disk was full too (hours behind live)."""
    most_waiting: int = 0
    """The longest the queue got, in segments."""
    worst_lag_s: float = 0.0
    """The longest a segment took from being fetched to being analysed: how far behind live analysis fell."""


@dataclass
class _Entry:
    segment: SegmentMedia
    """With ``data=b""`` while its bytes are spilled."""
    size: int
    fetched_at: float
    spill_path: Path | None = None


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
        self.memory_limit_bytes = memory_limit_bytes
        self.disk_limit_bytes = disk_limit_bytes
        self.stats = BufferStats()
        self._spool_root = spool_root
        self._spool: Path | None = None
        self._clock = clock
        self._cond = threading.Condition()
        self._entries: deque[_Entry] = deque()
        self._memory_bytes = 0
        self._disk_bytes = 0
        self._finished = False
        self._error: BaseException | None = None
        self._last_taken_at: float | None = None
        self._discontinuity_next = False

    @property
    def waiting(self) -> int:
        """Segments fetched and not yet taken by the analysis."""
        with self._cond:
            return len(self._entries)

    def put(self, segment: SegmentMedia) -> None:
        """Queue a fetched segment: in memory while there is room, else its bytes on disk."""
        size = len(segment.data)
        with self._cond:
            self.stats.fetched += 1
            entry = _Entry(segment, size, self._clock())
            if self._memory_bytes + size <= self.memory_limit_bytes:
                self._memory_bytes += size
            else:
                self._make_room_on_disk(size)
                entry = self._spilled(entry)
            self._entries.append(entry)
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
            if entry.spill_path is None:
                self._memory_bytes -= entry.size
                return entry.segment
            self._disk_bytes -= entry.size
            path = entry.spill_path
        data = path.read_bytes()
        path.unlink(missing_ok=True)
        return replace(entry.segment, data=data)

    def close(self) -> None:
        """Forget whatever is queued and remove the spool folder."""
        with self._cond:
            self._entries.clear()
            self._memory_bytes = self._disk_bytes = 0
            self._finished = True
            self._cond.notify_all()
            spool, self._spool = self._spool, None
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)

    def _note_previous_done(self) -> None:
        """Asking for the next segment means the previous one was analysed: how long after it was fetched."""
        if self._last_taken_at is not None:
            self.stats.worst_lag_s = max(self.stats.worst_lag_s, self._clock() - self._last_taken_at)
            self._last_taken_at = None

    def _spilled(self, entry: _Entry) -> _Entry:
        if self._spool is None:
            self._spool = Path(tempfile.mkdtemp(prefix="highlight-bot-spool-", dir=self._spool_root))
        segment = entry.segment
        path = self._spool / f"{segment.sequence:012d}-{self.stats.fetched}.seg"
        path.write_bytes(segment.data)
        self._disk_bytes += entry.size
        self.stats.spilled += 1
        if self.stats.spilled == 1 or self.stats.spilled % 100 == 0:
            logger.info("analysis is %d segments behind; keeping the newest on disk", len(self._entries) + 1)
        return replace(entry, segment=replace(segment, data=b""), spill_path=path)

    def _make_room_on_disk(self, size: int) -> None:
        """Drop the oldest spilled segments until ``size`` more bytes fit: hours behind, the live edge wins."""
        while self._disk_bytes + size > self.disk_limit_bytes:
            oldest = next((e for e in self._entries if e.spill_path is not None), None)
            if oldest is None:
                return
            self._entries.remove(oldest)
            assert oldest.spill_path is not None
            oldest.spill_path.unlink(missing_ok=True)
            self._disk_bytes -= oldest.size
            self.stats.dropped += 1
            logger.warning(
                "dropped segment %d unanalysed: analysis is too far behind live and the disk buffer is full",
                oldest.segment.sequence,
            )
            self._mark_next_discontinuous(after=oldest)

    def _mark_next_discontinuous(self, *, after: _Entry) -> None:
        following = next((e for e in self._entries if e.fetched_at >= after.fetched_at), None)
        if following is not None:
            following.segment = replace(following.segment, discontinuity=True)


class FetchAhead:
    """Iterates a source's segments while a fetcher thread reads them ahead into a :class:`SegmentBuffer`.

    The source (``source_segments``, ``hls_segments``, a list) is iterated in the fetcher thread only.
    Iteration ends when the source ends and the buffer is empty, or at once when ``stop_event`` is
    set; an error the source raised is raised here after the segments fetched before it.
    """

    def __init__(
        self,
        source: Iterable[SegmentMedia],
        *,
        stop_event: threading.Event | None = None,
        buffer: SegmentBuffer | None = None,
        name: str = "segment-fetcher",
    ) -> None:
        self._source = source
        self._stop_event = stop_event or threading.Event()
        self.buffer = buffer or SegmentBuffer()
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
