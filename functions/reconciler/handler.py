"""Lambda entry point of the reconciler: one capture task per channel of the SSM parameter.

Thin on purpose: read the settings, call `reconcile`, count what it did. EventBridge invokes it
every minute and whenever the parameter changes; the event's content does not matter (every run
reads the parameter and the tasks afresh), only its `detail-type` is logged as the trigger.

Metrics (EMF, namespace `HighlightBot`, dimension `service=reconciler`): `ChannelsWanted` on every
run (the "capture stopped reporting" alarm fires only while it is ≥ 1), `CaptureTasksStarted`,
`CaptureTasksStopped` and `CaptureTaskFailures` when non-zero (a metric costs only in the hours it
is sent).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.reconciler.exceptions import CaptureTaskStartError
from functions.reconciler.reconciler import ReconcileResult, reconcile
from functions.reconciler.settings import ReconcilerSettings
from functions.shared import aws_client
from lambda_runtime.metric_names import NAMESPACE, ReconcilerMetric

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Reconcile once; returns what was started and stopped, raises if a channel could not be served."""
    metrics.clear_metrics()  # see functions/enrich/handler.py: never carry unflushed metrics over
    logger.append_keys(trigger=str(event.get("detail-type", "direct invocation")))
    result = reconcile(ReconcilerSettings.from_env(), ecs=aws_client("ecs"), ssm=aws_client("ssm"))
    count(result)
    if result.failures:
        raise CaptureTaskStartError(
            "could not serve every channel: "
            + "; ".join(f"{channel}: {reason}" for channel, reason in result.failures.items())
        )
    if result.started or result.stopped:
        logger.info("reconciled", extra={"wanted": list(result.wanted)})
    return {"wanted": list(result.wanted), "started": result.started, "stopped": result.stopped}


def count(result: ReconcileResult) -> None:
    metrics.add_metric(name=ReconcilerMetric.CHANNELS_WANTED, unit=MetricUnit.Count, value=len(result.wanted))
    for name, value in (
        (ReconcilerMetric.CAPTURE_TASKS_STARTED, len(result.started)),
        (ReconcilerMetric.CAPTURE_TASKS_STOPPED, len(result.stopped)),
        (ReconcilerMetric.CAPTURE_TASK_FAILURES, len(result.failures)),
    ):
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
