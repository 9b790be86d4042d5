"""The capture task's CloudWatch metrics, as Embedded Metric Format lines on stdout.

Why EMF through Powertools' Metrics: on Fargate the awslogs driver ships
stdout to CloudWatch Logs, which turns these lines into metrics with no API
call, no extra IAM and no agent. A long-running task has no invocation to end,
so counts are flushed every `interval_s` (default a minute, the dashboard's
period). Namespace `HighlightBot`, one dimension: `channel`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aws_lambda_powertools.metrics import Metrics, MetricUnit

NAMESPACE = "HighlightBot"
FLUSH_INTERVAL_S = 60.0


@dataclass
class _Counts:
    segments: int = 0
    goals: int = 0
    ocr_reads: int = 0
    ocr_failures: int = 0
    hud_not_found: int = 0
    segments_unreadable: int = 0
    segments_missing: int = 0
    behind_live: list[float] = field(default_factory=list)
    buffered: list[int] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)


class CaptureMetrics:
    """Counts per channel, flushed as one EMF line per interval.

    Example:
        >>> metrics = CaptureMetrics("somechannel")
        >>> metrics.segment_read(segments_behind_live=0.5)
        >>> metrics.maybe_flush()
    """

    def __init__(
        self, channel: str, *, interval_s: float = FLUSH_INTERVAL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.channel = channel
        self.interval_s = interval_s
        self._clock = clock
        self._last_flush = clock()
        self._counts = _Counts()
        self._metrics = Metrics(namespace=NAMESPACE)
        # The analysis thread and the announcer's worker both count.
        self._lock = threading.Lock()

    def segment_read(self, *, segments_behind_live: float | None, buffered: int | None = None) -> None:
        with self._lock:
            self._counts.segments += 1
            if segments_behind_live is not None:
                self._counts.behind_live.append(max(segments_behind_live, 0.0))
            if buffered is not None:
                self._counts.buffered.append(buffered)

    def segment_unreadable(self) -> None:
        """A segment could not be decoded (corrupt bytes): skipped, the capture goes on."""
        with self._lock:
            self._counts.segments_unreadable += 1

    def segment_missing(self) -> None:
        """A segment was announced as a gap: corrupt, or the segment store kept failing."""
        with self._lock:
            self._counts.segments_missing += 1

    def goals_detected(self, count: int) -> None:
        with self._lock:
            self._counts.goals += count

    def ocr(self, *, reads: int, failures: int) -> None:
        with self._lock:
            self._counts.ocr_reads += reads
            self._counts.ocr_failures += failures

    def hls_event(self, name: str, count: int = 1) -> None:
        """Count something the playlist follower met: ``PlaylistsRepaired``, ``PlaylistsUnreadable``,
        ``SequenceRenumbered``, ``SegmentsRefusedEncrypted``, ``SegmentGaps``."""
        with self._lock:
            self._counts.events[name] = self._counts.events.get(name, 0) + count

    def source_problem(self, name: str) -> None:
        """Count a failed resolution of the source by kind: ``TwitchOffline``, ``TwitchGeoBlocked``,
        ``TwitchUnauthorized``, ``TwitchApiDown`` (the ``metric_name`` of the exception raised)."""
        self.hls_event(name)

    def hud_not_found(self, count: int) -> None:
        """A minute (or another) of stream went by without the scoreboard being found."""
        with self._lock:
            self._counts.hud_not_found += count

    def maybe_flush(self) -> None:
        if self._clock() - self._last_flush >= self.interval_s:
            self.flush()

    def flush(self) -> None:
        """Print one EMF line with everything counted since the last one (zeros included: silence means dead)."""
        with self._lock:
            counts, self._counts = self._counts, _Counts()
            self._last_flush = self._clock()
        metrics = self._metrics
        metrics.add_dimension(name="channel", value=self.channel)
        metrics.add_metric(name="SegmentsRead", unit=MetricUnit.Count, value=counts.segments)
        metrics.add_metric(name="GoalsDetected", unit=MetricUnit.Count, value=counts.goals)
        metrics.add_metric(name="OcrReads", unit=MetricUnit.Count, value=counts.ocr_reads)
        metrics.add_metric(name="OcrFailures", unit=MetricUnit.Count, value=counts.ocr_failures)
        metrics.add_metric(name="HudNotFound", unit=MetricUnit.Count, value=counts.hud_not_found)
        metrics.add_metric(name="SegmentsUnreadable", unit=MetricUnit.Count, value=counts.segments_unreadable)
        metrics.add_metric(name="SegmentsMissing", unit=MetricUnit.Count, value=counts.segments_missing)
        if counts.behind_live:
            metrics.add_metric(name="SegmentsBehindLive", unit=MetricUnit.Count, value=max(counts.behind_live))
        if counts.buffered:
            metrics.add_metric(name="SegmentsBuffered", unit=MetricUnit.Count, value=max(counts.buffered))
        # Problem counters appear only when something happened; alarms on them treat missing data as fine.
        for name, value in sorted(counts.events.items()):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        metrics.flush_metrics()
