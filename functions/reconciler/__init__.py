"""The reconciler Lambda: keeps one Fargate capture task running per channel of the SSM parameter.

Entry point: `functions.reconciler.handler.handler`, invoked every minute and on every change of
the parameter. `plan_reconciliation` holds the rules (pure), `CaptureCluster` the ECS calls,
`reconcile` puts them together.
"""

from functions.reconciler.channels import channel_names
from functions.reconciler.cluster import CaptureCluster
from functions.reconciler.exceptions import CaptureTaskStartError, ChannelParameterError
from functions.reconciler.plan import CaptureTask, ReconcilePlan, TaskToStop, plan_reconciliation
from functions.reconciler.reconciler import ReconcileResult, read_channels, reconcile
from functions.reconciler.settings import CHANNEL_TAG, RECONCILER_STARTED_BY, ReconcilerSettings

__all__ = [
    "CHANNEL_TAG",
    "RECONCILER_STARTED_BY",
    "CaptureCluster",
    "CaptureTask",
    "CaptureTaskStartError",
    "ChannelParameterError",
    "ReconcilePlan",
    "ReconcileResult",
    "ReconcilerSettings",
    "TaskToStop",
    "channel_names",
    "plan_reconciliation",
    "read_channels",
    "reconcile",
]
