"""Property-based fuzzing (hypothesis): no record, however hostile, escapes uncaught or blocks another channel.

Records are generated three ways: arbitrary bytes, arbitrary JSON (with NaN,
Infinity, huge numbers, deep nesting), and valid events with one field
replaced, removed or added anywhere in them (the likeliest poison: a producer
bug). For each one:

- ``parse_event`` returns an event or raises ``InvalidEventError``, nothing else;
- enrich, given the record and then a valid channel's whole goal window in the
  same batch, reports no item failure (nothing blocks the shard), dead-letters
  the record with a reason or processes it, and still sends the other
  channel's clip job;
- clip, given the record as a job and then a valid job of another channel in
  the same batch, publishes or dead-letters it with a reason, raises nothing,
  and still publishes the valid job's highlight.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import ClipJob, InvalidEventError, MatchEndEvent, parse_event
from functions.clip import handler as clip
from functions.enrich import handler as enrich
from tests.functional.functions_fixtures import (
    HIGHLIGHTS_BUCKET,
    REGION,
    SEGMENTS_BUCKET,
    START,
    EnrichWorld,
    FakeLambdaContext,
    a_goal,
    a_segment,
    create_queue,
    drain_queue,
    emulated_aws,
    render_ts_segments,
    sqs_event,
)

GOAL_AT = START + timedelta(seconds=21.3)  # window 1.3 s .. 26.3 s: segments 0..13
HOSTILE_CHANNEL = "fuzz"
FUZZ = settings(
    max_examples=40,
    deadline=None,  # moto and ffmpeg take what they take; correctness is the property, not speed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure here is reproducible, not flaky
)

# ---------------------------------------------------------------- strategies

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**20, max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["", "..", "../../../../evil", "/proc/self/environ", "x" * 2000, "9999-12-31T23:59:59Z"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value a mutation can hit."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    """``valid`` with one value somewhere replaced, removed, or given a new sibling."""
    event = json.loads(json.dumps(valid))
    path = draw(st.sampled_from([p for p in _paths(event) if p]))
    parent = event
    for step in path[:-1]:
        parent = parent[step]
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "replace":
        parent[path[-1]] = draw(json_values)
    elif action == "remove" and isinstance(parent, dict):
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    return event


def wire(value: Any) -> bytes:
    """JSON as Python writes it, NaN and Infinity included (what a careless producer sends)."""
    return json.dumps(value, allow_nan=True).encode()


def hostile_capture_records() -> st.SearchStrategy[bytes]:
    segment = json.loads(a_segment(3, channel=HOSTILE_CHANNEL).to_json())
    goal = json.loads(a_goal(GOAL_AT, channel=HOSTILE_CHANNEL).to_json())
    return (
        st.binary(max_size=300)
        | json_values.map(wire)
        | mutated(segment).map(wire)
        | mutated(goal).map(wire)
        | st.integers(min_value=1, max_value=200_000).map(lambda depth: b"[" * depth + b"]" * depth)
    )


# ---------------------------------------------------------------- parse_event


@settings(parent=FUZZ, max_examples=300)
@given(record=hostile_capture_records())
def test_parse_event_returns_an_event_or_raises_invalid_event_error(record: bytes) -> None:
    try:
        event = parse_event(record)
    except InvalidEventError as error:
        assert str(error)
        return
    # Whatever it accepted is finite, and writes back out as JSON it would accept again.
    assert parse_event(event.to_json()) == event
    numbers = [v for v in json.loads(event.to_json()).values() if isinstance(v, float)]
    assert all(math.isfinite(v) for v in numbers)


# ---------------------------------------------------------------- enrich


@pytest.fixture
def enrich_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[EnrichWorld]:
    with emulated_aws(monkeypatch):
        yield EnrichWorld.create(monkeypatch)


class Channels:
    """A new valid channel per example, so one example's state never helps or hides another's."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"valid{self.count}"


@FUZZ
@given(record=hostile_capture_records())
def test_enrich_processes_or_dead_letters_any_record_and_the_next_channel_goes_on(
    enrich_world: EnrichWorld, record: bytes
) -> None:
    channel = _enrich_channels.next()
    valid = [*(a_segment(n, channel=channel) for n in range(15)), a_goal(GOAL_AT, channel=channel)]
    event = enrich_world.stream.event_for(record, partition_key=HOSTILE_CHANNEL)
    event["Records"] += enrich_world.stream.event_for(*valid, partition_key=channel)["Records"]

    response = enrich.handler(event, FakeLambdaContext())

    assert response["batchItemFailures"] == []  # nothing retried, so nothing blocks the shard
    letters = [json.loads(m["Body"]) for m in drain_queue(enrich_world.dead_letter_queue_url)]
    for letter in letters:
        assert letter["reason"] and letter["kind"] in ("invalid_record", "unprocessable_record", "goal_given_up")
    hostile_sequence = event["Records"][0]["kinesis"]["sequenceNumber"]
    hostile_letters = [x for x in letters if x.get("record", {}).get("sequenceNumber") == hostile_sequence]
    if _refused_by_the_contracts(record):
        assert len(hostile_letters) == 1  # never dropped silently
    else:
        assert len(hostile_letters) <= 1  # processed, or dead-lettered once (say, a number that overflows)
    jobs = [parse_event(m["Body"]) for m in drain_queue(enrich_world.clip_queue_url)]
    assert [job.channel for job in jobs if isinstance(job, ClipJob) and job.channel == channel] == [channel]


_enrich_channels = Channels()


def _refused_by_the_contracts(record: bytes) -> bool:
    try:
        parse_event(record)
    except InvalidEventError:
        return True
    return False


# ---------------------------------------------------------------- clip


@pytest.fixture(scope="module")
def segment_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return render_ts_segments(tmp_path_factory.mktemp("segments"), count=15, size="160x90")


@pytest.fixture
def clip_world(monkeypatch: pytest.MonkeyPatch, segment_files: list[Path]) -> Iterator[dict[str, str]]:
    with emulated_aws(monkeypatch):
        EnrichWorld.create(monkeypatch)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=SEGMENTS_BUCKET)
        s3.create_bucket(Bucket=HIGHLIGHTS_BUCKET)
        for channel in (HOSTILE_CHANNEL, "valid"):
            for sequence, path in enumerate(segment_files):
                key = a_segment(sequence, channel=channel).location.removeprefix(f"s3://{SEGMENTS_BUCKET}/")
                s3.upload_file(str(path), SEGMENTS_BUCKET, key)
        sns = boto3.client("sns", region_name=REGION)
        topic_arn = sns.create_topic(Name="highlight-bot-highlights")["TopicArn"]
        hooks = create_queue("hook-all")
        hooks_arn = boto3.client("sqs", region_name=REGION).get_queue_attributes(
            QueueUrl=hooks, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=hooks_arn)
        dead_letters = create_queue("highlight-bot-clip-dlq")
        for name, value in {
            "HIGHLIGHTS_BUCKET": HIGHLIGHTS_BUCKET,
            "HIGHLIGHT_TOPIC_ARN": topic_arn,
            "FFMPEG_PATH": shutil.which("ffmpeg") or "ffmpeg",
            "CLIP_DEAD_LETTER_QUEUE_URL": dead_letters,
        }.items():
            monkeypatch.setenv(name, value)
        yield {"hooks": hooks, "dead_letters": dead_letters}


def a_job(channel: str) -> ClipJob:
    goal = a_goal(GOAL_AT, channel=channel)
    return ClipJob(
        id=f"clip-{goal.id}",
        channel=channel,
        goal=goal,
        window_start=GOAL_AT - timedelta(seconds=20),
        window_end=GOAL_AT + timedelta(seconds=5),
        segments=tuple(a_segment(n, channel=channel) for n in range(14)),
    )


def hostile_jobs() -> st.SearchStrategy[str]:
    job = json.loads(a_job(HOSTILE_CHANNEL).to_json())
    return (
        st.text(max_size=200)
        | json_values.map(lambda value: json.dumps(value, allow_nan=True))
        | mutated(job).map(lambda value: json.dumps(value, allow_nan=True))
    )


@settings(parent=FUZZ, max_examples=20)
@given(body=hostile_jobs())
def test_clip_publishes_or_dead_letters_any_job_and_the_next_job_goes_on(clip_world: dict[str, str], body: str) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    hostile_url = create_queue("clip-fuzz")
    sqs.send_message(QueueUrl=hostile_url, MessageBody=body)
    sqs.send_message(QueueUrl=hostile_url, MessageBody=a_job("valid").to_json())
    messages = drain_queue(hostile_url)
    assert [m["Body"] for m in messages][-1] == a_job("valid").to_json()

    response = clip.handler(sqs_event(*messages), FakeLambdaContext("highlight-bot-clip"))

    assert response["batchItemFailures"] == []  # every job is published or parked: none comes back
    letters = [json.loads(m["Body"]) for m in drain_queue(clip_world["dead_letters"])]
    for letter in letters:
        assert letter["kind"] == "clip_job_refused" and letter["reason"]
        assert letter["message"]["body"] == body[: len(letter["message"]["body"])]
    published = [json.loads(m["Body"])["Message"] for m in drain_queue(clip_world["hooks"])]
    for message in published:
        assert parse_event(message).type == "highlight"
    # Exactly one outcome per hostile body: a letter, or its highlight; a job id seen in an earlier example
    # may instead be a replay of that example's outcome (idempotency), which adds nothing.
    valid_goal_id = a_job("valid").goal.id
    outcomes = len(letters) + len([m for m in published if parse_event(m).goal.id != valid_goal_id])
    job = _clip_job_in(body)
    if job is None:
        assert (len(letters), outcomes) == (1, 1), "a body that is no clip job is dead-lettered once"
    elif isinstance(job, MatchEndEvent) or job.id in _clip_job_ids_seen:
        assert outcomes <= 1  # a match end makes a reel (or nothing, for a match without clips)
    else:
        assert outcomes == 1, f"clip job {job.id[:80]!r} was neither published nor dead-lettered"
    _clip_job_ids_seen.add(job.id if job is not None else "")
    # The valid job's highlight went out once, in the first example; later ones replay it.
    assert _valid_published.seen or any(parse_event(m).channel == "valid" for m in published)
    _valid_published.seen = True


class _Seen:
    seen = False


_valid_published = _Seen()
_clip_job_ids_seen: set[str] = set()


def _clip_job_in(body: str) -> ClipJob | MatchEndEvent | None:
    """What clip takes from the body (a clip job or a match end), or None: refused by the contracts, or
    another kind of event."""
    try:
        event = parse_event(body)
    except InvalidEventError:
        return None
    return event if isinstance(event, ClipJob | MatchEndEvent) else None
