"""HLS media playlists as Twitch serves them: 2 s segments titled ``live`` with program-date-times.

Why: the renderer's segments, the VOD playlist and the live server's sliding window all
spell tags and times the same way, so that spelling lives here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEGMENT_DURATION_S = 2
PLAYLIST_NAME = "playlist.m3u8"
SEGMENT_NAME_PATTERN = "seg_%05d.ts"
LIVE_SEGMENT_TITLE = "live"
"""Twitch titles live segments ``live`` and stitched ad segments ``Amazon|<id>``."""


def iso_utc(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, the spelling Twitch and our contracts use."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def segment_name(index: int) -> str:
    return SEGMENT_NAME_PATTERN % index


@dataclass(frozen=True)
class PlaylistSegment:
    """One media segment line group: where it is, when it was captured, how long it runs."""

    uri: str
    program_date_time: datetime
    duration_s: float = float(SEGMENT_DURATION_S)
    title: str = LIVE_SEGMENT_TITLE
    discontinuity: bool = False
    daterange: str | None = None
    """A full ``#EXT-X-DATERANGE:...`` line to put before this segment (Twitch marks ads so)."""


def render_media_playlist(
    segments: list[PlaylistSegment],
    media_sequence: int,
    *,
    ended: bool,
    discontinuity_sequence: int = 0,
) -> str:
    """The text of a media playlist; ``ended`` adds ``#EXT-X-ENDLIST`` (VOD, or a finished live)."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{SEGMENT_DURATION_S}",
        f"#EXT-X-MEDIA-SEQUENCE:{media_sequence}",
    ]
    if discontinuity_sequence:
        lines.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuity_sequence}")
    for segment in segments:
        if segment.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        if segment.daterange:
            lines.append(segment.daterange)
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{iso_utc(segment.program_date_time)}")
        lines.append(f"#EXTINF:{segment.duration_s:.3f},{segment.title}")
        lines.append(segment.uri)
    if ended:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def vod_segments(start_pdt: datetime, count: int) -> list[PlaylistSegment]:
    """The broadcast's segments, back to back from ``start_pdt``."""
    return [
        PlaylistSegment(segment_name(i), start_pdt + timedelta(seconds=i * SEGMENT_DURATION_S)) for i in range(count)
    ]


def read_vod_playlist(path: Path) -> list[PlaylistSegment]:
    """Parse a playlist this package wrote (PDT, EXTINF and URI per segment)."""
    segments: list[PlaylistSegment] = []
    pdt: datetime | None = None
    duration = float(SEGMENT_DURATION_S)
    for line in path.read_text().splitlines():
        if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
            pdt = parse_iso_utc(line.split(":", 1)[1])
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line and not line.startswith("#"):
            if pdt is None:
                raise ValueError(f"{path} has a segment without #EXT-X-PROGRAM-DATE-TIME; re-render it.")
            segments.append(PlaylistSegment(line, pdt, duration))
            pdt = None
    return segments
