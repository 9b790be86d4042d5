"""The clip Lambda against moto with real ffmpeg: a clip job from enrich becomes one MP4, one JPEG, one SNS message."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import cv2
import numpy as np
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from botocore.exceptions import ClientError

from contracts import ClipJob, HighlightEvent, missing_location, parse_event
from functions.clip import handler as clip
from functions.clip import highlights
from functions.clip.ledger import PublicationLedger
from functions.enrich import handler as enrich
from tests.functional.functions_fixtures import (
    CHANNEL,
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

SEGMENT_COUNT = 15  # 30 s of stream; the 25 s window around a goal at 21.3 s needs segments 0..13
GOAL = a_goal(START + timedelta(seconds=21.3))
URL_EXPIRY_S = 3600


@pytest.fixture(scope="module")
def segment_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return render_ts_segments(tmp_path_factory.mktemp("segments"), count=SEGMENT_COUNT)


@dataclass
class ClipWorld:
    enrich: EnrichWorld
    s3: Any
    hook_queue_url: str
    other_channel_queue_url: str

    def job_message(self) -> dict[str, Any]:
        """Runs enrich on the stream's segments and the goal; returns the clip job message it sent."""
        event = self.enrich.stream.event_for(*(a_segment(n) for n in range(SEGMENT_COUNT)), GOAL)
        assert enrich.handler(event, FakeLambdaContext())["batchItemFailures"] == []
        (message,) = drain_queue(self.enrich.clip_queue_url)
        return message

    def highlight_messages(self) -> list[dict[str, Any]]:
        return [json.loads(message["Body"]) for message in drain_queue(self.hook_queue_url)]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, segment_files: list[Path]) -> Iterator[ClipWorld]:
    with emulated_aws(monkeypatch):
        enrich_world = EnrichWorld.create(monkeypatch)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=SEGMENTS_BUCKET)
        for sequence, path in enumerate(segment_files):
            location = a_segment(sequence).location.removeprefix(f"s3://{SEGMENTS_BUCKET}/")
            s3.upload_file(str(path), SEGMENTS_BUCKET, location)
        s3.create_bucket(Bucket=HIGHLIGHTS_BUCKET)
        s3.put_bucket_versioning(Bucket=HIGHLIGHTS_BUCKET, VersioningConfiguration={"Status": "Enabled"})

        sns = boto3.client("sns", region_name=REGION)
        topic_arn = sns.create_topic(Name="highlight-bot-highlights")["TopicArn"]
        queues = {}
        for name, channel in (("hook-sample", CHANNEL), ("hook-other", "other")):
            queues[name] = create_queue(name)
            queue_arn = boto3.client("sqs", region_name=REGION).get_queue_attributes(
                QueueUrl=queues[name], AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=queue_arn,
                Attributes={"FilterPolicy": json.dumps({"event_type": ["highlight"], "channel": [channel]})},
            )
        for name, value in {
            "HIGHLIGHTS_BUCKET": HIGHLIGHTS_BUCKET,
            "HIGHLIGHT_TOPIC_ARN": topic_arn,
            "FFMPEG_PATH": shutil.which("ffmpeg") or "ffmpeg",
            "CLIP_URL_EXPIRY_S": str(URL_EXPIRY_S),
        }.items():
            monkeypatch.setenv(name, value)
        yield ClipWorld(enrich_world, s3, queues["hook-sample"], queues["hook-other"])


def stored_keys(world: ClipWorld) -> list[str]:
    return [item["Key"] for item in world.s3.list_objects_v2(Bucket=HIGHLIGHTS_BUCKET).get("Contents", [])]


def clip_key(world: ClipWorld) -> str:
    """The one clip in the highlights bucket (its key holds a random token, so it is found, not built)."""
    (key,) = [key for key in stored_keys(world) if key.endswith(".mp4")]
    return key


def run_clip(event: dict[str, Any]) -> list[str]:
    response = clip.handler(event, FakeLambdaContext("highlight-bot-clip"))
    return [str(failure["itemIdentifier"]) for failure in response["batchItemFailures"]]


def probe(path: Path) -> dict[str, Any]:
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(output))


def test_a_clip_job_becomes_one_playable_highlight(world: ClipWorld, tmp_path: Path) -> None:
    message = world.job_message()
    job = parse_event(message["Body"])
    assert isinstance(job, ClipJob)

    assert run_clip(sqs_event(message)) == []

    # The clip: a key dated by the goal with a random token, metadata, H.264 that plays, the window and
    # the goal inside it, moov first.
    key = clip_key(world)
    assert re.fullmatch(rf"highlights/{CHANNEL}/2026/11/25/{GOAL.id}-[0-9a-f]{{32}}\.mp4", key)
    stored = world.s3.get_object(Bucket=HIGHLIGHTS_BUCKET, Key=key)
    assert stored["ContentType"] == "video/mp4"
    assert stored["Metadata"] == {"goal-id": GOAL.id, "score": "1-0", "teams": "LIV-MCI", "channel": CHANNEL}
    clip_path = tmp_path / "clip.mp4"
    clip_path.write_bytes(stored["Body"].read())
    info = probe(clip_path)
    assert [s["codec_name"] for s in info["streams"]] == ["h264", "aac"]
    duration_s = float(info["format"]["duration"])
    window_s = (job.window_end - job.window_start).total_seconds()
    assert window_s == 25.0
    assert window_s - 0.1 <= duration_s <= window_s + 2.0  # widened back to a keyframe: at most one segment
    data = clip_path.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")

    # The thumbnail decodes at the stream's size.
    jpeg = world.s3.get_object(Bucket=HIGHLIGHTS_BUCKET, Key=key.replace(".mp4", ".jpg"))
    assert jpeg["ContentType"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(jpeg["Body"].read(), np.uint8), cv2.IMREAD_COLOR)
    assert image is not None and image.shape == (180, 320, 3)

    # The SNS message, as a hook subscribed with a filter policy receives it.
    (envelope,) = world.highlight_messages()
    assert envelope["MessageAttributes"]["channel"] == {"Type": "String", "Value": CHANNEL}
    assert envelope["MessageAttributes"]["event_type"] == {"Type": "String", "Value": "highlight"}
    highlight = parse_event(envelope["Message"])
    assert isinstance(highlight, HighlightEvent)
    assert highlight.id == f"highlight-{GOAL.id}" and highlight.goal == GOAL
    assert highlight.title == "LIV 1-0 MCI (23')"
    assert highlight.duration_s == pytest.approx(duration_s, abs=0.05)
    assert highlight.clip_start <= job.window_start and highlight.clip_end >= job.window_end - timedelta(seconds=0.1)
    assert highlight.clip_start < GOAL.at < highlight.clip_end
    assert (highlight.clip.key, highlight.thumbnail.key) == (key, key.replace(".mp4", ".jpg"))
    assert highlight.clip.size_bytes == len(data)
    link = urlsplit(highlight.clip.url)
    assert link.path.endswith(key) and parse_qs(link.query)["X-Amz-Expires"] == [str(URL_EXPIRY_S)]
    assert world.highlight_messages() == [] and drain_queue(world.other_channel_queue_url) == []


def test_a_redelivered_job_makes_one_clip_and_one_message(world: ClipWorld) -> None:
    message = world.job_message()
    assert run_clip(sqs_event(message)) == []
    # The same message again, and the same job in a new message (enrich retried after a crash).
    assert run_clip(sqs_event(message)) == []
    assert run_clip(sqs_event(message | {"MessageId": "another-delivery", "ReceiptHandle": "r2"})) == []

    versions = world.s3.list_object_versions(Bucket=HIGHLIGHTS_BUCKET, Prefix=clip_key(world))["Versions"]
    assert len(versions) == 1
    assert len(world.highlight_messages()) == 1


def test_a_message_that_is_not_a_clip_job_fails_so_the_redrive_policy_parks_it(world: ClipWorld) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = world.enrich.clip_queue_url
    sqs.send_message(QueueUrl=queue_url, MessageBody=GOAL.to_json())
    (message,) = drain_queue(queue_url)
    with pytest.raises(BatchProcessingError) as raised:  # batch size 1: the whole invocation fails
        run_clip(sqs_event(message))
    assert "message is a goal event, not a clip_job" in str(raised.value)
    assert world.s3.list_objects_v2(Bucket=HIGHLIGHTS_BUCKET).get("KeyCount") == 0
    assert world.highlight_messages() == []


def test_a_lost_segment_fails_the_job_and_a_retry_can_still_succeed(world: ClipWorld) -> None:
    message = world.job_message()
    location = a_segment(5).location.removeprefix(f"s3://{SEGMENTS_BUCKET}/")
    kept = world.s3.get_object(Bucket=SEGMENTS_BUCKET, Key=location)["Body"].read()
    world.s3.delete_object(Bucket=SEGMENTS_BUCKET, Key=location)
    with pytest.raises(BatchProcessingError) as raised:
        run_clip(sqs_event(message))
    assert f"segment s3://{SEGMENTS_BUCKET}/{location} does not exist" in str(raised.value)

    # A failure leaves no idempotency record behind, so the redelivery does the work.
    world.s3.put_object(Bucket=SEGMENTS_BUCKET, Key=location, Body=kept)
    assert run_clip(sqs_event(message)) == []
    assert len(world.highlight_messages()) == 1


def test_the_match_reel_joins_the_goals_clips_once_they_exist(world: ClipWorld, tmp_path: Path) -> None:
    """At full time the match's clips become one MP4, published as its own `reel` event."""
    from contracts import MatchEndEvent, ReelEvent, Score, match_end_id

    early = a_goal(START + timedelta(seconds=9.3)).model_copy(update={"id": "g-early"})
    match = MatchEndEvent(
        id=match_end_id(CHANNEL, GOAL.teams, Score(home=1, away=0), early.id, START + timedelta(seconds=29)),
        channel=CHANNEL, at=START + timedelta(seconds=29), stream_time=29.0, teams=GOAL.teams,
        score=Score(home=1, away=0), reason="full_time", goals=(early, GOAL),
    )  # fmt: skip
    sns = boto3.client("sns", region_name=REGION)
    reels = create_queue("hook-reels")
    reels_arn = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=reels, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    topic_arn = sns.list_topics()["Topics"][0]["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=reels_arn,
                  Attributes={"FilterPolicy": json.dumps({"event_type": ["reel"]})})  # fmt: skip

    # enrich passes the match end on once, however often Kinesis delivers it.
    event = world.enrich.stream.event_for(*(a_segment(n) for n in range(SEGMENT_COUNT)), early, GOAL, match, match)
    assert enrich.handler(event, FakeLambdaContext())["batchItemFailures"] == []
    messages = drain_queue(world.enrich.clip_queue_url)
    reel_messages = [m for m in messages if json.loads(m["Body"])["type"] == "match_end"]
    assert len(reel_messages) == 1 and len(messages) == 3

    # Before the clips exist the reel is not ready: the message fails and comes back later.
    with pytest.raises(BatchProcessingError) as raised:
        run_clip(sqs_event(reel_messages[0]))
    assert "not there yet" in str(raised.value)
    for message in messages:
        if message is not reel_messages[0]:
            assert run_clip(sqs_event(message)) == []
    assert run_clip(sqs_event(reel_messages[0])) == []

    (envelope,) = [json.loads(m["Body"]) for m in drain_queue(reels)]
    assert envelope["MessageAttributes"]["event_type"]["Value"] == "reel"
    reel = parse_event(envelope["Message"])
    assert isinstance(reel, ReelEvent) and reel.match == match and reel.title == "LIV 1-0 MCI: all goals"
    path = tmp_path / "reel.mp4"
    path.write_bytes(world.s3.get_object(Bucket=HIGHLIGHTS_BUCKET, Key=reel.reel.key)["Body"].read())
    keys = sorted(key for key in stored_keys(world) if key.endswith(".mp4") and "-reel" not in key)
    assert len(keys) == 2
    clips = [probe_format_duration(world, key, tmp_path) for key in keys]
    assert float(probe(path)["format"]["duration"]) == pytest.approx(sum(clips), abs=0.3)
    assert reel.duration_s == pytest.approx(sum(clips), abs=0.3)


def probe_format_duration(world: ClipWorld, key: str, folder: Path) -> float:
    path = folder / key.rsplit("/", 1)[-1]
    path.write_bytes(world.s3.get_object(Bucket=HIGHLIGHTS_BUCKET, Key=key)["Body"].read())
    return float(probe(path)["format"]["duration"])


# ---------------------------------------------------------------- exactly one message per goal (issue 11)


class InjectedCrash(RuntimeError):
    """The process failing between two steps of a clip job."""


def crash_after(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
    """Make ``owner.name`` do its work, then crash: the step is done, the next one never starts."""
    original = getattr(owner, name)

    def step_then_crash(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise InjectedCrash(f"crashed right after {name}")

    monkeypatch.setattr(owner, name, step_then_crash)


def store_error(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "InternalServerError", "Message": "store unavailable"}}, operation)


CRASH_POINTS = {
    # between cut and upload
    "cut | upload": lambda mp: crash_after(mp, highlights, "cut_clip"),
    # between upload and record
    "upload | record": lambda mp: crash_after(mp, highlights, "_cut_and_store"),
    # between record and publish
    "record | publish": lambda mp: crash_after(mp, PublicationLedger, "record"),
    # between publish and mark done: the store fails, or the code marking it does
    "publish | mark done (store error)": lambda mp: mp.setattr(
        PublicationLedger, "mark_published", lambda *_: (_ for _ in ()).throw(store_error("UpdateItem"))
    ),
    "publish | mark done (crash)": lambda mp: mp.setattr(
        PublicationLedger, "mark_published", lambda *_: (_ for _ in ()).throw(InjectedCrash("crashed marking"))
    ),
    # after mark done, before the job's idempotency record is completed
    "mark done | job done": lambda mp: crash_after(mp, clip, "count_clip_made"),
    # the job's idempotency record cannot be completed (the duplicate issue 11 reproduced)
    "job done (store error)": lambda mp: mp.setattr(
        BasePersistenceLayer, "save_success", lambda *_, **__: (_ for _ in ()).throw(store_error("PutItem"))
    ),
}


@pytest.mark.parametrize("crash_point", CRASH_POINTS)
def test_a_crash_between_any_two_steps_still_publishes_exactly_one_message(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch, crash_point: str
) -> None:
    message = world.job_message()
    with monkeypatch.context() as patched:
        CRASH_POINTS[crash_point](patched)
        try:
            first = run_clip(sqs_event(message))
        except BatchProcessingError:  # batch size 1: the invocation fails and SQS delivers the job again
            first = [message["MessageId"]]
    redelivery = message | {"MessageId": "second-delivery", "ReceiptHandle": "r2"}
    _expire_in_progress_jobs()  # SQS redelivers after its visibility timeout, longer than the function's
    if first:
        assert run_clip(sqs_event(redelivery)) == []
    assert run_clip(sqs_event(redelivery)) == []  # and once more after success: still nothing new

    (envelope,) = world.highlight_messages()
    highlight = parse_event(envelope["Message"])
    assert isinstance(highlight, HighlightEvent) and highlight.goal == GOAL
    assert highlight.clip.key == clip_key(world)  # the one key every attempt wrote to
    assert len(stored_keys(world)) == 2  # one clip, one thumbnail


def test_with_the_table_down_after_the_publish_the_job_is_acknowledged_not_published_again(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the ledger's mark nor the job's idempotency record can be written once SNS has the message.

    Failing the job would make SQS deliver it again, and the retry (the ledger says only "recorded")
    publish it a second time; the invocation knows it published, so it acknowledges the job instead.
    """
    message = world.job_message()
    with monkeypatch.context() as patched:
        patched.setattr(
            PublicationLedger, "mark_published", lambda *_: (_ for _ in ()).throw(store_error("UpdateItem"))
        )
        patched.setattr(
            BasePersistenceLayer, "save_success", lambda *_, **__: (_ for _ in ()).throw(store_error("PutItem"))
        )
        assert run_clip(sqs_event(message)) == []  # acknowledged: SQS deletes it, nothing is retried

    (envelope,) = world.highlight_messages()
    assert parse_event(envelope["Message"]).id == f"highlight-{GOAL.id}"


def test_after_a_hard_kill_mid_publish_the_retry_republishes_the_same_bytes(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one window left (see functions/clip/ledger.py): killed between SNS's reply and the mark.

    The retry then sends the recorded message again, byte for byte; hooks drop it by its id
    (tests/functional/test_hook_webhook.py shows a second delivery posts nothing).
    """
    message = world.job_message()

    class Killed(BaseException):
        """Not an Exception: nothing in the function may catch it, as nothing survives a SIGKILL."""

    with monkeypatch.context() as patched:
        patched.setattr(PublicationLedger, "mark_published", lambda *_: (_ for _ in ()).throw(Killed()))
        with pytest.raises(Killed):
            run_clip(sqs_event(message))
    _expire_in_progress_jobs()  # the killed invocation's timeout passes
    assert run_clip(sqs_event(message | {"MessageId": "after-the-kill"})) == []

    first, second = world.highlight_messages()
    assert first["Message"] == second["Message"]
    assert parse_event(first["Message"]).id == f"highlight-{GOAL.id}"


def _expire_in_progress_jobs() -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for item in dynamodb.scan(TableName="highlight-bot-idempotency")["Items"]:
        if item.get("status", {}).get("S") == "INPROGRESS":
            dynamodb.delete_item(TableName="highlight-bot-idempotency", Key={"id": item["id"]})


# ---------------------------------------------------------------- links that last (issue 11)


def test_with_a_base_url_events_link_the_object_itself_with_no_expiry(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIGHLIGHTS_BASE_URL", "https://d111111abcdef8.cloudfront.net/")
    assert run_clip(sqs_event(world.job_message())) == []

    (envelope,) = world.highlight_messages()
    highlight = parse_event(envelope["Message"])
    assert isinstance(highlight, HighlightEvent)
    assert highlight.clip.url == f"https://d111111abcdef8.cloudfront.net/{clip_key(world)}"
    assert highlight.thumbnail.url == highlight.clip.url.replace(".mp4", ".jpg")
    assert highlight.clip.url_expires_at is None and highlight.thumbnail.url_expires_at is None
    assert "X-Amz-" not in envelope["Message"]


def test_keys_are_not_derivable_from_the_goal(world: ClipWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two deployments (two ledgers) clipping the same goal store it under different keys."""
    assert run_clip(sqs_event(world.job_message())) == []
    first_key = clip_key(world)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for item in dynamodb.scan(TableName="highlight-bot-idempotency")["Items"]:
        dynamodb.delete_item(TableName="highlight-bot-idempotency", Key={"id": item["id"]})
    world.s3.delete_object(Bucket=HIGHLIGHTS_BUCKET, Key=first_key)
    world.highlight_messages()

    assert run_clip(sqs_event(world.job_message())) == []
    assert clip_key(world) != first_key
    assert GOAL.id in first_key and first_key.rsplit("-", 1)[-1] != clip_key(world).rsplit("-", 1)[-1]


# ---------------------------------------------------------------- no SSRF, no traversal, poison parked at once


def test_a_job_naming_a_local_file_is_dead_lettered_at_once_and_reads_nothing(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlq = create_queue("highlight-bot-clip-dlq")
    monkeypatch.setenv("CLIP_DEAD_LETTER_QUEUE_URL", dlq)
    job = parse_event(world.job_message()["Body"])
    assert isinstance(job, ClipJob)
    hostile = job.model_copy(
        update={"segments": (job.segments[0].model_copy(update={"location": "/proc/self/environ"}), *job.segments[1:])}
    )
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=world.enrich.clip_queue_url, MessageBody=hostile.to_json())
    (message,) = drain_queue(world.enrich.clip_queue_url)

    assert run_clip(sqs_event(message)) == []  # handled: parked, not retried

    (letter,) = [json.loads(m["Body"]) for m in drain_queue(dlq)]
    assert letter["kind"] == "clip_job_refused" and letter["message"]["body"] == message["Body"]
    assert "refused to read local file '/proc/self/environ'" in letter["reason"]
    assert stored_keys(world) == [] and world.highlight_messages() == []


def test_a_job_whose_goal_id_climbs_out_of_the_prefix_is_refused(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    dlq = create_queue("highlight-bot-clip-dlq")
    monkeypatch.setenv("CLIP_DEAD_LETTER_QUEUE_URL", dlq)
    body = json.loads(world.job_message()["Body"])
    body["goal"]["id"] = "../../../../evil"
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=world.enrich.clip_queue_url, MessageBody=json.dumps(body))
    (message,) = drain_queue(world.enrich.clip_queue_url)

    assert run_clip(sqs_event(message)) == []

    (letter,) = [json.loads(m["Body"]) for m in drain_queue(dlq)]
    assert "goal.id" in letter["reason"] and "evil" not in " ".join(stored_keys(world))
    assert stored_keys(world) == [] and world.highlight_messages() == []


# ---------------------------------------------------------------- clips degrade instead of vanishing (issue 10)


def _highlight_of(world: ClipWorld) -> HighlightEvent:
    (envelope,) = world.highlight_messages()
    highlight = parse_event(envelope["Message"])
    assert isinstance(highlight, HighlightEvent)
    return highlight


def test_a_goal_with_holes_in_its_window_gets_a_shorter_clip_marked_partial(world: ClipWorld, tmp_path: Path) -> None:
    """Segments 3..4 lost before the goal, 12 announced missing after it, 14 never: enrich → clip, real ffmpeg."""
    gap = a_segment(12, location=missing_location(CHANNEL, 12), missing_reason="its bytes are corrupt")
    segments = [a_segment(n) for n in range(SEGMENT_COUNT - 1) if n not in (3, 4, 12)]
    event = world.enrich.stream.event_for(*segments[:9], GOAL, *segments[9:11], gap, *segments[11:])
    assert enrich.handler(event, FakeLambdaContext())["batchItemFailures"] == []
    (message,) = drain_queue(world.enrich.clip_queue_url)
    assert run_clip(sqs_event(message)) == []

    highlight = _highlight_of(world)
    assert highlight.partial is not None
    # The window is 1.3 s .. 26.3 s: 6 s .. 10 s is missing before the goal, 24 s .. 26 s after it.
    assert (highlight.partial.missing_pre_roll_s, highlight.partial.missing_post_roll_s) == (4.0, 2.0)
    assert [reason.split(":", 1)[0] for reason in highlight.partial.reasons] == [
        "segments 3..4 (4.0 s)",
        "segment 12 (2.0 s)",
    ]
    clip_path = tmp_path / "clip.mp4"
    clip_path.write_bytes(world.s3.get_object(Bucket=HIGHLIGHTS_BUCKET, Key=clip_key(world))["Body"].read())
    duration_s = float(probe(clip_path)["format"]["duration"])
    # The clip starts at segment 0 (0 s, the keyframe before 1.3 s) and ends at 26.3 s, without the 6 s missing.
    assert duration_s == pytest.approx(26.3 - 6.0, abs=0.15)
    assert highlight.duration_s == pytest.approx(duration_s, abs=0.05)
    assert "partial" in json.loads(highlight.to_json())


def test_a_complete_highlight_is_written_without_a_partial_field(world: ClipWorld) -> None:
    assert run_clip(sqs_event(world.job_message())) == []
    highlight = _highlight_of(world)
    assert highlight.partial is None and "partial" not in json.loads(highlight.to_json())


def _match_of(*goals: Any) -> Any:
    from contracts import MatchEndEvent, Score, match_end_id

    at = START + timedelta(seconds=29)
    return MatchEndEvent(
        id=match_end_id(CHANNEL, GOAL.teams, Score(home=1, away=0), goals[0].id, at),
        channel=CHANNEL, at=at, stream_time=29.0, teams=GOAL.teams,
        score=Score(home=1, away=0), reason="full_time", goals=goals,
    )  # fmt: skip


def test_the_reel_joins_the_clips_that_exist_partial_too_and_lists_the_goal_without_one(
    world: ClipWorld, tmp_path: Path
) -> None:
    from contracts import ReelEvent

    # A second goal at 27.3 s whose own segment (13, 26-28 s) is lost: enrich gives it up and records why.
    lost = a_goal(START + timedelta(seconds=27.3)).model_copy(update={"id": "g-lost"})
    match = _match_of(GOAL, lost)
    segments = [a_segment(n) for n in range(SEGMENT_COUNT) if n != 13]
    event = world.enrich.stream.event_for(*segments, GOAL, lost, match)
    assert enrich.handler(event, FakeLambdaContext())["batchItemFailures"] == []
    messages = drain_queue(world.enrich.clip_queue_url)
    (job_message,) = [m for m in messages if json.loads(m["Body"])["type"] == "clip_job"]
    (reel_message,) = [m for m in messages if json.loads(m["Body"])["type"] == "match_end"]
    (letter,) = [json.loads(m["Body"]) for m in drain_queue(world.enrich.dead_letter_queue_url)]
    assert letter["kind"] == "goal_given_up" and letter["goal"]["id"] == "g-lost"

    # The clip of the first goal is not there yet: the reel waits for it, not for the lost one.
    with pytest.raises(BatchProcessingError) as raised:
        run_clip(sqs_event(reel_message))
    assert f"the clip of goal {GOAL.id} is not there yet" in str(raised.value)
    assert run_clip(sqs_event(job_message)) == []
    partial = _highlight_of(world).partial  # its window ends at 26.3 s, in the lost segment 13: partial
    assert partial is not None and partial.missing_post_roll_s == pytest.approx(0.3)
    reels = _subscribe(world, "reel")
    assert run_clip(sqs_event(reel_message)) == []

    (envelope,) = [json.loads(m["Body"]) for m in drain_queue(reels)]
    reel = parse_event(envelope["Message"])
    assert isinstance(reel, ReelEvent) and reel.match == match
    (without,) = reel.goals_without_clip
    assert (without.goal_id, without.title, without.reason) == ("g-lost", "LIV 1-0 MCI (23')", letter["reason"])
    clip_s = probe_format_duration(world, clip_key_of(world, GOAL.id), tmp_path)
    assert reel.duration_s == pytest.approx(clip_s, abs=0.3)


def test_on_its_last_attempt_the_reel_goes_without_a_clip_nobody_accounted_for(world: ClipWorld) -> None:
    from contracts import ReelEvent

    assert run_clip(sqs_event(world.job_message())) == []
    stray = a_goal(START + timedelta(seconds=25.3)).model_copy(update={"id": "g-stray"})  # no job, no record
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=world.enrich.clip_queue_url, MessageBody=_match_of(GOAL, stray).to_json()
    )
    (message,) = drain_queue(world.enrich.clip_queue_url)
    with pytest.raises(BatchProcessingError):
        run_clip(sqs_event(message | {"Attributes": {"ApproximateReceiveCount": "2"}}))
    reels = _subscribe(world, "reel")
    assert run_clip(sqs_event(message | {"Attributes": {"ApproximateReceiveCount": "3"}})) == []

    (envelope,) = [json.loads(m["Body"]) for m in drain_queue(reels)]
    reel = parse_event(envelope["Message"])
    assert isinstance(reel, ReelEvent)
    assert [goal.goal_id for goal in reel.goals_without_clip] == ["g-stray"]
    assert "look for it in the enrich and clip dead-letter queues" in reel.goals_without_clip[0].reason


def test_a_match_none_of_whose_goals_has_a_clip_gets_no_reel_but_a_dead_letter_saying_why(
    world: ClipWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.shared.goals_without_clip import GoalsWithoutClip

    dead_letters = create_queue("highlight-bot-clip-dlq")
    monkeypatch.setenv("CLIP_DEAD_LETTER_QUEUE_URL", dead_letters)
    GoalsWithoutClip(boto3.client("dynamodb", region_name=REGION), "highlight-bot-idempotency", ttl_hours=1).record(
        GOAL.id, "no segment shows it"
    )
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=world.enrich.clip_queue_url, MessageBody=_match_of(GOAL).to_json()
    )
    (message,) = drain_queue(world.enrich.clip_queue_url)
    assert run_clip(sqs_event(message)) == []

    (letter,) = [json.loads(m["Body"]) for m in drain_queue(dead_letters)]
    assert letter["kind"] == "clip_job_refused"
    assert "gets no reel: LIV 1-0 MCI (23'): no segment shows it" in letter["reason"]


def _subscribe(world: ClipWorld, event_type: str) -> str:
    sns = boto3.client("sns", region_name=REGION)
    queue = create_queue(f"hook-{event_type}s")
    queue_arn = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    topic_arn = sns.list_topics()["Topics"][0]["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"FilterPolicy": json.dumps({"event_type": [event_type]})})  # fmt: skip
    return queue


def clip_key_of(world: ClipWorld, goal_id: str) -> str:
    (key,) = [key for key in stored_keys(world) if goal_id in key and key.endswith(".mp4")]
    return key
