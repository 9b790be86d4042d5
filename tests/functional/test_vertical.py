"""The vertical function with real ffmpeg and tesseract, against moto: one highlight in, one 9:16 cut out.

The source is a rendered 16:9 clip with a scoreboard drawn top-left (where
FIFA shows it), so the test can read the score back off the vertical cut's
top band, as a viewer would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import cv2
import imageio_ffmpeg
import pytesseract
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from contracts import HighlightEvent, StoredMedia, VerticalEvent, highlight_title, parse_event
from functions.vertical import UnusableSourceError, render_vertical, vertical_key
from functions.vertical import handler as vertical
from lambda_runtime.metric_names import VerticalMetric
from tests.functional.functions_fixtures import (
    HIGHLIGHTS_BUCKET,
    REGION,
    START,
    FakeLambdaContext,
    a_goal,
    create_queue,
    create_table,
    drain_queue,
    emulated_aws,
    sqs_event,
)

FFMPEGS = {"system": shutil.which("ffmpeg") or "ffmpeg", "layer": imageio_ffmpeg.get_ffmpeg_exe()}
SOURCE_S = 4.0
FPS = 30
HUD_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
GOAL = a_goal(START + timedelta(seconds=21.3))
CLIP_KEY = f"highlights/sample/2026/11/25/{GOAL.id}.mp4"


def render_source_clip(path: Path, *, size: str = "1280x720") -> Path:
    """A 16:9 MP4 like clip writes: H.264 + AAC, with a ``LIV 1-0 MCI`` scoreboard top-left."""
    hud = (
        "drawbox=x=40:y=28:w=300:h=52:color=0x202020:t=fill,"
        f"drawtext=fontfile={HUD_FONT}:text='LIV 1-0 MCI':x=56:y=38:fontsize=32:fontcolor=white"
    )
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={FPS}",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
            "-t", f"{SOURCE_S}", "-map", "0:v", "-map", "1:a", "-vf", hud,
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30",
            "-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's view of a file: its streams and format."""
    output = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(output.stdout)
    return result


def frame_at(path: Path, seconds: float, out: Path) -> Any:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-ss", str(seconds), "-i", str(path),
         "-frames:v", "1", str(out)],
        check=True,
    )  # fmt: skip
    return cv2.imread(str(out))


@pytest.fixture(scope="module")
def source_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_source_clip(tmp_path_factory.mktemp("source") / "clip.mp4")


@pytest.mark.parametrize("ffmpeg", FFMPEGS.values(), ids=FFMPEGS.keys())
def test_the_cut_is_9_16_as_long_as_the_source_with_the_score_readable_on_top(
    source_clip: Path, tmp_path: Path, ffmpeg: str
) -> None:
    # The local run's way (one thread, low priority) with the system ffmpeg, Lambda's with the layer's.
    result = render_vertical(
        source_clip, tmp_path, thumbnail_at_s=1.0, ffmpeg=ffmpeg, background=ffmpeg == FFMPEGS["system"]
    )

    streams = {stream["codec_type"]: stream for stream in probe(result.clip_path)["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (720, 1280) == (result.width, result.height)
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["audio"]["codec_name"] == "aac"  # copied
    source_s = float(probe(source_clip)["format"]["duration"])
    assert abs(float(probe(result.clip_path)["format"]["duration"]) - source_s) <= 2 / FPS
    thumbnail = cv2.imread(str(result.thumbnail_path))
    assert thumbnail is not None and thumbnail.shape == (1280, 720, 3)

    band = frame_at(result.clip_path, 2.0, tmp_path / "frame.png")[: result.layout.band_height]
    text = pytesseract.image_to_string(cv2.cvtColor(band, cv2.COLOR_BGR2GRAY), config="--psm 11")
    assert "1-0" in text.replace(" ", ""), f"the score is not readable in the top band: {text!r}"


def decoded_frames(path: Path) -> list[Any]:
    """Every frame of a video, in order, as OpenCV decodes it."""
    capture, frames = cv2.VideoCapture(str(path)), []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def closest_frame(frames: list[Any], image: Any) -> int:
    """The index of the frame that differs least from ``image`` (a JPEG of one of them)."""
    differences = [float(cv2.absdiff(frame, image).mean()) for frame in frames]
    return differences.index(min(differences))


@pytest.mark.parametrize("ffmpeg", FFMPEGS.values(), ids=FFMPEGS.keys())
@pytest.mark.parametrize(("at_s", "frame_wanted"), [(1.0, 30), (99.0, -1)], ids=["at-1s", "past-the-end"])
def test_the_thumbnail_is_the_cuts_own_frame_at_the_moment_asked(
    source_clip: Path, tmp_path: Path, ffmpeg: str, at_s: float, frame_wanted: int
) -> None:
    """Taken in the same pass as the cut; a moment past the end gives one of the cut's last frames."""
    result = render_vertical(
        source_clip, tmp_path, thumbnail_at_s=at_s, ffmpeg=ffmpeg, background=ffmpeg == FFMPEGS["system"]
    )
    frames = decoded_frames(result.clip_path)
    assert len(frames) == round(SOURCE_S * FPS)
    thumbnail = cv2.imread(str(result.thumbnail_path))
    assert thumbnail is not None and thumbnail.shape == frames[0].shape
    wanted = frame_wanted % len(frames)
    tolerance = 1 if frame_wanted >= 0 else round(0.1 * FPS) + 1  # past the end: within the last 0.1 s
    assert abs(closest_frame(frames, thumbnail) - wanted) <= tolerance


def test_a_playlist_posing_as_the_clip_is_refused_before_ffmpeg_opens_it(tmp_path: Path) -> None:
    playlist = tmp_path / "clip.mp4"
    playlist.write_text("#EXTM3U\n#EXTINF:2,\nhttp://169.254.169.254/latest/meta-data\n")
    with pytest.raises(UnusableSourceError, match="not an MP4"):
        render_vertical(playlist, tmp_path / "out", thumbnail_at_s=0.0)


# ---------------------------------------------------------------- the handler, against moto


@dataclass
class VerticalWorld:
    s3: Any
    sns: Any
    topic_arn: str
    queue_url: str
    """The vertical function's queue, subscribed to the topic as infra subscribes it."""
    dead_letter_url: str
    observer_url: str
    """What a hook filtering on ``event_type = vertical`` receives."""

    def highlight(self, key: str = CLIP_KEY) -> HighlightEvent:
        media = StoredMedia(
            bucket=HIGHLIGHTS_BUCKET, key=key, url=f"https://example.invalid/{key}", content_type="video/mp4",
            size_bytes=1,
        )  # fmt: skip
        clip_start = GOAL.at - timedelta(seconds=1.0)
        return HighlightEvent(
            id=f"highlight-{GOAL.id}", channel=GOAL.channel, title=highlight_title(GOAL), goal=GOAL, clip=media,
            thumbnail=media, clip_start=clip_start, clip_end=clip_start + timedelta(seconds=SOURCE_S),
            duration_s=SOURCE_S,
        )  # fmt: skip

    def publish(self, event: HighlightEvent | VerticalEvent) -> None:
        self.sns.publish(
            TopicArn=self.topic_arn,
            Message=event.to_json(),
            MessageAttributes={
                "channel": {"DataType": "String", "StringValue": event.channel},
                "event_type": {"DataType": "String", "StringValue": event.type},
            },
        )

    def delivered(self) -> list[dict[str, Any]]:
        """What the topic delivered to the vertical queue (received, not deleted: Lambda deletes on success)."""
        sqs = boto3.client("sqs", region_name=REGION)
        return list(sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", []))

    def queue_depth(self) -> int:
        attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(count) for count in attributes.values())


def subscribe_queue(sns: Any, topic_arn: str, queue_url: str, filter_policy: dict[str, Any], *, raw: bool) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {"FilterPolicy": json.dumps(filter_policy), "RawMessageDelivery": "true" if raw else "false"}
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, source_clip: Path) -> Iterator[VerticalWorld]:
    with emulated_aws(monkeypatch):
        s3, sns = boto3.client("s3", region_name=REGION), boto3.client("sns", region_name=REGION)
        s3.create_bucket(Bucket=HIGHLIGHTS_BUCKET)
        s3.upload_file(str(source_clip), HIGHLIGHTS_BUCKET, CLIP_KEY)
        topic_arn = sns.create_topic(Name="highlight-bot-highlights")["TopicArn"]
        queue_url, dead_letter_url = create_queue("vertical-jobs"), create_queue("vertical-dlq")
        observer_url = create_queue("vertical-observer")
        subscribe_queue(sns, topic_arn, queue_url, {"event_type": ["highlight"]}, raw=True)
        subscribe_queue(sns, topic_arn, observer_url, {"event_type": ["vertical"]}, raw=False)
        table = create_table("highlight-bot-idempotency", keys=("id",), ttl_attribute="expiration")
        monkeypatch.setenv("HIGHLIGHTS_BUCKET", HIGHLIGHTS_BUCKET)
        monkeypatch.setenv("HIGHLIGHT_TOPIC_ARN", topic_arn)
        monkeypatch.setenv("IDEMPOTENCY_TABLE", table)
        monkeypatch.setenv("VERTICAL_DEAD_LETTER_QUEUE_URL", dead_letter_url)
        monkeypatch.setenv("FFMPEG_PATH", FFMPEGS["system"])
        yield VerticalWorld(s3, sns, topic_arn, queue_url, dead_letter_url, observer_url)


def test_a_highlight_from_the_topic_gets_one_vertical_message_even_when_delivered_twice(
    world: VerticalWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "vertical")
    highlight = world.highlight()
    world.publish(highlight)
    (message,) = world.delivered()
    assert parse_event(message["Body"]) == highlight  # raw delivery: the body is the highlight itself

    capsys.readouterr()
    for _ in range(2):  # SQS delivers at least once
        assert vertical.handler(sqs_event(message), FakeLambdaContext("highlight-bot-vertical")) == {
            "batchItemFailures": []
        }
    (emf,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert (emf["channel"], emf["service"]) == (GOAL.channel, "vertical")
    assert {m["Name"] for m in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]} == {
        VerticalMetric.VERTICALS_MADE, VerticalMetric.VERTICAL_LATENCY_SECONDS
    }  # fmt: skip

    (published,) = drain_queue(world.observer_url)
    envelope = json.loads(published["Body"])
    assert envelope["MessageAttributes"]["event_type"]["Value"] == "vertical"
    assert envelope["MessageAttributes"]["channel"]["Value"] == GOAL.channel
    event = parse_event(envelope["Message"])
    assert isinstance(event, VerticalEvent)
    assert (event.id, event.highlight_id, event.width, event.height) == (f"vertical-{GOAL.id}", highlight.id, 720, 1280)
    assert event.clip.key == vertical_key(CLIP_KEY, "mp4") == CLIP_KEY.replace(".mp4", ".vertical.mp4")
    assert event.thumbnail.key == CLIP_KEY.replace(".mp4", ".vertical.jpg")
    assert event.source == highlight.clip and event.goal == GOAL
    assert abs(event.duration_s - SOURCE_S) <= 2 / FPS
    stored = world.s3.head_object(Bucket=HIGHLIGHTS_BUCKET, Key=event.clip.key)
    assert stored["ContentType"] == "video/mp4" and stored["ContentLength"] == event.clip.size_bytes > 0
    assert world.s3.head_object(Bucket=HIGHLIGHTS_BUCKET, Key=event.thumbnail.key)["ContentType"] == "image/jpeg"
    # A vertical event on the topic does not come back to the vertical queue (its filter).
    world.publish(event)
    assert world.queue_depth() == 1  # the highlight (received, not yet deleted), nothing else
    assert drain_queue(world.dead_letter_url) == []


def test_messages_no_retry_can_fix_go_to_the_dead_letter_queue_with_their_reason(world: VerticalWorld) -> None:
    playlist_key = "highlights/sample/2026/11/25/posing.mp4"
    world.s3.put_object(Bucket=HIGHLIGHTS_BUCKET, Key=playlist_key, Body=b"#EXTM3U\nhttp://127.0.0.1:9/x\n")
    poison = {
        "not json": "{{",
        "not a highlight": GOAL.to_json(),
        "clip gone": world.highlight("highlights/sample/2026/11/25/gone.mp4").to_json(),
        "not an mp4": world.highlight(playlist_key).to_json(),
    }
    queue_url = create_queue("poison")
    sqs = boto3.client("sqs", region_name=REGION)
    for body in poison.values():
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == len(poison)

    response = vertical.handler(sqs_event(*messages), FakeLambdaContext("highlight-bot-vertical"))

    assert response == {"batchItemFailures": []}  # parked, not retried
    letters = {
        json.loads(m["Body"])["message"]["body"]: json.loads(m["Body"]) for m in drain_queue(world.dead_letter_url)
    }
    assert set(letters) == set(poison.values())
    reasons = {name: letters[body]["reason"] for name, body in poison.items()}
    assert "not JSON" in reasons["not json"]
    assert "goal event, not a highlight" in reasons["not a highlight"]
    assert f"s3://{HIGHLIGHTS_BUCKET}/highlights/sample/2026/11/25/gone.mp4" in reasons["clip gone"]
    assert "does not exist" in reasons["clip gone"]
    assert f"{playlist_key} is not an MP4" in reasons["not an mp4"]
    assert all(letter["kind"] == "vertical_refused" for letter in letters.values())
    assert drain_queue(world.observer_url) == []


def test_a_failure_a_retry_may_fix_is_left_to_the_queue(world: VerticalWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFMPEG_PATH", "/nonexistent/ffmpeg")  # a broken layer: fixed by a deploy, then retried
    world.publish(world.highlight())
    (message,) = world.delivered()

    # A batch whose every record failed is raised whole (Powertools), so Lambda retries it and counts an error.
    with pytest.raises(BatchProcessingError, match="All records failed"):
        vertical.handler(sqs_event(message), FakeLambdaContext("highlight-bot-vertical"))

    assert drain_queue(world.dead_letter_url) == [] and drain_queue(world.observer_url) == []
