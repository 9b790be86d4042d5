"""The enrich function's settings: the stack writes its environment from them, the function reads them back.

The numbers default to ``PipelineSettings``; each field's alias is its variable (``lambda_runtime.settings``).
"""

from __future__ import annotations

from pydantic import Field

from contracts.settings import DEFAULT_SETTINGS, PipelineSettings
from lambda_runtime.settings import FunctionSettings


class EnrichSettings(FunctionSettings):
    """Where enrich writes and how long a goal waits."""

    segment_table: str = Field(alias="SEGMENT_TABLE", description="the DynamoDB table of the segment index")
    clip_queue_url: str = Field(alias="CLIP_QUEUE_URL", description="the URL of the SQS queue the clip function reads")
    dead_letter_queue_url: str = Field(
        alias="DEAD_LETTER_QUEUE_URL", description="the URL of the SQS queue for records enrich can never process"
    )
    idempotency_table: str = Field(
        alias="IDEMPOTENCY_TABLE", description="the DynamoDB table of Powertools idempotency"
    )
    channel_parameter_name: str = Field(alias="CHANNEL_PARAMETER_NAME", default=DEFAULT_SETTINGS.channel_parameter_name)
    """The SSM parameter listing the channels whose waiting goals the scheduled sweep looks at."""
    pre_roll_s: float = Field(alias="PRE_ROLL_S", default=DEFAULT_SETTINGS.pre_roll_s)
    post_roll_s: float = Field(alias="POST_ROLL_S", default=DEFAULT_SETTINGS.post_roll_s)
    post_roll_wait_s: float = Field(alias="POST_ROLL_WAIT_S", default=DEFAULT_SETTINGS.post_roll_wait_s)
    segment_ttl_hours: int = Field(alias="SEGMENT_TTL_HOURS", default=DEFAULT_SETTINGS.segment_ttl_hours)
    idempotency_ttl_hours: int = Field(alias="IDEMPOTENCY_TTL_HOURS", default=DEFAULT_SETTINGS.idempotency_ttl_hours)
    highlight_topic_arn: str | None = Field(alias="HIGHLIGHT_TOPIC_ARN", default=None)
    """The hooks' topic, where each goal's alert goes at once (``functions.enrich.alerts``); unset: no alerts."""

    @classmethod
    def of(
        cls,
        pipeline: PipelineSettings,
        *,
        segment_table: str,
        clip_queue_url: str,
        dead_letter_queue_url: str,
        idempotency_table: str,
        channel_parameter_name: str,
        highlight_topic_arn: str | None = None,
    ) -> EnrichSettings:
        """The settings the stack and the local run give enrich: these resources, the pipeline's numbers."""
        return cls(
            segment_table=segment_table,
            clip_queue_url=clip_queue_url,
            dead_letter_queue_url=dead_letter_queue_url,
            idempotency_table=idempotency_table,
            channel_parameter_name=channel_parameter_name,
            pre_roll_s=pipeline.pre_roll_s,
            post_roll_s=pipeline.post_roll_s,
            post_roll_wait_s=pipeline.post_roll_wait_s,
            segment_ttl_hours=pipeline.segment_ttl_hours,
            idempotency_ttl_hours=pipeline.idempotency_ttl_hours,
            highlight_topic_arn=highlight_topic_arn,
        )
