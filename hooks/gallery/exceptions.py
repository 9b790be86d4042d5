"""Why the gallery could not be updated, in sentences that say what happens next."""

from __future__ import annotations

from hooks.shared.exceptions import HookError


class GalleryConflictError(HookError):
    """Other invocations kept changing a gallery document while this one tried to update it."""
