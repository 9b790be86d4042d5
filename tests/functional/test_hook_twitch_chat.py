"""The Twitch-chat hook against a fake Helix on 127.0.0.1: Get Users, Send Chat Message, and their refusals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from contracts import HighlightEvent
from hooks.shared import HookConfigError
from hooks.twitch_chat import TwitchChatError, TwitchMessageDroppedError
from hooks.twitch_chat import chat as twitch_chat
from hooks.twitch_chat import handler as twitch_hook
from tests.functional.hook_fixtures import (
    CLIENT_ID,
    TITLE,
    TOKEN,
    USERS,
    Answer,
    FakeHelix,
    FakeLambdaContext,
    a_highlight,
    create_secret,
    emulated_aws,
    fast_http,
    sns_event,
)


@dataclass
class World:
    highlight: HighlightEvent
    monkeypatch: pytest.MonkeyPatch

    def run_hook(self, helix: FakeHelix, **secret: Any) -> dict[str, list[str]]:
        value = {"client_id": CLIENT_ID, "access_token": TOKEN, **secret}
        self.monkeypatch.setenv("TWITCH_CHAT_SECRET_ARN", create_secret("highlight-bot/twitch-chat", value))
        self.monkeypatch.setenv("TWITCH_API_URL", helix.url)
        return twitch_hook.handler(sns_event(self.highlight), FakeLambdaContext())


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with emulated_aws(monkeypatch):
        monkeypatch.setattr(twitch_hook, "http_client", fast_http())
        twitch_chat.forget_user_ids()
        yield World(a_highlight(clip_url="https://d111111abcdef8.cloudfront.net/highlights/sample/g.mp4"), monkeypatch)
        twitch_chat.forget_user_ids()


def test_the_goal_is_announced_in_the_channels_chat_with_its_link(world: World) -> None:
    with FakeHelix() as helix:
        assert world.run_hook(helix) == {"announced": [world.highlight.goal.id]}

    (message,) = helix.chat
    assert message == {
        "broadcaster_id": USERS["sample"],  # the highlight's channel, looked up by login
        "sender_id": USERS["highlightbot"],  # the token's own user
        "message": f"⚽ {TITLE} — watch the goal: {world.highlight.clip.url}",
    }
    assert [r.query for r in helix.requests_to("/helix/users")] == [{"login": ["sample"]}, {}]


def test_a_redelivered_highlight_is_announced_once_and_ids_are_looked_up_once(world: World) -> None:
    with FakeHelix() as helix:
        world.run_hook(helix)
        assert twitch_hook.handler(sns_event(world.highlight), FakeLambdaContext()) == {"announced": []}
    assert len(helix.chat) == 1 and len(helix.requests_to("/helix/users")) == 2


def test_the_secret_may_name_another_channel(world: World) -> None:
    with FakeHelix() as helix:
        world.run_hook(helix, broadcaster_login="highlightbot")
    assert helix.chat[0]["broadcaster_id"] == USERS["highlightbot"]


def test_an_expired_token_fails_with_what_to_do(world: World) -> None:
    with FakeHelix() as helix, pytest.raises(TwitchChatError) as failure:
        world.run_hook(helix, access_token="expired")
    message = str(failure.value)
    assert "HTTP 401" in message and "user:write:chat" in message and "put-secret-value" in message
    assert "expired" not in message.split("HTTP 401")[0]  # the token itself is never in the sentence


def test_a_dropped_message_is_an_error_with_twitchs_reason(world: World) -> None:
    drop = {"code": "msg_duplicate", "message": "Your message is identical to the one you sent within 30 seconds."}
    with FakeHelix(drop=drop) as helix, pytest.raises(TwitchMessageDroppedError, match="msg_duplicate"):
        world.run_hook(helix)


def test_an_unknown_channel_is_a_sentence(world: World) -> None:
    with FakeHelix() as helix, pytest.raises(TwitchChatError, match="knows no user 'nobody'"):
        world.run_hook(helix, broadcaster_login="nobody")


def test_a_server_error_is_retried_and_then_fails_for_lambda_to_retry(world: World) -> None:
    with FakeHelix([Answer(503)] * 4) as helix, pytest.raises(Exception, match="failed 4 times"):
        world.run_hook(helix)
    assert helix.chat == []


def test_an_unconfigured_hook_announces_nothing_and_does_not_fail(world: World) -> None:
    world.monkeypatch.setenv("TWITCH_CHAT_SECRET_ARN", create_secret("highlight-bot/twitch-chat", "PlaceholderAbc123"))
    assert twitch_hook.handler(sns_event(world.highlight), FakeLambdaContext()) == {"announced": []}


def test_plain_http_is_refused_outside_loopback_tests(world: World) -> None:
    with FakeHelix() as helix:
        world.monkeypatch.delenv("HOOKS_ALLOW_LOOPBACK_HTTP")
        with pytest.raises(HookConfigError, match="TWITCH_API_URL must be an https:// URL"):
            world.run_hook(helix)
    assert helix.requests == []


def test_a_presigned_link_too_long_for_chat_is_a_sentence(world: World) -> None:
    long_link = "https://bucket.s3.amazonaws.com/clip.mp4?X-Amz-Signature=" + "a" * 600
    world.highlight = a_highlight(clip_url=long_link)
    with FakeHelix() as helix, pytest.raises(TwitchChatError, match="above Twitch's 500"):
        world.run_hook(helix)
    assert helix.chat == []
