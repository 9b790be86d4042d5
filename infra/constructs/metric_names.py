"""The metrics highlight-bot emits (CloudWatch EMF, one namespace), named once for the dashboard and alarms.

No CDK here, so the tests that capture the functions' EMF output can check the names against this.

| emitted by | dimensions | metrics |
|---|---|---|
| capture task (container) | `channel` | `CaptureMetric` |
| enrich | `service=enrich` | `EnrichMetric` (batches mix channels: aggregate counts) |
| clip | `service=clip`, `channel` | `ClipsMade`, `ClipLatencySeconds` |
| clip | `service=clip` | `ClipFailures` |
| vertical | `service=vertical`, `channel` | `VerticalsMade`, `VerticalLatencySeconds` |
| vertical | `service=vertical` | `VerticalFailures` |
| reconciler | `service=reconciler` | `ReconcilerMetric` |
"""

from __future__ import annotations

from enum import StrEnum

# The capture task names its metrics where it emits them; the dashboard reads them from there.
from capture_task.metrics import CaptureMetric

__all__ = [
    "CHANNEL_DIMENSION",
    "NAMESPACE",
    "SERVICE_DIMENSION",
    "CaptureMetric",
    "ClipMetric",
    "EnrichMetric",
    "ReconcilerMetric",
    "Service",
    "VerticalMetric",
]

NAMESPACE = "HighlightBot"
CHANNEL_DIMENSION = "channel"
SERVICE_DIMENSION = "service"
"""Powertools adds `service` (POWERTOOLS_SERVICE_NAME) to every metric a function emits."""


class Service(StrEnum):
    """`POWERTOOLS_SERVICE_NAME` of each pipeline function, hence its metrics' `service` dimension."""

    ENRICH = "enrich"
    CLIP = "clip"
    VERTICAL = "vertical"
    RECONCILER = "reconciler"


class EnrichMetric(StrEnum):
    SEGMENTS_INDEXED = "SegmentsIndexed"
    GOALS_RECEIVED = "GoalsReceived"
    CLIP_JOBS_SENT = "ClipJobsSent"
    GOALS_GIVEN_UP = "GoalsGivenUp"
    RECORDS_DEAD_LETTERED = "RecordsDeadLettered"


class ClipMetric(StrEnum):
    CLIPS_MADE = "ClipsMade"
    """Per channel."""
    CLIP_LATENCY_SECONDS = "ClipLatencySeconds"
    """Per channel: the goal's first frame (stream time) → its highlight published (wall clock)."""
    CLIP_FAILURES = "ClipFailures"


class VerticalMetric(StrEnum):
    VERTICALS_MADE = "VerticalsMade"
    """Per channel."""
    VERTICAL_LATENCY_SECONDS = "VerticalLatencySeconds"
    """Per channel: the goal's first frame (stream time) → its vertical cut published (wall clock)."""
    VERTICAL_FAILURES = "VerticalFailures"


class ReconcilerMetric(StrEnum):
    CHANNELS_WANTED = "ChannelsWanted"
    """Every run: how many channels the parameter lists."""
    CAPTURE_TASKS_STARTED = "CaptureTasksStarted"
    CAPTURE_TASKS_STOPPED = "CaptureTasksStopped"
    CAPTURE_TASK_FAILURES = "CaptureTaskFailures"
