"""Parse HLS playlists with m3u8, repairing or dropping the tags it cannot read instead of failing.

One malformed tag must not stop a live capture: m3u8 6.0 raises on a whole playlist for a tag it
cannot read (``KeyError`` for an ``EXT-X-DATERANGE`` without ``ID`` or an ``EXT-X-STREAM-INF``
without ``BANDWIDTH``, ``ValueError`` for a malformed ``EXT-X-PROGRAM-DATE-TIME`` or a fractional
``EXT-X-TARGETDURATION``), and a live server tends to send the same broken tag on every refresh.
:func:`load_playlist` repairs the known cases, drops any other tag line m3u8 cannot read on its
own, parses again and says what it changed, so the caller can log it as an error and go on.

Example::

    loaded = load_playlist(text, url)
    for repair in loaded.repairs:
        logger.error("%s", repair)
    playlist = loaded.playlist  # an m3u8.M3U8
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

import m3u8

from capture_task.exceptions import PlaylistUnreadable

# Tags whose absence or change would change which segments exist; never dropped.
_STRUCTURAL_TAGS = ("#EXTM3U", "#EXTINF", "#EXT-X-ENDLIST", "#EXT-X-MEDIA-SEQUENCE")
_TAG_VALUE_RE = re.compile(r"^(#[A-Z0-9-]+):?(.*)$")


@dataclass(frozen=True)
class LoadedPlaylist:
    """A parsed playlist and, in sentences, every repair that reading it needed (empty when none)."""

    playlist: m3u8.M3U8
    repairs: tuple[str, ...] = ()


def load_playlist(text: str, url: str) -> LoadedPlaylist:
    """Parse ``text`` (fetched from ``url``), repairing what m3u8 cannot read.

    Raises ``PlaylistUnreadable`` when the text is not a playlist at all or stays unreadable after
    every tag m3u8 rejects was dropped.
    """
    if not text.lstrip().startswith("#EXTM3U"):
        raise PlaylistUnreadable(url, "it does not start with #EXTM3U")
    try:
        return LoadedPlaylist(m3u8.loads(text, uri=url))
    except Exception:  # m3u8 raises bare KeyError/ValueError/TypeError on malformed tags
        pass

    lines, repairs = _repair_known_tags(text.splitlines())
    try:
        return LoadedPlaylist(m3u8.loads("\n".join(lines) + "\n", uri=url), tuple(repairs))
    except Exception:
        pass

    kept: list[str] = []
    for line in lines:
        if _is_droppable_tag(line) and not _tag_parses_alone(line):
            repairs.append(f"Dropped the tag line '{_shorten(line)}', which m3u8 cannot read.")
            continue
        kept.append(line)
    try:
        return LoadedPlaylist(m3u8.loads("\n".join(kept) + "\n", uri=url), tuple(repairs))
    except Exception as error:
        raise PlaylistUnreadable(url, f"{type(error).__name__}: {error}") from error


def _repair_known_tags(lines: list[str]) -> tuple[list[str], list[str]]:
    """Fix the malformed tags seen in real playlists, each with a sentence saying what was done."""
    repaired: list[str] = []
    repairs: list[str] = []
    missing_ids = 0
    for line in lines:
        stripped = line.strip()
        match = _TAG_VALUE_RE.match(stripped)
        tag, value = (match.group(1), match.group(2)) if match else ("", "")
        if tag == "#EXT-X-TARGETDURATION" and not value.strip().isdigit():
            target = _ceil_or_none(value)
            if target is None:
                repairs.append(f"Dropped '{_shorten(stripped)}': the target duration is not a number.")
                continue
            repairs.append(f"Rounded the fractional '{_shorten(stripped)}' up to {target} s (it must be an integer).")
            repaired.append(f"#EXT-X-TARGETDURATION:{target}")
        elif tag == "#EXT-X-PROGRAM-DATE-TIME" and not _is_iso_datetime(value):
            repairs.append(
                f"Dropped the malformed '{_shorten(stripped)}'; that segment's time comes from its neighbours."
            )
        elif tag == "#EXT-X-DATERANGE" and not _has_attribute(value, "ID"):
            missing_ids += 1
            repairs.append(f"Gave '{_shorten(stripped)}' the missing ID 'missing-id-{missing_ids}'.")
            repaired.append(f'#EXT-X-DATERANGE:ID="missing-id-{missing_ids}",{value}')
        elif tag == "#EXTINF" and _extinf_duration(value) is None:
            number = re.match(r"\s*(-?\d+(?:\.\d+)?)", value)
            duration = max(float(number.group(1)), 0.0) if number else 0.0
            title = value.rsplit(",", 1)[1] if "," in value else ""
            repairs.append(f"Read '{_shorten(stripped)}' as a {duration:g} s segment (its duration is not a number).")
            repaired.append(f"#EXTINF:{duration:g},{title}")
        elif tag in ("#EXT-X-STREAM-INF", "#EXT-X-I-FRAME-STREAM-INF") and not _has_attribute(value, "BANDWIDTH"):
            repairs.append(f"Gave '{_shorten(stripped)}' the missing BANDWIDTH=0.")
            repaired.append(f"{tag}:BANDWIDTH=0,{value}" if value else f"{tag}:BANDWIDTH=0")
        else:
            repaired.append(line)
    return repaired, repairs


def _extinf_duration(value: str) -> float | None:
    try:
        return float(value.split(",", 1)[0])
    except ValueError:
        return None


def _ceil_or_none(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return math.ceil(number) if math.isfinite(number) and number >= 0 else None


def _is_iso_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


def _has_attribute(attributes: str, name: str) -> bool:
    # Attribute names sit at the start or after a comma; quoted values may contain commas, which
    # is harmless here because a quoted value never contains "NAME=" at such a position by chance.
    return re.search(rf"(?:^|,)\s*{re.escape(name)}=", attributes) is not None


def _is_droppable_tag(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("#EXT") and not stripped.startswith(_STRUCTURAL_TAGS)


def _tag_parses_alone(line: str) -> bool:
    """Whether m3u8 reads this one tag line in a minimal playlist (with a segment after it)."""
    try:
        m3u8.loads(f"#EXTM3U\n{line.strip()}\n#EXTINF:1,\nprobe.ts\n")
    except Exception:
        return False
    return True


def _shorten(line: str, limit: int = 120) -> str:
    return line if len(line) <= limit else line[: limit - 1] + "…"
