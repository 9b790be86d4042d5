"""Watching highlight-bot: one dashboard, the alarms that need a human, and the topic they notify.

Alarms (each notifies the alarm topic on ALARM and on OK; subscribe with `-c alarm_emails=…`):

* **enrich is behind the stream**: enrich's `IteratorAge` maximum above 60 s for 3 minutes running.
* **a failure queue is not empty**: one alarm per queue that collects failures — enrich DLQ and
  batch-failure queue, clip DLQ, every hook's handler- and delivery-failure queue — on
  `ApproximateNumberOfMessagesVisible` ≥ 1. Hook failures need no alarm of their own: a hook that
  raised ends, after its retries, in its handler-failure queue.
* **clip failed**: the clip function's `Errors` ≥ 1 in 5 minutes (errors, timeouts and out of
  memory alike; the job is retried and lands in the clip DLQ after 3 receives).
* **capture stopped reporting**: no `SegmentsRead` from any channel for 5 minutes (missing data
  counts as silence) *while* the reconciler reports `ChannelsWanted` ≥ 1 — a composite alarm, so an
  empty channel parameter is quiet.
* **reconciler failing**: its `Errors` ≥ 1 three minutes running (dead capture tasks are then not
  restarted, channel changes not applied).
* **clip jobs waiting**: the clip queue's `ApproximateAgeOfOldestMessage` above one visibility timeout
  plus 3 minutes (15 min): clips are late, whether clip fails, is throttled or is stuck.
* **a function is throttled**: the sum of `Throttles` of every function (enrich, clip, reconciler,
  hooks) ≥ 1 in 5 minutes: the account's concurrency quota is reached, and throttled work is delayed
  (Kinesis, async) or uses up receives (SQS).

Why "capture stopped reporting" watches the sum over channels, not each channel: channels come and
go without a deploy, so per-channel alarms cannot be declared here, and CloudWatch alarms cannot
use `SEARCH`. A Metrics Insights query (`SELECT SUM(SegmentsRead) FROM "HighlightBot"`) follows any
set of channels, but a channel that goes silent while others still read segments is only visible
on the dashboard's per-channel graph. Also, an offline Twitch channel reads no segments: the alarm
cannot tell "every channel is offline" from "capture is broken". Both are limits of the metrics
the capture task sends (see docs/cost.md and infra/README.md for the way out).

The topic is encrypted with a customer-managed KMS key ($1/month): CloudWatch cannot publish to a
topic encrypted with the AWS-managed `alias/aws/sns` key, because that key's policy cannot be
changed to admit `cloudwatch.amazonaws.com`. The topic's policy (which `enforce_ssl` writes, replacing
SNS's default policy) and the key's policy each allow `cloudwatch.amazonaws.com` only for alarms of
this account (`aws:SourceAccount`, `aws:SourceArn` = `arn:…:cloudwatch:REGION:ACCOUNT:alarm:*`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from capture_task.metrics import CaptureMetric  # named where the container emits them
from infra.config import InfraConfig
from infra.constructs.messaging import CLIP_MAX_RECEIVE_COUNT
from lambda_runtime.metric_names import (
    CHANNEL_DIMENSION,
    NAMESPACE,
    SERVICE_DIMENSION,
    ClipMetric,
    EnrichMetric,
    ReconcilerMetric,
    Service,
)

ENRICH_MAX_ITERATOR_AGE_S = 60
ENRICH_ITERATOR_AGE_MINUTES = 3
"""Minutes running above the limit before the alarm: one slow batch is not worth a page."""
CAPTURE_SILENCE = cdk.Duration.minutes(5)
CAPTURE_LOSSES = (
    CaptureMetric.SEGMENTS_MISSING,
    CaptureMetric.SEGMENTS_UNREADABLE,
    CaptureMetric.ANNOUNCER_BACKLOG_FULL,
    CaptureMetric.HUD_NOT_FOUND,
    CaptureMetric.SCORE_UNREAD,
)
CAPTURE_BACKLOGS = (CaptureMetric.SEGMENTS_BUFFERED, CaptureMetric.ANNOUNCER_BACKLOG)
CAPTURE_SOURCE_PROBLEMS = (
    CaptureMetric.PLAYLISTS_REPAIRED,
    CaptureMetric.PLAYLISTS_UNREADABLE,
    CaptureMetric.SEQUENCE_RENUMBERED,
    CaptureMetric.SEGMENTS_REFUSED_ENCRYPTED,
    CaptureMetric.SEGMENT_GAPS,
    CaptureMetric.TWITCH_OFFLINE,
    CaptureMetric.TWITCH_GEO_BLOCKED,
    CaptureMetric.TWITCH_UNAUTHORIZED,
    CaptureMetric.TWITCH_API_DOWN,
)
RECONCILER_FAILING_MINUTES = 3
QUEUE_CHECK_PERIOD = cdk.Duration.minutes(5)
JOB_AGE_MARGIN_S = 180
"""How much longer than one visibility timeout the oldest clip (or vertical) job may wait before it is late."""
ONE_MINUTE = cdk.Duration.minutes(1)
FIVE_MINUTES = cdk.Duration.minutes(5)


@dataclass(frozen=True)
class MonitoredResources:
    """What the dashboard shows and the alarms watch."""

    stream: kinesis.IStream
    enrich: lambda_.IFunction
    clip: lambda_.IFunction
    reconciler: lambda_.IFunction
    hooks: Mapping[str, lambda_.IFunction]
    clip_jobs: sqs.IQueue
    vertical: lambda_.IFunction
    vertical_jobs: sqs.IQueue
    vertical_visibility_timeout_s: int
    failure_queues: Mapping[str, sqs.IQueue]
    """Construct-id-like name (`EnrichDeadLetters`) → a queue that only ever holds failures."""


def service_metric(
    name: str, service: Service, *, statistic: str = "Sum", period: cdk.Duration = ONE_MINUTE
) -> cloudwatch.Metric:
    """A metric a pipeline function sends with Powertools (dimension `service`)."""
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={SERVICE_DIMENSION: service.value},
        statistic=statistic,
        period=period,
    )


def per_channel(name: str, *, statistic: str, period: cdk.Duration, with_service: bool = False) -> cloudwatch.IMetric:
    """Every channel's series of metric `name`, however many channels there are (a SEARCH expression)."""
    schema = ",".join((NAMESPACE, CHANNEL_DIMENSION, *((SERVICE_DIMENSION,) if with_service else ())))
    return cloudwatch.MathExpression(
        expression=f"SEARCH('{{{schema}}} MetricName=\"{name}\"', '{statistic}', {int(period.to_seconds())})",
        label=f"${{PROP('Dim.{CHANNEL_DIMENSION}')}} {name}",
        period=period,
    )


class Monitoring(Construct):
    """The alarm topic, the alarms and the dashboard (`self.topic`, `self.alarms`, `self.dashboard`)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: InfraConfig, watched: MonitoredResources
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = self._alarm_topic(config.alarm_emails)
        self.alarms: list[cloudwatch.AlarmBase] = []
        self._alarm_on_enrich_lag(watched.enrich)
        for name, queue in watched.failure_queues.items():
            self._alarm_on_failures_in(name, queue)
        self._alarm_on_errors(
            "ClipFailed",
            watched.clip,
            period=FIVE_MINUTES,
            periods=1,
            description="The clip function failed (an error, a timeout or out of memory) in the last 5 minutes, "
            "so a goal may still lack its clip. Find the goal_id in the clip log group; the job is retried and "
            f"lands in the clip DLQ after {CLIP_MAX_RECEIVE_COUNT} failed receives.",
        )
        self._alarm_on_errors(
            "ReconcilerFailing",
            watched.reconciler,
            period=ONE_MINUTE,
            periods=RECONCILER_FAILING_MINUTES,
            description=f"The capture reconciler failed {RECONCILER_FAILING_MINUTES} minutes running: capture tasks "
            "that die are not restarted and channel parameter changes are not applied. Its log group says why "
            "(parameter unreadable, ECS refusing to start a task).",
        )
        self._alarm_on_jobs_waiting(
            "ClipJobsWaiting",
            watched.clip_jobs,
            config.sizing.clip_queue_visibility_timeout_s,
            late="The oldest clip job has waited more than {minutes} minutes, so its highlight is late. clip is "
            "failing (see ClipFailed and the clip log group), throttled (LambdaThrottled) or cannot keep up; the "
            "dashboard shows the jobs waiting.",
        )
        self._alarm_on_jobs_waiting(
            "VerticalJobsWaiting",
            watched.vertical_jobs,
            watched.vertical_visibility_timeout_s,
            late="The oldest highlight waiting for its 9:16 cut has waited more than {minutes} minutes. The vertical "
            "function is failing (its log group; VerticalDeadLetters), throttled (LambdaThrottled) or cannot keep "
            "up. The 16:9 clips and their messages are not delayed by this.",
        )
        self._alarm_on_throttles(
            {
                "enrich": watched.enrich,
                "clip": watched.clip,
                "vertical": watched.vertical,
                "reconciler": watched.reconciler,
                **watched.hooks,
            }
        )
        self._alarm_on_capture_silence()
        self.dashboard = self._dashboard(watched)
        cdk.CfnOutput(
            self,
            "DashboardUrl",
            description="The highlight-bot CloudWatch dashboard",
            value=f"https://{cdk.Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region={cdk.Aws.REGION}"
            f"#dashboards/dashboard/{self.dashboard.dashboard_name}",
        )

    # ------------------------------------------------------------------ the topic

    def _alarm_topic(self, emails: tuple[str, ...]) -> sns.Topic:
        key = kms.Key(
            self,
            "AlarmTopicKey",
            description="Encrypts highlight-bot's alarm topic; CloudWatch may use it to publish",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.DESTROY,
            pending_window=cdk.Duration.days(7),
        )
        cloudwatch_alarms = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        # Only on behalf of this account's alarms (confused-deputy guard), in the key and the topic alike.
        alarms_of_this_account = {
            "StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID},
            "ArnLike": {
                "aws:SourceArn": cdk.Stack.of(self).format_arn(
                    service="cloudwatch",
                    resource="alarm",
                    resource_name="*",
                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                )
            },
        }
        # AWS's documented key policy for CloudWatch alarms publishing to an encrypted topic.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[cloudwatch_alarms],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=alarms_of_this_account,
            )
        )
        topic = sns.Topic(self, "AlarmTopic", display_name="highlight-bot alarms", master_key=key, enforce_ssl=True)
        # enforce_ssl makes CDK write a TopicPolicy, and any TopicPolicy *replaces* SNS's default one,
        # which is what let CloudWatch publish: without this statement every alarm fires into nothing.
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsOfThisAccountPublish",
                principals=[cloudwatch_alarms],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions=alarms_of_this_account,
            )
        )
        for email in emails:
            topic.add_subscription(subscriptions.EmailSubscription(email))
        return topic

    # ------------------------------------------------------------------ the alarms

    def _notify(self, alarm: cloudwatch.AlarmBase) -> None:
        action = cloudwatch_actions.SnsAction(self.topic)
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)
        self.alarms.append(alarm)

    def _alarm_on_enrich_lag(self, enrich: lambda_.IFunction) -> None:
        alarm = enrich.metric("IteratorAge", statistic="Maximum", period=ONE_MINUTE).create_alarm(
            self,
            "EnrichBehind",
            threshold=ENRICH_MAX_ITERATOR_AGE_S * 1000,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=ENRICH_ITERATOR_AGE_MINUTES,
            datapoints_to_alarm=ENRICH_ITERATOR_AGE_MINUTES,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"enrich has been more than {ENRICH_MAX_ITERATOR_AGE_S} s behind the Kinesis stream "
            f"for {ENRICH_ITERATOR_AGE_MINUTES} minutes, so clips come late. Look at enrich's errors and duration "
            "on the dashboard; a record it cannot get past ends in the enrich batch-failure queue.",
        )
        self._notify(alarm)

    def _alarm_on_failures_in(self, name: str, queue: sqs.IQueue) -> None:
        what = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
        alarm = queue.metric_approximate_number_of_messages_visible(
            statistic="Maximum", period=QUEUE_CHECK_PERIOD
        ).create_alarm(
            self,
            f"{name}NotEmpty",
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"The {what} queue ({queue.queue_name}) holds messages: something failed and was kept "
            "there. Read them with `aws sqs receive-message`, fix the cause, then redrive or purge the queue.",
        )
        self._notify(alarm)

    def _alarm_on_errors(
        self, construct_id: str, function: lambda_.IFunction, *, period: cdk.Duration, periods: int, description: str
    ) -> None:
        alarm = function.metric_errors(statistic="Sum", period=period).create_alarm(
            self,
            construct_id,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        self._notify(alarm)

    def _alarm_on_jobs_waiting(self, alarm_id: str, jobs: sqs.IQueue, visibility_timeout_s: int, *, late: str) -> None:
        # A job that failed once reappears after one visibility timeout: only later than that is it late.
        max_age_s = visibility_timeout_s + JOB_AGE_MARGIN_S
        alarm = jobs.metric_approximate_age_of_oldest_message(statistic="Maximum", period=ONE_MINUTE).create_alarm(
            self,
            alarm_id,
            threshold=max_age_s,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=late.format(minutes=max_age_s // 60),
        )
        self._notify(alarm)

    def _alarm_on_throttles(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        throttles = {
            f"throttles{index}": function.metric_throttles(statistic="Sum", period=FIVE_MINUTES, label=name)
            for index, (name, function) in enumerate(functions.items())
        }
        total = cloudwatch.MathExpression(
            # FILL: a function that was never throttled has no datapoints, which must count as 0.
            expression=f"SUM([{', '.join(f'FILL({metric_id}, 0)' for metric_id in throttles)}])",
            using_metrics=throttles,
            label="throttles, all functions",
            period=FIVE_MINUTES,
        )
        alarm = total.create_alarm(
            self,
            "LambdaThrottled",
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"A highlight-bot function ({', '.join(functions)}) was throttled in the last 5 minutes: "
            "the account's Lambda concurrency is used up. Throttled Kinesis batches and hook events are retried "
            "late, throttled clip jobs use up receives. See the dashboard's throttles graph for which function, "
            "and the account's concurrency quota (Service Quotas).",
        )
        self._notify(alarm)

    def _alarm_on_capture_silence(self) -> None:
        # Metrics Insights: sums SegmentsRead over every series in the namespace, whatever its channel.
        segments_read = cloudwatch.MathExpression(
            expression=f'SELECT SUM({CaptureMetric.SEGMENTS_READ}) FROM "{NAMESPACE}"',
            label="segments read, all channels",
            period=CAPTURE_SILENCE,
        )
        no_segments = segments_read.create_alarm(
            self,
            "NoSegmentsRead",
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            alarm_description="Part of CaptureSilent (no action of its own): no channel read a segment in 5 minutes.",
        )
        channels_wanted = service_metric(
            ReconcilerMetric.CHANNELS_WANTED, Service.RECONCILER, statistic="Maximum", period=CAPTURE_SILENCE
        ).create_alarm(
            self,
            "ChannelsListed",
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="Part of CaptureSilent (no action of its own): the channel parameter lists a channel.",
        )
        silent = cloudwatch.CompositeAlarm(
            self,
            "CaptureSilent",
            alarm_rule=cloudwatch.AlarmRule.all_of(
                cloudwatch.AlarmRule.from_alarm(no_segments, cloudwatch.AlarmState.ALARM),
                cloudwatch.AlarmRule.from_alarm(channels_wanted, cloudwatch.AlarmState.ALARM),
            ),
            alarm_description="No capture task has read a segment for 5 minutes although the channel parameter lists "
            "channels. Either every listed channel is offline, or capture is broken: see the per-channel graphs on "
            "the dashboard, the capture log group, and the reconciler's CaptureTaskFailures.",
        )
        self._notify(silent)

    # ------------------------------------------------------------------ the dashboard

    def _dashboard(self, watched: MonitoredResources) -> cloudwatch.Dashboard:
        functions = {
            "enrich": watched.enrich,
            "clip": watched.clip,
            "reconciler": watched.reconciler,
            **{f"hook {name}": function for name, function in watched.hooks.items()},
        }
        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=cdk.Duration.hours(3))
        dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown="# highlight-bot\nCapture per channel (EMF from each task), the reconciler that runs one task "
                "per channel, the stream and enrich, clips, the Lambdas, and every failure queue. "
                "Alarms: see the last row; they notify the alarm topic.",
                width=24,
                height=2,
            )
        )
        dashboard.add_widgets(
            _graph(
                "Segments read per minute, per channel",
                [per_channel(CaptureMetric.SEGMENTS_READ, statistic="Sum", period=ONE_MINUTE)],
            ),
            _graph(
                "Segments behind live (max), per channel",
                [per_channel(CaptureMetric.SEGMENTS_BEHIND_LIVE, statistic="Maximum", period=ONE_MINUTE)],
            ),
            _graph(
                "Goals detected, OCR reads and failures (5 min), per channel",
                [
                    per_channel(metric, statistic="Sum", period=FIVE_MINUTES)
                    for metric in (CaptureMetric.GOALS_DETECTED, CaptureMetric.OCR_READS, CaptureMetric.OCR_FAILURES)
                ],
            ),
        )
        dashboard.add_widgets(
            _graph(
                "Segments lost to clips or analysis, HUD not found or its score unread (5 min), per channel",
                [per_channel(metric, statistic="Sum", period=FIVE_MINUTES) for metric in CAPTURE_LOSSES],
            ),
            _graph(
                "Backlogs (max): waiting for analysis, waiting to be announced, per channel",
                [per_channel(metric, statistic="Maximum", period=ONE_MINUTE) for metric in CAPTURE_BACKLOGS],
            ),
            _graph(
                "Stream and Twitch problems (5 min), per channel",
                [per_channel(metric, statistic="Sum", period=FIVE_MINUTES) for metric in CAPTURE_SOURCE_PROBLEMS],
            ),
        )
        dashboard.add_widgets(
            _graph(
                "Capture tasks (reconciler)",
                [
                    service_metric(ReconcilerMetric.CHANNELS_WANTED, Service.RECONCILER, statistic="Maximum"),
                    service_metric(ReconcilerMetric.CAPTURE_TASKS_STARTED, Service.RECONCILER),
                    service_metric(ReconcilerMetric.CAPTURE_TASKS_STOPPED, Service.RECONCILER),
                    service_metric(ReconcilerMetric.CAPTURE_TASK_FAILURES, Service.RECONCILER),
                ],
            ),
            _graph(
                "Kinesis records in, enrich iterator age (ms, max)",
                [watched.stream.metric_incoming_records(statistic="Sum", period=ONE_MINUTE, label="records in")],
                right=[watched.enrich.metric("IteratorAge", statistic="Maximum", period=ONE_MINUTE, label="age")],
                right_annotation=ENRICH_MAX_ITERATOR_AGE_S * 1000,
            ),
            _graph(
                "enrich (all channels)",
                [service_metric(metric, Service.ENRICH, period=FIVE_MINUTES) for metric in EnrichMetric],
            ),
        )
        dashboard.add_widgets(
            _graph(
                "Clips made (5 min), per channel",
                [per_channel(ClipMetric.CLIPS_MADE, statistic="Sum", period=FIVE_MINUTES, with_service=True)],
            ),
            _graph(
                "Clip latency, goal → published (s), per channel",
                [
                    per_channel(
                        ClipMetric.CLIP_LATENCY_SECONDS, statistic=statistic, period=FIVE_MINUTES, with_service=True
                    )
                    for statistic in ("p50", "Maximum")
                ],
            ),
            _graph(
                "Clip failures, clip jobs waiting",
                [service_metric(ClipMetric.CLIP_FAILURES, Service.CLIP, period=FIVE_MINUTES)],
                right=[
                    watched.clip_jobs.metric_approximate_number_of_messages_visible(
                        statistic="Maximum", period=ONE_MINUTE, label="jobs waiting"
                    )
                ],
            ),
        )
        dashboard.add_widgets(
            _graph(
                "Lambda errors (left) and throttles (right)",
                [
                    function.metric_errors(statistic="Sum", period=FIVE_MINUTES, label=n)
                    for n, function in functions.items()
                ],
                right=[
                    function.metric_throttles(statistic="Sum", period=FIVE_MINUTES, label=f"{n} throttled")
                    for n, function in functions.items()
                ],
            ),
            _graph(
                "Lambda duration p95 (ms)",
                [
                    function.metric_duration(statistic="p95", period=FIVE_MINUTES, label=n)
                    for n, function in functions.items()
                ],
            ),
            _graph(
                "Failure queues (messages visible)",
                [
                    queue.metric_approximate_number_of_messages_visible(
                        statistic="Maximum", period=FIVE_MINUTES, label=n
                    )
                    for n, queue in watched.failure_queues.items()
                ],
            ),
        )
        dashboard.add_widgets(cloudwatch.AlarmStatusWidget(title="Alarms", alarms=self.alarms, width=24, height=4))
        return dashboard


def _graph(
    title: str,
    left: list[cloudwatch.IMetric],
    *,
    right: list[cloudwatch.IMetric] | None = None,
    right_annotation: float | None = None,
) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title,
        left=left,
        right=right or [],
        right_annotations=[cloudwatch.HorizontalAnnotation(value=right_annotation, label="alarm")]
        if right_annotation is not None
        else None,
        width=8,
        height=6,
    )
