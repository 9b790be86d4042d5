"""The event contracts: JSON round trips, UTC times, versions, clear rejections."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from contracts import (
    ClipJob,
    GoalEvent,
    HighlightEvent,
    InvalidEventError,
    Score,
    SegmentEvent,
    StoredMedia,
    Teams,
    goal_id,
    highlight_title,
    parse_event,
    segment_id,
)

AT = datetime(2026, 11, 25, 21, 30, 15, 250000, tzinfo=timezone(timedelta(hours=2)))
TEAMS = Teams(home="LIV", away="MCI")


def a_goal(**changes: object) -> GoalEvent:
    fields: dict[str, object] = {
        "id": goal_id("chan", TEAMS, Score(home=1, away=0), AT),
        "channel": "chan",
        "at": AT,
        "stream_time": 12.5,
        "score": Score(home=1, away=0),
        "previous_score": Score(home=0, away=0),
        "teams": TEAMS,
        "clock": "22:10",
        "side": "home",
    }
    fields.update(changes)
    return GoalEvent.model_validate(fields)


def a_segment(sequence: int = 7) -> SegmentEvent:
    start = AT + timedelta(seconds=2 * sequence)
    return SegmentEvent(
        id=segment_id("chan", sequence, start),
        channel="chan",
        sequence=sequence,
        start=start,
        duration_s=2.0,
        stream_time=2.0 * sequence,
        location=f"s3://bucket/segments/chan/{sequence:012d}.ts",
    )


def test_goal_round_trips_through_json_with_utc_times() -> None:
    goal = a_goal()
    wire = json.loads(goal.to_json())
    assert wire["type"] == "goal" and wire["v"] == 1
    assert wire["at"] == "2026-11-25T19:30:15.250Z"
    assert parse_event(goal.to_bytes()) == goal


def test_segment_and_clip_job_and_highlight_round_trip() -> None:
    segment = a_segment()
    job = ClipJob(
        id="g-1", channel="chan", goal=a_goal(), window_start=AT, window_end=AT + timedelta(seconds=25),
        segments=(segment,),
    )  # fmt: skip
    media = StoredMedia(
        bucket="b", key="k.mp4", url="https://example.invalid/k", content_type="video/mp4", size_bytes=3
    )
    highlight = HighlightEvent(
        id="g-1", channel="chan", title="t", goal=a_goal(), clip=media, thumbnail=media,
        clip_start=AT, clip_end=AT + timedelta(seconds=25), duration_s=25.0,
    )  # fmt: skip
    for event in (segment, job, highlight):
        assert parse_event(event.to_json()) == event


def test_ids_are_deterministic() -> None:
    assert a_goal().id == a_goal().id
    assert goal_id("chan", TEAMS, Score(home=2, away=0), AT) != a_goal().id
    assert a_segment(3).id == a_segment(3).id != a_segment(4).id


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"type": "penalty", "v": 1}', "unknown event type"),
        ('{"type": "goal", "v": 2}', "unsupported goal event version 2"),
        ('{"type": "goal", "v": 1, "id": "x"}', "invalid goal event"),
    ],
)
def test_bad_events_are_rejected_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidEventError, match=reason):
        parse_event(raw)


def test_unknown_fields_and_naive_times_are_rejected() -> None:
    wire = json.loads(a_goal().to_json())
    with pytest.raises(InvalidEventError):
        parse_event({**wire, "extra": 1})
    with pytest.raises(InvalidEventError):
        parse_event({**wire, "at": "2026-11-25T19:30:15"})


def test_highlight_title_counts_the_minute_being_played() -> None:
    assert highlight_title(a_goal()) == "LIV 1-0 MCI (23')"
    assert highlight_title(a_goal(clock="")) == "LIV 1-0 MCI"


def test_match_end_and_reel_round_trip_with_deterministic_ids() -> None:
    from contracts import MatchEndEvent, ReelEvent, match_end_id, reel_title

    score = Score(home=1, away=0)
    match = MatchEndEvent(
        id=match_end_id("chan", TEAMS, score, a_goal().id, AT), channel="chan", at=AT, stream_time=5400.0,
        teams=TEAMS, score=score, reason="full_time", goals=(a_goal(),),
    )  # fmt: skip
    assert match.id == match_end_id("chan", TEAMS, score, a_goal().id, AT + timedelta(minutes=1))
    media = StoredMedia(
        bucket="b", key="r.mp4", url="https://example.invalid/r", content_type="video/mp4", size_bytes=9
    )
    reel = ReelEvent(id=match.id, channel="chan", title=reel_title(match), match=match, reel=media, duration_s=50.0)
    assert reel.title == "LIV 1-0 MCI: all goals"
    for event in (match, reel):
        assert parse_event(event.to_json()) == event


# ---------------------------------------------------------------- hostile but well-formed records (issue 11)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ('"stream_time": Infinity', "stream_time"),
        ('"stream_time": NaN', "stream_time"),
        ('"stream_time": -Infinity', "stream_time"),
        ('"stream_time": 1e400', "stream_time"),
    ],
)
def test_non_finite_numbers_are_rejected_not_stored_as_null(change: str, field: str) -> None:
    wire = a_goal().to_json().replace('"stream_time":12.5', change.replace(" ", ""))
    assert change.split(":")[1].strip() in wire
    with pytest.raises(InvalidEventError, match=field):
        parse_event(wire)


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"]
)
def test_times_outside_2000_to_2100_are_rejected(moment: str) -> None:
    wire = json.loads(a_goal().to_json()) | {"at": moment}
    with pytest.raises(InvalidEventError, match="between 2000 and 2100"):
        parse_event(wire)


@pytest.mark.parametrize(
    "bad_id", ["", "../../../../evil", "a/b", ".hidden", "..", "x" * 129, "g-1\n", "g 1", "ünïcode"]
)
def test_ids_are_one_safe_path_component(bad_id: str) -> None:
    wire = json.loads(a_goal().to_json()) | {"id": bad_id}
    with pytest.raises(InvalidEventError, match="id"):
        parse_event(wire)
    with pytest.raises(InvalidEventError, match=r"goal\.id"):
        parse_event(
            {"type": "clip_job", "v": 1, "id": "clip-1", "channel": "chan", "goal": wire,
             "window_start": "2026-11-25T19:30:00Z", "window_end": "2026-11-25T19:30:25Z",
             "segments": [json.loads(a_segment().to_json())]}
        )  # fmt: skip


@pytest.mark.parametrize("channel", ["", "..", ".", "a/b", "../x", "-x", "x" * 101, "chan\n"])
def test_channel_names_cannot_leave_their_key_prefix(channel: str) -> None:
    with pytest.raises(InvalidEventError, match="channel"):
        parse_event(json.loads(a_goal().to_json()) | {"channel": channel})


def test_deep_nesting_and_huge_numbers_are_invalid_events_not_crashes() -> None:
    with pytest.raises(InvalidEventError, match="nests deeper"):
        parse_event("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InvalidEventError, match="not valid JSON"):
        parse_event('{"type": "segment", "v": 1, "sequence": ' + "9" * 5000 + "}")
    wire = json.loads(a_segment().to_json()) | {"sequence": 10**40}
    with pytest.raises(InvalidEventError, match="sequence"):
        parse_event(wire)


def test_ids_made_by_the_pipeline_fit_the_id_rule() -> None:
    assert parse_event(a_goal().to_json()).id.startswith("g-")
    assert parse_event(a_segment().to_json()).id.startswith("s-")


def test_vertical_round_trips_and_names_its_highlight() -> None:
    from contracts import VerticalEvent

    media = StoredMedia(
        bucket="b", key="k.vertical.mp4", url="https://example.invalid/v", content_type="video/mp4", size_bytes=7
    )
    vertical = VerticalEvent(
        id="vertical-g-1", highlight_id="highlight-g-1", channel="chan", title="t", goal=a_goal(), clip=media,
        thumbnail=media, source=media, width=720, height=1280, clip_start=AT, clip_end=AT + timedelta(seconds=25),
        duration_s=25.0,
    )  # fmt: skip
    wire = json.loads(vertical.to_json())
    assert (wire["type"], wire["v"], wire["width"], wire["height"]) == ("vertical", 1, 720, 1280)
    assert parse_event(vertical.to_json()) == vertical
    with pytest.raises(InvalidEventError, match="unsupported vertical event version 2"):
        parse_event({**wire, "v": 2})
    with pytest.raises(InvalidEventError, match="invalid vertical event"):
        parse_event({**wire, "width": 0})
