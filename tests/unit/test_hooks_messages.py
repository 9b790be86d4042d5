"""The webhook hook's chat messages: Discord and Slack shapes, the title, the format choice."""

from __future__ import annotations

import pytest

from hooks.shared import title_of
from hooks.webhook import discord_message, message_format, slack_message
from tests.functional.hook_fixtures import TITLE, a_goal, a_highlight

CLIP_URL = "https://highlights.s3.amazonaws.com/g.mp4?X-Amz-Credential=a%2Fb&X-Amz-Signature=abc"
THUMBNAIL_URL = "https://highlights.s3.amazonaws.com/g.jpg?X-Amz-Signature=def"


def test_the_title_is_the_events_else_made_from_the_goal() -> None:
    assert title_of(a_highlight()) == TITLE == "LIV 1-0 MCI (23')"
    assert title_of(a_highlight(title="Worldie!")) == "Worldie!"
    assert title_of(a_highlight(title="  ")) == TITLE


def test_discord_message_has_content_and_one_embed_with_clip_and_thumbnail() -> None:
    message = discord_message(a_highlight(clip_url=CLIP_URL, thumbnail_url=THUMBNAIL_URL))

    assert message["content"] == f"⚽ {TITLE}"
    assert message["allowed_mentions"] == {"parse": []}
    (embed,) = message["embeds"]
    assert embed["title"] == TITLE
    assert embed["url"] == CLIP_URL
    assert embed["image"] == {"url": THUMBNAIL_URL}
    assert embed["timestamp"] == "2026-11-25T20:22:10.500000+00:00"
    assert embed["description"] == "LIV 1-0 MCI, goal for LIV at 22:10 on channel sample\n25 s clip"


def test_discord_embed_title_is_cut_to_discords_limit() -> None:
    (embed,) = discord_message(a_highlight(title="x" * 300))["embeds"]
    assert len(embed["title"]) == 256


def test_an_away_goal_names_the_away_team() -> None:
    goal = a_goal(score={"home": 1, "away": 2}, previous_score={"home": 1, "away": 1}, side="away", clock="88:02")
    (embed,) = discord_message(a_highlight(goal=goal))["embeds"]
    assert embed["description"].startswith("LIV 1-2 MCI, goal for MCI at 88:02")


def test_slack_message_has_fallback_text_a_clip_button_and_an_image_block() -> None:
    message = slack_message(a_highlight(clip_url=CLIP_URL, thumbnail_url=THUMBNAIL_URL))

    assert message["text"] == f"⚽ {TITLE}: {CLIP_URL}"
    section, image, context = message["blocks"]
    assert section["type"] == "section"
    assert section["text"] == {
        "type": "mrkdwn",
        "text": f"*{TITLE}*\nLIV 1-0 MCI, goal for LIV at 22:10 on channel sample",
    }
    assert section["accessory"]["url"] == CLIP_URL  # plain JSON: the '&' of the link stays as it is
    assert image == {"type": "image", "image_url": THUMBNAIL_URL, "alt_text": TITLE}
    assert context["type"] == "context"


def test_slack_mrkdwn_special_characters_are_escaped() -> None:
    section = slack_message(a_highlight(title="A&B <3"))["blocks"][0]
    assert section["text"]["text"].startswith("*A&amp;B &lt;3*")


@pytest.mark.parametrize(
    ("url", "fmt", "expected"),
    [
        ("https://discord.com/api/webhooks/1/token", None, "discord"),
        ("https://hooks.slack.com/services/T0/B0/x", None, "slack"),
        ("https://chat.example.org/hooks/abc", None, "discord"),
        ("https://chat.example.org/hooks/abc", "slack", "slack"),
        ("https://hooks.slack.com/services/T0/B0/x", "discord", "discord"),
    ],
)
def test_the_format_is_the_secrets_else_guessed_from_the_host(url: str, fmt: str | None, expected: str) -> None:
    assert message_format(url, fmt) == expected  # type: ignore[arg-type]


def test_a_partial_clip_says_so_in_both_shapes() -> None:
    from contracts import MissingFootage

    partial = MissingFootage(missing_pre_roll_s=0.0, missing_post_roll_s=4.3, reasons=("segments after 10: <gone>",))
    highlight = a_highlight(partial=partial)
    (embed,) = discord_message(highlight)["embeds"]
    assert embed["description"].endswith(
        "\n25 s clip; ⚠ partial clip: 4.3 s of post-roll missing (segments after 10: <gone>)"
    )
    *_, context = slack_message(highlight)["blocks"]
    assert context["elements"][0]["text"].startswith("25 s clip; ⚠ partial clip: 4.3 s of post-roll missing")
    assert "&lt;gone&gt;" in context["elements"][0]["text"]  # mrkdwn escaped
