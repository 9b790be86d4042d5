"""The vertical function's settings: written by the stack and the local run, read when the function runs.

One model holds the variables' names both ways (``environment()`` writes them,
``from_env()`` reads them; ``lambda_runtime.settings``), so the infra and the
runtime cannot spell one differently.
"""

from __future__ import annotations

from pydantic import Field

from contracts.settings import DEFAULT_SETTINGS
from functions.shared.settings import MediaFunctionSettings, PresignedExpiry

MAX_RECEIVE_COUNT = 5
"""Receives before the vertical queue's redrive policy parks a message (infra and the local run set it): AWS
advises at least 5 for a Lambda source, since a receive whose invocation was throttled counts too."""

TIMEOUT_S = 300
"""The function's timeout (infra). A 25 s clip at 1080p60 takes ~22 CPU s to re-encode (bench.clip), ~15 s on
1.7 vCPU; 300 s leaves room for longer clips, a cold start and a slow S3 transfer."""
JOBS_VISIBILITY_TIMEOUT_S = 6 * TIMEOUT_S
"""The vertical queue's visibility timeout, in the stack and the local run: AWS advises at least six times the
consumer's timeout, so a slow cut is not redelivered meanwhile. The local run cuts with ``MAX_CONCURRENCY``
workers, and a cut on a loaded laptop can take minutes: a shorter timeout would hand a job still being cut to the
other worker, which Powertools idempotency would then refuse as already in progress."""

MAX_CONCURRENCY = 2
"""Cuts made at once: the vertical queue's event source mapping runs at most this many invocations (infra; 2 is the
smallest maximum concurrency Lambda accepts), and the local run polls the queue with as many workers, so two goals
close together are cut side by side in both places, not one after the other."""

DEAD_LETTER_VARIABLE = "VERTICAL_DEAD_LETTER_QUEUE_URL"
"""Its own name (not clip's): the local run shares one environment between the functions."""


class VerticalSettings(MediaFunctionSettings):
    """Where vertical cuts go, where they are announced, and which ffmpeg renders them."""

    dead_letter_queue_url: str | None = Field(alias=DEAD_LETTER_VARIABLE, default=None)
    """Messages no retry can fix go there at once, with their reason; unset, they are raised and the
    queue's redrive policy moves them after its receives."""
    url_expiry_s: PresignedExpiry = Field(alias="CLIP_URL_EXPIRY_S", default=DEFAULT_SETTINGS.clip_url_expiry_s)
    background: bool = Field(alias="VERTICAL_BACKGROUND", default=False)
    """ffmpeg runs with one thread at a low CPU priority (nice 10). The local run sets it, so the re-encode never
    slows the capture task on the same machine; on Lambda (unset) it uses every core."""
