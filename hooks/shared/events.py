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
from pydantic import BaseModel, ValidationError

from contracts import HighlightEvent, InvalidEventError, highlight_title, parse_event
from hooks.shared.validation import field_problems

E = TypeVar("E", bound=BaseModel)


def events_from_sns(event: Mapping[str, Any], accepted: tuple[type[E], ...], *, reader: str = "hook") -> list[E]:
    """Every event of the ``accepted`` types in an SNS-to-Lambda event; InvalidEventError names the first bad record.

    ``reader`` names the hook in the messages ("The gallery hook was invoked with ...").

    Example:
        >>> events_from_sns(event, (HighlightEvent, ReelEvent), reader="gallery hook")
    """
    names = [str(kind.model_fields["type"].default) for kind in accepted]
    try:
        envelope = SnsModel.model_validate(event)
    except ValidationError as error:
        raise InvalidEventError(
            f"The {reader} was invoked with an event that is not an SNS notification ({field_problems(error)}); "
            "hooks are meant to be subscribed to the highlight topic."
        ) from None
    if not envelope.Records:
        raise InvalidEventError("The SNS event holds no records; SNS always delivers one, so this is not from SNS.")
    published: list[E] = []
    for record in envelope.Records:
        notification = record.Sns
        where = f"SNS message {notification.MessageId} from {notification.TopicArn}"
        if not isinstance(notification.Message, str):  # the model allows a nested model; SNS sends a string
            raise InvalidEventError(f"{where} carries no message text.")
        try:
            parsed = parse_event(notification.Message)
        except InvalidEventError as error:
            raise InvalidEventError(
                f"{where} is not a {_either(names)} event this {reader} can read: {error}"
            ) from error
        if not isinstance(parsed, accepted):
            raise InvalidEventError(
                f"{where} is a {parsed.type} event, not a {_either(names)}; "
                f"the {reader}'s subscription filter policy should only let {_either(names, 'and')} events through."
            )
        published.append(parsed)
    return published


def highlights_from_sns(event: Mapping[str, Any]) -> list[HighlightEvent]:
    """Every highlight in an SNS-to-Lambda event; InvalidEventError names the first bad record."""
    return events_from_sns(event, (HighlightEvent,))


def _either(names: list[str], joiner: str = "or") -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {joiner} {names[-1]}"


def title_of(highlight: HighlightEvent) -> str:
    """The name people see for a clip: the event's title, else one made from the goal (`LIV 1-0 MCI (23')`)."""
    return highlight.title.strip() or highlight_title(highlight.goal)
