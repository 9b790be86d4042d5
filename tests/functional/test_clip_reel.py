"""The match reel straight (no clip handler, no SQS batch): fast enough to judge mutants.

`make_reel` and `reel_clips` against moto (S3, SNS, DynamoDB) and real ffmpeg on two one-second clips:
which clips a reel joins and in what order, when it waits, what it lists as without a clip and why, and
the reel event it publishes once. (`test_clip_handler.py` drives the same path through the handler.)
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from contracts import (
    GoalEvent,
    GoalWithoutClip,
    HighlightEvent,
    MatchEndEvent,
    ReelEvent,
    Score,
    StoredMedia,
    highlight_title,
    match_end_id,
    parse_event,
)
from functions.clip import reel as reel_module
from functions.clip.exceptions import FfmpegError, NoClipForReel, ReelNotReady
from functions.clip.ledger import PublicationLedger
from functions.clip.reel import REEL_LAST_ATTEMPT, make_reel, reel_clips, reel_key
from functions.clip.settings import ClipSettings
from functions.clip.timeline import highlight_id
from functions.shared.goals_without_clip import GoalsWithoutClip
from tests.functional.functions_fixtures import (
    CHANNEL,
    HIGHLIGHTS_BUCKET,
    REGION,
    START,
    a_goal,
    create_queue,
    create_table,
    drain_queue,
    emulated_aws,
)
from tests.functional.logger_records import LoggerRecords, records_of

IDEMPOTENCY_TABLE = "highlight-bot-idempotency"
FFMPEG = shutil.which("ffmpeg") or "ffmpeg"
FIRST, SECOND, THIRD = (a_goal(START + timedelta(seconds=s)) for s in (21.3, 41.3, 61.3))
TITLE = "LIV 1-0 MCI (23')"  # every goal of a_goal shows 1-0 at 22:10


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two MP4 clips of 1 s and 2 s (tiny video and audio, the codecs the clip function's cuts have)."""
    folder = tmp_path_factory.mktemp("clips")
    clips = []
    for number, seconds in enumerate((1, 2)):
        path = folder / f"clip-{number}.mp4"
        subprocess.run(
            [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
             "-f", "lavfi", "-i", f"testsrc=size=64x36:rate=10:duration={seconds}",
             "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=8000:duration={seconds}",
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-shortest", str(path)],
            check=True,
        )  # fmt: skip
        clips.append(path)
    return clips


@dataclass
class ReelWorld:
    settings: ClipSettings
    s3: Any
    sns: Any
    ledger: PublicationLedger
    without_clip: GoalsWithoutClip
    reels_heard: str
    """A queue subscribed to the topic's reel events, as a hook that hears them is."""

    def clipped(self, goal: GoalEvent, clip: Path | None = None) -> str:
        """Record the goal's highlight in the ledger (and store its clip when given), as the clip job does."""
        key = f"highlights/{CHANNEL}/2026/11/25/{goal.id}-token.mp4"
        if clip is not None:
            self.s3.upload_file(str(clip), HIGHLIGHTS_BUCKET, key)
        media = StoredMedia(bucket=HIGHLIGHTS_BUCKET, key=key, url=f"https://example.invalid/{key}",
                            url_expires_at=None, content_type="video/mp4", size_bytes=1)  # fmt: skip
        highlight = HighlightEvent(
            id=highlight_id(goal), channel=CHANNEL, title=highlight_title(goal), goal=goal, clip=media,
            thumbnail=media.model_copy(update={"key": key.replace(".mp4", ".jpg"), "content_type": "image/jpeg"}),
            clip_start=goal.at - timedelta(seconds=20), clip_end=goal.at + timedelta(seconds=5), duration_s=25.0,
        )  # fmt: skip
        self.ledger.reserve(highlight.id)
        self.ledger.record(highlight.id, highlight.to_json())
        return key

    def make(self, match: MatchEndEvent, workdir: Path, *, last_attempt: bool = False) -> ReelEvent | None:
        return make_reel(
            match,
            settings=self.settings,
            s3=self.s3,
            sns=self.sns,
            workdir=workdir,
            ledger=self.ledger,
            without_clip=self.without_clip,
            last_attempt=last_attempt,
        )

    def clips_of(self, match: MatchEndEvent, *, last_attempt: bool = False) -> tuple[list[str], list[GoalWithoutClip]]:
        return reel_clips(match, self.ledger, self.without_clip, last_attempt=last_attempt)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReelWorld]:
    with emulated_aws(monkeypatch):
        dynamodb, s3, sns = (boto3.client(name, region_name=REGION) for name in ("dynamodb", "s3", "sns"))
        create_table(IDEMPOTENCY_TABLE, keys=("id",), ttl_attribute="expiration")
        s3.create_bucket(Bucket=HIGHLIGHTS_BUCKET)
        topic_arn = sns.create_topic(Name="highlight-bot-highlights")["TopicArn"]
        reels = create_queue("hears-reels")
        reels_arn = boto3.client("sqs", region_name=REGION).get_queue_attributes(
            QueueUrl=reels, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=reels_arn,
                      Attributes={"FilterPolicy": json.dumps({"event_type": ["reel"]})})  # fmt: skip
        settings = ClipSettings(
            highlights_bucket=HIGHLIGHTS_BUCKET,
            highlight_topic_arn=topic_arn,
            idempotency_table=IDEMPOTENCY_TABLE,
            ffmpeg_path=FFMPEG,
            highlights_base_url="https://d111111abcdef8.cloudfront.net",
        )
        yield ReelWorld(
            settings,
            s3,
            sns,
            PublicationLedger(dynamodb, IDEMPOTENCY_TABLE, ttl_hours=1),
            GoalsWithoutClip(dynamodb, IDEMPOTENCY_TABLE, ttl_hours=1),
            reels,
        )


def match_of(*goals: GoalEvent) -> MatchEndEvent:
    at = START + timedelta(seconds=90)
    score = Score(home=len(goals), away=0)
    first_goal = goals[0].id if goals else None
    return MatchEndEvent(
        id=match_end_id(CHANNEL, FIRST.teams, score, first_goal, at), channel=CHANNEL, at=at, stream_time=90.0,
        teams=FIRST.teams, score=score, reason="full_time", goals=goals,
    )  # fmt: skip


def test_the_reel_key_is_under_the_channel_and_the_match_day() -> None:
    match = match_of(FIRST)
    assert reel_key(match, "t0k3n") == f"highlights/sample/2026/11/25/{match.id}-t0k3n-reel.mp4"
    assert reel_key(match.model_copy(update={"channel": "twitch:sample"}), "t") == (
        f"highlights/twitch_sample/2026/11/25/{match.id}-t-reel.mp4"
    )


def test_the_clips_are_taken_in_goal_order_and_a_goal_without_one_is_listed_with_why(world: ReelWorld) -> None:
    third_key, first_key = world.clipped(THIRD), world.clipped(FIRST)
    world.without_clip.record(SECOND.id, "no segment shows it")

    keys, missing = world.clips_of(match_of(FIRST, SECOND, THIRD))

    assert keys == [first_key, third_key]
    assert missing == [GoalWithoutClip(goal_id=SECOND.id, title=TITLE, reason="no segment shows it")]


@pytest.mark.parametrize("recorded", [False, True], ids=["no publication", "reserved, no message yet"])
def test_the_reel_waits_for_a_clip_nobody_gave_up_on(world: ReelWorld, recorded: bool) -> None:
    world.clipped(FIRST)
    if recorded:
        world.ledger.reserve(highlight_id(SECOND))  # the clip job is under way
    with pytest.raises(ReelNotReady) as waiting:
        world.clips_of(match_of(FIRST, SECOND))
    assert str(waiting.value) == f"the clip of goal {SECOND.id} is not there yet; the reel waits"


def test_unless_told_it_is_the_last_attempt_the_reel_waits(world: ReelWorld, tmp_path: Path) -> None:
    world.clipped(FIRST)
    with pytest.raises(ReelNotReady):
        make_reel(
            match_of(FIRST, SECOND),
            settings=world.settings,
            s3=world.s3,
            sns=world.sns,
            workdir=tmp_path,
            ledger=world.ledger,
            without_clip=world.without_clip,
        )


def test_on_its_last_attempt_the_reel_lists_a_clip_nobody_accounted_for(world: ReelWorld) -> None:
    first_key = world.clipped(FIRST)
    keys, missing = world.clips_of(match_of(FIRST, SECOND), last_attempt=True)
    assert keys == [first_key]
    assert missing == [
        GoalWithoutClip(
            goal_id=SECOND.id,
            title=TITLE,
            reason=f"no clip was made for it, and nothing says why, by the reel's attempt {REEL_LAST_ATTEMPT}; "
            "look for it in the enrich and clip dead-letter queues",
        )
    ]
    assert REEL_LAST_ATTEMPT == 3  # below the stack's maxReceiveCount of 5, so the reel comes before the DLQ


def test_a_goalless_match_gets_no_reel_and_touches_nothing(world: ReelWorld, tmp_path: Path) -> None:
    assert world.make(match_of(), tmp_path / "work") is None
    assert not (tmp_path / "work").exists()
    assert drain_queue(world.reels_heard) == []


def test_a_match_without_any_clip_gets_no_reel_and_says_why_for_each_goal(world: ReelWorld, tmp_path: Path) -> None:
    world.without_clip.record(FIRST.id, "no segment shows it")
    world.without_clip.record(SECOND.id, "the clip job was refused")
    match = match_of(FIRST, SECOND)
    with pytest.raises(NoClipForReel) as refused:
        world.make(match, tmp_path / "work")
    assert str(refused.value) == (
        f"no goal of match {match.id} (LIV 2-0 MCI: all goals) has a clip, so it gets no reel: "
        f"{TITLE}: no segment shows it; {TITLE}: the clip job was refused"
    )
    assert drain_queue(world.reels_heard) == []


@pytest.fixture
def reel_log() -> Iterator[LoggerRecords]:
    with records_of(reel_module.logger.name) as records:
        yield records


def test_the_reel_joins_the_clips_stores_them_as_one_mp4_and_is_published_once(
    world: ReelWorld, clip_files: list[Path], tmp_path: Path, reel_log: LoggerRecords
) -> None:
    world.clipped(FIRST, clip_files[0])
    world.clipped(THIRD, clip_files[1])
    world.without_clip.record(SECOND.id, "no segment shows it")
    match = match_of(FIRST, SECOND, THIRD)

    workdir = tmp_path / "first"
    workdir.mkdir()  # the handler passes a temporary directory it made
    reel = world.make(match, workdir)
    again = world.make(match, tmp_path / "again")  # a redelivered match end

    assert isinstance(reel, ReelEvent) and again == reel
    (envelope,) = [json.loads(message["Body"]) for message in drain_queue(world.reels_heard)]
    assert parse_event(envelope["Message"]) == reel
    assert envelope["MessageAttributes"]["channel"] == {"Type": "String", "Value": CHANNEL}

    publication = world.ledger.get(match.id)
    assert publication is not None and publication.state == "published"
    assert (reel.id, reel.channel, reel.title, reel.match) == (match.id, CHANNEL, "LIV 3-0 MCI: all goals", match)
    assert reel.goals_without_clip == (GoalWithoutClip(goal_id=SECOND.id, title=TITLE, reason="no segment shows it"),)
    assert reel.reel.key == reel_key(match, publication.token)
    assert reel.reel.url == f"https://d111111abcdef8.cloudfront.net/{reel.reel.key}"
    stored = world.s3.get_object(Bucket=HIGHLIGHTS_BUCKET, Key=reel.reel.key)
    assert stored["ContentType"] == "video/mp4" and stored["ContentLength"] == reel.reel.size_bytes
    assert stored["Metadata"] == {"match-id": match.id, "score": str(match.score), "channel": CHANNEL}
    assert reel.duration_s == pytest.approx(3.0, abs=0.25)  # 1 s + 2 s, stream-copied one after the other
    worked_on = sorted(path.name for path in (tmp_path / "first").iterdir())
    assert worked_on == ["000.mp4", "001.mp4", "clips.txt", "reel.mp4"]
    # the goal without a clip is an ERROR in the logs too (an alarm can watch for it), once per attempt
    assert reel_log.messages(logging.ERROR) == ["the match reel goes without some goals' clips"] * 2


def test_a_reel_of_every_goal_logs_no_error(
    world: ReelWorld, clip_files: list[Path], tmp_path: Path, reel_log: LoggerRecords
) -> None:
    world.clipped(FIRST, clip_files[0])
    assert isinstance(world.make(match_of(FIRST), tmp_path), ReelEvent)
    assert reel_log.messages(logging.ERROR) == []
    assert reel_log.records, "the reel logs its work (else this test could not see an ERROR either)"


def test_every_clip_is_checked_to_be_mp4_before_ffmpeg_reads_it(
    world: ReelWorld, clip_files: list[Path], tmp_path: Path
) -> None:
    world.clipped(FIRST, clip_files[0])
    key = world.clipped(SECOND)
    world.s3.put_object(Bucket=HIGHLIGHTS_BUCKET, Key=key, Body=b"#EXTM3U\nhttp://169.254.169.254/\n")
    with pytest.raises(
        FfmpegError, match=rf"^the clip s3://{HIGHLIGHTS_BUCKET}/{key} is not MP4 \(it starts with '#EXTM3U "
    ):
        world.make(match_of(FIRST, SECOND), tmp_path)
    assert drain_queue(world.reels_heard) == []
