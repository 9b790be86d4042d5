"""Sample FIFA broadcasts for testing the goal detector: rendered, HLS-encoded, served live.

Every visual choice (HUD font, size, offsets, colours, resolution, compression, chat
and webcam overlays) comes from a seed, so the detector is tested on looks it was not
tuned for; the ground truth comes from the same script the frames are drawn from.

Example:
    >>> from sample_broadcast import ensure_broadcast, test_broadcast, LiveHlsServer
    >>> sample = test_broadcast("720p30")
    >>> info = ensure_broadcast(cache, sample.script, sample.style, sample.start_pdt)
    >>> with LiveHlsServer(info.directory, speed=4) as server:
    ...     follow(server.playlist_url)
"""

from sample_broadcast.broadcast import (
    DEFAULT_START_PDT,
    BroadcastInfo,
    ensure_broadcast,
    render_broadcast,
)
from sample_broadcast.exceptions import (
    EncoderError,
    FontsMissingError,
    InvalidScriptError,
    SampleBroadcastError,
)
from sample_broadcast.render import FrameRenderer
from sample_broadcast.script import (
    GAME_CLOCK_RATE,
    Goal,
    HalfTime,
    MatchScript,
    MatchState,
    NewMatch,
    random_script,
)
from sample_broadcast.serve import TWITCH_WINDOW_SEGMENTS, LiveHlsServer, every_nth_playlist_request
from sample_broadcast.style import BroadcastStyle, HudStyle, random_style
from sample_broadcast.suite import (
    DEV_SEEDS,
    DEV_SUITE_SEEDS,
    UNSEEN_SEEDS,
    SampleBroadcast,
    bench_suite,
    demo_broadcast,
    dev_suite,
    test_broadcast,
    unseen_suite,
    varied_broadcast,
)
from sample_broadcast.truth import GENERATOR_VERSION
from sample_broadcast.varied import dimensions, varied_script, varied_style

__all__ = [
    "DEFAULT_START_PDT",
    "DEV_SEEDS",
    "DEV_SUITE_SEEDS",
    "GAME_CLOCK_RATE",
    "GENERATOR_VERSION",
    "TWITCH_WINDOW_SEGMENTS",
    "UNSEEN_SEEDS",
    "BroadcastInfo",
    "BroadcastStyle",
    "EncoderError",
    "FontsMissingError",
    "FrameRenderer",
    "Goal",
    "HalfTime",
    "HudStyle",
    "InvalidScriptError",
    "LiveHlsServer",
    "MatchScript",
    "MatchState",
    "NewMatch",
    "SampleBroadcast",
    "SampleBroadcastError",
    "bench_suite",
    "demo_broadcast",
    "dev_suite",
    "dimensions",
    "ensure_broadcast",
    "every_nth_playlist_request",
    "random_script",
    "random_style",
    "render_broadcast",
    "test_broadcast",
    "unseen_suite",
    "varied_broadcast",
    "varied_script",
    "varied_style",
]
