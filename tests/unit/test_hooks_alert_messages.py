"""The webhook hook's goal alert shapes and the Discord URLs it builds (wait, edit), without a network."""

from __future__ import annotations

from contracts import goal_alert
from hooks.webhook import alert_message, discord_message
from hooks.webhook.delivery import _message_url, _with_wait
from tests.functional.hook_fixtures import TITLE, a_goal, a_highlight

WEBHOOK = "https://discord.com/api/webhooks/1234/t0ken"


def test_the_discord_alert_says_goal_at_once_and_links_nothing() -> None:
    message = alert_message(goal_alert(a_goal()), "discord")
    assert message["content"] == f"⚽ GOAL — {TITLE}"
    (embed,) = message["embeds"]
    assert embed["title"] == f"GOAL — {TITLE}" and "url" not in embed and "image" not in embed
    assert "LIV 1-0 MCI" in embed["description"] and "22:10" in embed["description"]
    assert message["allowed_mentions"] == {"parse": []}


def test_the_slack_alert_is_text_and_a_section() -> None:
    message = alert_message(goal_alert(a_goal()), "slack")
    assert message["text"] == f"⚽ GOAL — {TITLE}" and "embeds" not in message
    assert message["blocks"][0]["type"] == "section"


def test_an_attached_clip_leaves_the_thumbnail_out_of_the_embed() -> None:
    highlight = a_highlight()
    assert "image" not in discord_message(highlight, attached=True)["embeds"][0]
    assert discord_message(highlight)["embeds"][0]["image"] == {"url": highlight.thumbnail.url}


def test_discord_is_asked_to_wait_and_a_thread_is_kept() -> None:
    assert _with_wait(WEBHOOK, "discord") == f"{WEBHOOK}?wait=true"
    assert _with_wait(f"{WEBHOOK}?thread_id=42&wait=false", "discord") == f"{WEBHOOK}?thread_id=42&wait=true"
    assert _with_wait(WEBHOOK, "slack") == WEBHOOK


def test_an_edit_goes_to_the_messages_path_in_the_same_thread() -> None:
    assert _message_url(f"{WEBHOOK}?thread_id=42&wait=true", "1186") == f"{WEBHOOK}/messages/1186?thread_id=42"
    assert _message_url(f"{WEBHOOK}/", "1186") == f"{WEBHOOK}/messages/1186"
