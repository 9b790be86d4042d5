"""Fields added to v1: a segment announced as a gap, a partial clip, a reel without some goals.

Each is left out of the JSON while absent, so everything else is written exactly as before, and a reader
older than the field refuses the events that carry it instead of misreading them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ConfigDict, ValidationError, create_model

from contracts import (
    ClipJob,
    GoalEvent,
    GoalWithoutClip,
    HighlightEvent,
    InvalidEventError,
    MatchEndEvent,
    MissingFootage,
    ReelEvent,
    SegmentEvent,
    StoredMedia,
    missing_location,
    parse_event,
)

START = datetime(2024, 5, 18, 19, 30, tzinfo=UTC)


GOAL_JSON = json.dumps(
    {
        "type": "goal", "v": 1, "id": "g-1", "channel": "somechannel", "at": "2024-05-18T19:30:21.300Z",
        "stream_time": 21.3, "score": {"home": 1, "away": 0}, "previous_score": {"home": 0, "away": 0},
        "teams": {"home": "LIV", "away": "MCI"}, "clock": "22:10", "side": "home",
    }
)  # fmt: skip
MEDIA = StoredMedia(
    bucket="b", key="k.mp4", url="https://example.invalid/k.mp4", content_type="video/mp4", size_bytes=1
)


def a_highlight(**fields: object) -> HighlightEvent:
    goal = parse_event(GOAL_JSON)
    values: dict[str, object] = {
        "id": "highlight-g-1", "channel": "somechannel", "title": "LIV 1-0 MCI (23')", "goal": goal, "clip": MEDIA,
        "thumbnail": MEDIA, "clip_start": START, "clip_end": START, "duration_s": 19.0,
    }  # fmt: skip
    return HighlightEvent.model_validate(values | fields)


def a_reel(**fields: object) -> ReelEvent:
    goal = parse_event(GOAL_JSON)
    assert isinstance(goal, GoalEvent)
    match = MatchEndEvent(
        id="m-1", channel="somechannel", at=START, stream_time=90.0, teams=goal.teams, score=goal.score,
        reason="full_time", goals=(goal,),
    )  # fmt: skip
    values: dict[str, object] = {
        "id": "m-1",
        "channel": "somechannel",
        "title": "t",
        "match": match,
        "reel": MEDIA,
        "duration_s": 19.0,
    }
    return ReelEvent.model_validate(values | fields)


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


# ---------------------------------------------------------------- partial clips and reels without some goals


def a_partial() -> MissingFootage:
    return MissingFootage(
        missing_pre_roll_s=4.0, missing_post_roll_s=2.5, reasons=("segments 3..4 (4.0 s): never arrived",)
    )


def test_a_partial_clip_says_what_is_missing_in_one_line() -> None:
    assert a_partial().summary == (
        "partial clip: 4.0 s of pre-roll and 2.5 s of post-roll missing (segments 3..4 (4.0 s): never arrived)"
    )
    assert a_partial().missing_s == 6.5


@pytest.mark.parametrize(
    "fields",
    [
        {"missing_pre_roll_s": -1.0},
        {"reasons": ()},  # partial with no reason: people must be told why
        {"missing_post_roll_s": float("inf")},
    ],
)
def test_a_partial_clip_without_sense_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MissingFootage.model_validate(a_partial().model_dump() | fields)


def test_a_clip_job_round_trips_partial_and_a_complete_one_is_written_as_before() -> None:
    goal = parse_event(GOAL_JSON)
    assert isinstance(goal, GoalEvent)
    complete = ClipJob(
        id="clip-1", channel="somechannel", goal=goal, window_start=START, window_end=START, segments=(a_segment(),)
    )
    assert "partial" not in complete.to_json() and parse_event(complete.to_json()) == complete
    partial = complete.model_copy(update={"partial": a_partial()})
    assert parse_event(partial.to_json()) == partial
    assert json.loads(partial.to_json())["partial"]["missing_post_roll_s"] == 2.5


def test_a_reader_older_than_the_field_refuses_a_partial_highlight_instead_of_calling_it_complete() -> None:
    # The highlight model as it was before `partial`: the same fields, unknown ones refused.
    old_fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in HighlightEvent.model_fields.items() if name != "partial"
    }
    old_highlight = create_model("OldHighlight", __config__=ConfigDict(extra="forbid"), **old_fields)

    assert old_highlight.model_validate(json.loads(a_highlight().to_json())).duration_s == 19.0  # read as before
    with pytest.raises(ValidationError, match="partial"):
        old_highlight.model_validate(json.loads(a_highlight(partial=a_partial()).to_json()))


def test_a_clip_job_never_lists_a_gap_as_a_segment_to_read() -> None:
    goal = parse_event(GOAL_JSON)
    gap = a_segment(location=missing_location("somechannel", 7), missing_reason="corrupt")
    with pytest.raises(ValidationError, match="segments \\[7\\] are gaps"):
        ClipJob(id="clip-1", channel="somechannel", goal=goal, window_start=START, window_end=START, segments=(gap,))


def test_a_reel_lists_goals_without_clip_and_a_full_one_is_written_as_before() -> None:
    without = GoalWithoutClip(goal_id="g-2", title="LIV 2-0 MCI (60')", reason="no segment shows it")
    assert "goals_without_clip" not in a_reel().to_json()
    reel = a_reel(goals_without_clip=(without,))
    assert parse_event(reel.to_json()) == reel
    assert json.loads(reel.to_json())["goals_without_clip"][0]["reason"] == "no segment shows it"
