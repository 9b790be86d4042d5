"""The enrich Lambda against moto: Kinesis-shaped batches in, clip jobs and dead letters out."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from contracts import ClipJob, missing_location, parse_event
from contracts.settings import WAITING_GOALS_SWEEP_EVENT
from functions.enrich import handler as enrich
from functions.enrich.segment_index import SegmentIndex
from functions.shared.goals_without_clip import GoalsWithoutClip
from tests.functional.functions_fixtures import (
    CHANNEL,
    REGION,
    START,
    EnrichWorld,
    FakeLambdaContext,
    a_goal,
    a_segment,
    drain_queue,
    emulated_aws,
)

IDEMPOTENCY_TABLE = "highlight-bot-idempotency"
GOAL = a_goal(START + timedelta(seconds=21.3))  # window 1.3 s .. 26.3 s: segments 0..13


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[EnrichWorld]:
    with emulated_aws(monkeypatch):
        yield EnrichWorld.create(monkeypatch)


def run(event: dict[str, Any]) -> list[str]:
    """Invoke the handler; returns the sequence numbers reported as failed."""
    response = enrich.handler(event, FakeLambdaContext())
    return [str(failure["itemIdentifier"]) for failure in response["batchItemFailures"]]


def clip_jobs(world: EnrichWorld) -> list[tuple[ClipJob, dict[str, Any]]]:
    jobs = []
    for message in drain_queue(world.clip_queue_url):
        job = parse_event(message["Body"])
        assert isinstance(job, ClipJob)
        jobs.append((job, message["MessageAttributes"]))
    return jobs


def throttled_error(operation: str) -> ClientError:
    """What DynamoDB raises when a partition is throttled past botocore's own retries."""
    error = {"Code": "ProvisionedThroughputExceededException", "Message": "Rate of requests exceeds the allowed"}
    return ClientError({"Error": error}, operation)


def dead_letters(world: EnrichWorld) -> list[dict[str, Any]]:
    return [json.loads(message["Body"]) for message in drain_queue(world.dead_letter_queue_url)]


def test_segments_then_goal_send_one_clip_job(world: EnrichWorld) -> None:
    assert run(world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)) == []

    ((job, attributes),) = clip_jobs(world)
    assert job.id == f"clip-{GOAL.id}" and job.goal == GOAL and job.channel == CHANNEL
    assert (job.window_start, job.window_end) == (START + timedelta(seconds=1.3), START + timedelta(seconds=26.3))
    assert [s.sequence for s in job.segments] == list(range(14))
    assert job.segments[0] == a_segment(0)
    assert attributes["channel"]["StringValue"] == CHANNEL
    assert attributes["goal_id"]["StringValue"] == GOAL.id
    assert world.items(f"goal#{CHANNEL}") == []
    assert dead_letters(world) == []


def test_segment_items_follow_the_interface_infra_codes_against(world: EnrichWorld) -> None:
    run(world.stream.event_for(a_segment(7)))
    (item,) = world.items(f"seg#{CHANNEL}")
    assert item["sk"]["S"] == "2026-11-25T20:00:14.000Z#000000000007"
    assert item["location"]["S"] == a_segment(7).location
    assert item["start"]["S"] == "2026-11-25T20:00:14.000Z" and item["end"]["S"] == "2026-11-25T20:00:16.000Z"
    assert item["sequence"]["N"] == "7" and item["duration_s"]["N"] == "2.0" and item["container"]["S"] == "ts"
    assert parse_event(item["event"]["S"]) == a_segment(7)
    assert int(item["expires_at"]["N"]) > 1_700_000_000


def test_a_goal_waits_for_its_post_roll_then_is_sent_once(world: EnrichWorld) -> None:
    assert run(world.stream.event_for(*(a_segment(n) for n in range(12)), GOAL)) == []
    assert clip_jobs(world) == []
    (pending,) = world.items(f"goal#{CHANNEL}")
    assert parse_event(pending["goal"]["S"]) == GOAL and "created_at" in pending and "expires_at" in pending

    assert run(world.stream.event_for(a_segment(12))) == []
    assert clip_jobs(world) == []  # 12 ends at 26.0 s, the post-roll at 26.3 s

    assert run(world.stream.event_for(a_segment(13), a_segment(14))) == []
    ((job, _),) = clip_jobs(world)
    assert [s.sequence for s in job.segments] == list(range(14))
    assert world.items(f"goal#{CHANNEL}") == []


def test_duplicated_goals_and_redelivered_batches_send_one_job(world: EnrichWorld) -> None:
    first = world.stream.event_for(*(a_segment(n) for n in range(12)), GOAL, GOAL)
    second = world.stream.event_for(a_segment(12), a_segment(13), GOAL)
    for event in (first, first, second, second, first):
        assert run(event) == []
    assert len(clip_jobs(world)) == 1

    # Kinesis may also redeliver everything after the job went out (a whole batch in one go).
    assert run(world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)) == []
    assert clip_jobs(world) == []
    assert world.items(f"goal#{CHANNEL}") == []


def test_invalid_records_are_dead_lettered_and_the_rest_processed(world: EnrichWorld) -> None:
    future_goal = json.loads(GOAL.to_json()) | {"v": 2}
    event = world.stream.event_for(
        *(a_segment(n) for n in range(7)),
        b"\xff not json",
        *(a_segment(n) for n in range(7, 14)),
        future_goal,
        {"type": "penalty", "v": 1},
        ClipJob(
            id="clip-x", channel=CHANNEL, goal=GOAL, window_start=START, window_end=START, segments=(a_segment(0),)
        ),
        GOAL,
    )
    assert run(event) == []

    letters = dead_letters(world)
    assert [letter["kind"] for letter in letters] == ["invalid_record"] * 4
    reasons = [letter["reason"] for letter in letters]
    assert "not valid JSON" in reasons[0]
    assert "unsupported goal event version 2" in reasons[1]
    assert "unknown event type 'penalty'" in reasons[2]
    assert reasons[3] == "a clip_job event does not belong on the capture stream"
    bad_record = event["Records"][7]["kinesis"]
    assert letters[0]["record"]["data"] == bad_record["data"]
    assert base64.b64decode(letters[0]["record"]["data"]) == b"\xff not json"
    assert letters[0]["record"]["sequenceNumber"] == bad_record["sequenceNumber"]
    assert letters[0]["record"]["partitionKey"] == CHANNEL
    assert letters[0]["received_at"].endswith("Z")

    ((job, _),) = clip_jobs(world)
    assert [s.sequence for s in job.segments] == list(range(14))


def test_a_goal_no_segment_shows_is_given_up_to_the_dlq_once_the_next_segment_arrives(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Segment 10 (20-22 s, holding the goal's first frame) is lost; the stream runs on.
    run(world.stream.event_for(*(a_segment(n) for n in range(10)), GOAL))
    assert world.items(f"goal#{CHANNEL}") != [] and dead_letters(world) == []  # 10 may still come

    assert run(world.stream.event_for(a_segment(11))) == []  # it did not: 11 came after it

    (letter,) = dead_letters(world)
    assert letter["kind"] == "goal_given_up"
    assert letter["reason"].startswith(f"no segment shows goal {GOAL.id} (LIV 1-0 MCI at ")
    assert "segment 10 (2.0 s): never arrived" in letter["reason"]
    assert parse_event(json.dumps(letter["goal"])) == GOAL
    assert world.items(f"goal#{CHANNEL}") == []
    assert clip_jobs(world) == []
    assert (
        GoalsWithoutClip(boto3.client("dynamodb", region_name=REGION), IDEMPOTENCY_TABLE, ttl_hours=1).reason(GOAL.id)
        == letter["reason"]
    )  # the match reel will list it as missing, with this reason


def test_a_lost_post_roll_segment_gives_a_partial_clip_job_as_soon_as_a_later_one_arrives(world: EnrichWorld) -> None:
    run(world.stream.event_for(*(a_segment(n) for n in range(11)), GOAL, *(a_segment(n) for n in range(12, 15))))

    ((job, _),) = clip_jobs(world)
    assert [s.sequence for s in job.segments] == [*range(11), 12, 13]
    assert job.partial is not None
    assert (job.partial.missing_pre_roll_s, job.partial.missing_post_roll_s) == (0.0, 2.0)
    assert job.partial.reasons == ("segment 11 (2.0 s): never arrived (lost by the capture, or an ad break)",)
    assert dead_letters(world) == [] and world.items(f"goal#{CHANNEL}") == []


def test_segments_announced_missing_are_indexed_and_name_the_reason(world: EnrichWorld) -> None:
    gap = a_segment(12, location=missing_location(CHANNEL, 12), missing_reason="the segment store kept failing")
    run(world.stream.event_for(*(a_segment(n) for n in range(12)), gap, a_segment(13), GOAL))

    ((job, _),) = clip_jobs(world)
    assert 12 not in [s.sequence for s in job.segments]
    assert job.partial is not None and job.partial.missing_post_roll_s == 2.0
    assert "announced missing by the capture task: the segment store kept failing" in job.partial.reasons[0]


def test_a_goal_whose_post_roll_never_comes_is_clipped_partial_at_the_channels_next_goal(world: EnrichWorld) -> None:
    # Only the segments around goals are announced: the capture task died after the pre-roll, and
    # the channel's next event is its next goal, with no segment in between.
    run(world.stream.event_for(*(a_segment(n) for n in range(11)), GOAL))
    _park_long_ago(world)

    later_goal = a_goal(START + timedelta(seconds=3 * 3600))
    assert run(world.stream.event_for(later_goal)) == []

    ((job, _),) = clip_jobs(world)
    assert job.goal == GOAL and job.partial is not None
    assert job.partial.missing_post_roll_s == pytest.approx(4.3)
    assert dead_letters(world) == []
    assert [json.loads(item["goal"]["S"])["id"] for item in world.items(f"goal#{CHANNEL}")] == [later_goal.id]


def test_the_scheduled_sweep_clips_what_exists_of_a_goal_of_a_channel_that_went_quiet(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANNEL_PARAMETER_NAME", "/highlight-bot/channel")
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name="/highlight-bot/channel", Value=f"{CHANNEL},quiet_one", Type="String"
    )
    run(world.stream.event_for(*(a_segment(n) for n in range(11)), GOAL))  # then the task died: nothing more
    assert enrich.handler(WAITING_GOALS_SWEEP_EVENT, FakeLambdaContext()) == {"swept": {CHANNEL: {}, "quiet_one": {}}}
    assert clip_jobs(world) == []  # not waited long enough yet

    _park_long_ago(world)
    assert enrich.handler(WAITING_GOALS_SWEEP_EVENT, FakeLambdaContext()) == {
        "swept": {CHANNEL: {GOAL.id: "job_sent"}, "quiet_one": {}}
    }
    ((job, _),) = clip_jobs(world)
    assert job.partial is not None and "segments after 10" in job.partial.reasons[0]
    assert world.items(f"goal#{CHANNEL}") == [] and dead_letters(world) == []


def test_the_scheduled_sweep_gives_up_a_goal_whose_own_segment_never_came(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANNEL_PARAMETER_NAME", "/highlight-bot/channel")
    boto3.client("ssm", region_name=REGION).put_parameter(Name="/highlight-bot/channel", Value=CHANNEL, Type="String")
    run(world.stream.event_for(*(a_segment(n) for n in range(10)), GOAL))  # the task died before segment 10
    _park_long_ago(world)
    assert enrich.handler(WAITING_GOALS_SWEEP_EVENT, FakeLambdaContext()) == {"swept": {CHANNEL: {GOAL.id: "given_up"}}}
    (letter,) = dead_letters(world)
    assert letter["kind"] == "goal_given_up" and "gave up after waiting 120 s" in letter["reason"]


def _park_long_ago(world: EnrichWorld) -> None:
    """Make the channel's waiting goal look parked an hour ago (far past POST_ROLL_WAIT_S)."""
    (parked,) = world.items(f"goal#{CHANNEL}")
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=world.segment_table,
        Key={"pk": parked["pk"], "sk": parked["sk"]},
        UpdateExpression="SET created_at = :t",
        ExpressionAttributeValues={":t": {"N": str(int(time.time()) - 3600)}},
    )


def test_a_gap_in_the_pre_roll_is_clipped_without_waiting(world: EnrichWorld) -> None:
    run(world.stream.event_for(*(a_segment(n) for n in range(16) if n not in (3, 4)), GOAL))
    ((job, _),) = clip_jobs(world)
    assert [s.sequence for s in job.segments] == [0, 1, 2, *range(5, 14)]


def test_a_transient_failure_fails_the_rest_of_the_shard_in_order(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SegmentIndex.put_segment
    throttled = {5}

    def put_segment(index: SegmentIndex, segment: Any) -> None:
        if segment.sequence in throttled:
            throttled.discard(segment.sequence)
            raise throttled_error("PutItem")
        original(index, segment)

    monkeypatch.setattr(SegmentIndex, "put_segment", put_segment)
    event = world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)
    failed = run(event)
    sequence_numbers = [record["kinesis"]["sequenceNumber"] for record in event["Records"]]
    assert failed == sequence_numbers[5:]  # 5 failed; everything after it waits for the retry, in order
    assert len(world.items(f"seg#{CHANNEL}")) == 5
    assert clip_jobs(world) == []

    # Lambda retries from the first failed record.
    assert run({"Records": event["Records"][5:]}) == []
    assert len(clip_jobs(world)) == 1


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_a_missing_setting_is_a_sentence_naming_the_variable(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLIP_QUEUE_URL")
    with pytest.raises(Exception, match="set CLIP_QUEUE_URL to the URL of the SQS queue the clip function reads"):
        run(world.stream.event_for(a_segment(0)))


def test_what_happened_is_counted_in_metrics(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    run(world.stream.event_for(*(a_segment(n) for n in range(14)), b"{", GOAL, GOAL))

    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "HighlightBot"
    names = ("SegmentsIndexed", "GoalsReceived", "ClipJobsSent", "RecordsDeadLettered")
    counts = {name: sum(emf[name]) if isinstance(emf[name], list) else emf[name] for name in names}
    assert counts == {"SegmentsIndexed": 14, "GoalsReceived": 2, "ClipJobsSent": 1, "RecordsDeadLettered": 1}
    assert "PartialClipJobsSent" not in emf  # the window was whole


def test_a_partial_clip_job_is_counted_apart(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    run(world.stream.event_for(*(a_segment(n) for n in range(14) if n != 12), GOAL))

    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert (emf["ClipJobsSent"], emf["PartialClipJobsSent"]) == ([1.0], [1.0])


# ---------------------------------------------------------------- poison cannot block (issue 11)

OTHER = "other_channel"


def hostile_records() -> list[tuple[str, bytes | dict[str, Any]]]:
    """Schema-shaped records that the old code treated as transient, or accepted and choked on later."""
    segment = json.loads(a_segment(0).to_json())
    goal = json.loads(GOAL.to_json())
    return [
        ("empty id", segment | {"id": ""}),
        ("2,000-character id", segment | {"id": "s" * 2000}),
        ("traversal id", goal | {"id": "../../../../evil"}),
        ("segment in year 9999", segment | {"start": "9999-12-31T23:59:59.000Z"}),
        ("goal in year 1", goal | {"at": "0001-01-01T00:00:00.000Z"}),
        ("Infinity stream time", GOAL.to_json().replace('"stream_time":21.3', '"stream_time":Infinity').encode()),
        ("100,000 nested brackets", b"[" * 100_000 + b"]" * 100_000),
    ]


def test_hostile_records_are_dead_lettered_at_once_and_another_channel_goes_on(world: EnrichWorld) -> None:
    hostile = hostile_records()
    other_segments = [a_segment(n, channel=OTHER) for n in range(16)]
    other_goal = a_goal(START + timedelta(seconds=21.3), channel=OTHER)
    event = world.stream.event_for(*(payload for _, payload in hostile), *other_segments, other_goal)

    assert run(event) == []  # nothing retried: nothing blocks the shard

    letters = dead_letters(world)
    assert [letter["kind"] for letter in letters] == ["invalid_record"] * len(hostile)
    for letter, record, (what, _) in zip(letters, event["Records"], hostile, strict=False):
        assert letter["reason"], what
        assert letter["record"]["sequenceNumber"] == record["kinesis"]["sequenceNumber"], what
    assert "nests deeper" in letters[-1]["reason"]
    # The 100,000 brackets (267 KB in base64) do not fit in a queue message: the letter keeps the start.
    assert letters[-1]["record"]["data_truncated"] is True
    assert letters[-1]["record"]["data_chars"] == len(event["Records"][len(hostile) - 1]["kinesis"]["data"])
    assert "stream_time" in letters[5]["reason"] and "between 2000 and 2100" in letters[3]["reason"]
    ((job, _),) = clip_jobs(world)
    assert job.channel == OTHER and [s.sequence for s in job.segments] == list(range(14))


def test_an_error_no_retry_can_fix_is_dead_lettered_with_the_record_and_the_batch_goes_on(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = SegmentIndex.put_segment

    def put_segment(index: SegmentIndex, segment: Any) -> None:
        if segment.sequence == 5:
            raise OverflowError("date value out of range")
        original(index, segment)

    monkeypatch.setattr(SegmentIndex, "put_segment", put_segment)
    event = world.stream.event_for(*(a_segment(n) for n in range(16)), GOAL)
    assert run(event) == []

    (letter,) = dead_letters(world)
    assert letter["kind"] == "unprocessable_record"
    assert "OverflowError: date value out of range" in letter["reason"]
    assert letter["record"]["data"] == event["Records"][5]["kinesis"]["data"]
    assert letter["record"]["sequenceNumber"] == event["Records"][5]["kinesis"]["sequenceNumber"]
    assert len(world.items(f"seg#{CHANNEL}")) == 15  # every other record was processed


def test_an_unreadable_waiting_goal_is_dead_lettered_once_instead_of_failing_its_channel(world: EnrichWorld) -> None:
    # What the old code stored for `"stream_time": Infinity`: null, which no later read accepts.
    run(world.stream.event_for(*(a_segment(n) for n in range(11)), GOAL))
    (parked,) = world.items(f"goal#{CHANNEL}")
    broken = parked["goal"]["S"].replace('"stream_time":21.3', '"stream_time":null')
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=world.segment_table, Item=parked | {"goal": {"S": broken}}
    )

    assert run(world.stream.event_for(a_segment(11), a_segment(12))) == []
    (letter,) = dead_letters(world)
    assert letter["kind"] == "unreadable_pending_goal" and letter["stored_goal"] == broken
    assert "stream_time" in letter["reason"]
    assert world.items(f"goal#{CHANNEL}") == []
    assert len(world.items(f"seg#{CHANNEL}")) == 13


def test_a_goal_given_up_is_dead_lettered_once_even_when_forgetting_it_fails(
    world: EnrichWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(world.stream.event_for(*(a_segment(n) for n in range(10)), GOAL))  # segment 10, the goal's, may come
    original = SegmentIndex.delete_pending_goal
    failing = [True]

    def delete_pending_goal(index: SegmentIndex, goal: Any) -> None:
        if failing and failing.pop():
            raise throttled_error("DeleteItem")  # the letter went out; forgetting the goal did not
        original(index, goal)

    monkeypatch.setattr(SegmentIndex, "delete_pending_goal", delete_pending_goal)
    event = world.stream.event_for(a_segment(0, channel=OTHER), a_segment(11))  # 10 did not
    assert run(event) == [event["Records"][1]["kinesis"]["sequenceNumber"]]
    assert run({"Records": event["Records"][1:]}) == []  # Lambda's retry from the failed record

    (letter,) = dead_letters(world)
    assert letter["kind"] == "goal_given_up" and letter["goal"]["id"] == GOAL.id
    assert world.items(f"goal#{CHANNEL}") == []
