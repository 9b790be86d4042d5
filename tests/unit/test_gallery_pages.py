"""The gallery's page generator: events in, HTML out (hooks/gallery/pages.py), no AWS and no disk."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from hooks.gallery import pages
from hooks.gallery.pages import (
    ChannelGallery,
    GalleryIndex,
    GalleryMedia,
    channel_slug,
    render_channel,
    render_index,
    root_relative_href,
    with_channel,
    with_highlight,
    with_reel,
    with_vertical,
)
from tests.functional.gallery_fixtures import goal_at, highlight_of, media, reel_of


class _Links(HTMLParser):
    """Every href and src of a page, and whether the HTML nests properly (no stray text from bad escaping)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src", "poster") and value]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def links_of(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    return parser.links


def test_a_channel_page_lists_goals_newest_first_with_clip_vertical_and_meta() -> None:
    first, second = goal_at(0, 1), goal_at(10, 2)
    gallery = ChannelGallery(channel="sample")
    gallery = with_highlight(gallery, highlight_of(first), media("first"))
    gallery = with_highlight(gallery, highlight_of(second), media("second"))
    gallery = with_vertical(gallery, second, "LIV 2-0 MCI (33')", media("second-vertical"))
    page = render_channel(gallery)
    assert page.index(f'data-goal-id="{second.id}"') < page.index(f'data-goal-id="{first.id}"')
    assert page.count("<video") == 3
    assert 'src="../clips/second-vertical.mp4"' in page and "9:16 clip" in page
    assert 'poster="../clips/first.jpg"' in page and 'class="thumbnail" loading="lazy" src="../clips/first.jpg"' in page
    assert "LIV 2-0 MCI" in page and "33&#x27;" in page and "2026-11-25 20:32 UTC" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count('preload="none"') == 3  # a video loads when played, not with the page
    assert "<script" not in page and "http" not in page.replace("https://", "")  # nothing loaded from elsewhere


def test_the_vertical_may_arrive_before_its_clip_and_neither_is_lost() -> None:
    goal = goal_at(0, 1)
    gallery = with_vertical(ChannelGallery(channel="sample"), goal, "LIV 1-0 MCI (23')", media("v"))
    assert render_channel(gallery).count("<video") == 1
    gallery = with_highlight(gallery, highlight_of(goal), media("h"))
    entry = gallery.goals[goal.id]
    assert entry.clip == media("h") and entry.vertical == media("v")
    assert render_channel(gallery).count("<video") == 2


def test_adding_the_same_event_twice_changes_nothing() -> None:
    highlight = highlight_of(goal_at(0, 1))
    once = with_highlight(ChannelGallery(channel="sample"), highlight, media("h"))
    assert with_highlight(once, highlight, media("h")) is once
    assert once.revision == 1 and len(once.goals) == 1


def test_a_reel_is_shown_above_the_goals_with_its_first_goals_thumbnail() -> None:
    first, second = goal_at(0, 1), goal_at(10, 2)
    gallery = with_highlight(ChannelGallery(channel="sample"), highlight_of(first), media("first"))
    reel = reel_of(first, second)
    gallery = with_reel(gallery, reel, GalleryMedia(href="clips/m-reel.mp4", duration_s=50.0))
    page = render_channel(gallery)
    assert page.index("Match reels") < page.index("<h2>Goals</h2>")
    assert f'data-match-id="{reel.id}"' in page and "2 goals" in page
    assert 'poster="../clips/first.jpg" src="../clips/m-reel.mp4"' in page


def test_every_text_is_escaped() -> None:
    goal = goal_at(0, 1)
    hostile = highlight_of(goal, title='<script>alert("x")</script> & "quotes"')
    gallery = with_highlight(
        ChannelGallery(channel="sample"),
        hostile,
        GalleryMedia(href='clips/a"b<c>.mp4', thumbnail_href="clips/x.jpg", duration_s=1),
    )
    page = render_channel(gallery)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "../clips/a&quot;b&lt;c&gt;.mp4" in page
    index = render_index(with_channel(GalleryIndex(), gallery))
    assert "<script>" not in index and "&lt;script&gt;" in index


def test_the_index_lists_channels_newest_first_and_links_their_pages() -> None:
    old = with_highlight(ChannelGallery(channel="older"), highlight_of(goal_at(0, 1, channel="older")), media("o"))
    new = with_highlight(
        ChannelGallery(channel="new:one.tv"),
        highlight_of(goal_at(5, 1, channel="new:one.tv")),
        media("n"),
    )
    index = with_channel(with_channel(GalleryIndex(), old), new)
    page = render_index(index)
    assert links_of(page) == [f"{channel_slug('new:one.tv')}/index.html", "older/index.html"]
    assert re.fullmatch(r"new-one-tv-[0-9a-f]{8}", channel_slug("new:one.tv"))
    assert channel_slug("new.one.tv") != channel_slug("new:one.tv")
    assert "1 goal clip" in page and "0 vertical" in page


def test_an_older_revision_never_replaces_a_newer_card() -> None:
    one = with_highlight(ChannelGallery(channel="sample"), highlight_of(goal_at(0, 1)), media("a"))
    two = with_highlight(one, highlight_of(goal_at(10, 2)), media("b"))
    index = with_channel(with_channel(GalleryIndex(), two), one)
    assert index.channels["sample"].goals == 2


def test_links_into_the_bucket_are_relative_to_the_gallery_root() -> None:
    assert root_relative_href("highlights/a b/g.mp4", gallery_prefix="gallery/") == "../highlights/a%20b/g.mp4"
    gallery = with_highlight(
        ChannelGallery(channel="sample"),
        highlight_of(goal_at(0, 1)),
        GalleryMedia(href="../highlights/g.mp4", thumbnail_href="https://cdn.example/g.jpg", duration_s=3),
    )
    links = links_of(render_channel(gallery))
    assert "../../highlights/g.mp4" in links and "https://cdn.example/g.jpg" in links


def test_a_page_shows_the_newest_goals_and_the_document_forgets_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_GOALS", 2)
    monkeypatch.setattr(pages, "KEPT_GOALS", 3)
    gallery = ChannelGallery(channel="sample")
    goals = [goal_at(minutes, minutes + 1) for minutes in range(4)]
    for goal in goals:
        gallery = with_highlight(gallery, highlight_of(goal), media(goal.id))
    assert set(gallery.goals) == {goal.id for goal in goals[1:]} and gallery.revision == 4
    page = render_channel(gallery)
    assert page.count("data-goal-id") == 2 and goals[1].id not in page and "1 older goal not shown." in page


def test_empty_pages_say_so() -> None:
    assert "No channels yet." in render_index(GalleryIndex())
    assert "No goals yet." in render_channel(ChannelGallery(channel="sample"))


def test_a_partial_clip_and_a_reel_without_some_goals_say_what_is_missing() -> None:
    from contracts import GoalWithoutClip, MissingFootage

    first, second = goal_at(0, 1), goal_at(10, 2)
    partial = MissingFootage(
        missing_pre_roll_s=6.0, missing_post_roll_s=0.0, reasons=("segments 3..5 (6.0 s): <lost>",)
    )
    gallery = with_highlight(ChannelGallery(channel="sample"), highlight_of(first, partial=partial), media("first"))
    without = GoalWithoutClip(goal_id=second.id, title="LIV 2-0 MCI (33')", reason="no segment shows it")
    reel = reel_of(first, second).model_copy(update={"goals_without_clip": (without,)})
    gallery = with_reel(gallery, reel, GalleryMedia(href="clips/m-reel.mp4", duration_s=19.0))
    page = render_channel(gallery)
    assert (
        '<p class="partial">⚠ partial clip: 6.0 s of pre-roll missing (segments 3..5 (6.0 s): &lt;lost&gt;)</p>' in page
    )
    assert "⚠ 1 goal without a clip, not in the reel: LIV 2-0 MCI (33&#x27;): no segment shows it" in page
    complete = render_channel(with_highlight(ChannelGallery(channel="sample"), highlight_of(first), media("first")))
    assert 'class="partial"' not in complete
