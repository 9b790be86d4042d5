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

from capture_task.exceptions import (
    EncryptedSegmentRefused,
    PlaylistUnreadable,
    SegmentUnavailable,
    SourceUnavailable,
    StreamOffline,
    StreamUrlRefused,
)
from capture_task.ingest.sources import select_variant
from capture_task.ingest.tolerant_m3u8 import load_playlist
from capture_task.metrics import CaptureMetric, CaptureMetrics

try:  # AES-128 segments are decrypted when the cryptography package is present, refused otherwise.
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    AES_128_AVAILABLE = True
except ImportError:  # pragma: no cover - the image installs it; the refusal is tested by monkeypatching
    AES_128_AVAILABLE = False

LOGGER = logging.getLogger("highlight_bot.capture")

Container = Literal["ts", "fmp4"]

HTTP_TIMEOUT_S = 10.0
DEFAULT_TARGET_DURATION_S = 2.0
MIN_POLL_INTERVAL_S = 0.25
POLL_LEAD_S = 0.25
"""How long before the next segment is due (the last one's duration after the read that brought it) the playlist is
read again; with the retries after it, every MIN_POLL_INTERVAL_S while nothing new is listed, reads lock onto the
moment segments appear (see ``PlaylistFollower._interval_s``)."""
BACKOFF_BASE_S = 1.0
# Twitch tokens last ~24 h; re-resolving well before that avoids a burst of 403s mid-match.
RE_RESOLVE_INTERVAL_S = 6 * 3600.0
SEGMENT_MAX_BACKOFF_S = 4.0
# How many handled segments' program-date-times are remembered to line up a renumbered playlist
# (Twitch lists ~14; LL-HLS and long windows more).
HANDLED_MEMORY = 512
MISSED_ANNOUNCED_MAX = 150
"""Most segments the playlist moved past that are handed on as gaps (5 min of 2 s segments): a longer
hole is a break in the stream's delivery, logged as such, not thousands of gap events."""
# Two segments whose program-date-times are this close are the same moment of the stream.
PDT_MATCH_TOLERANCE_S = 0.1
# A playlist's numbers may disagree with the time since the last segment by this many before it
# counts as renumbered (EXTINF durations are rounded).
RENUMBER_TOLERANCE = 3
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
class ByteRange:
    """An EXT-X-BYTERANGE: the segment is ``length`` bytes of its resource starting at ``offset``."""

    offset: int
    length: int

    @property
    def http_range(self) -> str:
        """The Range header value that asks for exactly these bytes."""
        return f"bytes={self.offset}-{self.offset + self.length - 1}"


@dataclass(frozen=True)
class SegmentKey:
    """How a segment is encrypted (its EXT-X-KEY); ``iv`` None means "the media sequence number"."""

    method: str
    uri: str | None
    iv: bytes | None
    key_format: str = "identity"

    def refusal(self) -> str | None:
        """Why the capture cannot decrypt segments under this key, or None when it can."""
        if self.method != "AES-128":
            return f"it is encrypted with {self.method}, which this capture cannot decrypt"
        if self.key_format.lower() != "identity":
            return f"its AES-128 key is delivered by the key system '{self.key_format}' (DRM)"
        if self.uri is None:
            return "its EXT-X-KEY has no key URI"
        if not AES_128_AVAILABLE:
            return "it is AES-128 encrypted and the 'cryptography' package is not installed"
        return None


@dataclass(frozen=True)
class LiveSegment:
    """One live media segment, as the rest of the capture task sees it.

    ``sequence`` is the follower's own number for the segment: it starts at the playlist's media
    sequence and stays unique and increasing when the server renumbers (a Twitch session after a
    re-resolve, a sequence restarted during an ad), so (channel, sequence) names one segment.
    ``media_sequence`` is the number the playlist gave it (AES-128's default IV needs it).
    ``program_date_time`` is the stream's own clock (aware, UTC) and is what events are stamped
    with; it is None only when the playlist never carries EXT-X-PROGRAM-DATE-TIME.
    ``discontinuity`` is True when the playlist marks one, or when segments before this one were
    missed, were ads or gaps, or belong to a restarted stream: the consumer must not splice across it.
    ``init_uri`` is the EXT-X-MAP initialisation section fMP4 fragments need to be decodable.
    ``byterange``/``init_byterange`` are set when only part of the resource is the segment, and
    ``key`` when the segment is encrypted. ``missed_before`` lists the numbers of segments just
    before this one that the playlist moved past before they were downloaded (the capture fell
    behind): the consumer announces them as gaps, so their seconds are known to be missing.
    """

    sequence: int
    uri: str
    duration_s: float
    program_date_time: datetime | None
    discontinuity: bool
    title: str | None
    init_uri: str | None
    container: Container
    media_sequence: int | None = None
    byterange: ByteRange | None = None
    init_byterange: ByteRange | None = None
    key: SegmentKey | None = None
    missed_before: tuple[int, ...] = ()

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
    """A segment listed in a media playlist, with whether it is an ad or an EXT-X-GAP placeholder."""

    segment: LiveSegment
    is_ad: bool
    is_gap: bool = False


@dataclass(frozen=True)
class MediaPlaylist:
    """What one refresh of a media playlist says, already checked for ads.

    ``entries`` hold only complete segments: an entry without a URI (LL-HLS ``EXT-X-PART`` lines
    after the last segment, a playlist cut after its last EXTINF) is not a segment yet; the
    refresh that completes it lists it properly. ``repairs`` says, in sentences, what had to be
    repaired or dropped to read the playlist (empty for a well-formed one).
    """

    media_sequence: int
    target_duration_s: float | None
    entries: tuple[PlaylistEntry, ...]
    ad_ranges: tuple[AdDateRange, ...]
    is_endlist: bool
    repairs: tuple[str, ...] = ()


def parse_media_playlist(text: str, url: str, *, known_ad_ranges: Iterable[AdDateRange] = ()) -> MediaPlaylist:
    """Parse a media playlist's text into entries with absolute URIs, UTC times and ad flags.

    ``url`` is the playlist's own URL, against which relative segment URIs are resolved.
    ``known_ad_ranges`` are ad date ranges seen in earlier refreshes. Twitch-only tags such as
    ``#EXT-X-TWITCH-PREFETCH`` are ignored (m3u8 skips unknown tags outside strict mode; prefetch
    segments are low-latency previews that the next refresh lists properly). Tags m3u8 cannot read
    are repaired or dropped (see ``MediaPlaylist.repairs``).
    Raises ``PlaylistUnreadable`` (a ValueError) when the text is not a media playlist.
    """
    loaded = load_playlist(text, url)
    if loaded.playlist.is_variant:
        raise PlaylistUnreadable(url, "it is a multivariant playlist; pick a variant with select_variant() first")
    return _media_playlist_from_m3u8(loaded.playlist, known_ad_ranges, loaded.repairs)


def _media_playlist_from_m3u8(
    parsed: m3u8.M3U8, known_ad_ranges: Iterable[AdDateRange], repairs: tuple[str, ...] = ()
) -> MediaPlaylist:
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
    notes = list(repairs)
    next_offsets: dict[str, int] = {}

    entries = []
    for index, (segment, date) in enumerate(zip(segments, dates, strict=True)):
        if not segment.uri:
            continue  # an LL-HLS part or a cut-off EXTINF: not a segment (yet)
        sequence = media_sequence + index
        uri = str(segment.absolute_uri)
        try:
            byterange = _byte_range(segment.byterange, next_offsets.get(uri))
            init = segment.init_section
            init_byterange = _byte_range(init.byterange, 0) if init is not None else None
            key = _segment_key(segment.key)
        except ValueError as error:
            notes.append(f"Skipped segment {sequence} ({uri.split('?', 1)[0]}): {error}.")
            continue
        if byterange is not None:
            next_offsets[uri] = byterange.offset + byterange.length
        title = segment.title or None
        init_uri = init.absolute_uri if init is not None else None
        live_segment = LiveSegment(
            sequence=sequence,
            uri=uri,
            duration_s=float(segment.duration or 0.0),
            program_date_time=date,
            discontinuity=bool(segment.discontinuity),
            title=title,
            init_uri=init_uri,
            container="fmp4" if init_uri else "ts",
            media_sequence=sequence,
            byterange=byterange,
            init_byterange=init_byterange,
            key=key,
        )
        is_ad = (title is not None and AD_TITLE_MARKER in title) or any(
            ad_range.covers(date) for ad_range in all_ad_ranges
        )
        entries.append(PlaylistEntry(live_segment, is_ad, is_gap=bool(getattr(segment, "gap_tag", None))))

    target = parsed.target_duration
    return MediaPlaylist(
        media_sequence=media_sequence,
        target_duration_s=float(target) if target else None,
        entries=tuple(entries),
        ad_ranges=ad_ranges,
        is_endlist=bool(parsed.is_endlist),
        repairs=tuple(notes),
    )


def _byte_range(value: str | None, implied_offset: int | None) -> ByteRange | None:
    """An EXT-X-BYTERANGE ``length[@offset]``; without an offset it follows the previous range."""
    if not value:
        return None
    length_text, _, offset_text = str(value).strip().partition("@")
    if not length_text.isdigit() or (offset_text and not offset_text.isdigit()):
        raise ValueError(f"its byte range '{value}' is not 'length[@offset]'")
    if not offset_text and implied_offset is None:
        raise ValueError(f"its byte range '{value}' has no offset and follows no other range of the same file")
    offset = int(offset_text) if offset_text else implied_offset
    assert offset is not None
    return ByteRange(offset, int(length_text))


def _segment_key(key: m3u8.model.Key | None) -> SegmentKey | None:
    if key is None or not key.method or str(key.method).upper() == "NONE":
        return None
    iv: bytes | None = None
    if key.iv:
        text = str(key.iv)
        digits = text[2:] if text.lower().startswith("0x") else text
        try:
            iv = bytes.fromhex(digits.rjust(32, "0"))
        except ValueError:
            raise ValueError(f"its EXT-X-KEY IV '{text}' is not hexadecimal") from None
        if len(iv) != 16:
            raise ValueError(f"its EXT-X-KEY IV '{text}' is not 128 bits")
    return SegmentKey(
        method=str(key.method).upper(),
        uri=str(key.absolute_uri) if key.uri else None,
        iv=iv,
        key_format=str(key.keyformat or "identity"),
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
    gap_segments: int = 0
    encrypted_refused: int = 0
    duplicates_skipped: int = 0
    renumberings: int = 0
    playlists_repaired: int = 0
    playlists_unreadable: int = 0


@dataclass
class _FetchFailure:
    retry_now: bool = False  # True when the URL just changed, so waiting would only add delay


@dataclass
class _Position:
    """Where the follower is in the stream, in its own numbering (see ``LiveSegment.sequence``).

    ``sequence`` is the last number handled (yielded, or skipped as an ad, a gap or refused);
    ``offset`` turns the playlist's media sequence into that numbering; ``handled`` remembers the
    program-date-times of recent handled segments, so a renumbered playlist can be lined up with
    what was already handed out and nothing is handed out twice.
    """

    sequence: int | None = None
    end_date_time: datetime | None = None
    pending_discontinuity: bool = False
    missed: list[int] = field(default_factory=list)
    """Numbers the playlist moved past since the last segment yielded (at most ``MISSED_ANNOUNCED_MAX``)."""
    offset: int | None = None
    handled: OrderedDict[datetime, int] = field(default_factory=OrderedDict)
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
        metrics: CaptureMetrics | None = None,
    ) -> None:
        self.playlist_url = playlist_url
        self.stats = FollowerStats()
        self._metrics = metrics
        self._reported: set[object] = set()  # problems already logged as errors, logged once each
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
        self._reads_unchanged = 0
        """Reads in a row that listed no new segment: the next one waits longer (``_interval_s``)."""
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
            changed = False
            for segment in self._new_segments(outcome):
                changed = True
                yield segment
                if self._stop_event.is_set():
                    return
            if outcome.is_endlist:
                self._logger.info("The playlist has ended (EXT-X-ENDLIST); every segment was handed out.")
                return
            self._pause(started + self._interval_s(outcome, changed=changed) - self._clock())

    def _new_segments(self, playlist: MediaPlaylist) -> Iterator[LiveSegment]:
        position = self._position
        if not playlist.entries:
            return
        self._line_up_numbering(playlist)
        assert position.offset is not None

        for entry in playlist.entries:
            segment = entry.segment
            ours = segment.sequence + position.offset
            if position.sequence is not None and ours <= position.sequence:
                continue
            if self._handled_at(segment.program_date_time) is not None:
                # The same moment of the stream under another number: already handed out.
                self.stats.duplicates_skipped += 1
                continue
            if position.sequence is not None:
                missed = ours - position.sequence - 1
                if missed > 0:
                    self.stats.sequences_missed += missed
                    position.pending_discontinuity = True
                    position.missed.extend(range(max(position.sequence + 1, ours - MISSED_ANNOUNCED_MAX), ours))
                    del position.missed[:-MISSED_ANNOUNCED_MAX]
                    self._logger.warning(
                        "Missed %d segment(s) before sequence %d; the playlist moved on between refreshes.",
                        missed,
                        ours,
                    )
                elif segment.program_date_time is None and position.end_date_time is not None:
                    segment = replace(segment, program_date_time=position.end_date_time)

            segment = replace(segment, sequence=ours)
            self._mark_handled(segment)
            if entry.is_gap:
                self.stats.gap_segments += 1
                if self._metrics is not None:
                    self._metrics.problem(CaptureMetric.SEGMENT_GAPS)
                position.pending_discontinuity = True
                self._logger.info("Segment %d is marked EXT-X-GAP (no media); skipping it.", ours)
                continue
            if entry.is_ad:
                self.stats.ad_segments_skipped += 1
                position.pending_discontinuity = True
                continue
            refusal = segment.key.refusal() if segment.key is not None else None
            if refusal is not None:
                self._refuse(segment, refusal)
                position.pending_discontinuity = True
                continue
            if position.pending_discontinuity:
                segment = replace(segment, discontinuity=True, missed_before=tuple(position.missed))
                position.pending_discontinuity = False
                position.missed.clear()
            self.stats.segments_yielded += 1
            yield segment

    def _line_up_numbering(self, playlist: MediaPlaylist) -> None:
        """Choose the offset from the playlist's media sequence to our own numbering.

        The first playlist keeps its numbers (shifted up if they are negative). Later, a segment
        whose program-date-time was already handled pins the offset exactly, which is how a
        renumbered session is recognised. Without such an overlap, a stream that restarted (or was
        renumbered after a gap) continues after the last number, leaving a hole as long as the time
        that passed, so numbers stay unique and a hole in time stays a hole in numbers.
        """
        position = self._position
        entries = playlist.entries
        first = entries[0].segment
        if position.offset is None:
            position.offset = max(0, -first.sequence)
            if position.offset:
                self._logger.warning(
                    "The playlist's media sequence is negative (%d); numbering its segments from 0.", first.sequence
                )
            return

        for entry in entries:
            known = self._handled_at(entry.segment.program_date_time)
            if known is not None:
                self._set_offset(known - entry.segment.sequence, "a segment already handed out came back")
                return

        if position.sequence is None:
            return
        newest = entries[-1].segment
        if newest.sequence + position.offset < position.sequence:
            if not self._looks_restarted(newest):
                return  # a stale copy from a lagging edge: everything in it was handled
            self._logger.warning(
                "The media sequence went back to %d (after our segment %d) and its times are newer: "
                "the stream restarted; following it anew.",
                newest.sequence,
                position.sequence,
            )
            position.pending_discontinuity = True
            expected = self._expected_sequence(first)
            start = expected if expected is not None else position.sequence + 1
            self._set_offset(start - first.sequence, None)
            # The hole in time is the stream's, not ours: don't report it as missed segments.
            position.sequence = start - 1
            return

        expected = self._expected_sequence(first)
        actual = first.sequence + position.offset
        if expected is not None and abs(expected - actual) > max(
            RENUMBER_TOLERANCE, (expected - position.sequence) // 5
        ):
            self._set_offset(expected - first.sequence, "its program-date-times do not match its numbers")

    def _expected_sequence(self, first: LiveSegment) -> int | None:
        """Our number for ``first``, judged from how much stream time passed since the last handled segment."""
        position = self._position
        if first.program_date_time is None or position.end_date_time is None or position.sequence is None:
            return None
        duration_s = first.duration_s or DEFAULT_TARGET_DURATION_S
        elapsed_s = (first.program_date_time - position.end_date_time).total_seconds()
        return position.sequence + 1 + max(0, round(elapsed_s / duration_s))

    def _set_offset(self, offset: int, renumbered_because: str | None) -> None:
        position = self._position
        if offset == position.offset:
            return
        if renumbered_because is not None:
            self.stats.renumberings += 1
            self._logger.warning(
                "The playlist renumbered its media sequence (%s); keeping our own numbering, "
                "so no segment is handed out twice or under a number already used.",
                renumbered_because,
            )
            if self._metrics is not None:
                self._metrics.problem(CaptureMetric.SEQUENCE_RENUMBERED)
        position.offset = offset

    def _handled_at(self, when: datetime | None) -> int | None:
        """Our number of the handled segment that starts at ``when`` (within a tolerance), if any."""
        if when is None:
            return None
        for handled_at, sequence in reversed(self._position.handled.items()):
            if abs((handled_at - when).total_seconds()) <= PDT_MATCH_TOLERANCE_S:
                return sequence
        return None

    def _mark_handled(self, segment: LiveSegment) -> None:
        position = self._position
        position.sequence = segment.sequence
        position.end_date_time = segment.end_date_time
        if segment.program_date_time is not None:
            position.handled[segment.program_date_time] = segment.sequence
            position.handled.move_to_end(segment.program_date_time)
            while len(position.handled) > HANDLED_MEMORY:
                position.handled.popitem(last=False)

    def _refuse(self, segment: LiveSegment, refusal: str) -> None:
        self.stats.encrypted_refused += 1
        if self._metrics is not None:
            self._metrics.problem(CaptureMetric.SEGMENTS_REFUSED_ENCRYPTED)
        assert segment.key is not None
        reported = (segment.key.method, segment.key.key_format)
        if reported in self._reported:
            self._logger.debug("Segment %d refused: %s.", segment.sequence, refusal)
            return
        self._reported.add(reported)
        self._logger.error(
            "Segment %d and those like it are skipped because %s; capture an unencrypted (or AES-128) "
            "rendition instead. Their bytes are never passed to the decoder.",
            segment.sequence,
            refusal,
        )

    def _looks_restarted(self, newest: LiveSegment) -> bool:
        """Whether a playlist whose sequences went backwards is a restarted stream, not a stale copy.

        A lagging CDN edge can serve an older copy of the same playlist; its segments are not newer
        on the stream clock than the ones already handed out, whereas a restarted stream's are.
        """
        position = self._position
        if newest.program_date_time is not None and position.end_date_time is not None:
            return newest.program_date_time >= position.end_date_time
        return True

    def _fetch_playlist(self) -> MediaPlaylist | _FetchFailure:
        url = self.playlist_url
        try:
            response = self._http.get(url, timeout=self._timeout_s)
        except StreamUrlRefused as error:  # not public https (capture_task.ingest.guard): no retry can fix it
            self.stats.fetch_errors += 1
            self._logger.error("The media playlist was not fetched: %s", error)
            return _FetchFailure()
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
            loaded = load_playlist(text, base_url)
        except PlaylistUnreadable as error:
            self.stats.fetch_errors += 1
            self.stats.playlists_unreadable += 1
            if self._metrics is not None:
                self._metrics.problem(CaptureMetric.PLAYLISTS_UNREADABLE)
            self._logger.error("%s", error)
            return _FetchFailure()
        self._report_repairs(loaded.repairs)
        try:
            if loaded.playlist.is_variant:
                # A multivariant URL was passed in; follow its best variant instead of failing.
                self.playlist_url = select_variant(loaded.playlist, "best")
                self._logger.warning("%s is a multivariant playlist; following its best variant.", url)
                return _FetchFailure(retry_now=True)
            playlist = _media_playlist_from_m3u8(loaded.playlist, self._position.ad_ranges.values())
        except Exception as error:  # the follower must outlive any surprise in a playlist
            self.stats.fetch_errors += 1
            self.stats.playlists_unreadable += 1
            self._logger.error(
                "The playlist at %s could not be read (%s: %s); polling it again.",
                url.split("?", 1)[0],
                type(error).__name__,
                error,
                exc_info=True,
            )
            return _FetchFailure()
        self._report_repairs(playlist.repairs)

        self.stats.playlists_fetched += 1
        self._remember_ad_ranges(playlist.ad_ranges)
        return playlist

    def _report_repairs(self, repairs: tuple[str, ...]) -> None:
        """Log each distinct repair once as an error (a live server repeats it every refresh), count all."""
        if not repairs:
            return
        self.stats.playlists_repaired += 1
        if self._metrics is not None:
            self._metrics.problem(CaptureMetric.PLAYLISTS_REPAIRED)
        for repair in repairs:
            if repair in self._reported:
                continue
            self._reported.add(repair)
            self._logger.error("The media playlist has a tag m3u8 cannot read; %s The rest of it is used.", repair)

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
        except SourceUnavailable as error:  # geo-block, auth, Twitch down: a sentence, logged by the resolver too
            self._logger.warning("Re-resolving the stream after %s failed: %s Keeping the current URL.", reason, error)
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

    def _interval_s(self, playlist: MediaPlaylist, *, changed: bool) -> float:
        """How long after this read began the playlist is read again.

        After a read that listed a new segment: the last segment's duration, less ``POLL_LEAD_S``. After a read
        that listed nothing new: ``MIN_POLL_INTERVAL_S``, doubling with each such read in a row, up to half the
        target duration. Why: RFC 8216 §6.3.4 reloads a target duration after a change and half of one
        otherwise, which sees a new segment up to that long after it appears: on Twitch's 2 s segments ~0.5 s
        later on average, and every second of it delays a goal's alert. Reading just before the next segment is
        due, then shortly after, keeps the reads in step with the stream (a segment is seen at most
        ``MIN_POLL_INTERVAL_S`` after it appears) for about two reads per segment, the rate of half-target
        polling of 2 s segments: one client per channel, not a player fleet. A stalled stream backs off to
        the RFC's half target.
        """
        if self._poll_interval_s is not None:
            return self._poll_interval_s
        target_s = playlist.target_duration_s or DEFAULT_TARGET_DURATION_S
        if changed:
            self._reads_unchanged = 0
            last_s = playlist.entries[-1].segment.duration_s if playlist.entries else 0.0
            return max(MIN_POLL_INTERVAL_S, (last_s or target_s) - POLL_LEAD_S)
        self._reads_unchanged += 1
        backoff_s = MIN_POLL_INTERVAL_S * 2 ** min(self._reads_unchanged - 1, 16)
        return min(backoff_s, max(MIN_POLL_INTERVAL_S, target_s / 2))

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
# AES-128 keys are small and shared by many segments; the same LRU keeps them.
_DEFAULT_KEY_CACHE = InitSectionCache(max_entries=16)
AES_BLOCK_BYTES = 16


def fetch_segment(
    http: requests.Session,
    segment: LiveSegment,
    *,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = HTTP_TIMEOUT_S,
    max_backoff_s: float = SEGMENT_MAX_BACKOFF_S,
    key_cache: InitSectionCache | None = None,
) -> bytes:
    """Download a segment's bytes (its byte range only, decrypted), retrying 5xx, 429 and timeouts.

    Gives up with ``SegmentUnavailable`` rather than blocking: the playlist keeps moving, and a
    capture that waits on one segment loses the ones after it. 4xx answers other than 408/425/429
    fail at once, since retrying cannot fix them. An encrypted segment is decrypted (AES-128) or
    refused with ``EncryptedSegmentRefused`` before anything is downloaded: encrypted bytes never
    reach the decoder.
    """
    download = _Downloader(http, segment.sequence, attempts, sleep, timeout_s, max_backoff_s)
    _refuse_undecryptable(segment)
    data = download(segment.uri, segment.byterange)
    if segment.key is None:
        return data
    return _decrypt(data, segment, download, key_cache if key_cache is not None else _DEFAULT_KEY_CACHE)


def fetch_init_section(
    http: requests.Session,
    segment: LiveSegment,
    *,
    cache: InitSectionCache | None = None,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = HTTP_TIMEOUT_S,
    max_backoff_s: float = SEGMENT_MAX_BACKOFF_S,
    key_cache: InitSectionCache | None = None,
) -> bytes | None:
    """The EXT-X-MAP initialisation section an fMP4 segment needs, or None for MPEG-TS.

    Cached (by default in a module-wide cache) because all fragments of a rendition share it.
    Raises ``SegmentUnavailable`` like :func:`fetch_segment`.
    """
    if segment.init_uri is None:
        return None
    cache = cache if cache is not None else _DEFAULT_INIT_CACHE
    cache_key = segment.init_uri if segment.init_byterange is None else f"{segment.init_uri}#{segment.init_byterange}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    download = _Downloader(http, segment.sequence, attempts, sleep, timeout_s, max_backoff_s)
    _refuse_undecryptable(segment)
    data = download(segment.init_uri, segment.init_byterange)
    if segment.key is not None and not _looks_like_mp4(data):
        # RFC 8216 §4.3.2.5: an encrypted init section has an explicit IV on the key that applies to it.
        if segment.key.iv is None:
            raise EncryptedSegmentRefused(
                segment.init_uri,
                segment.key.method,
                sequence=segment.sequence,
                why="its initialisation section is encrypted without an explicit IV",
            )
        data = _decrypt(data, segment, download, key_cache if key_cache is not None else _DEFAULT_KEY_CACHE)
    cache.put(cache_key, data)
    return data


def _refuse_undecryptable(segment: LiveSegment) -> None:
    refusal = segment.key.refusal() if segment.key is not None else None
    if refusal is not None:
        assert segment.key is not None
        raise EncryptedSegmentRefused(segment.uri, segment.key.method, sequence=segment.sequence, why=refusal)


def _looks_like_mp4(data: bytes) -> bool:
    return data[4:8] in (b"ftyp", b"styp", b"moov", b"moof", b"sidx")


def _decrypt(data: bytes, segment: LiveSegment, download: _Downloader, key_cache: InitSectionCache) -> bytes:
    """AES-128-CBC with PKCS#7 padding (RFC 8216 §5.2); the IV defaults to the media sequence number."""
    key = segment.key
    assert key is not None and key.uri is not None
    key_bytes = key_cache.get(key.uri)
    if key_bytes is None:
        key_bytes = download(key.uri, None)
        if len(key_bytes) != AES_BLOCK_BYTES:
            raise SegmentUnavailable(
                key.uri, 1, f"the AES-128 key is {len(key_bytes)} bytes, not 16", sequence=segment.sequence
            )
        key_cache.put(key.uri, key_bytes)
    number = segment.media_sequence if segment.media_sequence is not None else segment.sequence
    iv = key.iv if key.iv is not None else (number % 2**128).to_bytes(AES_BLOCK_BYTES, "big")
    if not data or len(data) % AES_BLOCK_BYTES:
        raise SegmentUnavailable(
            segment.uri, 1, f"its {len(data)} encrypted bytes are not whole AES blocks", sequence=segment.sequence
        )
    decryptor = Cipher(algorithms.AES(key_bytes), modes.CBC(iv)).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    padding = plain[-1]
    if not 1 <= padding <= AES_BLOCK_BYTES or plain[-padding:] != bytes([padding]) * padding:
        raise SegmentUnavailable(
            segment.uri, 1, "AES-128 decryption gave invalid padding (wrong key or IV)", sequence=segment.sequence
        )
    return plain[:-padding]


@dataclass(frozen=True)
class _Downloader:
    """Downloads one resource (or a byte range of it) for a segment, with the retries fetch_segment promises."""

    http: requests.Session
    sequence: int | None
    attempts: int
    sleep: Callable[[float], None]
    timeout_s: float
    max_backoff_s: float

    def __call__(self, url: str, byterange: ByteRange | None) -> bytes:
        attempts = max(1, self.attempts)
        sequence = self.sequence
        headers = {"Range": byterange.http_range} if byterange is not None else None
        reason = "no attempt was made"
        for attempt in range(1, attempts + 1):
            try:
                response = self.http.get(url, timeout=self.timeout_s, headers=headers)
            except _RETRYABLE_ERRORS as error:
                reason = f"{type(error).__name__}: {error}"
            except requests.RequestException as error:
                raise SegmentUnavailable(url, attempt, f"{type(error).__name__}: {error}", sequence=sequence) from error
            else:
                status = response.status_code
                if status < 400:
                    return _requested_bytes(response, byterange, url, attempt, sequence)
                reason = f"HTTP {status}"
                if status < 500 and status not in _RETRYABLE_STATUS:
                    raise SegmentUnavailable(url, attempt, reason, sequence=sequence)
            if attempt < attempts:
                LOGGER.info("Segment download failed (%s), attempt %d of %d; retrying.", reason, attempt, attempts)
                self.sleep(_backoff_s(attempt, BACKOFF_BASE_S / 4, self.max_backoff_s))
        raise SegmentUnavailable(url, attempts, reason, sequence=sequence)


def _requested_bytes(
    response: requests.Response, byterange: ByteRange | None, url: str, attempt: int, sequence: int | None
) -> bytes:
    """The body, cut to the byte range when the server ignored the Range header and sent it all."""
    data = response.content
    if byterange is None:
        return data
    if response.status_code != 206:
        data = data[byterange.offset : byterange.offset + byterange.length]
    if len(data) != byterange.length:
        raise SegmentUnavailable(
            url,
            attempt,
            f"asked for {byterange.length} bytes ({byterange.http_range}), got {len(data)}",
            sequence=sequence,
        )
    return data
