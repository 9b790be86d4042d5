"""Reading the SNS event a hook Lambda receives: valid highlights in, clear errors for anything else."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from contracts import InvalidEventError
from hooks.gallery.events import gallery_events_from_sns
from hooks.shared import highlights_from_sns
from tests.functional.hook_fixtures import a_goal, a_highlight, sns_event


def test_each_record_becomes_a_highlight_event() -> None:
    first, second = a_highlight(), a_highlight(id="g-other", title="Another")
    assert highlights_from_sns(sns_event(first, second)) == [first, second]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("not json", "is not valid JSON"),
        (json.dumps({"type": "highlight", "v": 2}), "unsupported highlight event version 2"),
        (json.dumps({"type": "highlight", "v": 1, "id": "g-1"}), "invalid highlight event"),
    ],
)
def test_a_malformed_message_names_the_sns_message_and_the_problem(message: str, expected: str) -> None:
    with pytest.raises(InvalidEventError, match=expected) as failure:
        highlights_from_sns(sns_event(message))
    assert "SNS message 95df01b4-ee98-5cb9-9903-4c221d41eb00" in str(failure.value)


def test_another_event_type_is_refused_with_a_hint_at_the_filter_policy() -> None:
    with pytest.raises(InvalidEventError, match=r"is a goal event, not a highlight.*filter policy"):
        highlights_from_sns(sns_event(a_goal().to_json()))


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": [{"EventSource": "aws:sqs", "body": "{}"}]},
        {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "{}"}}]},
    ],
)
def test_an_event_that_is_not_from_sns_is_refused(event: dict[str, object]) -> None:
    with pytest.raises(InvalidEventError, match="is not an SNS notification"):
        highlights_from_sns(event)


@pytest.mark.parametrize("read", [highlights_from_sns, gallery_events_from_sns])
def test_an_sns_event_without_records_is_refused(read: Callable[[dict[str, object]], object]) -> None:
    # The gallery had its own copy of this parser, which let an empty event through.
    with pytest.raises(InvalidEventError, match="holds no records"):
        read({"Records": []})


def test_the_error_for_a_bad_envelope_does_not_echo_its_content() -> None:
    event = sns_event(a_highlight())
    del event["Records"][0]["Sns"]["TopicArn"]
    with pytest.raises(InvalidEventError, match=r"Records\.0\.Sns\.TopicArn: Field required") as failure:
        highlights_from_sns(event)
    assert "X-Amz-Signature" not in str(failure.value)
