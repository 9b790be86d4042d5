"""The webhook hook's handler against a webhook receiver on 127.0.0.1 and moto Secrets Manager."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from contracts import HighlightEvent
from hooks.shared import HttpUnavailableError
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
        result = world.run_hook(receiver, attach_up_to_mb=0)  # links only (attachments: test_hook_webhook_alerts)

    assert result == {"posted": [world.highlight.goal.id], "alerted": []}
    (received,) = receiver.requests
    assert (received.method, received.path, received.query) == ("POST", WEBHOOK_PATH, {"wait": ["true"]})
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
        world.run_hook(receiver, attach_up_to_mb=0)

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


# ---------------------------------------------------------------- once per highlight, no secret in errors (issue 11)


def test_a_second_delivery_of_the_same_highlight_posts_nothing(world: World) -> None:
    with WebhookReceiver() as receiver:
        assert world.run_hook(receiver) == {"posted": [world.highlight.goal.id], "alerted": []}
        # SNS delivers again (at-least-once), or clip republished the same bytes after a hard kill.
        assert webhook_hook.handler(sns_event(world.highlight), FakeLambdaContext()) == {"posted": [], "alerted": []}
        assert webhook_hook.handler(sns_event(world.highlight, world.highlight), FakeLambdaContext()) == {
            "posted": [],
            "alerted": [],
        }
    assert len(receiver.requests) == 1


def test_a_failed_post_leaves_no_record_so_the_retry_posts(world: World) -> None:
    with WebhookReceiver([Answer(500)] * 4) as receiver:
        with pytest.raises(HttpUnavailableError):
            world.run_hook(receiver)
        assert webhook_hook.handler(sns_event(world.highlight), FakeLambdaContext()) == {
            "posted": [world.highlight.goal.id],
            "alerted": [],
        }
    assert len(receiver.requests) == 5


def test_a_post_without_an_answer_is_not_posted_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    patient = fast_http(world.sleeps)
    patient.timeout_s = (5.0, 0.2)  # the receiver never answers in time: it waits for the test's signal
    monkeypatch.setattr(webhook_hook, "http_client", patient)
    answered = threading.Event()
    with WebhookReceiver([Answer(204, held_until=answered)]) as receiver:
        try:
            assert world.run_hook(receiver) == {"posted": [], "alerted": []}
            # Lambda or SNS trying again must not post it again either.
            assert webhook_hook.handler(sns_event(world.highlight), FakeLambdaContext()) == {
                "posted": [],
                "alerted": [],
            }
        finally:
            answered.set()
    assert len(receiver.requests) == 1 and world.sleeps == []


@pytest.mark.parametrize(
    "url",
    [
        "https://discord.com:99999/api/webhooks/1234/s3cr3t-t0ken",
        "https://discord.com/api/webhooks/1234/s3cr3t-t0ken\n",
        "http://discord.com/api/webhooks/1234/s3cr3t-t0ken",
        "https://[discord.com/api/webhooks/1234/s3cr3t-t0ken",
    ],
)
def test_a_malformed_webhook_secret_never_puts_its_token_in_logs_or_the_failure_record(
    world: World, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    world.monkeypatch.setenv("WEBHOOK_SECRET_ARN", create_secret("highlight-bot/webhook", {"url": url}))
    with pytest.raises(Exception) as failure:
        webhook_hook.handler(sns_event(world.highlight), FakeLambdaContext())
    # What Lambda puts in the on-failure record and its log: the message, the type, the whole traceback.
    record = "".join(traceback.format_exception(failure.value))
    output = capsys.readouterr()
    assert "s3cr3t-t0ken" not in record
    assert "s3cr3t-t0ken" not in output.out + output.err
    assert "url" in str(failure.value)
