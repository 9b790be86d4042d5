"""Why a highlight did not reach the chat webhook, in sentences that say what to do next."""

from __future__ import annotations

from hooks.shared.exceptions import HookError


class WebhookRejectedError(HookError):
    """The webhook answered a 4xx other than 408/429: a wrong or deleted URL, or a message it refuses."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
