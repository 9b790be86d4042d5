"""The events the gallery shows, from the SNS event its Lambda receives: highlights, vertical cuts, reels.

`hooks.shared.highlights_from_sns` accepts highlights only; the gallery also takes the other
event types its filter policy lets through, so it reads the envelope itself, with the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.parser.models import SnsModel
from pydantic import ValidationError

from contracts import HighlightEvent, InvalidEventError, ReelEvent, VerticalEvent, parse_event
from hooks.shared.validation import field_problems

GalleryEvent = HighlightEvent | VerticalEvent | ReelEvent
GALLERY_EVENT_TYPES = (HighlightEvent, VerticalEvent, ReelEvent)


def gallery_events_from_sns(event: Mapping[str, Any]) -> list[GalleryEvent]:
    """Every highlight, vertical cut or reel in an SNS-to-Lambda event; InvalidEventError names the first bad record."""
    try:
        envelope = SnsModel.model_validate(event)
    except ValidationError as error:
        raise InvalidEventError(
            f"The gallery hook was invoked with an event that is not an SNS notification ({field_problems(error)}); "
            "it is meant to be subscribed to the highlight topic."
        ) from None
    published: list[GalleryEvent] = []
    for record in envelope.Records:
        notification = record.Sns
        where = f"SNS message {notification.MessageId} from {notification.TopicArn}"
        if not isinstance(notification.Message, str):
            raise InvalidEventError(f"{where} carries no message text.")
        try:
            parsed = parse_event(notification.Message)
        except InvalidEventError as error:
            raise InvalidEventError(f"{where} is not an event the gallery can read: {error}") from error
        if not isinstance(parsed, GALLERY_EVENT_TYPES):
            raise InvalidEventError(
                f"{where} is a {parsed.type} event, which the gallery does not show; its subscription filter "
                "policy should only let highlight, vertical and reel events through."
            )
        published.append(parsed)
    return published
