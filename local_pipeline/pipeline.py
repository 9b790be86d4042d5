"""Wires the whole pipeline on one machine: sample stream -> capture -> Kinesis -> enrich -> clip -> SNS -> hooks.

Everything is the real thing except the place it runs: moto on loopback for
AWS, threads for the Lambda service, and a local hook that writes the gallery.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from capture_task.capture import CaptureStats
from capture_task.publish.keeper import KeepPolicy
from capture_task.publish.publisher import KinesisSink
from capture_task.publish.segment_store import S3SegmentStore
from capture_task.service import CaptureService, ChannelParameter
from contracts import GoalAlert, GoalEvent, HighlightEvent, ReelEvent, VerticalEvent, parse_event
from contracts.settings import DEFAULT_SETTINGS, WAITING_GOALS_SWEEP_EVENT, PipelineSettings
from functions.shared.goals_without_clip import GoalsWithoutClip
from functions.vertical.settings import MAX_CONCURRENCY
from hooks.gallery.pages import GalleryGoal
from local_pipeline.chat_receiver import ChatReceiver
from local_pipeline.emulator import EmulatedAws, LocalResources
from local_pipeline.gallery import Gallery
from local_pipeline.lambda_events import LocalLambdaContext
from local_pipeline.link_server import LinkServer
from local_pipeline.sample import REPO_ROOT, demo_stream, serve_live
from local_pipeline.triggers import KinesisTrigger, QueueTrigger, TopicSubscription, Trigger
from sample_broadcast import SampleBroadcast

logger = logging.getLogger("highlight_bot.local")
Delivered = TypeVar("Delivered", bound=BaseModel)

LOCAL_CHANNEL_POLL_S = 5.0
"""How often the local capture re-reads the emulated channel parameter (the cloud default is 30 s)."""
DRAIN_STALL_S = 90.0
"""After the stream ends, how long nothing may move (no function running or run) before the run is called
failed; however slow the machine, work in progress is waited for."""


@dataclass(frozen=True)
class LocalRunOptions:
    """What the person running `make demo` can choose."""

    source: str | None = None
    channel: str | None = None
    pre_roll_s: float = DEFAULT_SETTINGS.pre_roll_s
    post_roll_s: float = DEFAULT_SETTINGS.post_roll_s
    out: Path = Path("highlights")
    speed: float = 2.0
    drain_stall_s: float = DRAIN_STALL_S
    sample: SampleBroadcast | None = None
    """The broadcast to serve when no source or channel is given (default: the demo broadcast)."""


@dataclass
class LocalRun:
    """The live state of a run, read by the display and returned at the end."""

    channel: str
    source: str
    endpoint_url: str = ""
    truth: dict[str, Any] | None = None
    service: CaptureService | None = None
    triggers: list[Trigger] = field(default_factory=list)
    gallery: Gallery | None = None
    chat: ChatReceiver | None = None
    goal_on_screen: Callable[[GoalEvent], float] | None = None
    """Wall time a live viewer first saw a goal (known for the sample stream)."""
    capture_stats: list[CaptureStats] = field(default_factory=list)
    highlights: list[HighlightEvent] = field(default_factory=list)
    reels: list[ReelEvent] = field(default_factory=list)
    verticals: list[VerticalEvent] = field(default_factory=list)
    latencies_s: dict[str, float] = field(default_factory=dict)
    """Goal id → seconds from the goal on screen to its highlight delivered to the gallery hook."""
    alerts: list[GoalAlert] = field(default_factory=list)
    """The goal alerts the webhook hook posted to the chat receiver."""
    alert_latencies_s: dict[str, float] = field(default_factory=dict)
    """Goal id → seconds from the goal on screen to its alert posted in the chat (the webhook hook done)."""
    goal_reached_enrich_at: dict[str, float] = field(default_factory=dict)
    """Goal id → wall time its `goal` record was handed to enrich: what follows is the alert path alone."""
    alert_path_s: dict[str, float] = field(default_factory=dict)
    """Goal id → seconds from its record handed to enrich to its alert posted in the chat (no capture lag)."""
    errors: list[str] = field(default_factory=list)
    goals_without_clip: dict[str, str] = field(default_factory=dict)
    """Goal id → why it will have no clip, as enrich or clip recorded it (the reel lists the same)."""
    without_clip_records: GoalsWithoutClip | None = None

    @property
    def goals(self) -> list[GoalEvent]:
        return [goal for stats in self.capture_stats for goal in stats.goals]

    @property
    def entries(self) -> list[GalleryGoal]:
        return sorted(self.gallery.entries.values(), key=lambda e: e.at) if self.gallery else []

    @property
    def failures(self) -> list[str]:
        capture = self.service.errors if self.service else []
        return capture + self.errors + [failure for trigger in self.triggers for failure in trigger.stats.failures]


def run_pipeline(options: LocalRunOptions, on_tick: Callable[[LocalRun], None] | None = None) -> LocalRun:
    """Run until the source ends (a live Twitch channel: until interrupted) and the pipeline has drained."""
    settings = dataclasses.replace(DEFAULT_SETTINGS, pre_roll_s=options.pre_roll_s, post_roll_s=options.post_roll_s)
    options.out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        channel, source, run = _source(options, stack)
        aws = stack.enter_context(EmulatedAws())
        run.endpoint_url = aws.endpoint_url
        resources = aws.create_resources(settings, channel_value=f"{channel}={source}")
        links = stack.enter_context(LinkServer(aws.client("s3"), resources.highlights_bucket))
        aws.set_env(
            {
                "HIGHLIGHTS_BASE_URL": links.base_url,  # CloudFront's part: links that last as long as the run
                "HOOKS_ALLOW_LOOPBACK_HTTP": "1",  # the chat receiver is http://127.0.0.1
            }
        )
        run.gallery = Gallery(options.out, aws.client("s3"))
        run.without_clip_records = GoalsWithoutClip(
            aws.client("dynamodb"), resources.idempotency_table, ttl_hours=settings.idempotency_ttl_hours
        )
        run.chat = stack.enter_context(ChatReceiver())
        run.triggers = _triggers(aws, resources, run.gallery, run.chat, run.goal_reached_enrich_at)
        for trigger in run.triggers:
            trigger.start()
        service = run.service = CaptureService(
            # The sample is served on 127.0.0.1, which the cloud refuses (contracts.channels).
            ChannelParameter(aws.client("ssm"), settings.channel_parameter_name, allow_private_stream_urls=True),
            sink_factory=lambda: KinesisSink(aws.client("kinesis"), resources.stream_name),
            store=S3SegmentStore(aws.client("s3"), resources.segments_bucket),
            poll_interval_s=LOCAL_CHANNEL_POLL_S,
            exit_when_ended=True,
            keep=KeepPolicy.of(settings),
        )
        capture = threading.Thread(target=service.run, name="capture-service", daemon=True)
        capture.start()
        try:
            while capture.is_alive():
                _collect(run)
                if on_tick:
                    on_tick(run)
                capture.join(0.25)
            cut_in_foreground(aws, resources, settings)
            _drain(run, options.drain_stall_s, on_tick, stream_over=lambda: _stream_over(aws, run))
        finally:
            service.stop()
            capture.join(10)
            for trigger in run.triggers:
                trigger.stop()
            for trigger in run.triggers:
                trigger.join(10)
            _collect(run)
    return run


def _source(options: LocalRunOptions, stack: ExitStack) -> tuple[str, str, LocalRun]:
    """The channel name and source spec the emulated parameter will hold."""
    if options.source:
        channel = options.channel or "local"
        return channel, options.source, LocalRun(channel, options.source)
    if options.channel:
        return options.channel, f"twitch:{options.channel}", LocalRun(options.channel, f"twitch:{options.channel}")
    info = demo_stream(options.sample)
    server = stack.enter_context(serve_live(info, options.speed))
    started = time.time()
    run = LocalRun("sample", server.playlist_url, truth=info.truth())
    preloaded_s = server.preloaded_segments * 2.0

    def on_screen(goal: GoalEvent) -> float:
        return started + max(goal.stream_time - preloaded_s, 0.0) / server.speed

    run.goal_on_screen = on_screen
    return "sample", server.playlist_url, run


def _triggers(
    aws: EmulatedAws,
    resources: LocalResources,
    gallery: Gallery,
    chat: ChatReceiver,
    goal_arrivals: dict[str, float],
) -> list[Trigger]:
    from functions.clip.handler import handler as clip_handler
    from functions.enrich.handler import handler as enrich_handler
    from functions.vertical.handler import handler as vertical_handler
    from hooks.webhook.handler import handler as webhook_handler

    webhook_manifest = json.loads((REPO_ROOT / "hooks" / "webhook" / "hook.json").read_text())
    # The secret's variable and name come from hook.json, as the stack's do: renaming either there
    # renames it here too (tests/unit/test_hooks_manifests.py ties hook.json to what the code reads).
    ((secret_variable, secret_name),) = webhook_manifest["secrets"].items()
    secrets = aws.client("secretsmanager")
    secret_arn = secrets.create_secret(
        Name=secret_name, SecretString=json.dumps({"url": chat.url, "format": "discord"})
    )["ARN"]
    aws.set_env({secret_variable: secret_arn})
    # The local gallery subscribes like the cloud gallery hook, so it sees the same event types.
    gallery_manifest = json.loads((REPO_ROOT / "hooks" / "gallery" / "hook.json").read_text())
    sns, sqs = aws.client("sns"), aws.client("sqs")
    return [
        KinesisTrigger(
            "enrich", _noting_goals(enrich_handler, goal_arrivals), aws.client("kinesis"), resources.stream_name
        ),
        *vertical_workers(vertical_handler, sqs, resources.vertical_queue_url),
        TopicSubscription(VERTICAL_CUTS, _observe, sns, sqs, resources.topic_arn, {"event_type": ["vertical"]}),
        QueueTrigger("clip", clip_handler, sqs, resources.clip_queue_url),
        TopicSubscription("gallery", gallery.handler, sns, sqs, resources.topic_arn, gallery_manifest["filter_policy"]),
        TopicSubscription(
            "webhook", webhook_handler, sns, sqs, resources.topic_arn, webhook_manifest.get("filter_policy", {})
        ),
    ]


def vertical_workers(handler: Any, sqs: Any, queue_url: str) -> list[QueueTrigger]:
    """``MAX_CONCURRENCY`` pollers of the vertical queue, as the stack's event source mapping runs that many
    invocations at once: two goals close together are cut side by side (one ffmpeg thread each while the capture
    runs), not one after the other."""
    return [QueueTrigger("vertical", handler, sqs, queue_url) for _ in range(MAX_CONCURRENCY)]


def cut_in_foreground(aws: EmulatedAws, resources: LocalResources, settings: PipelineSettings) -> None:
    """The source has ended: the vertical cuts still to come run at normal priority on every core.

    While the capture runs, each cut is one ffmpeg thread at nice 10, so the capture keeps up with the stream;
    once it has ended nothing on this machine needs the CPU more than the cuts the run is waiting for. Cuts
    already running keep their low priority (raising it back needs privileges a laptop user does not have).
    """
    aws.set_env(resources.vertical_settings(settings, background=False).environment())


def _noting_goals(handler: Any, arrivals: dict[str, float]) -> Any:
    """``handler`` (enrich) that first notes when each `goal` record reached it, for the alert path's latency."""

    def noting(event: dict[str, Any], context: Any) -> Any:
        now = time.time()
        for record in event.get("Records", []):
            try:
                data = json.loads(base64.b64decode(record["kinesis"]["data"]))
            except (KeyError, TypeError, ValueError, binascii.Error):
                continue  # enrich itself dead-letters what it cannot read
            if isinstance(data, dict) and data.get("type") == "goal":
                arrivals.setdefault(str(data.get("id")), now)
        return handler(event, context)

    return noting


VERTICAL_CUTS = "vertical-cuts"
"""The run's own subscription to `vertical` events: how it knows each goal's 9:16 cut was published."""


def _observe(event: dict[str, Any], context: Any) -> None:
    """A hook that only receives: its subscription records what SNS delivered."""


def _collect(run: LocalRun) -> None:
    """Refresh what the display shows from the parts' own records."""
    _collect_goals_without_clip(run)
    service = run.service
    if service is not None and service.current_task is not None:
        stats = service.current_task.stats
        if not run.capture_stats or run.capture_stats[-1] is not stats:
            run.capture_stats.append(stats)
    _collect_verticals(run)
    _collect_alerts(run)
    seen = {h.id for h in run.highlights} | {reel.id for reel in run.reels}
    for delivered_at, event in _new_deliveries(run, "gallery", (HighlightEvent, ReelEvent), seen):
        if isinstance(event, ReelEvent):
            run.reels.append(event)
            continue
        assert isinstance(event, HighlightEvent)
        run.highlights.append(event)
        if run.goal_on_screen is not None:
            run.latencies_s[event.goal.id] = delivered_at - run.goal_on_screen(event.goal)


def _new_deliveries(
    run: LocalRun, subscription_name: str, kinds: tuple[type[Delivered], ...], seen: set[str]
) -> Iterator[tuple[float, Delivered]]:
    """The events of ``kinds`` that subscription delivered and ``seen`` lacks, with when; adds their ids to it."""
    subscription = next((t for t in run.triggers if t.name == subscription_name), None)
    if not isinstance(subscription, TopicSubscription):
        return
    for delivered_at, envelope in list(subscription.delivered):
        event = parse_event(envelope["Message"])
        if isinstance(event, kinds) and event.id not in seen:
            seen.add(event.id)
            yield delivered_at, event


def _collect_goals_without_clip(run: LocalRun) -> None:
    """The goals enrich gave up (no segment shows them) or whose job clip refused, with why: said loudly."""
    records = run.without_clip_records
    if records is None:
        return
    clipped = {h.goal.id for h in run.highlights}
    for goal in run.goals:
        if goal.id in clipped or goal.id in run.goals_without_clip:
            continue
        reason = records.reason(goal.id)
        if reason is not None:
            run.goals_without_clip[goal.id] = reason
            logger.error("goal %s gets no clip: %s", goal.id, reason)


def _collect_verticals(run: LocalRun) -> None:
    seen = {vertical.id for vertical in run.verticals}
    for _, vertical in _new_deliveries(run, VERTICAL_CUTS, (VerticalEvent,), seen):
        run.verticals.append(vertical)


def _collect_alerts(run: LocalRun) -> None:
    """The goal alerts the webhook hook handled, and how long after the goal was on screen."""
    seen = {alert.id for alert in run.alerts}
    for delivered_at, alert in _new_deliveries(run, "webhook", (GoalAlert,), seen):
        run.alerts.append(alert)
        if run.goal_on_screen is not None:
            run.alert_latencies_s[alert.goal.id] = delivered_at - run.goal_on_screen(alert.goal)
        if alert.goal.id in run.goal_reached_enrich_at:
            run.alert_path_s[alert.goal.id] = delivered_at - run.goal_reached_enrich_at[alert.goal.id]


def _drain(
    run: LocalRun, stall_s: float, on_tick: Callable[[LocalRun], None] | None, *, stream_over: Callable[[], None]
) -> None:
    """Wait until every goal has its alert and its clip delivered (or is known to have none) and every clip its
    vertical cut, or until nothing has moved for ``stall_s``.

    Progress, not a clock, decides: a function still running (a re-encode at a low priority on a busy
    laptop can take minutes) or one that ran within ``stall_s`` keeps the wait going, so a slow machine
    gets its results late rather than an error. Once enrich has taken every event of the ended stream and
    goals still wait for their post-roll, ``stream_over`` tells enrich that nothing more will come (the
    cloud's sweep does that once ``post_roll_wait_s`` has passed), once.
    """
    told_stream_over = False
    enrich = next((t for t in run.triggers if isinstance(t, KinesisTrigger)), None)
    empty_polls_at_end = enrich.empty_polls if enrich else 0
    while not _stalled(run, stall_s):
        _collect(run)
        if on_tick:
            on_tick(run)
        clipped = {h.goal.id for h in run.highlights}
        settled = clipped | set(run.goals_without_clip)
        alerted = {alert.goal.id for alert in run.alerts}
        goals = {goal.id for goal in run.goals}
        if goals <= settled and goals <= alerted and clipped <= {v.goal.id for v in run.verticals}:
            if _quiet(run, 1.5):
                return
        elif not told_stream_over and enrich is not None and enrich.empty_polls > empty_polls_at_end:
            stream_over()  # enrich has taken every event of the ended stream: nothing more will come
            told_stream_over = True
        time.sleep(0.25)
    stalled = f"after the stream ended, once nothing had moved for {stall_s:.0f} s"
    missing = len({g.id for g in run.goals} - {h.goal.id for h in run.highlights} - set(run.goals_without_clip))
    if missing:
        run.errors.append(f"{missing} goal(s) got no highlight {stalled}")
    no_alert = len({g.id for g in run.goals} - {alert.goal.id for alert in run.alerts})
    if no_alert:
        run.errors.append(
            f"{no_alert} goal(s) got no alert in the chat {stalled}; "
            "the enrich dead-letter queue and the webhook hook's log say why"
        )
    no_vertical = len({h.goal.id for h in run.highlights} - {v.goal.id for v in run.verticals})
    if no_vertical:
        run.errors.append(
            f"{no_vertical} highlight(s) got no vertical cut {stalled}; the vertical dead-letter queue says why"
        )


def _stream_over(aws: EmulatedAws, run: LocalRun) -> None:
    """The stream has ended: enrich's sweep decides the waiting goals now instead of after ``post_roll_wait_s``.

    In the cloud a goal whose post-roll never comes is clipped with what exists (or given up) by the
    scheduled sweep once the wait is over; locally nothing more can come once the source ended, so the
    same sweep runs at once with no wait.
    """
    from functions.enrich.handler import handler as enrich_handler

    aws.set_env({"POST_ROLL_WAIT_S": "0"})  # restored when the emulator stops
    enrich = next((t for t in run.triggers if t.name == "enrich"), None)
    context = enrich.context if enrich is not None else LocalLambdaContext(function_name="enrich")
    enrich_handler(WAITING_GOALS_SWEEP_EVENT, context)


def _stalled(run: LocalRun, seconds: float) -> bool:
    """No function is running and none has run for ``seconds``."""
    now = time.monotonic()
    return all(not t.stats.busy and now - t.stats.last_activity >= seconds for t in run.triggers)


def _quiet(run: LocalRun, seconds: float) -> bool:
    now = time.monotonic()
    return all(now - trigger.stats.last_activity >= seconds for trigger in run.triggers)
