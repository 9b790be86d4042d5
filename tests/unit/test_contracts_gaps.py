"""A segment announced as a gap: ``missing_reason`` with a location nothing can read, and v1 unchanged otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import InvalidEventError, SegmentEvent, missing_location, parse_event

START = datetime(2024, 5, 18, 19, 30, tzinfo=UTC)


def a_segment(**fields: object) -> SegmentEvent:
    values: dict[str, object] = {
        "id": "s-1",
        "channel": "somechannel",
        "sequence": 7,
        "start": START,
        "duration_s": 2.0,
        "stream_time": 14.0,
        "location": "s3://segments/segments/somechannel/000000000007.ts",
    }
    return SegmentEvent.model_validate(values | fields)


def test_a_stored_segment_is_written_exactly_as_before_the_field_existed() -> None:
    stored = a_segment()
    assert "missing_reason" not in stored.to_json() and not stored.is_missing
    assert parse_event(stored.to_json()) == stored


def test_a_gap_round_trips_with_its_reason() -> None:
    gap = a_segment(location=missing_location("somechannel", 7), missing_reason="it could not be stored: timeout")
    assert gap.is_missing and gap.location == "missing:somechannel/7"
    assert parse_event(gap.to_json()) == gap


@pytest.mark.parametrize(
    "fields",
    [
        {"missing_reason": "corrupt"},  # a reason with a readable location
        {"location": "missing:somechannel/7"},  # a gap's location without its reason
    ],
)
def test_a_gap_and_a_readable_location_never_go_together(fields: dict[str, str]) -> None:
    raw = a_segment().model_dump() | fields
    with pytest.raises(InvalidEventError, match="missing_reason exactly when"):
        parse_event(raw)
