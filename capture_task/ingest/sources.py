"""Turn what an operator types (a Twitch channel, an HLS URL, a local file) into something to read.

The capture task is pointed at a source by a single string. This module parses that string into a
:class:`SourceSpec` and, for streamed sources, resolves it to the *media* playlist URL that
:class:`capture_task.ingest.playlist.PlaylistFollower` polls. Twitch playlist URLs carry an access token
that expires (the playlist answers 403 after about 24 h), so :class:`Resolver` packages the
resolution for the follower to call again.

Example::

    spec = parse_source("twitch:somechannel")
    resolver = Resolver(spec, quality="best")
    follower = PlaylistFollower(resolver(), resolver=resolver)
"""

from __future__ import annotations

import enum
import logging
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import boto3
import m3u8
import requests
import streamlink
from botocore.exceptions import BotoCoreError, ClientError
from streamlink.exceptions import NoPluginError, StreamlinkError
from streamlink.options import Options
from streamlink.plugin.plugin import stream_weight

from capture_task.exceptions import (
    InvalidSourceError,
    PlaylistUnreadable,
    QualityUnavailable,
    SourceUnavailable,
    StreamOffline,
    StreamUrlRefused,
    TwitchApiUnavailable,
    TwitchGeoBlocked,
    TwitchUnauthorized,
)
from capture_task.ingest.tolerant_m3u8 import load_playlist
from capture_task.metrics import CaptureMetrics
from contracts.settings import TWITCH_OAUTH_SECRET_ENV

LOGGER = logging.getLogger("highlight_bot.capture")

HTTP_TIMEOUT_S = 10.0

# Twitch logins are 4–25 letters, digits and underscores; a few legacy ones are shorter.
_CHANNEL_RE = re.compile(r"^[A-Za-z0-9_]{1,25}$")
_TWITCH_URL_RE = re.compile(r"^(?:https?://)?(?:www\.|m\.)?twitch\.tv(?:/(?P<path>[^?#]*))?(?:[?#].*)?$", re.IGNORECASE)
# First path parts of twitch.tv pages that are not channels.
_TWITCH_NON_CHANNEL_PATHS = frozenset({"videos", "directory", "search", "settings", "p", "downloads", "jobs"})

ACCEPTED_FORMS = (
    "'twitch:CHANNEL', 'https://www.twitch.tv/CHANNEL', 'twitch.tv/CHANNEL', "
    "an http(s) URL of an HLS playlist, or the path of an existing local video file"
)


class SourceKind(enum.Enum):
    """Where the capture task reads video from."""

    TWITCH = "twitch"
    HLS_URL = "hls_url"
    FILE = "file"


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source: its kind and where it is.

    ``location`` holds the lower-cased channel name for Twitch, the URL for an HLS source and the
    absolute path for a file.
    """

    kind: SourceKind
    location: str

    @property
    def twitch_url(self) -> str:
        """The channel page URL that streamlink's Twitch plugin matches."""
        if self.kind is not SourceKind.TWITCH:
            raise ValueError(f"{self} is not a Twitch source, so it has no channel URL.")
        return f"https://www.twitch.tv/{self.location}"

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.location}"


def parse_source(spec: str) -> SourceSpec:
    """Parse an operator's source string, failing early with the accepted forms if it fits none.

    >>> parse_source("twitch:FooBar")
    SourceSpec(kind=<SourceKind.TWITCH: 'twitch'>, location='foobar')
    """
    text = spec.strip()
    if not text:
        raise InvalidSourceError(f"The source is empty; give one of {ACCEPTED_FORMS}.")

    if text.lower().startswith("twitch:"):
        return SourceSpec(SourceKind.TWITCH, _channel_name(text.split(":", 1)[1], spec))

    twitch_match = _TWITCH_URL_RE.match(text)
    if twitch_match:
        parts = [part for part in (twitch_match.group("path") or "").split("/") if part]
        if len(parts) != 1 or parts[0].lower() in _TWITCH_NON_CHANNEL_PATHS:
            raise InvalidSourceError(
                f"'{spec}' is a Twitch address but not a channel page; "
                "use 'https://www.twitch.tv/CHANNEL' or 'twitch:CHANNEL'."
            )
        return SourceSpec(SourceKind.TWITCH, _channel_name(parts[0], spec))

    if text.lower().startswith(("http://", "https://")):
        if not urlsplit(text).netloc:
            raise InvalidSourceError(f"'{spec}' has no host name; give a full URL like https://host/live.m3u8.")
        return SourceSpec(SourceKind.HLS_URL, text)

    path = Path(text).expanduser()
    if path.is_file():
        return SourceSpec(SourceKind.FILE, str(path.resolve()))
    if path.exists():
        raise InvalidSourceError(f"'{spec}' is a directory, not a video file; give the path of a file.")

    raise InvalidSourceError(f"'{spec}' is not a source this task can read; give one of {ACCEPTED_FORMS}.")


def is_live_source(source: str) -> bool:
    """True for a Twitch channel or an HLS URL, followed at its live edge; False for a local file.

    A live source's analysis decodes more than keyframes while it keeps up (``capture_task.ingest.buffer.LiveEdge``).
    A source that cannot be read is not live either: reading it raises the error that says why.
    """
    try:
        return parse_source(source).kind is not SourceKind.FILE
    except InvalidSourceError:
        return False


def _channel_name(name: str, spec: str) -> str:
    name = name.strip().strip("/")
    if not _CHANNEL_RE.match(name):
        raise InvalidSourceError(
            f"'{spec}' does not name a Twitch channel (letters, digits and '_' only); "
            "use 'twitch:CHANNEL' or 'https://www.twitch.tv/CHANNEL'."
        )
    return name.lower()


class StreamlinkSession(Protocol):
    """The one method of ``streamlink.Streamlink`` this module needs, so tests can pass a fake."""

    def streams(self, url: str, options: Options | None = None) -> Mapping[str, Any]: ...


SessionFactory = Callable[[], StreamlinkSession]
TokenSource = Callable[[], "str | None"]


# Start-up resolution: Twitch's API has brief outages; retry a few times with capped, jittered
# backoff (about a minute in all) before giving up with a sentence.
RESOLVE_ATTEMPTS = 5
RESOLVE_BACKOFF_BASE_S = 2.0
RESOLVE_MAX_BACKOFF_S = 30.0

_TWITCH_PLUGIN_LOGGER = "streamlink.plugins.twitch"
_GEO_MARKERS = ("region", "geoblock", "geo-block", "geo_block", "country")
_AUTH_MARKERS = ("unauthorized", "authorization", "token is invalid", "forbidden")
_AUTH_STATUS = re.compile(r"(?<![\d.:])401(?!\d)")
"""HTTP 401 in a message, not digits of a port or an address ('port=40153', '10.0.4.01')."""
# URLs are taken out of a message before it is classified: a host, port or path may hold "401" or
# "region" by chance (a 503 from 127.0.0.1:40153 once read as "unauthorised" and was not retried).
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_random = random.Random()


def streamlink_session() -> StreamlinkSession:
    """A streamlink session for the container: no web browser (there is none), so Twitch's
    client-integrity demand fails fast as an error instead of trying to start one."""
    return streamlink.Streamlink(options={"webbrowser": False})


def twitch_oauth_token_from_secret(secret_arn: str | None = None, *, client: Any | None = None) -> str | None:
    """The Twitch OAuth token stored in Secrets Manager, or None when no secret is configured.

    The secret is named by ``secret_arn`` or the ``TWITCH_OAUTH_SECRET_ARN`` environment variable;
    its value is the token itself (``OAuth `` or ``oauth:`` prefixes are accepted and removed).
    A subscriber's or Turbo user's token makes Twitch serve the ad-free stream. The token is never
    logged, nor put in an error message.
    """
    arn = secret_arn or os.environ.get(TWITCH_OAUTH_SECRET_ENV, "").strip()
    if not arn:
        return None
    client = client or boto3.client("secretsmanager")
    try:
        value = client.get_secret_value(SecretId=arn).get("SecretString") or ""
    except (BotoCoreError, ClientError) as error:
        code = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
        raise SourceUnavailable(
            f"The Twitch OAuth secret named by {TWITCH_OAUTH_SECRET_ENV} could not be read ({code}); "
            "give the capture task's role secretsmanager:GetSecretValue on it, or unset "
            f"{TWITCH_OAUTH_SECRET_ENV} to watch without an account."
        ) from None
    token = value.strip()
    for prefix in ("OAuth ", "oauth:"):
        if token.startswith(prefix):
            token = token[len(prefix) :].strip()
    if not token:
        raise SourceUnavailable(
            f"The Twitch OAuth secret named by {TWITCH_OAUTH_SECRET_ENV} is empty; put the token in it "
            f"or unset {TWITCH_OAUTH_SECRET_ENV}."
        )
    return token


def resolve_playlist_url(
    spec: str | SourceSpec,
    quality: str = "best",
    session_factory: SessionFactory = streamlink_session,
    *,
    http: requests.Session | None = None,
    timeout_s: float = HTTP_TIMEOUT_S,
    oauth_token: TokenSource = twitch_oauth_token_from_secret,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Return the media playlist URL to follow for a streamed source.

    Twitch channels are resolved with the streamlink library (its plugin fetches the access token
    and the multivariant playlist); plain HLS URLs are fetched once and, if they are a multivariant
    ("master") playlist, the variant matching ``quality`` is chosen.

    Raises ``StreamOffline`` when the channel is not live, ``TwitchGeoBlocked``,
    ``TwitchUnauthorized``, ``TwitchApiUnavailable`` (after retries), ``QualityUnavailable``
    listing the offered qualities, ``SourceUnavailable`` for other failures, and
    ``InvalidSourceError`` for a file source (a file has no playlist to follow).
    """
    return Resolver(
        spec,
        quality,
        session_factory=session_factory,
        http=http,
        timeout_s=timeout_s,
        oauth_token=oauth_token,
        sleep=sleep,
    )()


class Resolver:
    """Resolves a source to a fresh media playlist URL, again each time it is called.

    The follower calls it on 403/404 and periodically, because Twitch playlist URLs embed a token
    that stops working after about a day. One streamlink session is created lazily and reused so
    plugins load once; each call still asks Twitch for a new token.

    Twitch failures are told apart, each logged once with what to do and counted as a metric:
    offline (``StreamOffline``, logged at INFO: waiting is the answer), geo-blocked
    (``TwitchGeoBlocked``), unauthorised or client-integrity demanded (``TwitchUnauthorized``), and
    Twitch's API down (``TwitchApiUnavailable``), which alone is retried here, ``attempts`` times
    with capped, jittered exponential backoff.
    """

    def __init__(
        self,
        spec: str | SourceSpec,
        quality: str = "best",
        *,
        session_factory: SessionFactory = streamlink_session,
        http: requests.Session | None = None,
        timeout_s: float = HTTP_TIMEOUT_S,
        logger: logging.Logger = LOGGER,
        oauth_token: TokenSource = twitch_oauth_token_from_secret,
        metrics: CaptureMetrics | None = None,
        attempts: int = RESOLVE_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        max_backoff_s: float = RESOLVE_MAX_BACKOFF_S,
    ) -> None:
        self.spec = parse_source(spec) if isinstance(spec, str) else spec
        if self.spec.kind is SourceKind.FILE:
            raise InvalidSourceError(
                f"'{self.spec.location}' is a local file, which has no playlist to follow; "
                "read the file directly instead."
            )
        self.quality = quality
        self._session_factory = session_factory
        self._session: StreamlinkSession | None = None
        self._http = http
        self._timeout_s = timeout_s
        self._logger = logger
        self._oauth_token_source = oauth_token
        self._oauth_token: str | None = None
        self._token_read = False
        self._metrics = metrics
        self._attempts = max(1, attempts)
        self._sleep = sleep
        self._max_backoff_s = max_backoff_s

    def __call__(self) -> str:
        url = self._resolve_twitch_with_retries() if self.spec.kind is SourceKind.TWITCH else self._resolve_hls_url()
        self._logger.info("Resolved %s (quality %s) to a media playlist.", self.spec, self.quality)
        return url

    def _resolve_twitch_with_retries(self) -> str:
        for attempt in range(1, self._attempts + 1):
            try:
                return self._resolve_twitch()
            except TwitchApiUnavailable as error:
                self._count(error)
                if attempt == self._attempts:
                    self._logger.error("%s Gave up after %d attempts.", error, attempt)
                    raise
                delay_s = min(self._max_backoff_s, RESOLVE_BACKOFF_BASE_S * 2 ** (attempt - 1))
                delay_s *= _random.uniform(0.5, 1.0)
                self._logger.warning(
                    "%s Retrying in %.1f s (attempt %d of %d).", error, delay_s, attempt, self._attempts
                )
                self._sleep(delay_s)
            except StreamOffline as error:
                self._count(error)
                self._logger.info("%s", error)
                raise
            except (TwitchGeoBlocked, TwitchUnauthorized) as error:
                self._count(error)
                self._logger.error("%s", error)
                raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _count(self, error: SourceUnavailable) -> None:
        name = getattr(error, "metric_name", None)
        if self._metrics is not None and name:
            self._metrics.source_problem(name)

    def _token(self) -> str | None:
        if not self._token_read:
            self._oauth_token = self._oauth_token_source()
            self._token_read = True
            if self._oauth_token:
                self._logger.info("Using the Twitch OAuth token from Secrets Manager (ad-free for Turbo/subscribers).")
        return self._oauth_token

    def _redact(self, text: str) -> str:
        token = self._oauth_token
        return text.replace(token, "[redacted]") if token else text

    def _resolve_twitch(self) -> str:
        channel = self.spec.location
        token = self._token()
        options = Options({"api-header": [("Authorization", f"OAuth {token}")]}) if token else None
        try:
            if self._session is None:
                self._session = self._session_factory()
            with _PluginErrors() as plugin_errors:
                streams = self._session.streams(self.spec.twitch_url, options=options)
        except NoPluginError as error:
            raise SourceUnavailable(
                f"streamlink has no plugin for {self.spec.twitch_url}; "
                "check that the installed streamlink includes the Twitch plugin."
            ) from error
        except StreamlinkError as error:
            # PluginError covers Twitch API failures: network, HTTP errors, auth, client integrity.
            raise _classify(channel, self._redact(str(error))) from None
        except requests.RequestException as error:
            raise TwitchApiUnavailable(channel, self._redact(f"{type(error).__name__}: {error}")) from None

        if not streams:
            # The plugin logs a playlist error (e.g. a geo-block) and returns no streams; an
            # unexplained empty answer is the plugin's way of saying "offline".
            said = [self._redact(message) for message in plugin_errors.messages]
            if said:
                raise _classify(channel, "; ".join(said))
            raise StreamOffline(channel)
        name = _twitch_stream_name(streams, self.quality)
        url = getattr(streams[name], "url", None)
        if not isinstance(url, str) or not url:
            raise SourceUnavailable(
                f"The '{self.quality}' stream of Twitch channel '{channel}' has no playlist URL; "
                "choose another quality."
            )
        return url

    def _resolve_hls_url(self) -> str:
        url = self.spec.location
        http = self._http or requests.Session()
        try:
            response = http.get(url, timeout=self._timeout_s)
        except StreamUrlRefused as error:
            raise SourceUnavailable(str(error)) from None
        except requests.RequestException as error:
            raise SourceUnavailable(
                f"The playlist {url} could not be fetched ({error}); check the URL and the network."
            ) from error
        if response.status_code >= 400:
            raise SourceUnavailable(
                f"The playlist {url} answered HTTP {response.status_code}; check that the URL is current."
            )
        # Redirects move the base that relative variant URIs are resolved against.
        base_url = response.url or url
        try:
            loaded = load_playlist(response.content.decode("utf-8", errors="replace"), base_url)
        except PlaylistUnreadable as error:
            raise SourceUnavailable(f"{url} is not a readable HLS playlist ({error.reason}).") from error
        for repair in loaded.repairs:
            self._logger.error("The multivariant playlist has a tag m3u8 cannot read; %s", repair)
        playlist = loaded.playlist
        if not playlist.is_variant:
            return base_url
        return select_variant(playlist, self.quality)


def _twitch_stream_name(streams: Mapping[str, Any], quality: str) -> str:
    """The stream to use for ``quality``; 'worst' is chosen among the streams with a picture.

    streamlink's own 'worst' can be an audio-only rendition (named by its bitrate, e.g. '160k',
    when the playlist gives it no resolution), which has no scoreboard to read. Its 'best' is the
    highest-weighted stream, never audio while video exists, so it is kept.
    """
    if quality != "worst":
        if quality not in streams:
            raise QualityUnavailable(quality, streams.keys())
        return quality
    weights = {
        name: stream_weight(name) for name in streams if name not in ("best", "worst") and not name.startswith("audio")
    }
    with_picture = [name for name, (_, group) in weights.items() if group == "pixels"]
    if not with_picture:
        if quality in streams and not quality.startswith("audio"):
            return quality  # named qualities only (e.g. 'source'): trust streamlink's ranking
        raise QualityUnavailable(quality, streams.keys())
    return min(with_picture, key=lambda name: weights[name][0])


def _classify(channel: str, message: str) -> SourceUnavailable:
    """Which Twitch failure a streamlink error message describes."""
    lowered = _URL.sub("", message).lower()
    if "integrity" in lowered:
        return TwitchUnauthorized(channel, message, integrity=True)
    if any(marker in lowered for marker in _GEO_MARKERS):
        return TwitchGeoBlocked(channel, message)
    if any(marker in lowered for marker in _AUTH_MARKERS) or _AUTH_STATUS.search(lowered):
        return TwitchUnauthorized(channel, message)
    return TwitchApiUnavailable(channel, message)


class _PluginErrors(logging.Handler):
    """Collects the errors streamlink's Twitch plugin logs during one call.

    The plugin reports a refused multivariant playlist (a geo-block) only as a log line and then
    returns no streams, which would otherwise look like "offline".
    """

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _PluginErrors:
        logging.getLogger(_TWITCH_PLUGIN_LOGGER).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(_TWITCH_PLUGIN_LOGGER).removeHandler(self)


def variant_names(variant: m3u8.Playlist) -> list[str]:
    """Names a quality can be asked for by, in streamlink's style: '720p60', '720p', Twitch's group id."""
    info = variant.stream_info
    names: list[str] = []
    if info.resolution:
        height = info.resolution[1]
        fps = round(info.frame_rate) if info.frame_rate else None
        if fps and fps > 30:
            names.append(f"{height}p{fps}")
        names.append(f"{height}p")
    if info.video and info.video not in names:
        names.append(info.video)
    return names


# Codec prefixes of audio formats seen in HLS CODECS attributes (RFC 6381 names).
_AUDIO_CODEC_PREFIXES = ("mp4a", "ac-3", "ec-3", "ac-4", "opus", "flac", "alac", "mp3", ".mp3")


def is_audio_only(variant: m3u8.Playlist) -> bool:
    """Whether a variant carries no picture: named audio (Twitch's ``audio_only``), or only audio codecs.

    A variant with a resolution always has a picture; one with neither resolution nor codecs is
    given the benefit of the doubt (many simple servers list only BANDWIDTH).
    """
    info = variant.stream_info
    if info.resolution:
        return False
    if info.video and "audio" in str(info.video).lower():
        return True
    codecs = [codec.strip().lower() for codec in str(info.codecs or "").split(",") if codec.strip()]
    return bool(codecs) and all(codec.startswith(_AUDIO_CODEC_PREFIXES) for codec in codecs)


def select_variant(playlist: m3u8.M3U8, quality: str = "best") -> str:
    """Pick a variant of a multivariant playlist and return its absolute media playlist URL.

    'best' is the largest picture (then the highest bandwidth), because the scoreboard is read
    from pixels; 'worst' the smallest picture, never an audio-only variant (it has no scoreboard).
    Other qualities match :func:`variant_names`.
    """
    variants = list(playlist.playlists)
    if not variants:
        raise SourceUnavailable("The multivariant playlist lists no variants; check the stream URL.")

    def size(variant: m3u8.Playlist) -> tuple[int, int]:
        resolution = variant.stream_info.resolution
        pixels = resolution[0] * resolution[1] if resolution else 0
        return pixels, variant.stream_info.bandwidth or 0

    if quality in ("best", "worst"):
        with_picture = [variant for variant in variants if not is_audio_only(variant)]
        if not with_picture:
            raise QualityUnavailable(quality, (name for variant in variants for name in variant_names(variant)))
        pick = max if quality == "best" else min
        return str(pick(with_picture, key=size).absolute_uri)
    matching = [variant for variant in variants if quality in variant_names(variant)]
    if not matching:
        raise QualityUnavailable(quality, (name for variant in variants for name in variant_names(variant)))
    return str(max(matching, key=size).absolute_uri)
