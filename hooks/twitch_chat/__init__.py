"""The Twitch-chat hook: announces each goal's clip in the channel's own chat (Helix "Send Chat Message").

Example:
    >>> from hooks.twitch_chat import HelixChat, TwitchChatCredentials
    >>> HelixChat(credentials, "https://api.twitch.tv", HttpClient()).announce(highlight)
"""

from hooks.twitch_chat.chat import HelixChat, TwitchChatCredentials, chat_message
from hooks.twitch_chat.exceptions import TwitchChatError, TwitchMessageDroppedError

__all__ = ["HelixChat", "TwitchChatCredentials", "TwitchChatError", "TwitchMessageDroppedError", "chat_message"]
