"""The enrich function's settings, read from its environment when it runs (defaults: PipelineSettings)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from contracts.settings import DEFAULT_SETTINGS
from functions.shared.env import float_env, int_env, required_env


@dataclass(frozen=True)
class EnrichSettings:
    """Where enrich writes and how long a goal waits; the infra stack sets the variables."""

    segment_table: str
    clip_queue_url: str
    dead_letter_queue_url: str
    idempotency_table: str
    channel_parameter_name: str = DEFAULT_SETTINGS.channel_parameter_name
    """The SSM parameter listing the channels whose waiting goals the scheduled sweep looks at."""
    pre_roll_s: float = DEFAULT_SETTINGS.pre_roll_s
    post_roll_s: float = DEFAULT_SETTINGS.post_roll_s
    post_roll_wait_s: float = DEFAULT_SETTINGS.post_roll_wait_s
    segment_ttl_hours: int = DEFAULT_SETTINGS.segment_ttl_hours
    idempotency_ttl_hours: int = DEFAULT_SETTINGS.idempotency_ttl_hours
    highlight_topic_arn: str | None = None
    """The hooks' topic, where each goal's alert goes at once (``functions.enrich.alerts``); unset: no alerts."""

    @classmethod
    def from_env(cls) -> EnrichSettings:
        """Read the variables listed in ``functions/README.md``; the numbers default to PipelineSettings."""
        return cls(
            segment_table=required_env("SEGMENT_TABLE", "the DynamoDB table of the segment index"),
            clip_queue_url=required_env("CLIP_QUEUE_URL", "the URL of the SQS queue the clip function reads"),
            dead_letter_queue_url=required_env(
                "DEAD_LETTER_QUEUE_URL", "the URL of the SQS queue for records enrich can never process"
            ),
            idempotency_table=required_env("IDEMPOTENCY_TABLE", "the DynamoDB table of Powertools idempotency"),
            channel_parameter_name=os.environ.get("CHANNEL_PARAMETER_NAME") or DEFAULT_SETTINGS.channel_parameter_name,
            pre_roll_s=float_env("PRE_ROLL_S", DEFAULT_SETTINGS.pre_roll_s),
            post_roll_s=float_env("POST_ROLL_S", DEFAULT_SETTINGS.post_roll_s),
            post_roll_wait_s=float_env("POST_ROLL_WAIT_S", DEFAULT_SETTINGS.post_roll_wait_s),
            segment_ttl_hours=int_env("SEGMENT_TTL_HOURS", DEFAULT_SETTINGS.segment_ttl_hours),
            idempotency_ttl_hours=int_env("IDEMPOTENCY_TTL_HOURS", DEFAULT_SETTINGS.idempotency_ttl_hours),
            highlight_topic_arn=os.environ.get("HIGHLIGHT_TOPIC_ARN") or None,
        )
