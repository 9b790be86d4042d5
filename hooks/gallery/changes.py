"""What each published event changes in its channel's gallery, with links to the objects in the bucket."""

from __future__ import annotations

from collections.abc import Callable

from contracts import HighlightEvent, ReelEvent, StoredMedia, VerticalEvent
from hooks.gallery.events import GalleryEvent
from hooks.gallery.pages import (
    ChannelGallery,
    GalleryMedia,
    root_relative_href,
    with_highlight,
    with_reel,
    with_vertical,
)
from hooks.gallery.store import GALLERY_PREFIX


def _href(media: StoredMedia) -> str:
    """Relative to `gallery/`: the clip's key one folder up, so it resolves wherever the bucket is served."""
    return root_relative_href(media.key, gallery_prefix=GALLERY_PREFIX)


def change_for(published: GalleryEvent) -> Callable[[ChannelGallery], ChannelGallery]:
    """The change `published` makes to its channel's gallery (applying it twice is applying it once)."""
    if isinstance(published, HighlightEvent):
        clip = GalleryMedia(
            href=_href(published.clip), thumbnail_href=_href(published.thumbnail), duration_s=published.duration_s
        )
        return lambda gallery: with_highlight(gallery, published, clip)
    if isinstance(published, VerticalEvent):
        vertical = GalleryMedia(
            href=_href(published.clip), thumbnail_href=_href(published.thumbnail), duration_s=published.duration_s
        )
        return lambda gallery: with_vertical(gallery, published.goal, published.title, vertical)
    if isinstance(published, ReelEvent):
        reel = GalleryMedia(href=_href(published.reel), duration_s=published.duration_s)
        return lambda gallery: with_reel(gallery, published, reel)
    raise TypeError(f"the gallery has no change for {type(published).__name__}")
