"""The vertical function's settings: written by the stack and the local run, read when the function runs.

One class holds the variables' names both ways (``environment`` writes them,
``from_env`` reads them), so the infra and the runtime cannot spell one
differently.
"""

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

MAX_RECEIVE_COUNT = 5
"""Receives before the vertical queue's redrive policy parks a message (infra and the local run set it): AWS
advises at least 5 for a Lambda source, since a receive whose invocation was throttled counts too."""

DEAD_LETTER_VARIABLE = "VERTICAL_DEAD_LETTER_QUEUE_URL"
"""Its own name (not clip's): the local run shares one environment between the functions."""


@dataclass(frozen=True)
class VerticalSettings:
    """Where vertical cuts go, where they are announced, and which ffmpeg renders them."""

    highlights_bucket: str
    highlight_topic_arn: str
    idempotency_table: str
    ffmpeg_path: str
    dead_letter_queue_url: str | None = None
    """Messages no retry can fix go there at once, with their reason; unset, they are raised and the
    queue's redrive policy moves them after its receives."""
    highlights_base_url: str | None = None
    """``HIGHLIGHTS_BASE_URL`` (CloudFront in front of the bucket): events link ``{base}/{key}``; unset,
    they carry presigned links."""
    url_expiry_s: int = DEFAULT_SETTINGS.clip_url_expiry_s
    idempotency_ttl_hours: int = DEFAULT_SETTINGS.idempotency_ttl_hours
    background: bool = False
    """``VERTICAL_BACKGROUND=1``: ffmpeg runs with one thread at the lowest CPU priority. The local run sets
    it, so the re-encode never slows the capture task on the same machine; on Lambda it uses every core."""

    def environment(self) -> dict[str, str]:
        """The variables ``from_env`` reads (the stack and the local run set them)."""
        optional = {
            DEAD_LETTER_VARIABLE: self.dead_letter_queue_url,
            "HIGHLIGHTS_BASE_URL": self.highlights_base_url,
            "VERTICAL_BACKGROUND": "1" if self.background else None,
        }
        return {
            "HIGHLIGHTS_BUCKET": self.highlights_bucket,
            "HIGHLIGHT_TOPIC_ARN": self.highlight_topic_arn,
            "IDEMPOTENCY_TABLE": self.idempotency_table,
            "FFMPEG_PATH": self.ffmpeg_path,
            "CLIP_URL_EXPIRY_S": str(self.url_expiry_s),
            "IDEMPOTENCY_TTL_HOURS": str(self.idempotency_ttl_hours),
            **{name: value for name, value in optional.items() if value},
        }

    @classmethod
    def from_env(cls) -> VerticalSettings:
        """Read the variables listed in ``functions/README.md``; FFMPEG_PATH defaults to the layer's or PATH's."""
        return cls(
            highlights_bucket=required_env("HIGHLIGHTS_BUCKET", "the S3 bucket of the clips and their vertical cuts"),
            highlight_topic_arn=required_env("HIGHLIGHT_TOPIC_ARN", "the ARN of the SNS topic the hooks subscribe to"),
            idempotency_table=required_env("IDEMPOTENCY_TABLE", "the DynamoDB table of Powertools idempotency"),
            ffmpeg_path=os.environ.get("FFMPEG_PATH", "").strip() or default_ffmpeg(),
            dead_letter_queue_url=os.environ.get(DEAD_LETTER_VARIABLE, "").strip() or None,
            highlights_base_url=os.environ.get("HIGHLIGHTS_BASE_URL", "").strip().rstrip("/") or None,
            url_expiry_s=min(int_env("CLIP_URL_EXPIRY_S", DEFAULT_SETTINGS.clip_url_expiry_s), MAX_PRESIGNED_EXPIRY_S),
            idempotency_ttl_hours=int_env("IDEMPOTENCY_TTL_HOURS", DEFAULT_SETTINGS.idempotency_ttl_hours),
            background=os.environ.get("VERTICAL_BACKGROUND", "").strip() == "1",
        )


def default_ffmpeg() -> str:
    """The layer's ffmpeg on Lambda, else the one on PATH."""
    if LAYER_FFMPEG.exists():
        return str(LAYER_FFMPEG)
    return shutil.which("ffmpeg") or "ffmpeg"
