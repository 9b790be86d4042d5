"""One segment as the ingest stage hands it on: its bytes and the stream facts that time its frames.

It is the seam between ingest (playlists, files) and the stages after it (vision, publish): they
never know whether a segment came from Twitch, another HLS server or a local file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SegmentMedia:
    """One segment's bytes and the stream facts needed to time its frames."""

    sequence: int
    start: datetime
    duration_s: float
    stream_time: float
    data: bytes
    container: str = "ts"
    init_section: bytes | None = None
    discontinuity: bool = False
    uri: str | None = None
    """Where the source serves the bytes (an HLS segment's URL); None for a local file's pieces."""
    defect: str | None = None
    """Why the bytes cannot be used (not a valid container: a corrupt download), as a sentence; None when sound.

    A segment with a defect is never decoded, and is announced as missing with this reason."""

    @property
    def end(self) -> datetime:
        """When the segment's last frame ends, on the stream clock."""
        return self.start + timedelta(seconds=self.duration_s)
