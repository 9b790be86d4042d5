"""The capture task's CloudWatch metrics, as Embedded Metric Format lines on stdout.

Why EMF through Powertools' Metrics: on Fargate the awslogs driver ships
stdout to CloudWatch Logs, which turns these lines into metrics with no API
call, no extra IAM and no agent. A long-running task has no invocation to end,
so counts are flushed every `interval_s` (default a minute, the dashboard's
period). Namespace `HighlightBot`, one dimension: `channel`.

Every name the capture emits is a member of :class:`CaptureMetric`, here and nowhere else: the
playlist follower, the resolver and the infra dashboard (``infra/constructs/monitoring.py`` imports
it) all spell names through it. ``NAMESPACE`` equals ``lambda_runtime.metric_names.NAMESPACE`` (a test says so).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from aws_lambda_powertools.metrics import Metrics, MetricUnit

NAMESPACE = "HighlightBot"
FLUSH_INTERVAL_S = 60.0


class CaptureMetric(StrEnum):
    """Every metric a capture task sends, with its `channel` dimension (no `service`)."""

    # Sent every interval, zeros included (silence means a dead task).
    SEGMENTS_READ = "SegmentsRead"
    GOALS_DETECTED = "GoalsDetected"
    OCR_READS = "OcrReads"
    OCR_FAILURES = "OcrFailures"
    HUD_NOT_FOUND = "HudNotFound"
    """A minute of stream went by without the scoreboard being found."""
    SEGMENTS_UNREADABLE = "SegmentsUnreadable"
    """Segments the analysis skipped because they could not be decoded."""
    SEGMENTS_MISSING = "SegmentsMissing"
    """Segments announced as gaps: not downloaded, corrupt, not stored, or no room to hold them."""
    # Gauges: the interval's maximum, sent when there was something to measure.
    SEGMENTS_BEHIND_LIVE = "SegmentsBehindLive"
    SEGMENTS_BUFFERED = "SegmentsBuffered"
    """Segments fetched and waiting for the analysis (the fetch-ahead buffer)."""
    ANNOUNCER_BACKLOG = "AnnouncerBacklog"
    """Segments and events waiting to be stored and put on the stream (grows while S3 or Kinesis is down)."""
    # Problem counters, sent only when something happened.
    ANNOUNCER_BACKLOG_FULL = "AnnouncerBacklogFull"
    """Segments announced as gaps because the announcer's memory and disk bounds were both reached."""
    SCORE_UNREAD = "ScoreUnread"
    """A scoreboard was located and its score not read: no score confirmed for a minute of stream (the capture),
    or the HUD in view with its score unreadable on several keyframes in a row (the sampler). Goals are missed."""
    PLAYLISTS_REPAIRED = "PlaylistsRepaired"
    PLAYLISTS_UNREADABLE = "PlaylistsUnreadable"
    SEQUENCE_RENUMBERED = "SequenceRenumbered"
    SEGMENTS_REFUSED_ENCRYPTED = "SegmentsRefusedEncrypted"
    SEGMENT_GAPS = "SegmentGaps"
    """Segments the playlist marks EXT-X-GAP."""
    TWITCH_OFFLINE = "TwitchOffline"
    TWITCH_GEO_BLOCKED = "TwitchGeoBlocked"
    TWITCH_UNAUTHORIZED = "TwitchUnauthorized"
    TWITCH_API_DOWN = "TwitchApiDown"


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
    announcer_backlog: list[int] = field(default_factory=list)
    events: dict[CaptureMetric, int] = field(default_factory=dict)


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
        """A segment was announced as a gap: not downloaded, corrupt, or the segment store kept failing."""
        with self._lock:
            self._counts.segments_missing += 1

    def announcer_backlog(self, waiting: int) -> None:
        """Segments and events waiting in the announcer (its maximum over the interval is sent)."""
        with self._lock:
            self._counts.announcer_backlog.append(waiting)

    def goals_detected(self, count: int) -> None:
        with self._lock:
            self._counts.goals += count

    def ocr(self, *, reads: int, failures: int) -> None:
        with self._lock:
            self._counts.ocr_reads += reads
            self._counts.ocr_failures += failures

    def problem(self, name: CaptureMetric | str, count: int = 1) -> None:
        """Count a problem met on the way: ``PLAYLISTS_REPAIRED``, ``SEGMENT_GAPS``, ``ANNOUNCER_BACKLOG_FULL``...

        Raises ValueError for a name that is not a :class:`CaptureMetric` (the dashboard would not show it).
        """
        metric = CaptureMetric(name)
        with self._lock:
            self._counts.events[metric] = self._counts.events.get(metric, 0) + count

    def source_problem(self, name: CaptureMetric | str) -> None:
        """Count a failed resolution of the source by kind: ``TwitchOffline``, ``TwitchGeoBlocked``,
        ``TwitchUnauthorized``, ``TwitchApiDown`` (the ``metric_name`` of the exception raised)."""
        self.problem(name)

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
        every_interval = {
            CaptureMetric.SEGMENTS_READ: counts.segments,
            CaptureMetric.GOALS_DETECTED: counts.goals,
            CaptureMetric.OCR_READS: counts.ocr_reads,
            CaptureMetric.OCR_FAILURES: counts.ocr_failures,
            CaptureMetric.HUD_NOT_FOUND: counts.hud_not_found,
            CaptureMetric.SEGMENTS_UNREADABLE: counts.segments_unreadable,
            CaptureMetric.SEGMENTS_MISSING: counts.segments_missing,
        }
        gauges: dict[CaptureMetric, list[float]] = {
            CaptureMetric.SEGMENTS_BEHIND_LIVE: counts.behind_live,
            CaptureMetric.SEGMENTS_BUFFERED: [float(n) for n in counts.buffered],
            CaptureMetric.ANNOUNCER_BACKLOG: [float(n) for n in counts.announcer_backlog],
        }
        for name, count in every_interval.items():
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)
        for name, values in gauges.items():
            if values:
                metrics.add_metric(name=name, unit=MetricUnit.Count, value=max(values))
        # Problem counters appear only when something happened; alarms on them treat missing data as fine.
        for name, value in sorted(counts.events.items()):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        metrics.flush_metrics()
