"""Hook behaviour that mutants of bench/mutation.py showed no test held: message shape, gallery order, retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from pydantic import ValidationError

from contracts import HighlightEvent, InvalidEventError, ReelEvent, VerticalEvent, goal_alert, highlight_title
from hooks.gallery import pages
from hooks.gallery.pages import (
    ChannelGallery,
    GalleryIndex,
    GalleryMedia,
    GalleryReel,
    render_channel,
    render_index,
    with_channel,
    with_highlight,
    with_reel,
    with_vertical,
)
from hooks.shared import HttpClient, HttpRejectedError, HttpUnavailableError, events_from_sns
from hooks.shared.http import DETAIL_CHARS
from hooks.shared.urls import url_problem
from hooks.webhook import WebhookTarget, discord_message, slack_message
from hooks.webhook.delivery import _message_id
from hooks.webhook.messages import alert_text, highlight_message
from tests.functional.gallery_fixtures import goal_at, highlight_of, media, reel_of
from tests.functional.hook_fixtures import AT, a_goal, a_highlight, sns_event
from tests.unit.test_gallery_pages import links_of
from tests.unit.test_hooks_http import ScriptedSession, response


def test_the_message_has_the_shape_of_the_format_asked_for() -> None:
    highlight = a_highlight()
    assert highlight_message(highlight, "slack") == slack_message(highlight) != discord_message(highlight)
    assert highlight_message(highlight, "discord") == discord_message(highlight)


def test_a_gallery_video_lasts_zero_seconds_or_more() -> None:
    assert GalleryMedia(href="clips/a.mp4", duration_s=0.0).duration_s == 0.0
    with pytest.raises(ValidationError, match="duration_s"):
        GalleryMedia(href="clips/a.mp4", duration_s=-0.5)


def a_reel(match_id: str, minutes: int, *, goal_count: int = 1) -> GalleryReel:
    clip = GalleryMedia(href=f"clips/{match_id}-reel.mp4", duration_s=30.0)
    at = AT + timedelta(minutes=minutes)
    return GalleryReel(match_id=match_id, title=match_id, at=at, goal_count=goal_count, clip=clip)


def test_a_channel_page_shows_its_newest_reel_first() -> None:
    gallery = ChannelGallery(channel="sample", reels={"m-old": a_reel("m-old", 0), "m-new": a_reel("m-new", 90)})
    page = render_channel(gallery)
    assert page.index('data-match-id="m-new"') < page.index('data-match-id="m-old"')


def test_a_reel_has_zero_goals_or_more() -> None:
    assert a_reel("m-empty", 0, goal_count=0).goal_count == 0
    with pytest.raises(ValidationError, match="goal_count"):
        a_reel("m-negative", 0, goal_count=-1)


def test_goals_at_the_same_moment_are_forgotten_by_id_without_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two channels' worth of goals can share a timestamp; the document keeps the newest by (time, id).
    monkeypatch.setattr(pages, "KEPT_GOALS", 1)
    first, second = goal_at(0, 1), goal_at(0, 2)
    gallery = ChannelGallery(channel="sample")
    for goal in (first, second):
        gallery = with_highlight(gallery, highlight_of(goal), media(goal.id))
    assert list(gallery.goals) == [max(first.id, second.id)]


def test_a_408_request_timeout_is_retried_like_a_429() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(response(408), response(200))
    assert HttpClient(session, sleep=sleeps.append).request("POST", "https://example.com/hook", what="w").ok
    assert sleeps == [0.5]


def test_backoff_doubles_up_to_its_cap() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(*[response(502)] * 6, response(200))
    client = HttpClient(session, attempts=7, sleep=sleeps.append)
    assert client.request("GET", "https://example.com/hook", what="w").ok
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def test_a_post_whose_connection_timed_out_is_sent_again_it_never_arrived() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(requests.ConnectTimeout("connect timed out"), response(200))
    assert HttpClient(session, sleep=sleeps.append).request("POST", "https://example.com/hook", what="w").ok
    assert sleeps == [0.5]


def test_a_url_with_port_zero_is_refused() -> None:
    assert url_problem("https://example.com:0/hook") == "must be a URL with a host"
    assert url_problem("https://example.com:1/hook") is None


def test_a_refused_event_type_lists_every_accepted_one() -> None:
    with pytest.raises(InvalidEventError, match=r"not a highlight, vertical or reel; .* highlight, vertical and reel"):
        events_from_sns(sns_event(a_goal().to_json()), (HighlightEvent, VerticalEvent, ReelEvent))


def test_a_clip_goes_as_a_file_to_discord_up_to_10_mb_and_never_to_slack() -> None:
    # Discord's limit for a server without boosts, less room for the message and the multipart framing.
    discord = WebhookTarget.model_validate({"url": "https://discord.com/api/webhooks/1/t"})
    assert discord.attachment_limit_bytes == 10_000_000 - 64 * 1024
    slack = WebhookTarget.model_validate({"url": "https://hooks.slack.com/services/T/B/x"})
    assert slack.attachment_limit_bytes == 0


def test_only_a_plain_message_id_is_kept_for_the_edit_url() -> None:
    # The id goes into the PATCH URL's path: anything but letters and digits is not an id.
    assert _message_id(response(200, '{"id": "1186"}')) == "1186"
    assert _message_id(response(200, '{"id": "../../1186"}')) is None


def test_an_error_reply_exactly_as_long_as_the_detail_limit_is_shown_whole() -> None:
    session = ScriptedSession(response(400, "x" * DETAIL_CHARS))
    with pytest.raises(HttpRejectedError) as refusal:
        HttpClient(session, sleep=lambda _: None).request("POST", "https://example.com/hook", what="w")
    assert refusal.value.detail == "x" * DETAIL_CHARS


@pytest.mark.parametrize("retry_after", ["-5", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_a_retry_after_in_the_past_waits_the_usual_backoff(retry_after: str) -> None:
    sleeps: list[float] = []
    session = ScriptedSession(response(503, headers={"Retry-After": retry_after}), response(200))
    assert HttpClient(session, sleep=sleeps.append).request("GET", "https://example.com/hook", what="w").ok
    assert sleeps == [0.5]


def test_giving_up_on_a_5xx_quotes_the_last_reply_and_a_499_is_not_retried() -> None:
    sleeps: list[float] = []
    session = ScriptedSession(*[response(502, "bad gateway")] * 4)
    with pytest.raises(HttpUnavailableError, match=r"HTTP 502 \(bad gateway\)"):
        HttpClient(session, sleep=sleeps.append).request("GET", "https://example.com/hook", what="w")
    assert sleeps == [0.5, 1.0, 2.0]  # no wait after the last attempt
    with pytest.raises(HttpRejectedError):
        HttpClient(ScriptedSession(response(499)), sleep=lambda _: None).request("GET", "https://x.example", what="w")


def test_attach_up_to_0_mb_always_links_the_clip() -> None:
    target = WebhookTarget.model_validate({"url": "https://discord.com/api/webhooks/1/t", "attach_up_to_mb": 0})
    assert target.attachment_limit_bytes == 0


def test_an_alert_without_a_title_is_named_after_its_goal() -> None:
    goal = a_goal()
    alert = goal_alert(goal)
    assert alert_text(alert.model_copy(update={"title": " "})) == f"GOAL — {highlight_title(goal)}"
    assert alert_text(alert.model_copy(update={"title": "Derby goal"})) == "GOAL — Derby goal"


@pytest.mark.parametrize(("clock", "said"), [("22:10", "23'"), ("0:05", "1'"), ("90:00", "91'"), ("HT", "HT")])
def test_a_goal_is_in_the_minute_being_played(clock: str, said: str) -> None:
    assert pages.minute_of(clock) == said


def test_a_reel_with_a_poster_of_its_own_keeps_it() -> None:
    first = goal_at(0, 1)
    gallery = with_highlight(ChannelGallery(channel="sample"), highlight_of(first), media("first"))
    own = GalleryMedia(href="clips/m-reel.mp4", thumbnail_href="clips/m-reel.jpg", duration_s=50.0)
    assert with_reel(gallery, reel_of(first), own).reels["m-match"].clip.thumbnail_href == "clips/m-reel.jpg"
    # …also when its first goal is not in the gallery (forgotten, or never clipped)
    alone = with_reel(ChannelGallery(channel="sample"), reel_of(first), own)
    assert alone.reels["m-match"].clip.thumbnail_href == "clips/m-reel.jpg"


def test_a_page_with_exactly_its_number_of_goals_hides_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_GOALS", 2)
    gallery = ChannelGallery(channel="sample")
    for goal in (goal_at(0, 1), goal_at(10, 2)):
        gallery = with_highlight(gallery, highlight_of(goal), media(goal.id))
    page = render_channel(gallery)
    assert page.count("data-goal-id") == 2 and "not shown" not in page


def test_channels_with_goals_at_the_same_moment_or_none_yet_are_listed_by_name() -> None:
    galleries = [ChannelGallery(channel=name) for name in ("alpha", "beta")]  # no goals yet: no latest moment
    galleries += [
        with_highlight(ChannelGallery(channel=name), highlight_of(goal_at(0, 1, channel=name)), media(name))
        for name in ("gamma", "delta")
    ]
    index = GalleryIndex()
    for gallery in galleries:
        index = with_channel(index, gallery)
    assert links_of(render_index(index)) == [f"{name}/index.html" for name in ("gamma", "delta", "beta", "alpha")]


def test_the_index_card_counts_each_vertical_cut_once() -> None:
    first, second = goal_at(0, 1), goal_at(10, 2)
    gallery = ChannelGallery(channel="sample")
    for goal in (first, second):
        gallery = with_highlight(gallery, highlight_of(goal), media(goal.id))
    gallery = with_vertical(gallery, second, "LIV 2-0 MCI (33')", media("second-vertical"))
    summary = pages.summary_of(gallery)
    assert (summary.goals, summary.verticals) == (2, 1)
