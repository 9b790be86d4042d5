"""The local hook: each highlight becomes an MP4 and a JPEG in ./highlights, listed in index.html.

It is a hook like the ones in hooks/ (an SNS-shaped event in, the contract
parsed by the shared code), but it writes to this machine's disk, so it lives
here and is never deployed.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import HighlightEvent, ReelEvent, parse_event
from hooks.shared import highlights_from_sns

INDEX_NAME = "index.html"
ENTRIES_NAME = "highlights.json"


@dataclass(frozen=True)
class GalleryEntry:
    """One clip on the gallery page (paths relative to the gallery folder)."""

    goal_id: str
    title: str
    channel: str
    at: str
    clip: str
    thumbnail: str
    duration_s: float


class Gallery:
    """Downloads each highlight's clip and thumbnail and rewrites the gallery page."""

    def __init__(self, folder: Path, s3_client: Any) -> None:
        self.folder = folder
        self._s3 = s3_client
        self._lock = threading.Lock()
        self.entries: dict[str, GalleryEntry] = {}
        self.reels: dict[str, GalleryEntry] = {}
        (folder / "clips").mkdir(parents=True, exist_ok=True)

    def handler(self, event: dict[str, Any], context: Any) -> dict[str, list[str]]:
        """The hook's Lambda-style entry point: highlights, and match reels (their own event type)."""
        saved = []
        for record in event["Records"]:
            published = parse_event(record["Sns"]["Message"])
            if isinstance(published, ReelEvent):
                saved.append(self.save_reel(published).goal_id)
            else:
                saved += [self.save(highlight).goal_id for highlight in highlights_from_sns({"Records": [record]})]
        return {"saved": saved}

    def save_reel(self, reel: ReelEvent) -> GalleryEntry:
        path = Path("clips") / f"{reel.id}-reel.mp4"
        body = self._s3.get_object(Bucket=reel.reel.bucket, Key=reel.reel.key)["Body"].read()
        (self.folder / path).write_bytes(body)
        first_goal = reel.match.goals[0]
        entry = GalleryEntry(
            goal_id=reel.id,
            title=reel.title,
            channel=reel.channel,
            at=reel.match.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            clip=path.as_posix(),
            thumbnail=(Path("clips") / f"{first_goal.id}.jpg").as_posix(),
            duration_s=round(reel.duration_s, 2),
        )
        with self._lock:
            self.reels[entry.goal_id] = entry
            self._write_page()
        return entry

    def save(self, highlight: HighlightEvent) -> GalleryEntry:
        stem = highlight.goal.id
        clip = Path("clips") / f"{stem}.mp4"
        thumbnail = Path("clips") / f"{stem}.jpg"
        for media, path in ((highlight.clip, clip), (highlight.thumbnail, thumbnail)):
            body = self._s3.get_object(Bucket=media.bucket, Key=media.key)["Body"].read()
            (self.folder / path).write_bytes(body)
        entry = GalleryEntry(
            goal_id=highlight.goal.id,
            title=highlight.title,
            channel=highlight.channel,
            at=highlight.goal.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            clip=clip.as_posix(),
            thumbnail=thumbnail.as_posix(),
            duration_s=round(highlight.duration_s, 2),
        )
        with self._lock:
            # A redelivered highlight replaces its own entry: one clip per goal, on disk as on the page.
            self.entries[entry.goal_id] = entry
            self._write_page()
        return entry

    def _write_page(self) -> None:
        entries = sorted(self.entries.values(), key=lambda e: e.at)
        (self.folder / ENTRIES_NAME).write_text(json.dumps([e.__dict__ for e in entries], indent=2))
        reels = sorted(self.reels.values(), key=lambda e: e.at)
        (self.folder / INDEX_NAME).write_text(render_page(entries, reels))


def render_page(entries: list[GalleryEntry], reels: list[GalleryEntry] | None = None) -> str:
    """A self-contained page: no scripts, no network, plays in any browser from the folder."""
    reel_cards = "\n".join(
        f"""    <article class="reel" data-match-id="{html.escape(e.goal_id)}">
      <video controls preload="none" poster="{html.escape(e.thumbnail)}" src="{html.escape(e.clip)}"></video>
      <h2>{html.escape(e.title)}</h2>
      <p><span class="meta">{html.escape(e.channel)} · match over {html.escape(e.at)} · {e.duration_s:.1f} s</span></p>
    </article>"""
        for e in reels or []
    )
    reel_section = f"  <h1>Match reels</h1>\n  <main>\n{reel_cards}\n  </main>\n" if reels else ""
    cards = "\n".join(
        f"""    <article class="highlight" data-goal-id="{html.escape(e.goal_id)}">
      <video controls preload="none" poster="{html.escape(e.thumbnail)}" src="{html.escape(e.clip)}"></video>
      <h2>{html.escape(e.title)}</h2>
      <p><img class="thumbnail" src="{html.escape(e.thumbnail)}" alt="thumbnail of {html.escape(e.title)}">
         <span class="meta">{html.escape(e.channel)} · {html.escape(e.at)} · {e.duration_s:.1f} s</span></p>
    </article>"""
        for e in entries
    )
    empty = "" if entries else '    <p class="empty">No goals yet.</p>'
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>highlight-bot: {len(entries)} highlights</title>
  <style>
    body {{ font-family: sans-serif; background: #111; color: #eee; margin: 2rem; }}
    main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1.5rem; }}
    .highlight, .reel {{ background: #222; padding: 1rem; border-radius: 8px; }}
    video {{ width: 100%; border-radius: 4px; background: #000; }}
    .thumbnail {{ width: 96px; vertical-align: middle; margin-right: .5rem; }}
    h2 {{ font-size: 1.2rem; margin: .6rem 0 .3rem; }}
    .meta {{ color: #aaa; }}
  </style>
</head>
<body>
  <h1>highlight-bot</h1>
  <main>
{cards}{empty}
  </main>
{reel_section}</body>
</html>
"""
