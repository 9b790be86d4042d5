"""Every bound the contracts promise, at the bound and one step past it (mutants of bench/mutation.py).

Why: a bound moved by one (``max_length=100`` -> ``101``, ``le=99`` -> ``100``) passed every other
test; these tests pin each bound from both sides, through ``parse_event`` as a consumer meets it.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts import (
    GoalEvent,
    InvalidEventError,
    Score,
    SegmentEvent,
    StoredMedia,
    Teams,
    goal_id,
    highlight_title,
    match_end_id,
    parse_event,
    segment_id,
)
from contracts.channels import ChannelEntry, channel_entry
from contracts.events import MAX_GOALS_PER_MATCH, MAX_SEGMENTS_PER_JOB
from contracts.settings import DEFAULT_SETTINGS, PipelineSettings
from functions.clip.settings import ClipSettings

AT = datetime(2026, 11, 25, 19, 30, 15, tzinfo=UTC)
TEAMS = Teams(home="LIV", away="MCI")


def goal_wire(**fields: Any) -> dict[str, Any]:
    goal = GoalEvent(
        id="g-1", channel="chan", at=AT, stream_time=12.5, score=Score(home=1, away=0),
        previous_score=Score(home=0, away=0), teams=TEAMS, clock="22:10", side="home",
    )  # fmt: skip
    return json.loads(goal.to_json()) | fields


def segment_wire(sequence: int = 7, **fields: Any) -> dict[str, Any]:
    segment = SegmentEvent(
        id=f"s-{sequence}", channel="chan", sequence=sequence, start=AT + timedelta(seconds=2 * sequence),
        duration_s=2.0, stream_time=2.0 * sequence, location=f"s3://bucket/segments/chan/{sequence:012d}.ts",
    )  # fmt: skip
    return json.loads(segment.to_json()) | fields


def media_wire(**fields: Any) -> dict[str, Any]:
    media = StoredMedia(
        bucket="b", key="k.mp4", url="https://example.invalid/k", content_type="video/mp4", size_bytes=3
    )
    return json.loads(media.to_json()) | fields


def clip_job_wire(**fields: Any) -> dict[str, Any]:
    return {
        "type": "clip_job", "v": 1, "id": "g-1", "channel": "chan", "goal": goal_wire(),
        "window_start": "2026-11-25T19:29:55Z", "window_end": "2026-11-25T19:30:20Z", "segments": [segment_wire()],
    } | fields  # fmt: skip


def highlight_wire(**fields: Any) -> dict[str, Any]:
    return {
        "type": "highlight", "v": 1, "id": "g-1", "channel": "chan", "title": "t", "goal": goal_wire(),
        "clip": media_wire(), "thumbnail": media_wire(), "clip_start": "2026-11-25T19:29:55Z",
        "clip_end": "2026-11-25T19:30:20Z", "duration_s": 25.0,
    } | fields  # fmt: skip


def vertical_wire(**fields: Any) -> dict[str, Any]:
    return {
        "type": "vertical", "v": 1, "id": "vertical-g-1", "highlight_id": "g-1", "channel": "chan", "title": "t",
        "goal": goal_wire(), "clip": media_wire(), "thumbnail": media_wire(), "source": media_wire(),
        "width": 720, "height": 1280, "clip_start": "2026-11-25T19:29:55Z", "clip_end": "2026-11-25T19:30:20Z",
        "duration_s": 25.0,
    } | fields  # fmt: skip


def match_end_wire(**fields: Any) -> dict[str, Any]:
    return {
        "type": "match_end", "v": 1, "id": "m-1", "channel": "chan", "at": "2026-11-25T21:00:00Z",
        "stream_time": 5400.0, "teams": {"home": "LIV", "away": "MCI"}, "score": {"home": 1, "away": 0},
        "reason": "full_time", "goals": [goal_wire()],
    } | fields  # fmt: skip


def reel_wire(**fields: Any) -> dict[str, Any]:
    return {
        "type": "reel", "v": 1, "id": "m-1", "channel": "chan", "title": "t", "match": match_end_wire(),
        "reel": media_wire(), "duration_s": 50.0,
    } | fields  # fmt: skip


TEN_YEARS_S = 10 * 365 * 24 * 3600

# (name, the record at the bound: accepted, the record one step past it: refused)
BOUNDS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("score 99", goal_wire(score={"home": 99, "away": 0}), goal_wire(score={"home": 100, "away": 0})),
    ("score 99 away", goal_wire(score={"home": 0, "away": 99}), goal_wire(score={"home": 0, "away": 100})),
    ("score 0", goal_wire(previous_score={"home": 0, "away": 0}), goal_wire(previous_score={"home": -1, "away": 0})),
    (
        "score 0 away",
        goal_wire(previous_score={"home": 0, "away": 0}),
        goal_wire(previous_score={"home": 0, "away": -1}),
    ),
    ("team code of 2", goal_wire(teams={"home": "LI", "away": "MC"}), goal_wire(teams={"home": "L", "away": "MC"})),
    (
        "team code of 4",
        goal_wire(teams={"home": "LIVE", "away": "MC"}),
        goal_wire(teams={"home": "LIVER", "away": "MC"}),
    ),
    ("channel of 100", goal_wire(channel="c" * 100), goal_wire(channel="c" * 101)),
    ("channel of 1", goal_wire(channel="c"), goal_wire(channel="")),
    ("id of 128", goal_wire(id="g" * 128), goal_wire(id="g" * 129)),
    ("id of 1", goal_wire(id="g"), goal_wire(id="")),
    ("clock of 16", goal_wire(clock="9" * 16), goal_wire(clock="9" * 17)),
    ("stream time 0", goal_wire(stream_time=0.0), goal_wire(stream_time=-0.001)),
    ("stream time 10 years", goal_wire(stream_time=float(TEN_YEARS_S)), goal_wire(stream_time=TEN_YEARS_S + 1.0)),
    ("sequence 0", segment_wire(sequence=0), segment_wire(sequence=0) | {"sequence": -1}),
    (
        "sequence 2**53",
        segment_wire(sequence=0) | {"sequence": 2**53},
        segment_wire(sequence=0) | {"sequence": 2**53 + 1},
    ),
    ("segment of 60 s", segment_wire(duration_s=60.0), segment_wire(duration_s=60.001)),
    ("segment longer than 0 s", segment_wire(duration_s=0.001), segment_wire(duration_s=0.0)),
    ("location of 2048", segment_wire(location="l" * 2048), segment_wire(location="l" * 2049)),
    ("location of 1", segment_wire(location="l"), segment_wire(location="")),
    (
        "missing reason of 1000",
        segment_wire(location="missing:chan/7", missing_reason="r" * 1000),
        segment_wire(location="missing:chan/7", missing_reason="r" * 1001),
    ),
    (
        "missing reason of 1",
        segment_wire(location="missing:chan/7", missing_reason="r"),
        segment_wire(location="missing:chan/7", missing_reason=""),
    ),
    (
        f"{MAX_SEGMENTS_PER_JOB} segments in a job",
        clip_job_wire(segments=[segment_wire(i) for i in range(MAX_SEGMENTS_PER_JOB)]),
        clip_job_wire(segments=[segment_wire(i) for i in range(MAX_SEGMENTS_PER_JOB + 1)]),
    ),
    ("one segment in a job", clip_job_wire(), clip_job_wire(segments=[])),
    ("title of 300", highlight_wire(title="t" * 300), highlight_wire(title="t" * 301)),
    ("highlight longer than 0 s", highlight_wire(duration_s=0.001), highlight_wire(duration_s=0.0)),
    ("size 0", highlight_wire(clip=media_wire(size_bytes=0)), highlight_wire(clip=media_wire(size_bytes=-1))),
    ("vertical longer than 0 s", vertical_wire(duration_s=0.001), vertical_wire(duration_s=0.0)),
    ("reel longer than 0 s", reel_wire(duration_s=0.001), reel_wire(duration_s=0.0)),
    ("reel title of 300", reel_wire(title="t" * 300), reel_wire(title="t" * 301)),
    ("a finite highlight", highlight_wire(duration_s=1e300), highlight_wire(duration_s=float("inf"))),
    ("width 4320", vertical_wire(width=4320), vertical_wire(width=4321)),
    ("height 7680", vertical_wire(height=7680), vertical_wire(height=7681)),
    ("width 1", vertical_wire(width=1), vertical_wire(width=0)),
    ("height 1", vertical_wire(height=1), vertical_wire(height=0)),
    (
        f"{MAX_GOALS_PER_MATCH} goals in a match",
        match_end_wire(goals=[goal_wire()] * MAX_GOALS_PER_MATCH),
        match_end_wire(goals=[goal_wire()] * (MAX_GOALS_PER_MATCH + 1)),
    ),
    ("2000-01-01 UTC", goal_wire(at="2000-01-01T00:00:00Z"), goal_wire(at="1999-12-31T23:59:59.999Z")),
    ("just before 2100 UTC", goal_wire(at="2099-12-31T23:59:59.999Z"), goal_wire(at="2100-01-01T00:00:00Z")),
]


@pytest.mark.parametrize(("at_bound", "past_bound"), [b[1:] for b in BOUNDS], ids=[b[0] for b in BOUNDS])
def test_each_bound_accepts_its_limit_and_refuses_one_step_past_it(
    at_bound: dict[str, Any], past_bound: dict[str, Any]
) -> None:
    assert parse_event(at_bound).type == at_bound["type"]
    with pytest.raises(InvalidEventError, match=f"invalid {past_bound['type']} event"):
        parse_event(past_bound)


def test_the_bounds_are_the_documented_ones() -> None:
    assert (MAX_SEGMENTS_PER_JOB, MAX_GOALS_PER_MATCH) == (600, 200)


def test_clip_links_last_sigv4s_longest_week() -> None:
    # S3 refuses a presigned URL that lives longer than 7 days; a shorter one breaks the promise of a week.
    assert DEFAULT_SETTINGS.clip_url_expiry_s == 604_800
    clip = ClipSettings(highlights_bucket="b", highlight_topic_arn="t", idempotency_table="i", ffmpeg_path="f")
    assert clip.environment()["CLIP_URL_EXPIRY_S"] == "604800"
    assert ClipSettings.from_env({**clip.environment(), "CLIP_URL_EXPIRY_S": "9999999"}).clip_url_expiry_s == 604_800


def test_a_goal_was_seen_live_unless_its_producer_says_it_was_found_after_a_gap() -> None:
    wire = goal_wire()
    del wire["found_after_gap"]
    goal = parse_event(wire)
    assert isinstance(goal, GoalEvent) and goal.found_after_gap is False


def test_a_segment_is_continuous_unless_its_producer_says_otherwise() -> None:
    wire = segment_wire()
    del wire["discontinuity"]
    segment = parse_event(wire)
    assert isinstance(segment, SegmentEvent) and segment.discontinuity is False


def test_the_channel_followed_by_default_is_the_first_entry() -> None:
    entry = channel_entry("fifa_pro, sample=https://example.com/live.m3u8")
    assert entry == ChannelEntry("fifa_pro", "twitch:fifa_pro")
    assert channel_entry("fifa_pro, sample", "sample") == ChannelEntry("sample", "twitch:sample")
    assert channel_entry(" , ") is None


def test_pipeline_settings_take_overrides_and_cannot_be_changed_afterwards() -> None:
    settings = PipelineSettings(keep_segments="all", pre_roll_s=15.0)
    assert (settings.keep_segments, settings.pre_roll_s) == ("all", 15.0)
    assert settings != DEFAULT_SETTINGS and DEFAULT_SETTINGS.keep_segments == "around_goals"
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.pre_roll_s = 1.0  # type: ignore[misc]


def test_a_moment_in_another_zone_is_held_in_utc_when_checking_the_range() -> None:
    # 2000-01-01 00:30 at +01:00 is 1999-12-31 23:30 UTC: refused, though its local date is in range.
    with pytest.raises(InvalidEventError, match="between 2000 and 2100"):
        parse_event(goal_wire(at="2000-01-01T00:30:00+01:00"))
    goal = parse_event(goal_wire(at="2000-01-01T01:30:00+01:00"))
    assert isinstance(goal, GoalEvent) and goal.at == datetime(2000, 1, 1, 0, 30, tzinfo=UTC)


def test_every_part_of_a_goal_id_names_the_goal() -> None:
    one = goal_id("chan", TEAMS, Score(home=1, away=0), AT)
    assert one.startswith("g-") and len(one) == 2 + 24
    assert one == goal_id("chan", TEAMS, Score(home=1, away=0), AT + timedelta(milliseconds=999))
    others = {
        goal_id("other", TEAMS, Score(home=1, away=0), AT),
        goal_id("chan", Teams(home="ARS", away="MCI"), Score(home=1, away=0), AT),
        goal_id("chan", Teams(home="LIV", away="ARS"), Score(home=1, away=0), AT),
        goal_id("chan", TEAMS, Score(home=0, away=1), AT),
        goal_id("chan", TEAMS, Score(home=1, away=1), AT),
        goal_id("chan", TEAMS, Score(home=1, away=0), AT + timedelta(seconds=1)),
    }
    assert one not in others and len(others) == 6


def test_every_part_of_a_segment_id_and_a_match_end_id_names_it() -> None:
    segment = segment_id("chan", 7, AT)
    assert segment.startswith("s-") and len(segment) == 2 + 24
    assert (
        len(
            {
                segment,
                segment_id("other", 7, AT),
                segment_id("chan", 8, AT),
                segment_id("chan", 7, AT + timedelta(milliseconds=1)),
            }
        )
        == 4
    )
    score = Score(home=1, away=0)
    match = match_end_id("chan", TEAMS, score, "g-1", AT)
    assert match.startswith("m-") and len(match) == 2 + 24
    assert match == match_end_id("chan", TEAMS, score, "g-1", AT + timedelta(hours=1))
    goalless = match_end_id("chan", TEAMS, Score(home=0, away=0), None, AT)
    assert goalless == match_end_id("chan", TEAMS, Score(home=0, away=0), None, AT + timedelta(milliseconds=999))
    assert goalless != match_end_id("chan", TEAMS, Score(home=0, away=0), None, AT + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("clock", "title"), [("0:05", "LIV 1-0 MCI (1')"), ("89:59", "LIV 1-0 MCI (90')"), ("45", "LIV 1-0 MCI (46')")]
)
def test_the_title_counts_the_minute_being_played(clock: str, title: str) -> None:
    assert highlight_title(GoalEvent.model_validate(goal_wire(clock=clock))) == title
