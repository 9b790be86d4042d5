"""Why a goal was not announced in Twitch chat, in sentences that say what to do next."""

from __future__ import annotations

from hooks.shared.exceptions import HookError


class TwitchChatError(HookError):
    """Twitch refused the request (a token that expired or lacks a scope, an unknown channel, a message too long)."""


class TwitchMessageDroppedError(TwitchChatError):
    """Twitch accepted the request but did not post the message (``is_sent`` false), and said why."""
