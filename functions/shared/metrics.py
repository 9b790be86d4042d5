"""The counts every media function (clip, vertical) makes: one made with its latency per channel, failures.

Counted with EphemeralMetrics, one EMF line each: the module-wide ``Metrics`` has one dimension set per
flush, and a batch may hold items of several channels. A replayed item (idempotency) never gets here,
so nothing is counted twice.
"""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from lambda_runtime.metric_names import CHANNEL_DIMENSION, NAMESPACE


def count_made(made: str, latency: str, *, channel: str, goal_at: datetime, published_at: datetime) -> None:
    """``made`` (1) and ``latency`` (published − the goal's first frame, seconds) with the ``channel``."""
    metrics = EphemeralMetrics(namespace=NAMESPACE)
    metrics.add_dimension(name=CHANNEL_DIMENSION, value=channel)
    metrics.add_metric(name=made, unit=MetricUnit.Count, value=1)
    metrics.add_metric(name=latency, unit=MetricUnit.Seconds, value=(published_at - goal_at).total_seconds())
    metrics.flush_metrics()


def count_failed(failures: str) -> None:
    """``failures`` (1), without a channel: a message that is not an event has none."""
    metrics = EphemeralMetrics(namespace=NAMESPACE)
    metrics.add_metric(name=failures, unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
