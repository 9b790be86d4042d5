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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import m3u8
import requests
import streamlink
from streamlink.exceptions import NoPluginError, StreamlinkError

from capture_task.exceptions import InvalidSourceError, QualityUnavailable, SourceUnavailable, StreamOffline

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

    def streams(self, url: str) -> Mapping[str, Any]: ...


SessionFactory = Callable[[], StreamlinkSession]


def resolve_playlist_url(
    spec: str | SourceSpec,
    quality: str = "best",
    session_factory: SessionFactory = streamlink.Streamlink,
    *,
    http: requests.Session | None = None,
    timeout_s: float = HTTP_TIMEOUT_S,
) -> str:
    """Return the media playlist URL to follow for a streamed source.

    Twitch channels are resolved with the streamlink library (its plugin fetches the access token
    and the multivariant playlist); plain HLS URLs are fetched once and, if they are a multivariant
    ("master") playlist, the variant matching ``quality`` is chosen.

    Raises ``StreamOffline`` when the channel is not live, ``QualityUnavailable`` listing the
    offered qualities, ``SourceUnavailable`` for other failures, and ``InvalidSourceError`` for a
    file source (a file has no playlist to follow).
    """
    return Resolver(spec, quality, session_factory=session_factory, http=http, timeout_s=timeout_s)()


class Resolver:
    """Resolves a source to a fresh media playlist URL, again each time it is called.

    The follower calls it on 403/404 and periodically, because Twitch playlist URLs embed a token
    that stops working after about a day. One streamlink session is created lazily and reused so
    plugins load once; each call still asks Twitch for a new token.
    """

    def __init__(
        self,
        spec: str | SourceSpec,
        quality: str = "best",
        *,
        session_factory: SessionFactory = streamlink.Streamlink,
        http: requests.Session | None = None,
        timeout_s: float = HTTP_TIMEOUT_S,
        logger: logging.Logger = LOGGER,
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

    def __call__(self) -> str:
        url = self._resolve_twitch() if self.spec.kind is SourceKind.TWITCH else self._resolve_hls_url()
        self._logger.info("Resolved %s (quality %s) to a media playlist.", self.spec, self.quality)
        return url

    def _resolve_twitch(self) -> str:
        channel = self.spec.location
        try:
            if self._session is None:
                self._session = self._session_factory()
            streams = self._session.streams(self.spec.twitch_url)
        except NoPluginError as error:
            raise SourceUnavailable(
                f"streamlink has no plugin for {self.spec.twitch_url}; "
                "check that the installed streamlink includes the Twitch plugin."
            ) from error
        except StreamlinkError as error:
            # PluginError covers Twitch API failures (network, integrity token, geo-blocks).
            raise SourceUnavailable(
                f"streamlink could not get the streams of Twitch channel '{channel}' ({error}); "
                "check the network and the channel name, then try again."
            ) from error
        except requests.RequestException as error:
            raise SourceUnavailable(
                f"Twitch could not be reached for channel '{channel}' ({error}); check the network, then try again."
            ) from error

        if not streams:
            raise StreamOffline(channel)
        if self.quality not in streams:
            raise QualityUnavailable(self.quality, streams.keys())
        url = getattr(streams[self.quality], "url", None)
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
            playlist = m3u8.loads(response.content.decode("utf-8", errors="replace"), uri=base_url)
        except Exception as error:  # m3u8 raises bare ValueError/Exception on malformed input
            raise SourceUnavailable(f"{url} is not a readable HLS playlist ({error}).") from error
        if not playlist.is_variant:
            return base_url
        return select_variant(playlist, self.quality)


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


def select_variant(playlist: m3u8.M3U8, quality: str = "best") -> str:
    """Pick a variant of a multivariant playlist and return its absolute media playlist URL.

    'best' is the largest picture (then the highest bandwidth), because the scoreboard is read
    from pixels; 'worst' the smallest. Other qualities match :func:`variant_names`.
    """
    variants = list(playlist.playlists)
    if not variants:
        raise SourceUnavailable("The multivariant playlist lists no variants; check the stream URL.")

    def size(variant: m3u8.Playlist) -> tuple[int, int]:
        resolution = variant.stream_info.resolution
        pixels = resolution[0] * resolution[1] if resolution else 0
        return pixels, variant.stream_info.bandwidth or 0

    if quality == "best":
        return str(max(variants, key=size).absolute_uri)
    if quality == "worst":
        return str(min(variants, key=size).absolute_uri)
    matching = [variant for variant in variants if quality in variant_names(variant)]
    if not matching:
        raise QualityUnavailable(quality, (name for variant in variants for name in variant_names(variant)))
    return str(max(matching, key=size).absolute_uri)
