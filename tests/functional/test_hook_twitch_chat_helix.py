"""The Twitch-chat hook's Helix calls, straight (no handler, no idempotency table): fast enough to judge mutants.

`HelixChat` against a fake Helix on 127.0.0.1, the credentials from moto's Secrets Manager: the message
sent, the ids looked up and cached, Twitch's refusals and dropped messages as sentences.
(`test_hook_twitch_chat.py` drives the same calls through the Lambda handler, with de-duplication.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts import HighlightEvent
from hooks.shared import HookConfigError
from hooks.twitch_chat import HelixChat, TwitchChatCredentials, TwitchChatError, TwitchMessageDroppedError, chat_message
from hooks.twitch_chat import chat as twitch_chat
from tests.functional.hook_fixtures import (
    CLIENT_ID,
    TITLE,
    TOKEN,
    USERS,
    Answer,
    FakeHelix,
    a_goal,
    a_highlight,
    create_secret,
    emulated_aws,
    fast_http,
)

CLIP_URL = "https://d111111abcdef8.cloudfront.net/highlights/sample/g.mp4"
SECRET_ARN_ENV = "TWITCH_CHAT_SECRET_ARN"
CREDENTIALS = TwitchChatCredentials.model_validate({"client_id": CLIENT_ID, "access_token": TOKEN})


@pytest.fixture(autouse=True)
def no_cached_ids() -> Iterator[None]:
    twitch_chat.forget_user_ids()
    yield
    twitch_chat.forget_user_ids()


def highlight_in(channel: str, clip_url: str = CLIP_URL) -> HighlightEvent:
    return a_highlight(clip_url=clip_url, channel=channel, goal=a_goal(channel=channel))


def chat_on(helix: FakeHelix, credentials: TwitchChatCredentials = CREDENTIALS) -> HelixChat:
    return HelixChat(credentials, helix.url, fast_http())


# ---------------------------------------------------------------- the message


def test_the_message_is_the_goal_and_the_clips_link() -> None:
    assert chat_message(highlight_in("sample")) == f"⚽ {TITLE} — watch the goal: {CLIP_URL}"


def test_a_message_of_500_characters_is_allowed_and_one_more_is_a_sentence() -> None:
    prefix = f"⚽ {TITLE} — watch the goal: "
    base = "https://d111111abcdef8.cloudfront.net/"
    fitting = base + "a" * (500 - len(prefix) - len(base))
    assert len(chat_message(highlight_in("sample", fitting))) == 500

    with pytest.raises(TwitchChatError) as failure:
        chat_message(highlight_in("sample", fitting + "a"))
    assert str(failure.value) == (
        f"The chat message for {TITLE!r} would be 501 characters, above Twitch's 500: the clip's link is too "
        "long (a presigned link?). Deploy with the CloudFront distribution (HIGHLIGHTS_BASE_URL) so links are short."
    )


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        (None, "https://api.twitch.tv"),
        ("", "https://api.twitch.tv"),
        ("https://helix.example.com/", "https://helix.example.com"),
    ],
)
def test_the_api_url_defaults_to_twitchs_and_loses_a_trailing_slash(
    monkeypatch: pytest.MonkeyPatch, configured: str | None, expected: str
) -> None:
    if configured is None:
        monkeypatch.delenv("TWITCH_API_URL", raising=False)
    else:
        monkeypatch.setenv("TWITCH_API_URL", configured)
    assert twitch_chat.api_url_from_environment() == expected


def test_a_plain_http_api_url_is_refused_with_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWITCH_API_URL", "http://helix.example.com")
    with pytest.raises(HookConfigError) as failure:
        twitch_chat.api_url_from_environment()
    assert str(failure.value) == (
        "TWITCH_API_URL must be an https:// URL; leave it unset to talk to https://api.twitch.tv."
    )


def test_the_credentials_come_from_the_secret_named_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with emulated_aws(monkeypatch):
        value = {"client_id": CLIENT_ID, "access_token": TOKEN, "broadcaster_login": "a" * 25, "note": "ignored"}
        monkeypatch.setenv(SECRET_ARN_ENV, create_secret("highlight-bot/twitch-chat", value))
        credentials = TwitchChatCredentials.from_secret()
    assert credentials.client_id.get_secret_value() == CLIENT_ID
    assert credentials.access_token.get_secret_value() == TOKEN
    assert credentials.broadcaster_login == "a" * 25
    assert TOKEN not in repr(credentials)


def test_ids_and_tokens_of_one_character_are_accepted() -> None:
    credentials = TwitchChatCredentials.model_validate({"client_id": "c", "access_token": "t"})
    assert (credentials.client_id.get_secret_value(), credentials.access_token.get_secret_value()) == ("c", "t")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"client_id": "", "access_token": TOKEN}, "client_id"),
        ({"client_id": CLIENT_ID, "access_token": ""}, "access_token"),
        ({"client_id": CLIENT_ID, "access_token": TOKEN, "broadcaster_login": "a" * 26}, "broadcaster_login"),
        ({"client_id": CLIENT_ID, "access_token": TOKEN, "broadcaster_login": "Sample"}, "broadcaster_login"),
    ],
)
def test_a_secret_of_the_wrong_shape_names_the_field(
    monkeypatch: pytest.MonkeyPatch, value: dict[str, str], problem: str
) -> None:
    with emulated_aws(monkeypatch):
        arn = create_secret("highlight-bot/twitch-chat", value)
        monkeypatch.setenv(SECRET_ARN_ENV, arn)
        with pytest.raises(HookConfigError) as failure:
            TwitchChatCredentials.from_secret()
    message = str(failure.value)
    assert message.startswith(f"Secret {arn} does not have the expected shape ({problem}: ")
    assert "fields client_id, access_token." in message


# ---------------------------------------------------------------- Send Chat Message


def test_the_message_is_sent_as_the_tokens_user_into_the_highlights_channel() -> None:
    with FakeHelix() as helix:
        assert chat_on(helix).announce(highlight_in("sample")) == "m-1"

    assert helix.chat == [
        {
            "broadcaster_id": USERS["sample"],
            "sender_id": USERS["highlightbot"],
            "message": f"⚽ {TITLE} — watch the goal: {CLIP_URL}",
        }
    ]
    assert [(r.method, r.path, r.query) for r in helix.requests] == [
        ("GET", "/helix/users", {"login": ["sample"]}),
        ("GET", "/helix/users", {}),
        ("POST", "/helix/chat/messages", {}),
    ]
    assert {(r.headers["Client-Id"], r.headers["Authorization"]) for r in helix.requests} == {
        (CLIENT_ID, f"Bearer {TOKEN}")
    }


def test_a_channel_name_in_capitals_is_its_login_in_lower_case() -> None:
    with FakeHelix() as helix:
        chat_on(helix).announce(highlight_in("Sample"))
    assert helix.requests[0].query == {"login": ["sample"]}


def test_a_login_of_25_characters_is_looked_up() -> None:
    login = "a" * 25
    with FakeHelix(users={login: "7", "highlightbot": "8"}) as helix:
        chat_on(helix).announce(highlight_in(login))
    assert helix.chat[0]["broadcaster_id"] == "7"


@pytest.mark.parametrize("channel", ["sample.tv", "a" * 26])
def test_a_channel_that_is_no_twitch_login_is_a_sentence_and_nothing_is_sent(channel: str) -> None:
    with FakeHelix() as helix, pytest.raises(TwitchChatError) as failure:
        chat_on(helix).announce(highlight_in(channel))
    assert str(failure.value) == (
        f"Channel {channel!r} is not a Twitch login (lower-case letters, digits, underscores); put the channel's "
        "login under broadcaster_login in the hook's secret."
    )
    assert helix.requests == []


def test_broadcaster_login_in_the_secret_names_the_channel() -> None:
    credentials = CREDENTIALS.model_copy(update={"broadcaster_login": "highlightbot"})
    with FakeHelix() as helix:
        chat_on(helix, credentials).announce(highlight_in("sample"))
    assert helix.chat[0]["broadcaster_id"] == USERS["highlightbot"]


def test_twitchs_message_id_is_returned_and_its_absence_is_an_empty_id() -> None:
    sent = Answer(200, {"data": [{"is_sent": True}]})
    with FakeHelix([sent]) as helix:
        assert chat_on(helix).announce(highlight_in("sample")) == ""


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (
            {"data": [{"is_sent": False, "drop_reason": {"code": "msg_duplicate", "message": "Same."}}]},
            "msg_duplicate (Same.)",
        ),
        ({"data": [{"message_id": "", "is_sent": False, "drop_reason": None}]}, "no code (no reason given)"),
        ({"data": []}, "no code (no reason given)"),
        (["not", "an", "object"], "no code (no reason given)"),
    ],
)
def test_a_message_twitch_did_not_post_is_an_error_with_its_reason(reply: object, why: str) -> None:
    with FakeHelix([Answer(200, reply)]) as helix, pytest.raises(TwitchMessageDroppedError) as failure:
        chat_on(helix).announce(highlight_in("sample"))
    assert str(failure.value) == (
        f"Twitch did not post {TITLE!r} in sample's chat: {why}. Check the channel's chat settings and that the "
        "bot account may chat there."
    )


# ---------------------------------------------------------------- Get Users


def test_user_ids_are_looked_up_once_per_api_client_and_login() -> None:
    with FakeHelix() as helix, FakeHelix() as other_helix:
        chat_on(helix).announce(highlight_in("sample"))
        chat_on(helix).announce(highlight_in("sample"))
        assert len(helix.requests_to("/helix/users")) == 2

        chat_on(helix).announce(highlight_in("highlightbot"))
        assert [r.query for r in helix.requests_to("/helix/users")][2:] == [{"login": ["highlightbot"]}]

        chat_on(other_helix).announce(highlight_in("sample"))
        assert len(other_helix.requests_to("/helix/users")) == 2

        twitch_chat.forget_user_ids()
        chat_on(helix).announce(highlight_in("sample"))
        assert len(helix.requests_to("/helix/users")) == 5


def test_a_user_id_given_as_a_number_is_sent_as_text() -> None:
    with FakeHelix(scripted_users=[Answer(200, {"data": [{"id": 141981764, "login": "sample"}]})]) as helix:
        chat_on(helix).announce(highlight_in("sample"))
    assert helix.chat[0]["broadcaster_id"] == "141981764"


def test_an_unknown_channel_is_a_sentence() -> None:
    with FakeHelix() as helix, pytest.raises(TwitchChatError) as failure:
        chat_on(helix).announce(highlight_in("nobody"))
    assert str(failure.value) == "Twitch knows no user 'nobody'; check the channel name or broadcaster_login."
    assert helix.chat == []


def test_a_token_of_no_user_is_a_sentence_about_the_token() -> None:
    with FakeHelix(users={"sample": USERS["sample"]}) as helix, pytest.raises(TwitchChatError) as failure:
        chat_on(helix).announce(highlight_in("sample"))
    assert str(failure.value) == (
        "Twitch named no user for the hook's access token, so there is no account to speak as; store a user "
        "access token of the bot account (not an app token) in the secret named by TWITCH_CHAT_SECRET_ARN."
    )
    assert helix.chat == []


# ---------------------------------------------------------------- refusals


def test_a_refused_token_says_to_store_a_fresh_one_and_never_shows_it() -> None:
    credentials = TwitchChatCredentials.model_validate({"client_id": CLIENT_ID, "access_token": "expired"})
    with FakeHelix() as helix, pytest.raises(TwitchChatError) as failure:
        chat_on(helix, credentials).announce(highlight_in("sample"))
    assert str(failure.value) == (
        'Twitch Get Users for sample was refused with HTTP 401: {"error": "Unauthorized", "status": 401, "message": '
        '"Invalid OAuth token"}; the token in the secret named by TWITCH_CHAT_SECRET_ARN expired, was revoked or '
        "does not match its client_id; store a fresh user token with the user:write:chat scope with aws "
        "secretsmanager put-secret-value."
    )
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (403, "the bot account may not chat in this channel (banned, or the channel restricts who may chat)"),
        (400, "see Twitch's answer above"),
    ],
)
def test_a_refused_message_says_why(status: int, advice: str) -> None:
    refusal = Answer(status, {"message": "scripted"})
    with FakeHelix([refusal]) as helix, pytest.raises(TwitchChatError) as failure:
        chat_on(helix).announce(highlight_in("sample"))
    assert str(failure.value) == (
        f'Twitch Send Chat Message to sample was refused with HTTP {status}: {{"message": "scripted"}}; {advice}.'
    )
