"""Follow a live HLS media playlist and hand out each live segment exactly once.

A Twitch live playlist lists only the last ~14 segments (~28 s), so the capture task must read
segments as they appear; anything it misses is gone. :class:`PlaylistFollower` polls the media
playlist, yields every new live segment once and in media-sequence order, skips Twitch's stitched
ads, and tells the consumer where the timeline has a hole (``LiveSegment.discontinuity``) instead
of hiding it. It never raises on network trouble: a live capture should wait out an outage, not
exit.

Example::

    follower = PlaylistFollower(url, resolver=Resolver(parse_source("twitch:somechannel")))
    for segment in follower.segments():
        init = fetch_init_section(http, segment)  # None for MPEG-TS
        try:
            data = fetch_segment(http, segment)
        except SegmentUnavailable:
            ...  # skip it; mark the next kept segment as a discontinuity
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

import m3u8
import requests

from capture_task.exceptions import SegmentUnavailable, StreamOffline
from capture_task.ingest.sources import select_variant

LOGGER = logging.getLogger("highlight_bot.capture")

Container = Literal["ts", "fmp4"]

HTTP_TIMEOUT_S = 10.0
DEFAULT_TARGET_DURATION_S = 2.0
MIN_POLL_INTERVAL_S = 0.25
BACKOFF_BASE_S = 1.0
# Twitch tokens last ~24 h; re-resolving well before that avoids a burst of 403s mid-match.
RE_RESOLVE_INTERVAL_S = 6 * 3600.0
SEGMENT_MAX_BACKOFF_S = 4.0
# Ad date ranges are remembered across refreshes because the DATERANGE line scrolls out of the
# window before the last ad segment does.
AD_RANGE_MEMORY = 64

# Twitch titles live segments "live" and stitched ads "Amazon|<id>".
AD_TITLE_MARKER = "Amazon"
AD_DATERANGE_CLASS = "twitch-stitched-ad"
AD_DATERANGE_ID_PREFIX = "stitched-ad"

_RETRYABLE_STATUS = frozenset({408, 425, 429})
_RETRYABLE_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
_random = random.Random()


@dataclass(frozen=True)
class LiveSegment:
    """One live media segment, as the rest of the capture task sees it.

    ``program_date_time`` is the stream's own clock (aware, UTC) and is what events are stamped
    with; it is None only when the playlist never carries EXT-X-PROGRAM-DATE-TIME.
    ``discontinuity`` is True when the playlist marks one, or when segments before this one were
    missed, were ads, or belong to a restarted stream: the consumer must not splice across it.
    ``init_uri`` is the EXT-X-MAP initialisation section fMP4 fragments need to be decodable.
    """

    sequence: int
    uri: str
    duration_s: float
    program_date_time: datetime | None
    discontinuity: bool
    title: str | None
    init_uri: str | None
    container: Container

    @property
    def end_date_time(self) -> datetime | None:
        """When this segment's media ends on the stream clock, if known."""
        if self.program_date_time is None:
            return None
        return self.program_date_time + timedelta(seconds=self.duration_s)


@dataclass(frozen=True)
class AdDateRange:
    """A Twitch stitched-ad EXT-X-DATERANGE; segments whose PDT falls inside it are ads."""

    id: str
    start: datetime
    end: datetime | None  # None: open-ended, applies only within the playlist that lists it

    def covers(self, when: datetime | None) -> bool:
        if when is None or when < self.start:
            return False
        return self.end is None or when < self.end


@dataclass(frozen=True)
class PlaylistEntry:
    """A segment listed in a media playlist, with whether it is an ad."""

    segment: LiveSegment
    is_ad: bool


@dataclass(frozen=True)
class MediaPlaylist:
    """What one refresh of a media playlist says, already checked for ads."""

    media_sequence: int
    target_duration_s: float | None
    entries: tuple[PlaylistEntry, ...]
    ad_ranges: tuple[AdDateRange, ...]
    is_endlist: bool


def parse_media_playlist(text: str, url: str, *, known_ad_ranges: Iterable[AdDateRange] = ()) -> MediaPlaylist:
    """Parse a media playlist's text into entries with absolute URIs, UTC times and ad flags.

    ``url`` is the playlist's own URL, against which relative segment URIs are resolved.
    ``known_ad_ranges`` are ad date ranges seen in earlier refreshes. Twitch-only tags such as
    ``#EXT-X-TWITCH-PREFETCH`` are ignored (m3u8 skips unknown tags outside strict mode; prefetch
    segments are low-latency previews that the next refresh lists properly).
    Raises ValueError when the text is not a media playlist.
    """
    if not text.lstrip().startswith("#EXTM3U"):
        raise ValueError("The response is not an HLS playlist (it does not start with #EXTM3U).")
    parsed = m3u8.loads(text, uri=url)
    if parsed.is_variant:
        raise ValueError("This is a multivariant playlist; pick a variant with select_variant() first.")
    return _media_playlist_from_m3u8(parsed, known_ad_ranges)


def _media_playlist_from_m3u8(parsed: m3u8.M3U8, known_ad_ranges: Iterable[AdDateRange]) -> MediaPlaylist:
    segments = list(parsed.segments)
    dates = _program_date_times(segments)
    ad_ranges = tuple(
        ad_range
        for segment in segments
        for daterange in segment.dateranges
        if (ad_range := _ad_range(daterange)) is not None
    )
    all_ad_ranges = (*known_ad_ranges, *ad_ranges)
    media_sequence = parsed.media_sequence or 0

    entries = []
    for index, (segment, date) in enumerate(zip(segments, dates, strict=True)):
        title = segment.title or None
        init_uri = segment.init_section.absolute_uri if segment.init_section is not None else None
        live_segment = LiveSegment(
            sequence=media_sequence + index,
            uri=segment.absolute_uri,
            duration_s=float(segment.duration or 0.0),
            program_date_time=date,
            discontinuity=bool(segment.discontinuity),
            title=title,
            init_uri=init_uri,
            container="fmp4" if init_uri else "ts",
        )
        is_ad = (title is not None and AD_TITLE_MARKER in title) or any(
            ad_range.covers(date) for ad_range in all_ad_ranges
        )
        entries.append(PlaylistEntry(live_segment, is_ad))

    target = parsed.target_duration
    return MediaPlaylist(
        media_sequence=media_sequence,
        target_duration_s=float(target) if target else None,
        entries=tuple(entries),
        ad_ranges=ad_ranges,
        is_endlist=bool(parsed.is_endlist),
    )


def _program_date_times(segments: list[m3u8.Segment]) -> list[datetime | None]:
    """Each segment's start on the stream clock, extrapolated where the tag is missing.

    m3u8 carries a PDT forward (``current_program_date_time``); segments before the first tag are
    filled backwards from it, so only a playlist with no PDT at all yields None.
    """
    dates: list[datetime | None] = [_as_utc(segment.current_program_date_time) for segment in segments]
    for index in range(len(segments) - 2, -1, -1):
        following = dates[index + 1]
        if dates[index] is None and following is not None:
            dates[index] = following - timedelta(seconds=float(segments[index].duration or 0.0))
    return dates


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    # The HLS spec requires an offset; treat a missing one as UTC rather than local time.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_date(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return _as_utc(value)
    if not isinstance(value, str):
        return None
    try:
        return _as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def _ad_range(daterange: m3u8.model.DateRange) -> AdDateRange | None:
    """The stitched-ad range a DATERANGE describes, or None (e.g. ``twitch-ad-quartile`` trackers)."""
    range_id = str(daterange.id or "")
    if daterange.class_ != AD_DATERANGE_CLASS and not range_id.startswith(AD_DATERANGE_ID_PREFIX):
        return None
    start = _parse_date(daterange.start_date)
    if start is None:
        return None
    end = _parse_date(daterange.end_date)
    length_s = daterange.duration if daterange.duration is not None else daterange.planned_duration
    if end is None and length_s is not None:
        end = start + timedelta(seconds=float(length_s))
    return AdDateRange(range_id, start, end)


@dataclass
class FollowerStats:
    """Counters a health check or metric can read while the follower runs."""

    playlists_fetched: int = 0
    fetch_errors: int = 0
    segments_yielded: int = 0
    ad_segments_skipped: int = 0
    sequences_missed: int = 0
    re_resolves: int = 0


@dataclass
class _FetchFailure:
    retry_now: bool = False  # True when the URL just changed, so waiting would only add delay


@dataclass
class _Position:
    """Where the follower is in the stream: the last sequence handled (yielded or skipped as ad)."""

    sequence: int | None = None
    end_date_time: datetime | None = None
    pending_discontinuity: bool = False
    ad_ranges: OrderedDict[str, AdDateRange] = field(default_factory=OrderedDict)


class PlaylistFollower:
    """Polls a live media playlist and yields each live segment once, in media-sequence order.

    Network failures never end the iteration: 5xx, timeouts and connection errors are retried with
    capped exponential backoff and jitter; 403/404 ask ``resolver`` for a fresh URL (Twitch tokens
    expire); an offline stream is waited for. Iteration ends only when ``stop_event`` is set or the
    playlist carries EXT-X-ENDLIST and all of it was handed out.

    ``sleep`` defaults to waiting on ``stop_event`` (so stopping is prompt) or ``time.sleep``.
    """

    def __init__(
        self,
        playlist_url: str,
        *,
        http: requests.Session | None = None,
        resolver: Callable[[], str] | None = None,
        poll_interval_s: float | None = None,
        max_backoff_s: float = 30.0,
        re_resolve_interval_s: float | None = RE_RESOLVE_INTERVAL_S,
        timeout_s: float = HTTP_TIMEOUT_S,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        stop_event: threading.Event | None = None,
        logger: logging.Logger = LOGGER,
    ) -> None:
        self.playlist_url = playlist_url
        self.stats = FollowerStats()
        self._http = http or requests.Session()
        self._resolver = resolver
        self._poll_interval_s = poll_interval_s
        self._max_backoff_s = max_backoff_s
        self._re_resolve_interval_s = re_resolve_interval_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._stop_event = stop_event or threading.Event()
        self._sleep = sleep or self._wait_for_stop
        self._logger = logger
        self._position = _Position()
        self._next_periodic_resolve_at = clock() + re_resolve_interval_s if resolver and re_resolve_interval_s else None

    def segments(self) -> Iterator[LiveSegment]:
        """Yield live segments until stopped or the playlist ends; see the class docstring."""
        consecutive_failures = 0
        while not self._stop_event.is_set():
            self._maybe_re_resolve_periodically()
            started = self._clock()
            outcome = self._fetch_playlist()
            if isinstance(outcome, _FetchFailure):
                consecutive_failures += 1
                if outcome.retry_now and consecutive_failures == 1:
                    continue
                self._pause(self._backoff_s(consecutive_failures))
                continue

            consecutive_failures = 0
            for segment in self._new_segments(outcome):
                yield segment
                if self._stop_event.is_set():
                    return
            if outcome.is_endlist:
                self._logger.info("The playlist has ended (EXT-X-ENDLIST); every segment was handed out.")
                return
            self._pause(started + self._interval_s(outcome) - self._clock())

    def _new_segments(self, playlist: MediaPlaylist) -> Iterator[LiveSegment]:
        position = self._position
        if not playlist.entries:
            return
        if self._looks_restarted(playlist):
            self._logger.warning(
                "The media sequence went back from %s to %s: the stream restarted; following it anew.",
                position.sequence,
                playlist.entries[-1].segment.sequence,
            )
            position.sequence = None
            position.end_date_time = None
            position.pending_discontinuity = True

        for entry in playlist.entries:
            segment = entry.segment
            if position.sequence is not None:
                if segment.sequence <= position.sequence:
                    continue
                missed = segment.sequence - position.sequence - 1
                if missed > 0:
                    self.stats.sequences_missed += missed
                    position.pending_discontinuity = True
                    self._logger.warning(
                        "Missed %d segment(s) before sequence %d; the playlist moved on between refreshes.",
                        missed,
                        segment.sequence,
                    )
                elif segment.program_date_time is None and position.end_date_time is not None:
                    segment = replace(segment, program_date_time=position.end_date_time)

            position.sequence = segment.sequence
            position.end_date_time = segment.end_date_time
            if entry.is_ad:
                self.stats.ad_segments_skipped += 1
                position.pending_discontinuity = True
                continue
            if position.pending_discontinuity:
                segment = replace(segment, discontinuity=True)
                position.pending_discontinuity = False
            self.stats.segments_yielded += 1
            yield segment

    def _looks_restarted(self, playlist: MediaPlaylist) -> bool:
        """Whether a playlist whose sequences went backwards is a restarted stream, not a stale copy.

        A lagging CDN edge can serve an older copy of the same playlist; its segments are not newer
        on the stream clock than the ones already handed out, whereas a restarted stream's are.
        """
        position = self._position
        newest = playlist.entries[-1].segment
        if position.sequence is None or newest.sequence >= position.sequence:
            return False
        if newest.program_date_time is not None and position.end_date_time is not None:
            return newest.program_date_time >= position.end_date_time
        return True

    def _fetch_playlist(self) -> MediaPlaylist | _FetchFailure:
        url = self.playlist_url
        try:
            response = self._http.get(url, timeout=self._timeout_s)
        except requests.RequestException as error:
            return self._failed(f"the request failed ({type(error).__name__}: {error})")

        if response.status_code in (403, 404, 410):
            failure = self._failed(f"HTTP {response.status_code}, the playlist URL has probably expired")
            if self._resolver is not None:
                failure.retry_now = self._re_resolve(f"HTTP {response.status_code}")
            return failure
        if response.status_code >= 400:
            return self._failed(f"HTTP {response.status_code}")

        text = response.content.decode("utf-8", errors="replace")
        base_url = response.url or url
        try:
            if not text.lstrip().startswith("#EXTM3U"):
                raise ValueError("the response does not start with #EXTM3U")
            parsed = m3u8.loads(text, uri=base_url)
            if parsed.is_variant:
                # A multivariant URL was passed in; follow its best variant instead of failing.
                self.playlist_url = select_variant(parsed, "best")
                self._logger.warning("%s is a multivariant playlist; following its best variant.", url)
                return _FetchFailure(retry_now=True)
            playlist = _media_playlist_from_m3u8(parsed, self._position.ad_ranges.values())
        except Exception as error:  # m3u8 raises bare exceptions on malformed input
            return self._failed(f"the playlist could not be parsed ({error})")

        self.stats.playlists_fetched += 1
        self._remember_ad_ranges(playlist.ad_ranges)
        return playlist

    def _failed(self, reason: str) -> _FetchFailure:
        self.stats.fetch_errors += 1
        self._logger.warning("Fetching the media playlist failed: %s; retrying.", reason)
        return _FetchFailure()

    def _remember_ad_ranges(self, ad_ranges: Iterable[AdDateRange]) -> None:
        remembered = self._position.ad_ranges
        for ad_range in ad_ranges:
            if ad_range.end is not None:
                remembered[ad_range.id] = ad_range
                remembered.move_to_end(ad_range.id)
        while len(remembered) > AD_RANGE_MEMORY:
            remembered.popitem(last=False)

    def _re_resolve(self, reason: str) -> bool:
        assert self._resolver is not None
        try:
            url = self._resolver()
        except StreamOffline as error:
            self._logger.info("%s Waiting before trying again.", error)
            return False
        except Exception as error:  # the follower must outlive any resolver failure
            self._logger.warning("Re-resolving the stream after %s failed: %s", reason, error, exc_info=True)
            return False
        self.stats.re_resolves += 1
        self._logger.info("Re-resolved the stream after %s.", reason)
        self.playlist_url = url
        if self._re_resolve_interval_s:
            self._next_periodic_resolve_at = self._clock() + self._re_resolve_interval_s
        return True

    def _maybe_re_resolve_periodically(self) -> None:
        if self._next_periodic_resolve_at is None or self._clock() < self._next_periodic_resolve_at:
            return
        if not self._re_resolve("the periodic token refresh"):
            # Keep the working URL and try again a little later rather than on every poll.
            self._next_periodic_resolve_at = self._clock() + self._max_backoff_s

    def _interval_s(self, playlist: MediaPlaylist) -> float:
        """Half the target duration, as RFC 8216 §6.3.4 suggests when reloading a live playlist."""
        if self._poll_interval_s is not None:
            return self._poll_interval_s
        target_s = playlist.target_duration_s or DEFAULT_TARGET_DURATION_S
        return max(MIN_POLL_INTERVAL_S, target_s / 2)

    def _backoff_s(self, failures: int) -> float:
        return _backoff_s(failures, BACKOFF_BASE_S, self._max_backoff_s)

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and not self._stop_event.is_set():
            self._sleep(seconds)

    def _wait_for_stop(self, seconds: float) -> None:
        self._stop_event.wait(seconds)


def _backoff_s(failures: int, base_s: float, cap_s: float) -> float:
    """Exponential backoff with jitter, so many capture tasks don't retry in lockstep."""
    ceiling = min(cap_s, base_s * 2 ** min(failures - 1, 30))
    return ceiling * _random.uniform(0.5, 1.0)


class InitSectionCache:
    """A small, thread-safe LRU of fMP4 initialisation sections, keyed by URI.

    Every fragment of a rendition shares one init section; downloading it once per rendition
    instead of once per segment saves a request every two seconds.
    """

    def __init__(self, max_entries: int = 8) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, uri: str) -> bytes | None:
        with self._lock:
            data = self._entries.get(uri)
            if data is not None:
                self._entries.move_to_end(uri)
            return data

    def put(self, uri: str, data: bytes) -> None:
        with self._lock:
            self._entries[uri] = data
            self._entries.move_to_end(uri)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


_DEFAULT_INIT_CACHE = InitSectionCache()


def fetch_segment(
    http: requests.Session,
    segment: LiveSegment,
    *,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = HTTP_TIMEOUT_S,
    max_backoff_s: float = SEGMENT_MAX_BACKOFF_S,
) -> bytes:
    """Download a segment's bytes, retrying 5xx, 429 and timeouts a few times.

    Gives up with ``SegmentUnavailable`` rather than blocking: the playlist keeps moving, and a
    capture that waits on one segment loses the ones after it. 4xx answers other than 408/425/429
    fail at once, since retrying cannot fix them.
    """
    return _download(
        http,
        segment.uri,
        sequence=segment.sequence,
        attempts=attempts,
        sleep=sleep,
        timeout_s=timeout_s,
        max_backoff_s=max_backoff_s,
    )


def fetch_init_section(
    http: requests.Session,
    segment: LiveSegment,
    *,
    cache: InitSectionCache | None = None,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = HTTP_TIMEOUT_S,
    max_backoff_s: float = SEGMENT_MAX_BACKOFF_S,
) -> bytes | None:
    """The EXT-X-MAP initialisation section an fMP4 segment needs, or None for MPEG-TS.

    Cached (by default in a module-wide cache) because all fragments of a rendition share it.
    Raises ``SegmentUnavailable`` like :func:`fetch_segment`.
    """
    if segment.init_uri is None:
        return None
    cache = cache if cache is not None else _DEFAULT_INIT_CACHE
    cached = cache.get(segment.init_uri)
    if cached is not None:
        return cached
    data = _download(
        http,
        segment.init_uri,
        sequence=segment.sequence,
        attempts=attempts,
        sleep=sleep,
        timeout_s=timeout_s,
        max_backoff_s=max_backoff_s,
    )
    cache.put(segment.init_uri, data)
    return data


def _download(
    http: requests.Session,
    url: str,
    *,
    sequence: int | None,
    attempts: int,
    sleep: Callable[[float], None],
    timeout_s: float,
    max_backoff_s: float,
) -> bytes:
    attempts = max(1, attempts)
    reason = "no attempt was made"
    for attempt in range(1, attempts + 1):
        try:
            response = http.get(url, timeout=timeout_s)
        except _RETRYABLE_ERRORS as error:
            reason = f"{type(error).__name__}: {error}"
        except requests.RequestException as error:
            raise SegmentUnavailable(url, attempt, f"{type(error).__name__}: {error}", sequence=sequence) from error
        else:
            status = response.status_code
            if status < 400:
                return response.content
            reason = f"HTTP {status}"
            if status < 500 and status not in _RETRYABLE_STATUS:
                raise SegmentUnavailable(url, attempt, reason, sequence=sequence)
        if attempt < attempts:
            LOGGER.info("Segment download failed (%s), attempt %d of %d; retrying.", reason, attempt, attempts)
            sleep(_backoff_s(attempt, BACKOFF_BASE_S / 4, max_backoff_s))
    raise SegmentUnavailable(url, attempts, reason, sequence=sequence)
