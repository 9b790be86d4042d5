"""The gallery hook: an index of channels and a page per channel, rebuilt on each highlight and reel.

`pages` is the page generator (pure) that the local run uses as well; `store` keeps the cloud
gallery's documents and pages in the highlights bucket.

Example:
    >>> from hooks.gallery import ChannelGallery, render_channel, with_highlight
    >>> render_channel(with_highlight(ChannelGallery(channel="sample"), highlight, media))
"""

from hooks.gallery.pages import (
    ChannelGallery,
    ChannelSummary,
    GalleryGoal,
    GalleryIndex,
    GalleryMedia,
    GalleryReel,
    channel_slug,
    render_channel,
    render_index,
    with_channel,
    with_highlight,
    with_reel,
    with_vertical,
)

__all__ = [
    "ChannelGallery",
    "ChannelSummary",
    "GalleryGoal",
    "GalleryIndex",
    "GalleryMedia",
    "GalleryReel",
    "channel_slug",
    "render_channel",
    "render_index",
    "with_channel",
    "with_highlight",
    "with_reel",
    "with_vertical",
]
