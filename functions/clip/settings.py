"""The clip function's settings: the stack writes its environment from them, the function reads them back."""

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


class ClipSettings(FunctionSettings):
    """Where clips go and which ffmpeg cuts them: the stack writes these variables, the function reads them."""

    highlights_bucket: str = Field(
        alias="HIGHLIGHTS_BUCKET", description="the S3 bucket the clips and thumbnails go to"
    )
    highlight_topic_arn: str = Field(
        alias="HIGHLIGHT_TOPIC_ARN", description="the ARN of the SNS topic the hooks subscribe to"
    )
    idempotency_table: str = Field(
        alias="IDEMPOTENCY_TABLE", description="the DynamoDB table of Powertools idempotency"
    )
    ffmpeg_path: str = Field(alias="FFMPEG_PATH", default_factory=lambda: default_ffmpeg())
    """Unset: the layer's ffmpeg on Lambda, else the one on PATH."""
    clip_url_expiry_s: Annotated[int, AfterValidator(lambda s: min(s, MAX_PRESIGNED_EXPIRY_S))] = Field(
        alias="CLIP_URL_EXPIRY_S", default=DEFAULT_SETTINGS.clip_url_expiry_s
    )
    idempotency_ttl_hours: int = Field(alias="IDEMPOTENCY_TTL_HOURS", default=DEFAULT_SETTINGS.idempotency_ttl_hours)
    dead_letter_queue_url: str | None = Field(alias="CLIP_DEAD_LETTER_QUEUE_URL", default=None)
    """Apart from enrich's name (the local run shares one environment): jobs no retry can fix go there at
    once with their reason; unset, they are raised, and the clip queue's redrive policy moves them after
    its receives."""
    highlights_base_url: str | None = Field(alias="HIGHLIGHTS_BASE_URL", default=None)
    """The CloudFront distribution in front of the bucket: events link ``{base}/{key}``, which lasts as
    long as the object; unset, they carry presigned links."""
    local_media_root: Path | None = Field(alias="LOCAL_MEDIA_ROOT", default=None)
    """Set only off AWS: jobs may then name files under it; otherwise only s3:// is read."""


def default_ffmpeg() -> str:
    """The layer's ffmpeg on Lambda, else the one on PATH."""
    if LAYER_FFMPEG.exists():
        return str(LAYER_FFMPEG)
    return shutil.which("ffmpeg") or "ffmpeg"
