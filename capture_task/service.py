"""The long-running capture service: the Fargate container's `python -m capture_task run`.

The channel lives in an SSM parameter so an operator can switch it with
`aws ssm put-parameter --overwrite` and no redeploy: the service re-reads the
parameter every CHANNEL_POLL_INTERVAL_S seconds and, when it changed, stops the
current capture (flushing its events) and starts the new one. The delay of a
switch is at most one poll interval plus the time to resolve the new stream.

Parameter value: a Twitch channel name (`somechannel`), or `NAME=SOURCE` where
SOURCE is anything `detect` accepts (an HLS URL; the local pipeline uses this
for the sample broadcast). Several comma-separated entries are allowed (one
task per channel is the stack's job); a task reads the entry named by its
CHANNEL environment variable, or the first.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import boto3

from capture_task.capture import CaptureTask
from capture_task.ingest.buffer import FetchAhead
from capture_task.ingest.segments import source_segments
from capture_task.ingest.sources import is_live_source
from capture_task.metrics import CaptureMetrics
from capture_task.publish.checkpoints import CheckpointStore, S3CheckpointStore, saved_checkpoint
from capture_task.publish.keeper import KeepPolicy, keep_segments_named
from capture_task.publish.publisher import EventSink, sink_for
from capture_task.publish.segment_store import S3SegmentStore, SegmentStore, s3_client_with_retries
from capture_task.vision.ocr import start_engine
from contracts.channels import ChannelEntry, channel_entry, checked_channel_entry
from contracts.exceptions import UnsafeChannelEntryError
from contracts.settings import ALLOW_PRIVATE_STREAM_URLS_ENV, DEFAULT_SETTINGS

logger = logging.getLogger("highlight_bot.capture")

DEFAULT_POLL_INTERVAL_S = DEFAULT_SETTINGS.channel_poll_interval_s


class ChannelParameter:
    """Reads the channel parameter; a failed read keeps the last good value, an unsafe entry is not followed.

    ``allow_private_stream_urls`` lets entries name http://, private or loopback URLs and local files
    (the local run's HLS on 127.0.0.1); see ``contracts.channels.checked_channel_entry``.
    """

    def __init__(
        self, ssm_client: Any, name: str, wanted: str | None = None, *, allow_private_stream_urls: bool = False
    ) -> None:
        self._ssm = ssm_client
        self.name = name
        self.wanted = wanted
        self.allow_private_stream_urls = allow_private_stream_urls
        self.last: ChannelEntry | None = None

    def read(self) -> ChannelEntry | None:
        try:
            value = self._ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        except Exception as error:
            logger.warning("could not read SSM parameter %s (%s); keeping %s", self.name, error, self.last)
            return self.last
        entry = channel_entry(str(value), self.wanted)
        if entry is not None and entry != self.last:  # an entry already followed was checked when it arrived
            try:
                checked_channel_entry(entry, allow_private_stream_urls=self.allow_private_stream_urls)
            except UnsafeChannelEntryError as error:
                logger.error("not following the channel parameter %s: %s", self.name, error)
                entry = None
        self.last = entry
        return self.last


class CaptureService:
    """Follows whatever channel the parameter names, switching when it changes.

    Example:
        >>> service = CaptureService(parameter, sink_factory=lambda: sink_for(None, kinesis_stream="s"))
        >>> service.run()   # until stop() (SIGTERM in the container)
    """

    def __init__(
        self,
        parameter: ChannelParameter,
        *,
        sink_factory: Callable[[], EventSink],
        store: SegmentStore | None,
        poll_interval_s: float = DEFAULT_POLL_INTERVAL_S,
        quality: str = "best",
        exit_when_ended: bool = False,
        emit_metrics: bool = False,
        keep: KeepPolicy | None = None,
        checkpoints: CheckpointStore | None = None,
    ) -> None:
        self.parameter = parameter
        self.sink_factory = sink_factory
        self.store = store
        self.poll_interval_s = poll_interval_s
        self.quality = quality
        self.exit_when_ended = exit_when_ended
        """Return once a fixed source (not a Twitch channel) has ended: the local run's sample does."""
        self.emit_metrics = emit_metrics
        """Print CloudWatch EMF lines on stdout (the Fargate task; not the local run's terminal)."""
        self.keep = keep or KeepPolicy()
        """Which segments are stored and announced: by default only those around goals."""
        self.checkpoints = checkpoints
        """Where each channel's match state is kept, so a restart resumes it (None: start afresh)."""
        self.switches = 0
        self.errors: list[str] = []
        """Why captures failed, as sentences (the local run reports them)."""
        self.current_task: CaptureTask | None = None
        """The capture in progress, for status displays."""
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        current = self.parameter.read()
        finished: ChannelEntry | None = None
        while not self._stopped.is_set():
            if current is None or current == finished:
                if current is None:
                    logger.warning("parameter %s names no channel; checking again soon", self.parameter.name)
                self._stopped.wait(self.poll_interval_s)
                current = self.parameter.read()
                continue
            following = current
            current = self._follow(following)
            # A Twitch channel that ended may go live again (the resolver waits for it);
            # a fixed URL that ended (a VOD, the sample) would only replay: wait for a new value.
            ended_for_good = current == following and not following.source.startswith("twitch:")
            if ended_for_good and self.exit_when_ended:
                return
            finished = following if ended_for_good else None

    def _follow(self, target: ChannelEntry) -> ChannelEntry | None:
        """Capture `target` until the parameter names something else (returned) or the service stops."""
        logger.info("following channel %s (%s)", target.channel, target.source)
        capture_stop = threading.Event()
        sink = self.sink_factory()
        metrics = CaptureMetrics(target.channel) if self.emit_metrics else None
        task = self.current_task = CaptureTask(
            target.channel,
            sink=sink,
            store=self.store,
            metrics=metrics,
            keep=self.keep,
            resume_from=saved_checkpoint(self.checkpoints, target.channel),
            checkpoints=self.checkpoints,
        )

        def capture() -> None:
            try:
                # Once per followed channel (hours), not per segment: the first reading then costs
                # what every later one does. Tesseract's engine belongs to this thread.
                start_engine()
                segments = source_segments(
                    target.source,
                    self.quality,
                    capture_stop,
                    metrics=metrics,
                    allow_private_stream_urls=self.parameter.allow_private_stream_urls,
                )
                task.run(FetchAhead(segments, stop_event=capture_stop, live=is_live_source(target.source)))
            except Exception as error:
                self.errors.append(f"capture of {target.channel} failed: {error}")
                logger.error(
                    "capture of %s failed; it restarts at the next poll: %s",
                    target.channel,
                    error,
                    exc_info=logger.isEnabledFor(logging.DEBUG),
                )
            finally:
                sink.close()
                if metrics is not None:
                    metrics.flush()

        worker = threading.Thread(target=capture, name=f"capture-{target.channel}", daemon=True)
        worker.start()
        latest: ChannelEntry | None = target
        while not self._stopped.wait(self.poll_interval_s):
            latest = self.parameter.read()
            if latest != target or not worker.is_alive():
                break
        capture_stop.set()
        worker.join()
        if latest != target:
            self.switches += 1
            logger.info("channel parameter changed: %s -> %s", target.channel, latest and latest.channel)
        return latest


def run_from_environment() -> int:
    """The container's entry point: everything from environment variables set by the stack."""
    parameter_name = os.environ.get("CHANNEL_PARAMETER_NAME", DEFAULT_SETTINGS.channel_parameter_name)
    stream = os.environ.get("KINESIS_STREAM_NAME")
    bucket = os.environ.get("SEGMENTS_BUCKET")
    if not stream or not bucket:
        raise ValueError("KINESIS_STREAM_NAME and SEGMENTS_BUCKET must be set (the stack sets them in the task)")
    keep = KeepPolicy(
        keep=keep_segments_named(
            os.environ.get("KEEP_SEGMENTS", DEFAULT_SETTINGS.keep_segments), setting="KEEP_SEGMENTS"
        ),
        pre_roll_s=float(os.environ.get("PRE_ROLL_S", DEFAULT_SETTINGS.pre_roll_s)),
        post_roll_s=float(os.environ.get("POST_ROLL_S", DEFAULT_SETTINGS.post_roll_s)),
    )
    session = boto3.session.Session()
    s3 = s3_client_with_retries(session)
    service = CaptureService(
        ChannelParameter(
            session.client("ssm"),
            parameter_name,
            os.environ.get("CHANNEL") or None,
            allow_private_stream_urls=os.environ.get(ALLOW_PRIVATE_STREAM_URLS_ENV, "").lower() == "true",
        ),
        sink_factory=lambda: sink_for(None, kinesis_stream=stream, session=session),
        store=S3SegmentStore(s3, bucket),
        checkpoints=S3CheckpointStore(s3, bucket),
        poll_interval_s=float(os.environ.get("CHANNEL_POLL_INTERVAL_S", DEFAULT_POLL_INTERVAL_S)),
        quality=os.environ.get("STREAM_QUALITY", "best"),
        emit_metrics=True,
        keep=keep,
    )
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    service.run()
    return 0
