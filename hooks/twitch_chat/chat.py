"""Helix calls of the Twitch-chat hook: who is speaking, in which channel, and the message itself.

Twitch's Send Chat Message (``POST {api}/helix/chat/messages``, JSON
``broadcaster_id``, ``sender_id``, ``message`` of at most 500 characters) needs
a user access token with the ``user:write:chat`` scope and the app's
``Client-Id``. Both ids are looked up once per container with Get Users
(``GET {api}/helix/users``: with ``?login=`` the channel, without it the
token's own user, who is the sender). A 200 answer may still say the message
was dropped (``is_sent`` false, with a ``drop_reason``): that is an error too.

The API base is ``https://api.twitch.tv``; ``TWITCH_API_URL`` changes it for the
tests' fake Helix on 127.0.0.1, and any other plain-http URL is refused.

Example:
    >>> chat = HelixChat(credentials, "https://api.twitch.tv", HttpClient())
    >>> chat.announce(highlight)        # "⚽ LIV 1-0 MCI (23') — watch the goal: https://…"
"""

from __future__ import annotations

import os
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from contracts import HighlightEvent
from hooks.shared import HookConfigError, HttpClient, HttpRejectedError, get_secret_json, parse_secret, title_of
from hooks.shared.urls import url_problem
from hooks.twitch_chat.exceptions import TwitchChatError, TwitchMessageDroppedError

SECRET_ENV = "TWITCH_CHAT_SECRET_ARN"
API_URL_ENV = "TWITCH_API_URL"
DEFAULT_API_URL = "https://api.twitch.tv"
MAX_MESSAGE_CHARS = 500
"""Twitch's limit for one chat message."""
_LOGIN = re.compile(r"^[a-z0-9_]{1,25}$")


class TwitchChatCredentials(BaseModel):
    """The hook's secret: ``{"client_id": "...", "access_token": "...", "broadcaster_login": "..."}``.

    ``access_token`` is a user token with ``user:write:chat`` of the account that speaks (the bot);
    ``broadcaster_login`` is optional: by default the channel is the highlight's own channel name.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    client_id: SecretStr = Field(min_length=1)
    access_token: SecretStr = Field(min_length=1)
    broadcaster_login: str | None = Field(default=None, pattern=_LOGIN.pattern)

    @classmethod
    def from_secret(cls, env_var: str = SECRET_ENV) -> TwitchChatCredentials:
        return parse_secret(cls, get_secret_json(env_var), secret_id=os.environ[env_var])


def api_url_from_environment() -> str:
    """``TWITCH_API_URL`` (default Twitch's), refused with a sentence unless https (or loopback in the tests)."""
    url = (os.environ.get(API_URL_ENV) or DEFAULT_API_URL).rstrip("/")
    problem = url_problem(url)
    if problem:
        raise HookConfigError(f"{API_URL_ENV} {problem}; leave it unset to talk to {DEFAULT_API_URL}.")
    return url


def chat_message(highlight: HighlightEvent) -> str:
    """``⚽ LIV 1-0 MCI (23') — watch the goal: https://…``; TwitchChatError when even that is over 500 characters."""
    message = f"⚽ {title_of(highlight)} — watch the goal: {highlight.clip.url}"
    if len(message) > MAX_MESSAGE_CHARS:
        raise TwitchChatError(
            f"The chat message for {title_of(highlight)!r} would be {len(message)} characters, above Twitch's "
            f"{MAX_MESSAGE_CHARS}: the clip's link is too long (a presigned link?). Deploy with the CloudFront "
            "distribution (HIGHLIGHTS_BASE_URL) so links are short."
        )
    return message


_USER_IDS: dict[tuple[str, str, str], str] = {}
"""(api, client id, login or "" for the token's user) → user id: looked up once per container."""


class HelixChat:
    """Sends chat messages as the token's user into a channel, over an ``HttpClient`` (retries, clear errors)."""

    def __init__(self, credentials: TwitchChatCredentials, api_url: str, http: HttpClient) -> None:
        self.credentials = credentials
        self.api_url = api_url
        self.http = http

    def announce(self, highlight: HighlightEvent) -> str:
        """Post the highlight's message in the channel's chat; returns Twitch's message id."""
        message = chat_message(highlight)
        login = self.credentials.broadcaster_login or highlight.channel.lower()
        if not _LOGIN.match(login):
            raise TwitchChatError(
                f"Channel {highlight.channel!r} is not a Twitch login (lower-case letters, digits, underscores); "
                "put the channel's login under broadcaster_login in the hook's secret."
            )
        broadcaster_id = self.user_id(login)
        sender_id = self.user_id(None)
        reply = self._call(
            "POST",
            "/helix/chat/messages",
            what=f"Twitch Send Chat Message to {login}",
            json={"broadcaster_id": broadcaster_id, "sender_id": sender_id, "message": message},
        )
        sent = (reply.get("data") or [{}])[0]
        if not sent.get("is_sent"):
            reason = sent.get("drop_reason") or {}
            raise TwitchMessageDroppedError(
                f"Twitch did not post {title_of(highlight)!r} in {login}'s chat: {reason.get('code', 'no code')} "
                f"({reason.get('message', 'no reason given')}). Check the channel's chat settings and that the "
                "bot account may chat there."
            )
        return str(sent.get("message_id", ""))

    def user_id(self, login: str | None) -> str:
        """The user id of ``login``, or of the token's own user when None (Get Users), cached per container."""
        key = (self.api_url, self.credentials.client_id.get_secret_value(), login or "")
        if key not in _USER_IDS:
            reply = self._call(
                "GET",
                "/helix/users",
                what=f"Twitch Get Users for {login or 'the token user'}",
                params={"login": login} if login else None,
            )
            users = reply.get("data") or []
            if not users and login is None:
                raise TwitchChatError(
                    "Twitch named no user for the hook's access token, so there is no account to speak as; store a "
                    f"user access token of the bot account (not an app token) in the secret named by {SECRET_ENV}."
                )
            if not users:
                raise TwitchChatError(f"Twitch knows no user {login!r}; check the channel name or broadcaster_login.")
            _USER_IDS[key] = str(users[0]["id"])
        return _USER_IDS[key]

    def _call(self, method: str, path: str, *, what: str, **kwargs: Any) -> dict[str, Any]:
        headers = {
            "Client-Id": self.credentials.client_id.get_secret_value(),
            "Authorization": f"Bearer {self.credentials.access_token.get_secret_value()}",
        }
        try:
            response = self.http.request(method, f"{self.api_url}{path}", what=what, headers=headers, **kwargs)
        except HttpRejectedError as refusal:
            raise TwitchChatError(_refusal_sentence(refusal)) from None
        body = response.json()
        return body if isinstance(body, dict) else {}


def _refusal_sentence(refusal: HttpRejectedError) -> str:
    if refusal.status == 401:
        advice = (
            f"the token in the secret named by {SECRET_ENV} expired, was revoked or does not match its client_id; "
            "store a fresh user token with the user:write:chat scope with aws secretsmanager put-secret-value"
        )
    elif refusal.status == 403:
        advice = "the bot account may not chat in this channel (banned, or the channel restricts who may chat)"
    else:
        advice = "see Twitch's answer above"
    return f"{refusal}; {advice}."


def forget_user_ids() -> None:
    """Drop the cached user ids (tests)."""
    _USER_IDS.clear()
