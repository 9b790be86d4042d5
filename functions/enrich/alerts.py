"""The instant goal alert: a ``goal_alert`` on the hooks' topic the moment enrich receives a goal.

Why here: enrich is the first Lambda to see a confirmed goal, seconds before the
clip exists (the clip still waits for its post-roll and ffmpeg), so a hook can
post "GOAL — LIV 1-0 MCI (23')" at once and update that message when the
``highlight`` arrives.

One alert per goal: Kinesis delivers at least once and a batch may be retried,
so the publish runs under Powertools idempotency on the goal id, like the clip
job. An alert never holds up the clip: if SNS stays unreachable through boto3's
retries, the alert becomes an ``alert_not_published`` letter on enrich's
dead-letter queue (the alert, and why) and the goal is clipped as usual; the
highlight still reaches every hook. A goal that could not be alerted is thus
never lost, only announced once, with its clip.

Example:
    >>> alert = goal_alerts(settings, dead_letters, context)
    >>> alert(goal)   # publishes once per goal id; a repeat publishes nothing
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from contracts import ALERT_EVENT_TYPE, GoalAlert, GoalEvent, goal_alert
from contracts.settings import DEFAULT_SETTINGS
from functions.enrich.queues import DeadLetterQueue
from functions.enrich.settings import EnrichSettings
from functions.shared import aws_client, once_per_id, reason_of
from lambda_runtime.metric_names import EnrichMetric

logger = Logger(child=True)
metrics = Metrics()  # Powertools shares one metric set per namespace: the handler's flushes these too


class GoalAlerts:
    """Publishes goal alerts to the hooks' topic (attributes ``channel`` and ``event_type`` = ``goal``)."""

    def __init__(self, sns: Any, topic_arn: str, dead_letters: DeadLetterQueue) -> None:
        self._sns = sns
        self.topic_arn = topic_arn
        self._dead_letters = dead_letters

    def publish(self, goal: GoalEvent) -> dict[str, str]:
        """Publish the goal's alert; returns the SNS message id, or what became of it when SNS refused it."""
        alert = goal_alert(goal)
        try:
            message_id = self._publish(alert)
        except (BotoCoreError, ClientError) as error:
            # boto3 has retried already; the clip must not wait for SNS, so the alert is kept as a letter.
            reason = (
                f"the alert for goal {goal.id} ({alert.title}) could not be published to the hooks' topic: "
                f"{reason_of(error)}; its highlight still reaches the hooks when the clip is made"
            )
            self._dead_letters.alert_not_published(reason, alert)
            metrics.add_metric(name=EnrichMetric.GOAL_ALERTS_FAILED, unit=MetricUnit.Count, value=1)
            logger.warning("goal alert dead-lettered", extra={"reason": reason[:500]})
            return {"outcome": "dead_lettered", "alert_id": alert.id}
        metrics.add_metric(name=EnrichMetric.GOAL_ALERTS_PUBLISHED, unit=MetricUnit.Count, value=1)
        logger.info("goal alert published", extra={"alert_id": alert.id, "title": alert.title})
        return {"outcome": "published", "alert_id": alert.id, "message_id": message_id}

    def _publish(self, alert: GoalAlert) -> str:
        reply = self._sns.publish(
            TopicArn=self.topic_arn,
            Message=alert.to_json(),
            MessageAttributes={
                DEFAULT_SETTINGS.channel_attribute: {"DataType": "String", "StringValue": alert.channel},
                DEFAULT_SETTINGS.highlight_event_type_attribute: {
                    "DataType": "String",
                    "StringValue": ALERT_EVENT_TYPE,
                },
            },
        )
        return str(reply["MessageId"])


def _publish_alert(alerts: GoalAlerts, *, goal: GoalEvent) -> dict[str, str]:
    """Guarded by idempotency on the goal id: one alert per goal."""
    return alerts.publish(goal)


def goal_alerts(
    settings: EnrichSettings, dead_letters: DeadLetterQueue, lambda_context: Any
) -> Callable[[GoalEvent], None]:
    """What the handler calls for each goal: publish its alert once, or nothing when no topic is configured."""
    topic_arn = settings.highlight_topic_arn
    if not topic_arn:
        return lambda goal: None
    alerts = GoalAlerts(aws_client("sns"), topic_arn, dead_letters)
    publish_once = once_per_id(
        _publish_alert,
        data_keyword_argument="goal",
        table_name=settings.idempotency_table,
        ttl_hours=settings.idempotency_ttl_hours,
        lambda_context=lambda_context,
    )

    def alert(goal: GoalEvent) -> None:
        publish_once(alerts, goal=goal)

    return alert
