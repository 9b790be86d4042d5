"""The SNS event a hook Lambda receives, turned into validated highlight events.

SNS hands a subscribed Lambda `{"Records": [{"EventSource": "aws:sns", "Sns":
{"Message": "<highlight JSON>", "MessageAttributes": {...}, ...}}]}`; the
envelope is checked with Powertools' `SnsModel` and each message with the
project's contract, so a malformed message fails loudly at the boundary and
lands in the hook's on-failure destination with a sentence saying why.

Example:
    >>> for highlight in highlights_from_sns(event):
    ...     post(highlight.clip.url, title_of(highlight))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.parser.models import SnsModel
from pydantic import ValidationError

from contracts import AnyEvent, HighlightEvent, InvalidEventError, highlight_title, parse_event
from hooks.shared.validation import field_problems


def highlights_from_sns(event: Mapping[str, Any]) -> list[HighlightEvent]:
    """Every highlight in an SNS-to-Lambda event; InvalidEventError names the first bad record."""
    return [item for item in events_from_sns(event, (HighlightEvent,)) if isinstance(item, HighlightEvent)]


HookEvent = TypeVar("HookEvent", bound=AnyEvent)


def events_from_sns(event: Mapping[str, Any], accepted: tuple[type[HookEvent], ...]) -> list[HookEvent]:
    """Every event in an SNS-to-Lambda event, each one of the ``accepted`` contracts (a hook that hears
    alerts and highlights passes both); InvalidEventError names the first record that is not."""
    try:
        envelope = SnsModel.model_validate(event)
    except ValidationError as error:
        raise InvalidEventError(
            f"The hook was invoked with an event that is not an SNS notification ({field_problems(error)}); "
            "hooks are meant to be subscribed to the highlight topic."
        ) from None
    if not envelope.Records:
        raise InvalidEventError("The SNS event holds no records; SNS always delivers one, so this is not from SNS.")
    wanted = " or ".join(kind.model_fields["type"].default for kind in accepted)
    events: list[HookEvent] = []
    for record in envelope.Records:
        notification = record.Sns
        where = f"SNS message {notification.MessageId} from {notification.TopicArn}"
        if not isinstance(notification.Message, str):  # the model allows a nested model; SNS sends a string
            raise InvalidEventError(f"{where} carries no message text.")
        try:
            parsed = parse_event(notification.Message)
        except InvalidEventError as error:
            raise InvalidEventError(f"{where} is not a {wanted} event this hook can read: {error}") from error
        if not isinstance(parsed, accepted):
            raise InvalidEventError(
                f"{where} is a {parsed.type} event, not a {wanted}; "
                f"the hook's subscription filter policy should only let {wanted} events through."
            )
        events.append(parsed)
    return events


def title_of(highlight: HighlightEvent) -> str:
    """The name people see for a clip: the event's title, else one made from the goal (`LIV 1-0 MCI (23')`)."""
    return highlight.title.strip() or highlight_title(highlight.goal)
