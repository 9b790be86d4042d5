"""Turns a source into a stream of SegmentMedia: bytes plus the times of their frames.

Two producers, one shape: an HLS playlist (live or not) followed segment by
segment, and a local video file cut into ~2 s pieces with ffmpeg (stream copy,
so cuts fall on keyframes like an HLS encoder's). The rest of the capture task
never knows which it is reading.
"""

from __future__ import annotations

import csv
import logging
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import requests

from capture_task.exceptions import SegmentUnavailable, StreamOffline
from capture_task.ingest.guard import stream_session
from capture_task.ingest.media import SegmentMedia
from capture_task.ingest.playlist import LiveSegment, PlaylistFollower, fetch_init_section, fetch_segment
from capture_task.ingest.sources import Resolver, SourceKind, parse_source
from capture_task.metrics import CaptureMetrics

logger = logging.getLogger("highlight_bot.capture")

FILE_SEGMENT_S = 2.0
"""Length of the pieces a local file is cut into, like Twitch's segments."""
TS_PACKET_BYTES = 188
TS_SYNC_BYTE = 0x47
_MP4_BOX_HEADER_BYTES = 8


def container_defect(data: bytes, container: str) -> str | None:
    """Why ``data`` is not a usable segment of ``container``, as a sentence; None when its structure is sound.

    A structural check, no decoding: MPEG-TS must hold sync bytes every 188 bytes (a cut-off last
    packet is tolerated: its frames before the cut still decode), fMP4 must be a chain of boxes
    holding a ``moof`` and an ``mdat``. Bytes that fail it (an error page, a truncated or garbled
    download) would make the decoder fail, so the segment is announced as missing instead.
    """
    if not data:
        return "the segment is empty"
    if container == "fmp4":
        return _fmp4_defect(data)
    packets = len(data) // TS_PACKET_BYTES
    if packets == 0 or data[0] != TS_SYNC_BYTE:
        return "the segment is not MPEG-TS (no sync byte at its start)"
    lost = packets - data[: packets * TS_PACKET_BYTES : TS_PACKET_BYTES].count(TS_SYNC_BYTE)
    if lost:
        return f"the segment is corrupt: {lost} of its {packets} MPEG-TS packets lost their sync byte"
    return None


def _fmp4_defect(data: bytes) -> str | None:
    boxes: set[bytes] = set()
    offset = 0
    while offset + _MP4_BOX_HEADER_BYTES <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        if size == 1 and offset + 16 <= len(data):  # a 64-bit size follows the type
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size < _MP4_BOX_HEADER_BYTES:
            return f"the fMP4 fragment is corrupt: box {kind!r} at byte {offset} has size {size}"
        boxes.add(kind)
        offset += size
    if not {b"moof", b"mdat"} <= boxes:
        return "the fMP4 fragment is corrupt: it lacks a moof or mdat box"
    return None


class StreamClock:
    """Maps segment start times to seconds since the first segment read.

    When a playlist has no EXT-X-PROGRAM-DATE-TIME (a plain file, some HLS
    servers) the only anchor left is the moment reading began; it is taken
    once and every later time is that anchor plus media time, so timing inside
    the stream still comes from the stream.
    """

    def __init__(self) -> None:
        self.origin: datetime | None = None
        self._media_time_s = 0.0

    def place(self, program_date_time: datetime | None, duration_s: float) -> tuple[datetime, float]:
        """(start, stream_time) of the next segment."""
        if self.origin is None:
            self.origin = program_date_time or datetime.now(UTC)
        if program_date_time is None:
            start = self.origin + timedelta(seconds=self._media_time_s)
        else:
            start = program_date_time
        self._media_time_s = (start - self.origin).total_seconds() + duration_s
        return start, max((start - self.origin).total_seconds(), 0.0)


def hls_segments(
    follower: PlaylistFollower, http: requests.Session, *, clock: StreamClock | None = None
) -> Iterator[tuple[LiveSegment, SegmentMedia]]:
    """Follow a playlist; a segment that cannot be fetched is never fatal.

    It is handed on without bytes, with a ``defect`` saying why, like the segments the playlist moved
    past before they were fetched: the analysis skips them and the announcer announces them as gaps,
    so enrich knows those seconds are missing instead of waiting for them.
    """
    clock = clock or StreamClock()
    skipped = False
    previous_end: datetime | None = None
    for live in follower.segments():
        for missing in _missed_before(live, previous_end, clock):
            previous_end = missing.end
            yield live, missing
        try:
            data = fetch_segment(http, live)
            init = fetch_init_section(http, live) if live.init_uri else None
        except SegmentUnavailable as error:
            logger.warning(
                "segment %d could not be downloaded and will be announced as missing: %s", live.sequence, error
            )
            missing = _without_bytes(live, clock, live.program_date_time, f"it could not be downloaded: {error}")
            previous_end, skipped = missing.end, True
            yield live, missing
            continue
        start, stream_time = clock.place(live.program_date_time, live.duration_s)
        defect = container_defect(data, live.container)
        if defect is not None:
            logger.warning("segment %d is unusable and will be announced as missing: %s", live.sequence, defect)
        yield (
            live,
            SegmentMedia(
                sequence=live.sequence,
                start=start,
                duration_s=live.duration_s,
                stream_time=stream_time,
                data=data,
                container=live.container,
                init_section=init,
                discontinuity=live.discontinuity or skipped,
                uri=live.uri,
                defect=defect,
            ),
        )
        previous_end = start + timedelta(seconds=live.duration_s)
        skipped = False


MOVED_ON_REASON = "the playlist moved on past it before it was downloaded (the capture fell behind the live edge)"


def _missed_before(live: LiveSegment, previous_end: datetime | None, clock: StreamClock) -> Iterator[SegmentMedia]:
    """Stand-ins for the segments the playlist moved past before ``live``: their times follow the last one's end."""
    if not live.missed_before:
        return
    duration_s = live.duration_s
    if previous_end is not None and live.program_date_time is not None:
        span_s = (live.program_date_time - previous_end).total_seconds()
        if span_s > 0:
            duration_s = min(duration_s, span_s / len(live.missed_before))
    for index, sequence in enumerate(live.missed_before):
        start = previous_end + timedelta(seconds=index * duration_s) if previous_end is not None else None
        stand_in = replace(live, sequence=sequence, duration_s=duration_s, discontinuity=True, missed_before=())
        yield _without_bytes(stand_in, clock, start, MOVED_ON_REASON)


def _without_bytes(live: LiveSegment, clock: StreamClock, start: datetime | None, reason: str) -> SegmentMedia:
    """A segment whose bytes were never read: no data, and ``reason`` as its defect."""
    placed_start, stream_time = clock.place(start, live.duration_s)
    return SegmentMedia(
        sequence=live.sequence,
        start=placed_start,
        duration_s=live.duration_s,
        stream_time=stream_time,
        data=b"",
        container=live.container,
        discontinuity=True,
        uri=live.uri,
        defect=reason,
    )


def file_segments(
    path: Path, *, stop_event: threading.Event | None = None, clock: StreamClock | None = None
) -> Iterator[SegmentMedia]:
    """Cut a local video into keyframe-aligned ~2 s MPEG-TS pieces and yield them in order."""
    clock = clock or StreamClock()
    with tempfile.TemporaryDirectory(prefix="highlight-bot-file-") as scratch:
        pieces = Path(scratch)
        # The operator's file may be any container, so its format is probed; but whatever it names
        # (an HLS playlist's or concat script's entries) is opened from local files only, never a URL.
        command = [
            "ffmpeg", "-v", "error", "-nostdin", "-protocol_whitelist", "file", "-i", str(path),
            "-map", "0:v:0", "-c", "copy",
            "-f", "segment", "-segment_time", str(FILE_SEGMENT_S), "-segment_format", "mpegts",
            "-segment_list", str(pieces / "list.csv"), "-segment_list_type", "csv",
            str(pieces / "piece_%06d.ts"),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ValueError(f"ffmpeg could not read {path}: {result.stderr.strip()[-300:]}")
        with (pieces / "list.csv").open() as listing:
            rows = list(csv.reader(listing))
        durations = _piece_durations([pieces / name for name, _begin, _end in rows], rows)
        for sequence, ((name, _begin, _end), duration_s) in enumerate(zip(rows, durations, strict=True)):
            if stop_event is not None and stop_event.is_set():
                return
            start, stream_time = clock.place(None, duration_s)
            yield SegmentMedia(
                sequence=sequence,
                start=start,
                duration_s=duration_s,
                stream_time=stream_time,
                data=(pieces / name).read_bytes(),
            )


def _first_video_pts_s(piece: Path) -> float | None:
    """When a piece's first frame is shown, in its own clock (demuxer forced, no decoding)."""
    try:
        with av.open(str(piece), format="mpegts", options={"protocol_whitelist": "file"}) as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                if packet.pts is not None and stream.time_base is not None:
                    return float(packet.pts * stream.time_base)
    except (av.error.FFmpegError, IndexError):
        return None
    return None


def _piece_durations(pieces: list[Path], rows: list[list[str]]) -> list[float]:
    """Each piece's length: from one piece's first frame to the next's.

    The segment muxer's list times the cuts by decoding timestamps shifted by the B-frame delay
    (the first piece comes out two frames long at 30 fps), which would stamp every later frame, and
    goal, late by that much; the pieces' own presentation times are exact.
    """
    listed = [max(float(end) - float(begin), 0.001) for _name, begin, end in rows]
    starts = [_first_video_pts_s(piece) for piece in pieces]
    durations = []
    for index, length in enumerate(listed):
        here, after = starts[index], starts[index + 1] if index + 1 < len(starts) else None
        durations.append(after - here if here is not None and after is not None and after > here else length)
    return durations


OFFLINE_RETRY_S = 30.0
"""How long to wait before asking again whether an offline channel went live."""


def _resolve_until_live(resolver: Resolver, stop_event: threading.Event) -> str | None:
    """A channel that is offline is waited for, never given up on (the task is long-running)."""
    while not stop_event.is_set():
        try:
            return resolver()
        except StreamOffline as error:
            logger.warning("%s Retrying in %.0f s.", error, OFFLINE_RETRY_S)
            stop_event.wait(OFFLINE_RETRY_S)
    return None


def source_segments(
    source: str,
    quality: str,
    stop_event: threading.Event,
    *,
    metrics: CaptureMetrics | None = None,
    allow_private_stream_urls: bool = False,
) -> Iterator[SegmentMedia]:
    """The segments of any source `detect` accepts: a local file, an HLS URL or a Twitch channel.

    ``metrics`` counts what the resolver and the playlist follower meet (Twitch offline, repaired playlists...).
    Every HTTP request for the stream (playlists, variants, segments, keys, redirects) goes through
    ``capture_task.ingest.guard``: public https only, unless ``allow_private_stream_urls`` (the local run's
    127.0.0.1, CDK context ``allow_private_stream_urls=true``).
    """
    spec = parse_source(source)
    if spec.kind is SourceKind.FILE:
        yield from file_segments(Path(spec.location), stop_event=stop_event)
        return
    http = stream_session(allow_private_stream_urls=allow_private_stream_urls)
    resolver = Resolver(spec, quality, metrics=metrics, http=http)
    url = _resolve_until_live(resolver, stop_event)
    if url is None:
        return
    follower = PlaylistFollower(url, http=http, resolver=resolver, stop_event=stop_event, metrics=metrics)
    for _live, media in hls_segments(follower, http):
        yield media
