"""Hook behaviour that mutants of bench/mutation.py showed no test held: the message shape chosen, gallery bounds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hooks.gallery.pages import GalleryMedia
from hooks.webhook import discord_message, slack_message
from hooks.webhook.messages import highlight_message
from tests.functional.hook_fixtures import a_highlight


def test_the_message_has_the_shape_of_the_format_asked_for() -> None:
    highlight = a_highlight()
    assert highlight_message(highlight, "slack") == slack_message(highlight) != discord_message(highlight)
    assert highlight_message(highlight, "discord") == discord_message(highlight)


def test_a_gallery_video_lasts_zero_seconds_or_more() -> None:
    assert GalleryMedia(href="clips/a.mp4", duration_s=0.0).duration_s == 0.0
    with pytest.raises(ValidationError, match="duration_s"):
        GalleryMedia(href="clips/a.mp4", duration_s=-0.5)
