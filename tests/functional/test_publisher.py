"""The capture task's event sinks against moto's in-process Kinesis and real files."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from moto import mock_aws

from capture_task.publish.publisher import JsonLinesSink, KinesisSink, PublishError, sink_for
from contracts import GoalEvent, Score, SegmentEvent, Teams, goal_id, parse_event, segment_id
from tests.functional.fake_aws import use_fake_aws_environment

STREAM = "highlight-bot-events"
KICK_OFF = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


# ---------------------------------------------------------------- events


def segment(channel: str, sequence: int, *, location: str | None = None) -> SegmentEvent:
    start = KICK_OFF + timedelta(seconds=2 * sequence)
    return SegmentEvent(
        id=segment_id(channel, sequence, start),
        channel=channel,
        sequence=sequence,
        start=start,
        duration_s=2.0,
        stream_time=2.0 * sequence,
        location=location or f"s3://segments-bucket/segments/{channel}/{sequence:012d}.ts",
    )


def goal(channel: str, home: int, away: int, *, minute: int = 10) -> GoalEvent:
    at = KICK_OFF + timedelta(minutes=minute)
    teams = Teams(home="LIV", away="MCI")
    score = Score(home=home, away=away)
    side = "home" if home > away else "away"
    return GoalEvent(
        id=goal_id(channel, teams, score, at),
        channel=channel,
        at=at,
        stream_time=60.0 * minute,
        score=score,
        previous_score=Score(home=home - 1, away=away) if side == "home" else Score(home=home, away=away - 1),
        teams=teams,
        clock=f"{minute}:00",
        side=side,
    )


# ---------------------------------------------------------------- fixtures and helpers


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_fake_aws_environment(monkeypatch)
    with mock_aws():
        yield


@pytest.fixture
def kinesis(aws: None) -> Any:
    client = boto3.client("kinesis", region_name="us-east-1")
    client.create_stream(StreamName=STREAM, ShardCount=3)
    return client


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_sink(client: Any, sleeps: list[float], **options: Any) -> KinesisSink:
    """A sink on a clock that stands still, so only the test decides when segments stop lingering."""
    options.setdefault("clock", FakeClock())
    options.setdefault("flush_in_background", False)
    return KinesisSink(client, STREAM, sleep=sleeps.append, **options)


def read_stream(client: Any) -> list[tuple[str, SegmentEvent | GoalEvent]]:
    """Every record of every shard as (partition key, parsed event), shard by shard in stored order."""
    records = []
    for shard in client.list_shards(StreamName=STREAM)["Shards"]:
        iterator = client.get_shard_iterator(
            StreamName=STREAM, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while True:
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            records += [(r["PartitionKey"], parse_event(r["Data"])) for r in page["Records"]]
            if not page["Records"]:
                break
            iterator = page["NextShardIterator"]
    return records


def assert_each_exactly_once(client: Any, events: Sequence[SegmentEvent | GoalEvent]) -> None:
    stored = read_stream(client)
    assert sorted(event.id for _, event in stored) == sorted(event.id for event in events)


class RecordingKinesis:
    """The real moto client, remembering the event ids of every PutRecords call."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.batches: list[list[str]] = []

    def put_records(self, **params: Any) -> Any:
        self.batches.append([json.loads(entry["Data"])["id"] for entry in params["Records"]])
        return self._client.put_records(**params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": f"simulated {code}"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "PutRecords",
    )


class FlakyKinesis(RecordingKinesis):
    """Plays a script of failures on the first PutRecords calls, then behaves like moto.

    A script entry is either an exception to raise for the whole call, or a set
    of positions in the call whose records "fail" with
    ProvisionedThroughputExceededException while the others really go to moto.
    """

    def __init__(self, client: Any, script: list[BaseException | set[int]]) -> None:
        super().__init__(client)
        self._script = list(script)

    def put_records(self, **params: Any) -> Any:
        self.batches.append([json.loads(entry["Data"])["id"] for entry in params["Records"]])
        step = self._script.pop(0) if self._script else set()
        if isinstance(step, BaseException):
            raise step
        entries = params["Records"]
        accepted = [entry for position, entry in enumerate(entries) if position not in step]
        stored = iter(self._client.put_records(StreamName=params["StreamName"], Records=accepted)["Records"])
        results = [
            {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}
            if position in step
            else next(stored)
            for position in range(len(entries))
        ]
        return {"FailedRecordCount": len(step), "Records": results}


def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


# ---------------------------------------------------------------- Kinesis: happy path


def test_every_event_arrives_once_keyed_by_channel_and_parses_back_equal(kinesis: Any, sleeps: list[float]) -> None:
    events: list[SegmentEvent | GoalEvent] = []
    for channel in ("twitch:alpha", "twitch:bravo", "charlie"):
        events += [segment(channel, n) for n in range(5)]
        events.append(goal(channel, 1, 0))
        events += [segment(channel, n) for n in range(5, 8)]

    with make_sink(kinesis, sleeps) as sink:
        for event in events:
            sink.put(event)

    stored = read_stream(kinesis)
    assert sorted(event.id for _, event in stored) == sorted(event.id for event in events)
    assert all(key == event.channel for key, event in stored)
    by_id = {event.id: event for event in events}
    assert all(event == by_id[event.id] for _, event in stored)
    # One channel, one shard: without failures its events keep the order they were put in.
    for channel in ("twitch:alpha", "twitch:bravo", "charlie"):
        assert [e.id for _, e in stored if e.channel == channel] == [e.id for e in events if e.channel == channel]
    assert (sink.records_sent, sink.records_retried, sleeps) == (len(events), 0, [])


def test_more_than_500_events_are_split_into_several_put_records_calls(kinesis: Any, sleeps: list[float]) -> None:
    recording = RecordingKinesis(kinesis)
    events = [segment("twitch:alpha", n) for n in range(1201)]

    with make_sink(recording, sleeps) as sink:
        for event in events:
            sink.put(event)
        # Full batches leave as soon as they fill; the rest lingers.
        assert [len(batch) for batch in recording.batches] == [500, 500]
        assert sink.pending == 201

    assert [len(batch) for batch in recording.batches] == [500, 500, 201]
    assert [event_id for batch in recording.batches for event_id in batch] == [e.id for e in events]
    assert sink.calls == 3
    assert_each_exactly_once(kinesis, events)


def test_batches_respect_the_byte_limit(kinesis: Any, sleeps: list[float]) -> None:
    recording = RecordingKinesis(kinesis)
    events = [segment("twitch:alpha", n) for n in range(6)]
    record_bytes = len(events[0].to_bytes()) + len("twitch:alpha")

    with make_sink(recording, sleeps, max_batch_bytes=2 * record_bytes + 10) as sink:
        for event in events:
            sink.put(event)

    assert [len(batch) for batch in recording.batches] == [2, 2, 2]
    assert_each_exactly_once(kinesis, events)


def test_a_goal_is_sent_at_once_with_the_segments_queued_before_it(kinesis: Any, sleeps: list[float]) -> None:
    recording = RecordingKinesis(kinesis)
    sink = make_sink(recording, sleeps)
    segments = [segment("twitch:alpha", n) for n in range(3)]
    for event in segments:
        sink.put(event)
    assert (sink.calls, read_stream(kinesis)) == (0, [])

    scored = goal("twitch:alpha", 1, 0)
    sink.put(scored)

    assert sink.calls == 1
    assert [event.id for _, event in read_stream(kinesis)] == [*(e.id for e in segments), scored.id]
    sink.close()
    assert sink.calls == 1


def test_segments_linger_at_most_linger_s(kinesis: Any, sleeps: list[float]) -> None:
    clock = FakeClock()
    sink = make_sink(kinesis, sleeps, clock=clock, linger_s=1.0)
    sink.put(segment("twitch:alpha", 0))
    clock.now += 0.6
    sink.put(segment("twitch:alpha", 1))
    assert sink.calls == 0

    clock.now += 0.5  # the first segment has now waited 1.1 s
    sink.put(segment("twitch:alpha", 2))

    assert (sink.calls, sink.records_sent, sink.pending) == (1, 3, 0)


def test_the_linger_thread_sends_segments_nobody_flushes(kinesis: Any) -> None:
    with KinesisSink(kinesis, STREAM, linger_s=0.05) as sink:
        sink.put(segment("twitch:alpha", 0))
        wait_until(lambda: sink.pending == 0)
        assert sink.calls == 1
    assert len(read_stream(kinesis)) == 1


def test_an_event_over_one_mebibyte_is_refused_with_a_reason(kinesis: Any, sleeps: list[float]) -> None:
    # Built past validation (the contract bounds a location to 2,048 characters): the sink checks size itself.
    huge = segment("twitch:alpha", 0).model_copy(update={"location": "s3://segments-bucket/" + "x" * (1024 * 1024)})
    sink = make_sink(kinesis, sleeps)

    with pytest.raises(ValueError, match=r"at most 1048576 bytes"):
        sink.put(huge)
    assert sink.pending == 0


def test_a_closed_sink_refuses_events(kinesis: Any, sleeps: list[float]) -> None:
    sink = make_sink(kinesis, sleeps)
    sink.close()
    with pytest.raises(RuntimeError, match="closed"):
        sink.put(segment("twitch:alpha", 0))


# ---------------------------------------------------------------- Kinesis: failures


def test_partially_failed_records_are_resent_alone_in_order_with_growing_backoff(
    kinesis: Any, sleeps: list[float]
) -> None:
    events = [segment("twitch:alpha", n) for n in range(6)]
    flaky = FlakyKinesis(kinesis, [{1, 3}, client_error("ThrottlingException")])

    with make_sink(flaky, sleeps) as sink:
        for event in events:
            sink.put(event)

    ids = [event.id for event in events]
    # First the whole batch; then only the two failed records, in their order, twice (throttled once).
    assert flaky.batches == [ids, [ids[1], ids[3]], [ids[1], ids[3]]]
    assert (sink.calls, sink.records_sent, sink.records_retried) == (3, 6, 4)
    assert len(sleeps) == 2
    assert 0 < sleeps[0] < sleeps[1]
    assert_each_exactly_once(kinesis, events)
    # The documented cost: resent records land after later events of the same channel.
    assert [event.id for _, event in read_stream(kinesis)] == [ids[0], ids[2], ids[4], ids[5], ids[1], ids[3]]


@pytest.mark.parametrize(
    "failure",
    [
        client_error("ThrottlingException"),
        client_error("ProvisionedThroughputExceededException"),
        client_error("LimitExceededException"),
        client_error("InternalFailure", 500),
        client_error("SomethingNew", 503),
        EndpointConnectionError(endpoint_url="https://kinesis.us-east-1.amazonaws.com"),
        ReadTimeoutError(endpoint_url="https://kinesis.us-east-1.amazonaws.com"),
    ],
    ids=["throttling", "throughput", "limit", "internal-500", "unknown-503", "no-endpoint", "read-timeout"],
)
def test_whole_call_failures_are_retried_until_the_batch_is_stored(
    kinesis: Any, sleeps: list[float], failure: BaseException
) -> None:
    events: list[SegmentEvent | GoalEvent] = [segment("twitch:alpha", 0), goal("twitch:alpha", 1, 0)]
    flaky = FlakyKinesis(kinesis, [failure, failure, failure])

    with make_sink(flaky, sleeps) as sink:
        for event in events:
            sink.put(event)

    assert (sink.calls, sink.records_sent, sink.records_retried) == (4, 2, 6)
    assert sleeps == sorted(sleeps) and len(set(sleeps)) == 3
    assert_each_exactly_once(kinesis, events)


def test_backoff_is_capped_at_max_backoff_s(kinesis: Any, sleeps: list[float]) -> None:
    flaky = FlakyKinesis(kinesis, [client_error("ThrottlingException")] * 12)

    with make_sink(flaky, sleeps, max_backoff_s=2.0) as sink:
        sink.put(goal("twitch:alpha", 1, 0))

    assert len(sleeps) == 12
    assert sleeps[:5] == sorted(sleeps[:5])  # 0.1, 0.2, 0.4, 0.8, 1.6 s ceilings
    assert all(1.0 <= slept <= 2.0 for slept in sleeps[5:])  # capped; equal jitter keeps half of it


def test_a_missing_stream_is_a_clear_error_and_keeps_the_events(aws: None, sleeps: list[float]) -> None:
    client = boto3.client("kinesis", region_name="us-east-1")
    sink = make_sink(client, sleeps)

    with pytest.raises(
        PublishError, match=f"the Kinesis stream {STREAM} does not exist; deploy the stack or pass --out FILE"
    ):
        sink.put(goal("twitch:alpha", 1, 0))

    assert (sink.pending, sleeps) == (1, [])
    client.create_stream(StreamName=STREAM, ShardCount=1)
    sink.close()  # the kept event goes out once the stream exists
    assert [event.type for _, event in read_stream(client)] == ["goal"]


def test_records_failing_with_an_undocumented_code_are_not_retried_forever(kinesis: Any, sleeps: list[float]) -> None:
    class OddKinesis(RecordingKinesis):
        def put_records(self, **params: Any) -> Any:
            return {"FailedRecordCount": 1, "Records": [{"ErrorCode": "KMSAccessDeniedException"}]}

    sink = make_sink(OddKinesis(kinesis), sleeps)
    with pytest.raises(PublishError, match="KMSAccessDeniedException"):
        sink.put(goal("twitch:alpha", 1, 0))
    assert sink.pending == 1


# ---------------------------------------------------------------- JSON lines and the factory


def test_json_lines_are_readable_before_the_sink_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "out" / "events.jsonl"
    events: list[SegmentEvent | GoalEvent] = [segment("twitch:alpha", 0), goal("twitch:alpha", 1, 0)]
    sink = JsonLinesSink(path)

    for written, event in enumerate(events, start=1):
        sink.put(event)
        lines = path.read_text().splitlines()  # what `tail -f` sees, without any flush() or close()
        assert len(lines) == written
        assert parse_event(lines[-1]) == event

    sink.close()
    with JsonLinesSink(path, append=True) as again:
        again.put(events[0])
    assert len(path.read_text().splitlines()) == 3
    JsonLinesSink(path).close()
    assert path.read_text() == ""  # a fresh run starts a fresh measurement


def test_json_lines_to_a_stream_leave_it_open(capsys: pytest.CaptureFixture[str]) -> None:
    buffer = io.StringIO()
    with JsonLinesSink(buffer) as sink:
        sink.put(segment("twitch:alpha", 0))
    assert not buffer.closed
    assert parse_event(buffer.getvalue().strip()).type == "segment"

    with sink_for("-", kinesis_stream=None) as stdout_sink:
        stdout_sink.put(goal("twitch:alpha", 1, 0))
    assert parse_event(capsys.readouterr().out.strip()).type == "goal"


def test_sink_for_picks_the_destination(kinesis: Any, tmp_path: Path) -> None:
    with sink_for(str(tmp_path / "events.jsonl"), kinesis_stream=STREAM) as file_sink:
        assert isinstance(file_sink, JsonLinesSink)  # --out wins over a configured stream

    with sink_for(None, kinesis_stream=STREAM, session=boto3.session.Session()) as stream_sink:
        assert isinstance(stream_sink, KinesisSink)
        stream_sink.put(goal("twitch:alpha", 1, 0))
    assert len(read_stream(kinesis)) == 1

    with pytest.raises(ValueError, match=r"pass --out FILE .* or --kinesis-stream NAME"):
        sink_for(None, kinesis_stream=None)
