"""The metrics highlight-bot emits (CloudWatch EMF, one namespace), named once for the dashboard and alarms.

The functions emit these names and infra's dashboard and alarms read them (the capture task, a
container without this package, names its own in ``capture_task.metrics.CaptureMetric`` under the same
namespace). No CDK here: every Lambda asset bundles it.

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

__all__ = [
    "CHANNEL_DIMENSION",
    "NAMESPACE",
    "SERVICE_DIMENSION",
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
    PARTIAL_CLIP_JOBS_SENT = "PartialClipJobsSent"
    REEL_JOBS_SENT = "ReelJobsSent"
    GOALS_GIVEN_UP = "GoalsGivenUp"
    RECORDS_DEAD_LETTERED = "RecordsDeadLettered"
    GOAL_ALERTS_PUBLISHED = "GoalAlertsPublished"
    GOAL_ALERTS_FAILED = "GoalAlertsFailed"
    """A goal alert SNS would not take: kept on enrich's dead-letter queue (whose alarm fires), its goal clipped."""


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
