"""The gallery's pages, made from its entries: pure functions, no AWS, no disk.

One generator for both places the gallery lives: the local run writes the pages to
`./highlights/` (local_pipeline/gallery.py), the cloud hook writes them to the highlights bucket
under `gallery/` (hooks/gallery/handler.py), served through CloudFront. Each place keeps a
`ChannelGallery` per channel and a `GalleryIndex` of channels, adds events to them with the
`with_*` functions (adding the same event twice changes nothing), and renders:

* `render_index(index)`: `index.html` at the gallery's root, one card per channel, newest first;
* `render_channel(gallery)`: `<slug>/index.html`, the channel's match reels and goals, newest first,
  each goal with its 16:9 clip, its 9:16 clip when there is one, thumbnails, score, teams, minute.

Links are stored relative to the gallery's root (`clips/g-1.mp4` locally, `../highlights/...` in
the bucket) and rendered relative to each page, so the pages work from a folder, from S3 and
through CloudFront alike. The pages have no script and load nothing from elsewhere; every text
is escaped.

Example:
    >>> gallery = with_highlight(ChannelGallery(channel="sample"), highlight, GalleryMedia(...))
    >>> index = with_channel(GalleryIndex(), gallery)
    >>> render_channel(gallery), render_index(index)
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from contracts import GoalEvent, HighlightEvent, ReelEvent
from contracts.events import UtcDatetime

PAGE_NAME = "index.html"
PAGE_GOALS = 24
PAGE_REELS = 20
"""The newest goals and reels a channel's page shows: with a poster per video (~200 KB at 720p) a page
stays a few MB on a phone; the videos themselves load only when played (`preload="none"`)."""
KEPT_GOALS = 500
KEPT_REELS = 100
"""The newest goals and reels a channel's gallery document remembers, so reading and writing it stays cheap."""
_SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GalleryMedia(_Entry):
    """One video and its poster image; `href`s are relative to the gallery's root (or absolute URLs)."""

    href: str
    thumbnail_href: str | None = None
    duration_s: float = Field(ge=0)


class GalleryGoal(_Entry):
    """A goal on its channel's page. Its 16:9 clip or its 9:16 cut may arrive first: either can be missing."""

    goal_id: str
    title: str
    at: UtcDatetime
    home: str
    away: str
    score: str
    clock: str
    clip: GalleryMedia | None = None
    vertical: GalleryMedia | None = None
    partial_note: str = ""
    """What the clip lacks, when part of its window was missing (``MissingFootage.summary``); empty when complete."""


class GalleryReel(_Entry):
    """A match's reel (the clips of its goals in one MP4) on its channel's page."""

    match_id: str
    title: str
    at: UtcDatetime
    goal_count: int = Field(ge=0)
    clip: GalleryMedia
    goals_without_clip: tuple[str, ...] = ()
    """``title: reason`` of each goal of the match the reel lacks, because it has no clip."""


class ChannelGallery(_Entry):
    """Everything one channel's page shows; `revision` counts the changes, so a newer copy can be told apart."""

    channel: str
    revision: int = 0
    goals: dict[str, GalleryGoal] = Field(default_factory=dict)
    reels: dict[str, GalleryReel] = Field(default_factory=dict)

    @property
    def slug(self) -> str:
        return channel_slug(self.channel)

    @property
    def latest_at(self) -> datetime | None:
        moments = [goal.at for goal in self.goals.values()] + [reel.at for reel in self.reels.values()]
        return max(moments, default=None)


class ChannelSummary(_Entry):
    """A channel's card on the index page, from the channel gallery of revision `revision`."""

    channel: str
    revision: int
    goals: int
    verticals: int
    reels: int
    latest_at: UtcDatetime | None = None
    latest_title: str = ""


class GalleryIndex(_Entry):
    """The channels the gallery has, by slug."""

    channels: dict[str, ChannelSummary] = Field(default_factory=dict)


# ---------------------------------------------------------------- adding events (idempotent)


def channel_slug(channel: str) -> str:
    """The channel's folder name: the name itself when it is a plain word, else a readable, unique form.

    Channel names may hold `/`, `:` and `.` (contracts.ChannelName); a folder name must not, and two
    channels must not share one, so such names get a short hash of the original.
    """
    if _SAFE_SLUG.match(channel):
        return channel
    readable = re.sub(r"[^A-Za-z0-9_-]+", "-", channel).strip("-") or "channel"
    return f"{readable}-{hashlib.sha256(channel.encode()).hexdigest()[:8]}"


def _newest(entries: dict[str, Any], count: int) -> dict[str, Any]:
    if len(entries) <= count:
        return entries
    kept = sorted(entries.items(), key=lambda item: (item[1].at, item[0]), reverse=True)[:count]
    return dict(kept)


def _changed(
    gallery: ChannelGallery,
    *,
    goals: dict[str, GalleryGoal] | None = None,
    reels: dict[str, GalleryReel] | None = None,
) -> ChannelGallery:
    """The gallery with new goals or reels (the oldest beyond what it keeps dropped), one revision on;
    the same gallery when nothing changed."""
    updated = gallery.model_copy(
        update={
            "goals": _newest(gallery.goals if goals is None else goals, KEPT_GOALS),
            "reels": _newest(gallery.reels if reels is None else reels, KEPT_REELS),
        }
    )
    if updated == gallery:
        return gallery
    return updated.model_copy(update={"revision": gallery.revision + 1})


def _goal_entry(goal: GoalEvent, title: str) -> GalleryGoal:
    return GalleryGoal(
        goal_id=goal.id,
        title=title,
        at=goal.at,
        home=goal.teams.home,
        away=goal.teams.away,
        score=str(goal.score),
        clock=goal.clock,
    )


def with_highlight(gallery: ChannelGallery, highlight: HighlightEvent, clip: GalleryMedia) -> ChannelGallery:
    """The gallery with the goal's 16:9 clip; its 9:16 cut, if already there, is kept."""
    existing = gallery.goals.get(highlight.goal.id)
    entry = _goal_entry(highlight.goal, highlight.title).model_copy(
        update={
            "clip": clip,
            "vertical": existing.vertical if existing else None,
            "partial_note": highlight.partial.summary if highlight.partial else "",
        }
    )
    return _changed(gallery, goals={**gallery.goals, entry.goal_id: entry})


def with_vertical(gallery: ChannelGallery, goal: GoalEvent, title: str, vertical: GalleryMedia) -> ChannelGallery:
    """The gallery with the goal's 9:16 cut; its 16:9 clip, if already there, is kept."""
    existing = gallery.goals.get(goal.id)
    entry = (existing or _goal_entry(goal, title)).model_copy(update={"vertical": vertical})
    return _changed(gallery, goals={**gallery.goals, entry.goal_id: entry})


def with_reel(gallery: ChannelGallery, reel: ReelEvent, clip: GalleryMedia) -> ChannelGallery:
    """The gallery with the match's reel; without a poster of its own it shows its first goal's thumbnail."""
    first_goal = gallery.goals.get(reel.match.goals[0].id) if reel.match.goals else None
    if clip.thumbnail_href is None and first_goal is not None and first_goal.clip is not None:
        clip = clip.model_copy(update={"thumbnail_href": first_goal.clip.thumbnail_href})
    entry = GalleryReel(
        match_id=reel.id,
        title=reel.title,
        at=reel.match.at,
        goal_count=len(reel.match.goals),
        clip=clip,
        goals_without_clip=tuple(f"{goal.title}: {goal.reason}" for goal in reel.goals_without_clip),
    )
    return _changed(gallery, reels={**gallery.reels, entry.match_id: entry})


def summary_of(gallery: ChannelGallery) -> ChannelSummary:
    newest = max(gallery.goals.values(), key=lambda goal: goal.at, default=None)
    return ChannelSummary(
        channel=gallery.channel,
        revision=gallery.revision,
        goals=sum(1 for goal in gallery.goals.values() if goal.clip is not None),
        verticals=sum(1 for goal in gallery.goals.values() if goal.vertical is not None),
        reels=len(gallery.reels),
        latest_at=gallery.latest_at,
        latest_title=newest.title if newest else "",
    )


def with_channel(index: GalleryIndex, gallery: ChannelGallery) -> GalleryIndex:
    """The index with the channel's card; a card from an older revision never replaces a newer one."""
    current = index.channels.get(gallery.slug)
    if current is not None and current.revision >= gallery.revision:
        return index
    return index.model_copy(update={"channels": {**index.channels, gallery.slug: summary_of(gallery)}})


# ---------------------------------------------------------------- rendering


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _from_subfolder(href: str) -> str:
    """A root-relative link as seen from a page one folder down; absolute URLs stay as they are."""
    if _SCHEME.match(href) or href.startswith("/"):
        return href
    return f"../{href}"


def _when(moment: datetime) -> str:
    return f'<time datetime="{_text(moment.isoformat())}">{_text(moment.strftime("%Y-%m-%d %H:%M UTC"))}</time>'


def minute_of(clock: str) -> str:
    """The minute being played, as people say it (`22:10` → `23'`); the clock itself when it is not mm:ss."""
    minutes = clock.split(":", 1)[0]
    return f"{int(minutes) + 1}'" if minutes.isdigit() else clock


def _video(media: GalleryMedia, *, label: str, css_class: str) -> str:
    href = _from_subfolder(media.href)
    poster = f' poster="{_text(_from_subfolder(media.thumbnail_href))}"' if media.thumbnail_href else ""
    return (
        f'<figure class="{css_class}">'
        f'<video controls playsinline preload="none"{poster} src="{_text(href)}" '
        f'aria-label="{_text(label)}"></video>'
        f'<figcaption><a href="{_text(href)}">{_text(label)}</a> · {media.duration_s:.1f} s</figcaption>'
        "</figure>"
    )


def _goal_card(goal: GalleryGoal) -> str:
    videos = []
    thumbnails = []
    for media, label, css_class in ((goal.clip, "16:9 clip", "wide"), (goal.vertical, "9:16 clip", "tall")):
        if media is not None:
            videos.append(_video(media, label=label, css_class=css_class))
            if media.thumbnail_href:
                thumbnails.append(media.thumbnail_href)
    images = "".join(
        f'<img class="thumbnail" loading="lazy" src="{_text(_from_subfolder(href))}" '
        f'alt="thumbnail of {_text(goal.title)}">'
        for href in thumbnails
    )
    return f"""    <article class="goal" data-goal-id="{_text(goal.goal_id)}">
      <h3>{_text(goal.title)}</h3>
      <p class="meta"><span class="score">{_text(goal.home)} {_text(goal.score)} {_text(goal.away)}</span>
        · <span class="minute">{_text(minute_of(goal.clock))}</span> · {_when(goal.at)}</p>
      <div class="videos">{"".join(videos)}</div>{_note("partial", goal.partial_note)}
      <p class="thumbnails">{images}</p>
    </article>"""


def _note(css_class: str, text: str) -> str:
    """A line saying what is missing (a partial clip, goals a reel lacks); nothing when there is nothing to say."""
    return f'\n      <p class="{css_class}">⚠ {_text(text)}</p>' if text else ""


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _reel_card(reel: GalleryReel) -> str:
    return f"""    <article class="reel" data-match-id="{_text(reel.match_id)}">
      <h3>{_text(reel.title)}</h3>
      <p class="meta">{_count(reel.goal_count, "goal")} · match over {_when(reel.at)}</p>
      <div class="videos">{_video(reel.clip, label="match reel", css_class="wide")}</div>{_without_clip(reel)}
    </article>"""


def _without_clip(reel: GalleryReel) -> str:
    missing = reel.goals_without_clip
    if not missing:
        return ""
    return _note("partial", f"{_count(len(missing), 'goal')} without a clip, not in the reel: " + "; ".join(missing))


_STYLE = """
    *, *::before, *::after { box-sizing: border-box; }
    body { font-family: system-ui, sans-serif; background: #111; color: #eee; margin: 0; padding: 1rem;
           overflow-wrap: anywhere; }
    a { color: #8cf; }
    h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
    h2 { font-size: 1.2rem; margin: 1.5rem 0 .6rem; }
    h3, article h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr)); gap: 1rem; }
    article { background: #222; padding: .8rem; border-radius: 8px; min-width: 0; }
    .meta { color: #aaa; margin: 0 0 .5rem; }
    .partial { color: #fc6; margin: .3rem 0; }
    .videos { display: flex; flex-wrap: wrap; gap: .6rem; align-items: flex-start; }
    figure { margin: 0; min-width: 0; }
    figure.wide { flex: 3 1 240px; }
    figure.tall { flex: 1 1 120px; max-width: 220px; }
    video { display: block; width: 100%; border-radius: 4px; background: #000; }
    figure.wide video { aspect-ratio: 16 / 9; }
    figure.tall video { aspect-ratio: 9 / 16; }
    figcaption { font-size: .85rem; color: #aaa; margin-top: .2rem; }
    .thumbnails { margin: .5rem 0 0; }
    .thumbnail { height: 54px; max-width: 100%; margin-right: .4rem; border-radius: 3px; vertical-align: middle; }
    .empty { color: #aaa; }
"""


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{_text(title)}</title>
  <style>{_STYLE}  </style>
</head>
<body>
{body}
</body>
</html>
"""


def render_channel(gallery: ChannelGallery) -> str:
    """The channel's page: its match reels, then its goals, each newest first."""
    goals = sorted(gallery.goals.values(), key=lambda goal: (goal.at, goal.goal_id), reverse=True)
    reels = sorted(gallery.reels.values(), key=lambda reel: (reel.at, reel.match_id), reverse=True)
    hidden = len(goals) - PAGE_GOALS
    goals, reels = goals[:PAGE_GOALS], reels[:PAGE_REELS]
    parts = [
        f'  <p><a href="../{PAGE_NAME}">All channels</a></p>',
        f"  <h1>{_text(gallery.channel)}</h1>",
    ]
    if reels:
        parts += ['  <h2>Match reels</h2>\n  <section class="cards reels">', *map(_reel_card, reels), "  </section>"]
    parts += ['  <h2>Goals</h2>\n  <section class="cards goals">', *map(_goal_card, goals)]
    if not goals:
        parts.append('    <p class="empty">No goals yet.</p>')
    parts.append("  </section>")
    if hidden > 0:
        parts.append(f'  <p class="empty">{_count(hidden, "older goal")} not shown.</p>')
    return _page(f"highlight-bot: {gallery.channel}", "\n".join(parts))


def render_index(index: GalleryIndex) -> str:
    """The gallery's front page: one card per channel, the channel with the newest goal first."""
    ordered = sorted(
        index.channels.items(),
        key=lambda item: (item[1].latest_at is not None, item[1].latest_at or datetime.min, item[0]),
        reverse=True,
    )
    cards = []
    for slug, summary in ordered:
        latest = f" · latest {_when(summary.latest_at)}" if summary.latest_at else ""
        newest = f"<p>{_text(summary.latest_title)}</p>" if summary.latest_title else ""
        cards.append(
            f"""    <article class="channel" data-channel="{_text(summary.channel)}">
      <h2><a href="{_text(quote(slug))}/{PAGE_NAME}">{_text(summary.channel)}</a></h2>
      <p class="meta">{_count(summary.goals, "goal clip")} · {summary.verticals} vertical
        · {_count(summary.reels, "match reel")}{latest}</p>
      {newest}
    </article>"""
        )
    body = [
        "  <h1>highlight-bot</h1>",
        '  <section class="cards channels">',
        *(cards or ['    <p class="empty">No channels yet.</p>']),
        "  </section>",
    ]
    return _page("highlight-bot: channels", "\n".join(body))


def root_relative_href(key: str, *, gallery_prefix: str) -> str:
    """The link from the gallery's root (the `gallery_prefix` folder of a bucket) to the object `key`."""
    depth = len([part for part in gallery_prefix.split("/") if part])
    return "../" * depth + quote(key)
