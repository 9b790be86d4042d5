"""The clip function's settings, read from its environment when it runs."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from contracts.settings import DEFAULT_SETTINGS
from functions.shared.env import int_env, required_env

LAYER_FFMPEG = Path("/opt/bin/ffmpeg")
"""Where the ffmpeg Lambda layer puts the static binary."""

MAX_PRESIGNED_EXPIRY_S = 7 * 24 * 3600
"""SigV4 presigned URLs cannot live longer than seven days."""


@dataclass(frozen=True)
class ClipSettings:
    """Where clips go and which ffmpeg cuts them; the infra stack sets the variables."""

    highlights_bucket: str
    highlight_topic_arn: str
    idempotency_table: str
    ffmpeg_path: str
    clip_url_expiry_s: int = DEFAULT_SETTINGS.clip_url_expiry_s
    idempotency_ttl_hours: int = DEFAULT_SETTINGS.idempotency_ttl_hours
    dead_letter_queue_url: str | None = None
    """``CLIP_DEAD_LETTER_QUEUE_URL`` (apart from enrich's name: the local run shares one environment): jobs
    no retry can fix go there at once with their reason; unset, they are raised, and the clip queue's
    redrive policy moves them after its receives."""
    highlights_base_url: str | None = None
    """``HIGHLIGHTS_BASE_URL`` (the CloudFront distribution in front of the bucket): events link
    ``{base}/{key}``, which lasts as long as the object; unset, they carry presigned links."""
    local_media_root: Path | None = None
    """Set only off AWS (``LOCAL_MEDIA_ROOT``): jobs may then name files under it; otherwise only s3:// is read."""

    @classmethod
    def from_env(cls) -> ClipSettings:
        """Read the variables listed in ``functions/README.md``; FFMPEG_PATH defaults to the layer's or PATH's."""
        return cls(
            highlights_bucket=required_env("HIGHLIGHTS_BUCKET", "the S3 bucket the clips and thumbnails go to"),
            highlight_topic_arn=required_env("HIGHLIGHT_TOPIC_ARN", "the ARN of the SNS topic the hooks subscribe to"),
            idempotency_table=required_env("IDEMPOTENCY_TABLE", "the DynamoDB table of Powertools idempotency"),
            ffmpeg_path=os.environ.get("FFMPEG_PATH", "").strip() or default_ffmpeg(),
            clip_url_expiry_s=min(
                int_env("CLIP_URL_EXPIRY_S", DEFAULT_SETTINGS.clip_url_expiry_s), MAX_PRESIGNED_EXPIRY_S
            ),
            idempotency_ttl_hours=int_env("IDEMPOTENCY_TTL_HOURS", DEFAULT_SETTINGS.idempotency_ttl_hours),
            dead_letter_queue_url=os.environ.get("CLIP_DEAD_LETTER_QUEUE_URL", "").strip() or None,
            highlights_base_url=os.environ.get("HIGHLIGHTS_BASE_URL", "").strip() or None,
            local_media_root=Path(root) if (root := os.environ.get("LOCAL_MEDIA_ROOT", "").strip()) else None,
        )


def default_ffmpeg() -> str:
    """The layer's ffmpeg on Lambda, else the one on PATH."""
    if LAYER_FFMPEG.exists():
        return str(LAYER_FFMPEG)
    return shutil.which("ffmpeg") or "ffmpeg"
