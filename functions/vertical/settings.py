"""The vertical function's settings: written by the stack and the local run, read when the function runs.

One model holds the variables' names both ways (``environment()`` writes them,
``from_env()`` reads them; ``lambda_runtime.settings``), so the infra and the
runtime cannot spell one differently.
"""

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

MAX_RECEIVE_COUNT = 5
"""Receives before the vertical queue's redrive policy parks a message (infra and the local run set it): AWS
advises at least 5 for a Lambda source, since a receive whose invocation was throttled counts too."""

DEAD_LETTER_VARIABLE = "VERTICAL_DEAD_LETTER_QUEUE_URL"
"""Its own name (not clip's): the local run shares one environment between the functions."""


class VerticalSettings(FunctionSettings):
    """Where vertical cuts go, where they are announced, and which ffmpeg renders them."""

    highlights_bucket: str = Field(
        alias="HIGHLIGHTS_BUCKET", description="the S3 bucket of the clips and their vertical cuts"
    )
    highlight_topic_arn: str = Field(
        alias="HIGHLIGHT_TOPIC_ARN", description="the ARN of the SNS topic the hooks subscribe to"
    )
    idempotency_table: str = Field(
        alias="IDEMPOTENCY_TABLE", description="the DynamoDB table of Powertools idempotency"
    )
    ffmpeg_path: str = Field(alias="FFMPEG_PATH", default_factory=lambda: default_ffmpeg())
    """Unset: the layer's ffmpeg on Lambda, else the one on PATH."""
    dead_letter_queue_url: str | None = Field(alias=DEAD_LETTER_VARIABLE, default=None)
    """Messages no retry can fix go there at once, with their reason; unset, they are raised and the
    queue's redrive policy moves them after its receives."""
    highlights_base_url: Annotated[str | None, AfterValidator(lambda url: url.rstrip("/") if url else url)] = Field(
        alias="HIGHLIGHTS_BASE_URL", default=None
    )
    """CloudFront in front of the bucket: events link ``{base}/{key}``; unset, they carry presigned links."""
    url_expiry_s: Annotated[int, AfterValidator(lambda s: min(s, MAX_PRESIGNED_EXPIRY_S))] = Field(
        alias="CLIP_URL_EXPIRY_S", default=DEFAULT_SETTINGS.clip_url_expiry_s
    )
    idempotency_ttl_hours: int = Field(alias="IDEMPOTENCY_TTL_HOURS", default=DEFAULT_SETTINGS.idempotency_ttl_hours)
    encoder_threads: Annotated[int | None, AfterValidator(lambda n: n or None)] = Field(
        alias="VERTICAL_ENCODER_THREADS", default=None
    )
    """x264 threads; unset, every core (Lambda). The local run sets 1, so the re-encode leaves the capture
    task a core on a laptop."""


def default_ffmpeg() -> str:
    """The layer's ffmpeg on Lambda, else the one on PATH."""
    if LAYER_FFMPEG.exists():
        return str(LAYER_FFMPEG)
    return shutil.which("ffmpeg") or "ffmpeg"
