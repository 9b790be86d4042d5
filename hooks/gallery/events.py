"""The events the gallery shows, from the SNS event its Lambda receives: highlights, vertical cuts, reels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts import HighlightEvent, ReelEvent, VerticalEvent
from hooks.shared.events import events_from_sns

GalleryEvent = HighlightEvent | VerticalEvent | ReelEvent
GALLERY_EVENT_TYPES = (HighlightEvent, VerticalEvent, ReelEvent)


def gallery_events_from_sns(event: Mapping[str, Any]) -> list[GalleryEvent]:
    """Every highlight, vertical cut or reel in an SNS-to-Lambda event; InvalidEventError names the first bad record."""
    return events_from_sns(event, GALLERY_EVENT_TYPES, reader="gallery hook")
