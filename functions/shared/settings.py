"""What the clip and vertical functions' settings have in common: where media goes, who hears of it, ffmpeg."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from contracts.settings import DEFAULT_SETTINGS
from lambda_runtime.settings import FunctionSettings

LAYER_FFMPEG = Path("/opt/bin/ffmpeg")
"""Where the ffmpeg Lambda layer puts the static binary."""

MAX_PRESIGNED_EXPIRY_S = 7 * 24 * 3600
"""SigV4 presigned URLs cannot live longer than seven days."""

PresignedExpiry = Annotated[int, AfterValidator(lambda seconds: min(seconds, MAX_PRESIGNED_EXPIRY_S))]
"""Seconds a presigned link lives, cut to SigV4's limit."""


def default_ffmpeg() -> str:
    """The layer's ffmpeg on Lambda, else the one on PATH."""
    if LAYER_FFMPEG.exists():
        return str(LAYER_FFMPEG)
    return shutil.which("ffmpeg") or "ffmpeg"


class MediaFunctionSettings(FunctionSettings):
    """The variables of a function that writes media to the highlights bucket and announces it on the topic."""

    highlights_bucket: str = Field(
        alias="HIGHLIGHTS_BUCKET", description="the S3 bucket the clips, their cuts and thumbnails go to"
    )
    highlight_topic_arn: str = Field(
        alias="HIGHLIGHT_TOPIC_ARN", description="the ARN of the SNS topic the hooks subscribe to"
    )
    idempotency_table: str = Field(
        alias="IDEMPOTENCY_TABLE", description="the DynamoDB table of Powertools idempotency"
    )
    ffmpeg_path: str = Field(alias="FFMPEG_PATH", default_factory=default_ffmpeg)
    """Unset: the layer's ffmpeg on Lambda, else the one on PATH."""
    idempotency_ttl_hours: int = Field(alias="IDEMPOTENCY_TTL_HOURS", default=DEFAULT_SETTINGS.idempotency_ttl_hours)
    highlights_base_url: Annotated[str | None, AfterValidator(lambda url: url.rstrip("/") if url else url)] = Field(
        alias="HIGHLIGHTS_BASE_URL", default=None
    )
    """The CloudFront distribution in front of the bucket: events link ``{base}/{key}``, which lasts as long
    as the object; unset, they carry presigned links."""
