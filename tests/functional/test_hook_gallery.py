"""The gallery hook against moto S3: pages and documents under gallery/, repeats and races lose nothing."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import boto3
import pytest

from contracts import HighlightEvent
from hooks.gallery.handler import handler
from hooks.gallery.pages import ChannelGallery, channel_slug, with_highlight
from hooks.gallery.store import INDEX_DOCUMENT_KEY, INDEX_PAGE_KEY, GalleryStore, channel_document_key
from tests.functional.fake_aws import REGION
from tests.functional.gallery_fixtures import goal_at, highlight_of, media, reel_of, vertical_of
from tests.functional.hook_fixtures import BUCKET, FakeLambdaContext, emulated_aws, sns_event


@pytest.fixture(name="s3")
def s3_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with emulated_aws(monkeypatch):
        monkeypatch.setenv("HIGHLIGHTS_BUCKET", BUCKET)
        monkeypatch.setenv("HIGHLIGHTS_BASE_URL", "https://d111111abcdef8.cloudfront.net")
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


def staged(s3: Any, *events: Any) -> None:
    """The objects the events point at, as the clip and vertical functions leave them."""
    for event in events:
        for name in ("clip", "thumbnail", "reel"):
            stored = getattr(event, name, None)
            if stored is not None:
                s3.put_object(Bucket=BUCKET, Key=stored.key, Body=b"media")


def deliver(*events: Any) -> dict[str, Any]:
    return handler(sns_event(*events), FakeLambdaContext())


def text(s3: Any, key: str) -> str:
    return str(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode())


def document(s3: Any, channel: str) -> dict[str, Any]:
    return dict(json.loads(text(s3, channel_document_key(channel))))


def highlight_in(channel: str, minutes: int, home: int) -> HighlightEvent:
    goal = goal_at(minutes, home, channel=channel)
    clip = f"highlights/{channel}/{goal.id}"
    base = highlight_of(goal)
    return highlight_of(
        goal,
        clip=base.clip.model_copy(update={"key": f"{clip}.mp4"}),
        thumbnail=base.thumbnail.model_copy(update={"key": f"{clip}.jpg"}),
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src", "poster") and value]


def unresolved_links(s3: Any, page_key: str) -> list[str]:
    """Links of the page (as CloudFront serves it, relative to its key) that name no object in the bucket."""
    parser = _Links()
    parser.feed(text(s3, page_key))
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    folder = posixpath.dirname(page_key)
    return [link for link in parser.links if posixpath.normpath(posixpath.join(folder, unquote(link))) not in keys]


def test_a_highlight_makes_the_index_and_the_channel_page_whose_links_resolve(s3: Any) -> None:
    highlight = highlight_in("sample", 0, 1)
    staged(s3, highlight)
    assert deliver(highlight)["shown"] == [highlight.id]
    channel_page = f"gallery/{channel_slug('sample')}/index.html"
    page = text(s3, channel_page)
    assert f'data-goal-id="{highlight.goal.id}"' in page and "LIV 1-0 MCI" in page
    head = s3.head_object(Bucket=BUCKET, Key=channel_page)
    assert head["ContentType"] == "text/html; charset=utf-8" and head["CacheControl"] == "max-age=60"
    assert f'src="../../{highlight.clip.key}"' in page
    assert 'href="sample/index.html"' in text(s3, INDEX_PAGE_KEY)
    assert unresolved_links(s3, channel_page) == []
    assert unresolved_links(s3, INDEX_PAGE_KEY) == []


def test_a_repeated_delivery_neither_duplicates_nor_rewrites_the_entry(s3: Any) -> None:
    highlight = highlight_in("sample", 0, 1)
    staged(s3, highlight)
    deliver(highlight)
    etag = s3.head_object(Bucket=BUCKET, Key=channel_document_key("sample"))["ETag"]
    deliver(highlight, highlight)
    assert s3.head_object(Bucket=BUCKET, Key=channel_document_key("sample"))["ETag"] == etag
    stored = document(s3, "sample")
    assert list(stored["goals"]) == [highlight.goal.id] and stored["revision"] == 1
    assert text(s3, "gallery/sample/index.html").count(f'data-goal-id="{highlight.goal.id}"') == 1


def test_two_channels_each_get_a_page_and_the_index_lists_both_newest_first(s3: Any) -> None:
    first, second = highlight_in("sample", 0, 1), highlight_in("other-channel", 5, 1)
    staged(s3, first, second)
    deliver(first)
    deliver(second)
    index = text(s3, INDEX_PAGE_KEY)
    assert index.index('href="other-channel/index.html"') < index.index('href="sample/index.html"')
    assert second.goal.id not in text(s3, "gallery/sample/index.html")
    assert second.goal.id in text(s3, "gallery/other-channel/index.html")
    channels = json.loads(text(s3, INDEX_DOCUMENT_KEY))["channels"]
    assert sorted(channels) == ["other-channel", "sample"]


def test_vertical_cut_and_reel_join_the_goal_on_its_channel_page(s3: Any) -> None:
    first, second = highlight_in("sample", 0, 1), highlight_in("sample", 10, 2)
    vertical = vertical_of(second)
    reel = reel_of(first.goal, second.goal)
    staged(s3, first, second, vertical, reel)
    deliver(vertical)  # the vertical cut may arrive before its highlight
    deliver(first, second)
    deliver(reel)
    page = text(s3, "gallery/sample/index.html")
    assert page.count("<video") == 4
    assert f'src="../../{vertical.clip.key}"' in page and f'data-match-id="{reel.id}"' in page
    assert page.index(f'data-goal-id="{second.goal.id}"') < page.index(f'data-goal-id="{first.goal.id}"')
    assert unresolved_links(s3, "gallery/sample/index.html") == []
    summary = json.loads(text(s3, INDEX_DOCUMENT_KEY))["channels"]["sample"]
    assert (summary["goals"], summary["verticals"], summary["reels"]) == (2, 1, 1)


class _RacingS3:
    """An S3 client that lets another invocation run just before this one's first write of `key`."""

    def __init__(self, real: Any, rival: Any, key: str) -> None:
        self._real = real
        self._rival = rival
        self._key = key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def put_object(self, **request: Any) -> Any:
        if self._rival is not None and request["Key"] == self._key:
            rival, self._rival = self._rival, None
            rival()
        return self._real.put_object(**request)


@pytest.mark.parametrize(
    "raced_key", [channel_document_key("sample"), "gallery/sample/index.html"], ids=["document", "page"]
)
def test_a_concurrent_update_is_merged_not_lost(s3: Any, raced_key: str) -> None:
    """Another invocation writes between our read and our write of the document, or of the page."""
    ours, theirs = highlight_in("sample", 0, 1), highlight_in("sample", 10, 2)
    staged(s3, ours, theirs)
    rival_store = GalleryStore(s3, BUCKET)

    def rival_writes() -> None:
        rival_store.change_channel("sample", lambda g: with_highlight(g, theirs, media("theirs")))

    store = GalleryStore(_RacingS3(s3, rival_writes, raced_key), BUCKET)
    store.change_channel("sample", lambda g: with_highlight(g, ours, media("ours")))
    stored = ChannelGallery.model_validate(document(s3, "sample"))
    assert set(stored.goals) == {ours.goal.id, theirs.goal.id} and stored.revision == 2
    page = text(s3, "gallery/sample/index.html")
    assert ours.goal.id in page and theirs.goal.id in page


def test_an_event_the_gallery_does_not_show_fails_with_a_sentence(s3: Any) -> None:
    from contracts import InvalidEventError

    goal = goal_at(0, 1)
    with pytest.raises(
        InvalidEventError, match="goal event, not a highlight, vertical or reel; the gallery hook's subscription filter"
    ):
        handler(sns_event(goal.to_json()), FakeLambdaContext())
