"""The embedded default source: the demo broadcast, rendered once and served live on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from sample_broadcast import (
    TWITCH_WINDOW_SEGMENTS,
    BroadcastInfo,
    LiveHlsServer,
    SampleBroadcast,
    demo_broadcast,
    ensure_broadcast,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / ".cache" / "broadcasts"


def demo_stream(sample: SampleBroadcast | None = None) -> BroadcastInfo:
    """Render the demo broadcast (or `sample`) unless a previous run already did (≈15 s the first time)."""
    sample = sample or demo_broadcast()
    return ensure_broadcast(CACHE_DIR, sample.script, sample.style, sample.start_pdt)


def serve_live(info: BroadcastInfo, speed: float) -> LiveHlsServer:
    """A live HLS server whose playlist grows and slides like a Twitch one (14 segments), `speed` times faster."""
    return LiveHlsServer(info.directory, speed=speed, window_segments=TWITCH_WINDOW_SEGMENTS, preloaded_segments=2)
