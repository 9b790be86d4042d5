"""The webhook hook's handler against a webhook receiver on 127.0.0.1 and moto Secrets Manager."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from contracts import HighlightEvent
from hooks.webhook import WebhookRejectedError
from hooks.webhook import handler as webhook_hook
from tests.functional.hook_fixtures import (
    TITLE,
    Answer,
    FakeLambdaContext,
    WebhookReceiver,
    create_secret,
    emulated_aws,
    fast_http,
    sns_event,
    stage_highlight,
)

WEBHOOK_PATH = "/api/webhooks/1234/s3cr3t-t0ken"


@dataclass
class World:
    highlight: HighlightEvent
    sleeps: list[float]
    monkeypatch: pytest.MonkeyPatch

    def run_hook(self, receiver: WebhookReceiver, **secret: Any) -> dict[str, list[str]]:
        arn = create_secret("highlight-bot/webhook", {"url": receiver.url + WEBHOOK_PATH, **secret})
        self.monkeypatch.setenv("WEBHOOK_SECRET_ARN", arn)
        return webhook_hook.handler(sns_event(self.highlight), FakeLambdaContext())


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with emulated_aws(monkeypatch):
        sleeps: list[float] = []
        monkeypatch.setattr(webhook_hook, "http_client", fast_http(sleeps))
        yield World(stage_highlight(), sleeps, monkeypatch)


def test_a_discord_message_links_the_clip_and_shows_the_thumbnail(world: World) -> None:
    with WebhookReceiver() as receiver:
        result = world.run_hook(receiver)

    assert result == {"posted": [world.highlight.goal.id]}
    (received,) = receiver.requests
    assert (received.method, received.path) == ("POST", WEBHOOK_PATH)
    message = received.json()
    assert TITLE in message["content"]
    (embed,) = message["embeds"]
    assert embed["title"] == TITLE
    assert embed["url"] == world.highlight.clip.url
    assert embed["image"] == {"url": world.highlight.thumbnail.url}
    assert "LIV 1-0 MCI" in embed["description"] and "22:10" in embed["description"]
    assert embed["timestamp"].startswith("2026-11-25T20:22:10")
    assert world.sleeps == []


def test_the_secret_can_ask_for_slack_blocks(world: World) -> None:
    with WebhookReceiver([Answer(200)]) as receiver:
        world.run_hook(receiver, format="slack")

    message = receiver.requests[0].json()
    assert TITLE in message["text"] and "embeds" not in message
    assert {"type": "image", "image_url": world.highlight.thumbnail.url, "alt_text": TITLE} in message["blocks"]


def test_a_server_error_is_retried(world: World) -> None:
    with WebhookReceiver([Answer(500, {"message": "oops"})]) as receiver:
        world.run_hook(receiver)

    assert len(receiver.requests) == 2
    assert receiver.requests[0].json() == receiver.requests[1].json()
    assert world.sleeps == [0.5]


def test_a_rate_limit_waits_as_long_as_retry_after_asks(world: World) -> None:
    with WebhookReceiver([Answer(429, {"retry_after": 3}, {"Retry-After": "3"})]) as receiver:
        world.run_hook(receiver)

    assert len(receiver.requests) == 2
    assert world.sleeps == [3.0]


def test_a_deleted_webhook_fails_once_with_a_sentence_that_keeps_the_token_out(world: World) -> None:
    with (
        WebhookReceiver([Answer(404, {"message": "Unknown Webhook", "code": 10015})]) as receiver,
        pytest.raises(WebhookRejectedError) as failure,
    ):
        world.run_hook(receiver)

    message = str(failure.value)
    assert "refused the highlight" in message and "HTTP 404" in message and "Unknown Webhook" in message
    assert "WEBHOOK_SECRET_ARN" in message and "put-secret-value" in message
    assert "s3cr3t-t0ken" not in message
    assert len(receiver.requests) == 1 and world.sleeps == []
