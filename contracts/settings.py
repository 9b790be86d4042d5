"""Settings shared by the CDK app and the local pipeline, so the two cannot drift apart.

The CDK app turns these into resource properties and Lambda environment
variables; the local run (moto on loopback) creates its emulated resources
from the same object. Override any of them with CDK context or CLI options,
never by editing a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KeepSegments = Literal["around_goals", "all"]
"""Which segments the capture task stores in S3 and announces (see ``capture_task.publish.keeper``)."""

CHECKPOINTS_PREFIX = "checkpoints"
"""Where the capture task keeps each channel's match checkpoint in the segments bucket (outside the
expiring ``segments/``); the stack lets the task read only this prefix back."""

TWITCH_OAUTH_SECRET_ENV = "TWITCH_OAUTH_SECRET_ARN"
"""The capture task's variable naming the (optional) Secrets Manager secret that holds a Twitch OAuth
token: the stack writes it (context ``twitch_oauth_secret``), ``capture_task.ingest.sources`` reads it."""


@dataclass(frozen=True)
class PipelineSettings:
    """Names and numbers every part of highlight-bot agrees on."""

    channel_parameter_name: str = "/highlight-bot/channel"
    """SSM parameter holding the Twitch channel(s); a human types it, so it has a fixed name."""
    default_channel: str = "sample"
    pre_roll_s: float = 20.0
    """Seconds of play before the goal's first frame that a clip shows."""
    post_roll_s: float = 5.0
    """Seconds after it (the celebration)."""
    post_roll_wait_s: float = 120.0
    """How long enrich waits for the segments after a goal before giving up to the DLQ."""
    waiting_goals_sweep_minutes: int = 5
    """How often enrich looks at every listed channel's waiting goals without an event to prompt it."""
    keep_segments: KeepSegments = "around_goals"
    """Store only the segments around goals (~45 PUTs a stream-hour), or ``all`` (1,800): docs/cost.md."""
    segment_ttl_hours: int = 24
    """Segments are only needed until their clip is cut; S3 and DynamoDB expire them."""
    idempotency_ttl_hours: int = 48
    clip_url_expiry_s: int = 7 * 24 * 3600
    """Presigned clip links in highlight events stay valid this long (SigV4 maximum)."""
    channel_poll_interval_s: float = 30.0
    """How often the capture task re-reads the channel parameter (switch delay)."""
    kinesis_retention_hours: int = 24
    highlight_event_type_attribute: str = "event_type"
    channel_attribute: str = "channel"

    def capture_environment(
        self, *, channel_parameter: str, kinesis_stream: str, segments_bucket: str
    ) -> dict[str, str]:
        """The capture task's variables (``capture_task.service.run_from_environment`` reads them)."""
        return {
            "CHANNEL_PARAMETER_NAME": channel_parameter,
            "KINESIS_STREAM_NAME": kinesis_stream,
            "SEGMENTS_BUCKET": segments_bucket,
            "CHANNEL_POLL_INTERVAL_S": str(self.channel_poll_interval_s),
            "KEEP_SEGMENTS": self.keep_segments,
            "PRE_ROLL_S": str(self.pre_roll_s),
            "POST_ROLL_S": str(self.post_roll_s),
        }

    def enrich_environment(
        self,
        *,
        segment_table: str,
        idempotency_table: str,
        clip_queue_url: str,
        dead_letter_queue_url: str,
        channel_parameter: str,
        topic_arn: str | None = None,
    ) -> dict[str, str]:
        """The enrich function's variables: built here for the stack and the local run alike.

        ``topic_arn`` (the hooks' topic) makes enrich publish each goal's alert there at once.
        """
        return {
            "CHANNEL_PARAMETER_NAME": channel_parameter,
            "SEGMENT_TABLE": segment_table,
            "IDEMPOTENCY_TABLE": idempotency_table,
            "CLIP_QUEUE_URL": clip_queue_url,
            "DEAD_LETTER_QUEUE_URL": dead_letter_queue_url,
            "PRE_ROLL_S": str(self.pre_roll_s),
            "POST_ROLL_S": str(self.post_roll_s),
            "POST_ROLL_WAIT_S": str(self.post_roll_wait_s),
            "SEGMENT_TTL_HOURS": str(self.segment_ttl_hours),
            "IDEMPOTENCY_TTL_HOURS": str(self.idempotency_ttl_hours),
            **({"HIGHLIGHT_TOPIC_ARN": topic_arn} if topic_arn else {}),
        }

    def clip_environment(
        self,
        *,
        highlights_bucket: str,
        topic_arn: str,
        idempotency_table: str,
        ffmpeg_path: str,
        highlights_base_url: str | None = None,
        dead_letter_queue_url: str | None = None,
    ) -> dict[str, str]:
        """The clip function's variables: built here for the stack and the local run alike.

        ``highlights_base_url`` (a CloudFront distribution, or the local run's bucket URL) makes events
        link ``{base}/{key}`` instead of presigned URLs; ``dead_letter_queue_url`` makes jobs no retry
        can fix go there at once, with their reason, instead of after the queue's redrive.
        """
        optional = {"HIGHLIGHTS_BASE_URL": highlights_base_url, "CLIP_DEAD_LETTER_QUEUE_URL": dead_letter_queue_url}
        return {
            "HIGHLIGHTS_BUCKET": highlights_bucket,
            "HIGHLIGHT_TOPIC_ARN": topic_arn,
            "IDEMPOTENCY_TABLE": idempotency_table,
            "FFMPEG_PATH": ffmpeg_path,
            "CLIP_URL_EXPIRY_S": str(self.clip_url_expiry_s),
            "IDEMPOTENCY_TTL_HOURS": str(self.idempotency_ttl_hours),
            **{name: value for name, value in optional.items() if value},
        }


DEFAULT_SETTINGS = PipelineSettings()

WAITING_GOALS_SWEEP_EVENT: dict[str, str] = {"sweep": "waiting_goals"}
"""The input of enrich's schedule (the stack sets it, the handler recognises it): look at waiting goals."""
