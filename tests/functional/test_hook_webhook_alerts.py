"""The webhook hook's goal alert, and its update with the clip, against a Discord-shaped server on 127.0.0.1.

Discord's contract as its docs give it: `POST {webhook}?wait=true` answers the
created message (with its `id`), `PATCH {webhook}/messages/{id}` edits it, and
files go as multipart `payload_json` + `files[n]`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from contracts import GoalAlert, HighlightEvent, goal_alert
from hooks.webhook import handler as webhook_hook
from hooks.webhook.delivery import DISCORD_ATTACHMENT_LIMIT_MB, REQUEST_HEADROOM_BYTES, WebhookTarget
from tests.functional.fake_aws import REGION
from tests.functional.hook_fixtures import (
    CLIP_BYTES,
    IDEMPOTENCY_TABLE,
    TITLE,
    Answer,
    FakeLambdaContext,
    LoopbackServer,
    ReceivedRequest,
    create_secret,
    emulated_aws,
    fast_http,
    sns_event,
    stage_highlight,
)

WEBHOOK_PATH = "/api/webhooks/1234/s3cr3t-t0ken"


class DiscordWebhook(LoopbackServer):
    """Discord's execute and edit endpoints; `scripted` answers come first, in order."""

    def __init__(self, scripted: list[Answer] | None = None) -> None:
        super().__init__()
        self.scripted = list(scripted or [])
        self.messages: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1186000000000000001)

    def answer(self, request: ReceivedRequest) -> Answer:
        if self.scripted:
            return self.scripted.pop(0)
        body = _message_of(request)
        if request.method == "POST" and request.path == WEBHOOK_PATH:
            message_id = str(next(self._ids))
            self.messages[message_id] = body
            return (
                Answer(200, {"id": message_id, "content": body.get("content")})
                if request.query.get("wait") == ["true"]
                else Answer(204)
            )
        prefix = f"{WEBHOOK_PATH}/messages/"
        if request.method == "PATCH" and request.path.startswith(prefix):
            message_id = request.path.removeprefix(prefix)
            if message_id not in self.messages:
                return Answer(404, {"message": "Unknown Message", "code": 10008})
            self.messages[message_id] = body
            return Answer(200, {"id": message_id, "content": body.get("content")})
        return Answer(404, {"message": "404: Not Found", "code": 0})


def _message_of(request: ReceivedRequest) -> dict[str, Any]:
    if request.headers.get("Content-Type", "").startswith("multipart/form-data"):
        form = request.form()
        message = dict(json.loads(form["payload_json"][1]))
        message["_files"] = {
            name: (filename, data) for name, (filename, data) in form.items() if name != "payload_json"
        }
        return message
    return dict(request.json())


@dataclass
class World:
    highlight: HighlightEvent
    alert: GoalAlert
    monkeypatch: pytest.MonkeyPatch

    def use(self, server: LoopbackServer, **secret: Any) -> None:
        arn = create_secret("highlight-bot/webhook", {"url": server.url + WEBHOOK_PATH, **secret})
        self.monkeypatch.setenv("WEBHOOK_SECRET_ARN", arn)

    def deliver(self, *events: HighlightEvent | GoalAlert) -> dict[str, list[str]]:
        return webhook_hook.handler(sns_event(*events), FakeLambdaContext())


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with emulated_aws(monkeypatch):
        monkeypatch.setattr(webhook_hook, "http_client", fast_http())
        highlight = stage_highlight()
        yield World(highlight, goal_alert(highlight.goal), monkeypatch)


def test_the_alert_is_posted_at_once_and_the_highlight_edits_it_with_the_clip_attached(world: World) -> None:
    with DiscordWebhook() as discord:
        world.use(discord)
        assert world.deliver(world.alert) == {"posted": [], "alerted": [world.highlight.goal.id]}
        (alert_id,) = discord.messages
        assert discord.messages[alert_id]["content"] == f"⚽ GOAL — {TITLE}"
        assert "url" not in discord.messages[alert_id]["embeds"][0]  # nothing to link yet

        assert world.deliver(world.highlight) == {"posted": [world.highlight.goal.id], "alerted": []}

    post, patch = discord.requests
    assert (post.method, post.query) == ("POST", {"wait": ["true"]})
    assert (patch.method, patch.path) == ("PATCH", f"{WEBHOOK_PATH}/messages/{alert_id}")
    assert list(discord.messages) == [alert_id]  # one message per goal, now showing the clip
    message = discord.messages[alert_id]
    assert message["content"] == f"⚽ {TITLE}"
    (embed,) = message["embeds"]
    assert embed["url"] == world.highlight.clip.url and "image" not in embed  # the attached video shows itself
    assert message["attachments"] == [{"id": 0, "filename": f"{world.highlight.goal.id}.mp4"}]
    assert message["_files"] == {"files[0]": (f"{world.highlight.goal.id}.mp4", CLIP_BYTES)}


def test_a_clip_above_the_destinations_limit_is_linked_with_its_thumbnail(world: World) -> None:
    with DiscordWebhook() as discord:
        world.use(discord, attach_up_to_mb=len(CLIP_BYTES) / 2 / 1_000_000)
        world.deliver(world.alert)
        world.deliver(world.highlight)

    patch = discord.requests[-1]
    assert patch.method == "PATCH" and patch.headers["Content-Type"] == "application/json"
    (embed,) = patch.json()["embeds"]
    assert embed["image"] == {"url": world.highlight.thumbnail.url} and embed["url"] == world.highlight.clip.url


def test_discords_limit_for_servers_without_boosts_is_the_default() -> None:
    target = WebhookTarget.model_validate({"url": "https://discord.com/api/webhooks/1/t"})
    assert (
        target.attachment_limit_bytes
        == DISCORD_ATTACHMENT_LIMIT_MB * 1_000_000 - REQUEST_HEADROOM_BYTES
        == (10_000_000 - 65_536)
    )
    slack = WebhookTarget.model_validate({"url": "https://hooks.slack.com/services/T/B/x"})
    assert slack.attachment_limit_bytes == 0  # incoming webhooks take no files


def test_a_file_refused_as_too_large_is_sent_again_as_a_link(world: World) -> None:
    too_large = Answer(413, {"message": "Request entity too large", "code": 40005})
    with DiscordWebhook([too_large]) as discord:
        world.use(discord)
        world.deliver(world.highlight)

    refused, linked = discord.requests
    assert refused.headers["Content-Type"].startswith("multipart/form-data")
    assert linked.json()["embeds"][0]["url"] == world.highlight.clip.url
    assert len(discord.messages) == 1


def test_without_an_alert_the_highlight_is_posted_new_and_a_late_alert_is_not_posted(world: World) -> None:
    with DiscordWebhook() as discord:
        world.use(discord)
        world.deliver(world.highlight)
        assert world.deliver(world.alert) == {"posted": [], "alerted": []}  # "GOAL" after its clip would only confuse

    assert [request.method for request in discord.requests] == ["POST"]
    assert len(discord.messages) == 1


def test_an_alert_deleted_in_the_chat_gets_the_clip_in_a_new_message(world: World) -> None:
    with DiscordWebhook() as discord:
        world.use(discord)
        world.deliver(world.alert)
        discord.messages.clear()  # a moderator deleted it
        world.deliver(world.highlight)

    assert [request.method for request in discord.requests] == ["POST", "PATCH", "POST"]
    assert len(discord.messages) == 1


def test_alert_and_highlight_are_each_delivered_once(world: World) -> None:
    with DiscordWebhook() as discord:
        world.use(discord)
        world.deliver(world.alert)
        assert world.deliver(world.alert, world.alert) == {"posted": [], "alerted": []}  # SNS delivered it again
        world.deliver(world.highlight)
        world.deliver(world.highlight)

    assert [request.method for request in discord.requests] == ["POST", "PATCH"]


def test_a_dead_webhook_fails_the_alert_loudly_and_the_highlight_still_posts(world: World) -> None:
    with DiscordWebhook([Answer(500)] * 4) as discord:
        world.use(discord)
        with pytest.raises(Exception, match="failed 4 times"):
            world.deliver(world.alert)  # raised: Lambda retries, then the hook's on-failure queue keeps it
        assert world.deliver(world.highlight) == {"posted": [world.highlight.goal.id], "alerted": []}

    assert discord.requests[-1].method == "POST" and len(discord.messages) == 1


def test_slack_gets_the_alert_and_then_the_clip_as_its_own_message(world: World) -> None:
    with DiscordWebhook() as slack_like:
        world.use(slack_like, format="slack")
        world.deliver(world.alert)
        world.deliver(world.highlight)

    alert, clip = slack_like.requests
    assert alert.query == {} and clip.query == {}  # no ?wait=true: Slack answers "ok", never a message
    assert alert.json()["text"] == f"⚽ GOAL — {TITLE}"
    assert world.highlight.clip.url in clip.json()["text"]


def test_the_message_ids_are_kept_in_the_hooks_table_and_expire(world: World) -> None:
    with DiscordWebhook() as discord:
        world.use(discord)
        world.deliver(world.alert)
    item = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName=IDEMPOTENCY_TABLE, Key={"id": {"S": f"webhook-message#{world.highlight.goal.id}"}}
    )["Item"]
    assert item["message_id"]["S"] == next(iter(discord.messages)) and item["shows"]["S"] == "alert"
    assert int(item["expiration"]["N"]) > 0
