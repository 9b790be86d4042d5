"""The clip function's settings: the stack writes its environment from them, the function reads them back."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from contracts.settings import DEFAULT_SETTINGS
from functions.shared.settings import MediaFunctionSettings, PresignedExpiry


class ClipSettings(MediaFunctionSettings):
    """Where clips go and which ffmpeg cuts them: the stack writes these variables, the function reads them."""

    clip_url_expiry_s: PresignedExpiry = Field(alias="CLIP_URL_EXPIRY_S", default=DEFAULT_SETTINGS.clip_url_expiry_s)
    dead_letter_queue_url: str | None = Field(alias="CLIP_DEAD_LETTER_QUEUE_URL", default=None)
    """Apart from enrich's name (the local run shares one environment): jobs no retry can fix go there at
    once with their reason; unset, they are raised, and the clip queue's redrive policy moves them after
    its receives."""
    local_media_root: Path | None = Field(alias="LOCAL_MEDIA_ROOT", default=None)
    """Set only off AWS: jobs may then name files under it; otherwise only s3:// is read."""
