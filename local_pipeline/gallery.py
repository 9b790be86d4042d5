"""The local gallery hook: each highlight, vertical cut and reel becomes files in ./highlights and the gallery pages.

It is a hook like the ones in hooks/ (an SNS-shaped event in, the contracts parsed by the same
code as the cloud gallery hook, `hooks.gallery.events`), and its pages come from the cloud
gallery's generator (`hooks.gallery.pages`), so what `make demo` shows is what CloudFront serves.
It writes to this machine's disk, so it lives here and is never deployed:

    highlights/index.html              the channels
    highlights/<channel>/index.html    a channel's reels and goals, newest first
    highlights/<channel>/gallery.json  what that page shows
    highlights/clips/                  clips, vertical cuts, thumbnails and reels
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts import HighlightEvent, ReelEvent, StoredMedia, VerticalEvent
from hooks.gallery.events import gallery_events_from_sns
from hooks.gallery.pages import (
    PAGE_NAME,
    ChannelGallery,
    GalleryGoal,
    GalleryIndex,
    GalleryMedia,
    channel_slug,
    render_channel,
    render_index,
    with_channel,
    with_highlight,
    with_reel,
    with_vertical,
)

INDEX_NAME = PAGE_NAME
DOCUMENT_NAME = "gallery.json"
CLIPS_FOLDER = "clips"


class Gallery:
    """Downloads each event's media into `folder/clips` and rewrites the channel's page and the index."""

    def __init__(self, folder: Path, s3_client: Any) -> None:
        self.folder = folder
        self._s3 = s3_client
        self._lock = threading.Lock()
        self.channels: dict[str, ChannelGallery] = {}
        self.index = GalleryIndex()
        (folder / CLIPS_FOLDER).mkdir(parents=True, exist_ok=True)
        self._write_index()

    @property
    def entries(self) -> dict[str, GalleryGoal]:
        """Every goal of every channel, by goal id."""
        return {goal_id: goal for gallery in self.channels.values() for goal_id, goal in gallery.goals.items()}

    def channel_page(self, channel: str) -> Path:
        return self.folder / channel_slug(channel) / PAGE_NAME

    def handler(self, event: dict[str, Any], context: Any) -> dict[str, list[str]]:
        """The hook's Lambda-style entry point: highlights, vertical cuts and match reels (their own event types)."""
        saved = []
        for published in gallery_events_from_sns(event):
            if isinstance(published, ReelEvent):
                self.save_reel(published)
            elif isinstance(published, VerticalEvent):
                self.save_vertical(published)
            else:
                self.save(published)
            saved.append(published.id)
        return {"saved": saved}

    def _download(self, media: StoredMedia, name: str) -> str:
        """Copy an object next to the pages; its link relative to the gallery's root."""
        path = Path(CLIPS_FOLDER) / name
        body = self._s3.get_object(Bucket=media.bucket, Key=media.key)["Body"].read()
        (self.folder / path).write_bytes(body)
        return path.as_posix()

    def save(self, highlight: HighlightEvent) -> GalleryGoal:
        stem = highlight.goal.id
        clip = GalleryMedia(
            href=self._download(highlight.clip, f"{stem}.mp4"),
            thumbnail_href=self._download(highlight.thumbnail, f"{stem}.jpg"),
            duration_s=round(highlight.duration_s, 2),
        )
        with self._lock:
            # A redelivered highlight replaces its own entry: one clip per goal, on disk as on the page.
            gallery = self._change(highlight.channel, lambda g: with_highlight(g, highlight, clip))
        return gallery.goals[highlight.goal.id]

    def save_vertical(self, vertical: VerticalEvent) -> GalleryGoal:
        stem = f"{vertical.goal.id}-vertical"
        media = GalleryMedia(
            href=self._download(vertical.clip, f"{stem}.mp4"),
            thumbnail_href=self._download(vertical.thumbnail, f"{stem}.jpg"),
            duration_s=round(vertical.duration_s, 2),
        )
        with self._lock:
            gallery = self._change(vertical.channel, lambda g: with_vertical(g, vertical.goal, vertical.title, media))
        return gallery.goals[vertical.goal.id]

    def save_reel(self, reel: ReelEvent) -> None:
        href = self._download(reel.reel, f"{reel.id}-reel.mp4")
        media = GalleryMedia(href=href, duration_s=round(reel.duration_s, 2))
        with self._lock:
            self._change(reel.channel, lambda g: with_reel(g, reel, media))

    def _change(self, channel: str, change: Callable[[ChannelGallery], ChannelGallery]) -> ChannelGallery:
        gallery = change(self.channels.get(channel) or ChannelGallery(channel=channel))
        self.channels[channel] = gallery
        page = self.channel_page(channel)
        page.parent.mkdir(parents=True, exist_ok=True)
        (page.parent / DOCUMENT_NAME).write_text(gallery.model_dump_json(indent=1))
        page.write_text(render_channel(gallery))
        self.index = with_channel(self.index, gallery)
        self._write_index()
        return gallery

    def _write_index(self) -> None:
        (self.folder / INDEX_NAME).write_text(render_index(self.index))
