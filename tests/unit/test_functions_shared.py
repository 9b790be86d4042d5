"""The functions' shared helpers: settings from the environment, clients, reading local segment bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from functions.clip.cutter import check_container
from functions.clip.exceptions import FfmpegError as ClipFfmpegError
from functions.clip.settings import ClipSettings
from functions.enrich.settings import EnrichSettings
from functions.shared import (
    ConfigurationError,
    MediaLocationRefusedError,
    MediaMissingError,
    MediaReadError,
    aws_client,
    is_transient,
    read_media,
    reason_of,
)
from functions.shared.ffmpeg import MP4_FIRST_BOXES, duration_s_in
from functions.vertical.exceptions import UnusableSourceError
from functions.vertical.renderer import check_mp4
from lambda_runtime.aws import forget_aws_clients


def test_local_segments_are_read_from_plain_paths_and_file_uris(tmp_path: Path) -> None:
    segment = tmp_path / "segments" / "sample" / "000000000006.ts"
    segment.parent.mkdir(parents=True)
    segment.write_bytes(b"G" + bytes(187))
    assert read_media(str(segment), s3_client=None, local_root=tmp_path) == b"G" + bytes(187)
    assert read_media(segment.as_uri(), s3_client=None, local_root=tmp_path) == b"G" + bytes(187)


def test_unreadable_locations_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(MediaMissingError, match="does not exist"):
        read_media(str(tmp_path / "gone.ts"), s3_client=None, local_root=tmp_path)
    with pytest.raises(MediaLocationRefusedError, match="a segment location is s3://BUCKET/KEY"):
        read_media("https://example.com/segment.ts", s3_client=None)
    with pytest.raises(MediaLocationRefusedError, match="an S3 location is s3://BUCKET/KEY"):
        read_media("s3://bucket-only", s3_client=None)


@pytest.mark.parametrize("location", ["/proc/self/environ", "file:///proc/self/environ", "segments/000001.ts"])
def test_a_job_cannot_make_the_function_read_its_own_files(location: str) -> None:
    with pytest.raises(MediaLocationRefusedError, match="refused to read local file"):
        read_media(location, s3_client=None)


def test_a_local_media_root_is_a_fence(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "secret.txt").write_text("x")
    for location in (str(tmp_path / "root" / ".." / "secret.txt"), (tmp_path / "secret.txt").as_uri()):
        with pytest.raises(MediaLocationRefusedError, match="outside the local media root"):
            read_media(location, s3_client=None, local_root=tmp_path / "root")


def test_settings_come_from_the_environment_with_pipeline_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SEGMENT_TABLE": "segments",
        "CLIP_QUEUE_URL": "https://sqs/clip",
        "DEAD_LETTER_QUEUE_URL": "https://sqs/dlq",
        "IDEMPOTENCY_TABLE": "idempotency",
        "POST_ROLL_WAIT_S": "30",
    }.items():
        monkeypatch.setenv(name, value)
    settings = EnrichSettings.from_env()
    assert (settings.pre_roll_s, settings.post_roll_s, settings.post_roll_wait_s) == (20.0, 5.0, 30.0)
    monkeypatch.setenv("PRE_ROLL_S", "twenty")
    with pytest.raises(ConfigurationError, match="PRE_ROLL_S must be a valid number, got 'twenty'"):
        EnrichSettings.from_env()


def test_clip_links_never_outlive_sigv4s_seven_days(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {"HIGHLIGHTS_BUCKET": "b", "HIGHLIGHT_TOPIC_ARN": "arn", "IDEMPOTENCY_TABLE": "t"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CLIP_URL_EXPIRY_S", str(30 * 24 * 3600))
    monkeypatch.setenv("FFMPEG_PATH", str(tmp_path / "ffmpeg"))
    settings = ClipSettings.from_env()
    assert settings.clip_url_expiry_s == 7 * 24 * 3600
    assert settings.ffmpeg_path == str(tmp_path / "ffmpeg")


def test_clients_are_made_when_used_and_honour_aws_endpoint_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    forget_aws_clients()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert aws_client("sqs").meta.endpoint_url == "http://127.0.0.1:4566"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    assert aws_client("sqs").meta.endpoint_url == "http://127.0.0.1:5000"
    forget_aws_clients()


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "PutItem"), True),
        (ClientError({"Error": {"Code": "ThrottlingException"}}, "SendMessage"), True),
        (ClientError({"Error": {"Code": "ValidationException"}}, "PutItem"), False),
        (EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"), True),
        (ParamValidationError(report="Invalid bucket name"), False),
        (ConnectionResetError(104, "reset"), True),
        (MediaReadError("could not read"), True),
        (ConfigurationError("set X"), True),
        (OverflowError("date value out of range"), False),
        (RecursionError("maximum recursion depth exceeded"), False),
        (KeyError("kinesis"), False),
        (ValueError("bad"), False),
        (AttributeError("a bug"), False),
        (MediaLocationRefusedError("refused"), False),
    ],
)
def test_only_trouble_outside_the_function_is_worth_a_retry(error: BaseException, transient: bool) -> None:
    assert is_transient(error) is transient


def test_a_reason_fits_in_a_letter() -> None:
    assert reason_of(ValueError("x" * 10_000)).startswith("ValueError: xxx")
    assert len(reason_of(ValueError("x" * 10_000))) <= 2001
    assert reason_of(KeyError()) == "KeyError"


@pytest.mark.parametrize("box", sorted(MP4_FIRST_BOXES))
def test_clip_and_vertical_accept_the_same_mp4_openings(tmp_path: Path, box: bytes) -> None:
    # The vertical cut used to refuse a fragmented MP4 (moof, sidx) the clip function accepts.
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"\x00\x00\x00\x18" + box + b"\x00" * 16)
    check_container(media)
    check_mp4(media)


def test_clip_and_vertical_refuse_a_playlist_posing_as_mp4(tmp_path: Path) -> None:
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"#EXTM3U\n#EXT-X-VERSION:3\nhttp://169.254.170.2/x.ts\n")
    with pytest.raises(ClipFfmpegError, match="is not MP4"):
        check_container(media)
    with pytest.raises(UnusableSourceError, match="is not an MP4"):
        check_mp4(media)


@pytest.mark.parametrize(
    ("description", "seconds"),
    [("  Duration: 00:00:26.03, start: 0.000000", 26.03), ("Duration: 01:02:03.5", 3723.5), ("no video", None)],
)
def test_durations_are_read_from_ffmpegs_description(description: str, seconds: float | None) -> None:
    assert duration_s_in(description) == (pytest.approx(seconds) if seconds is not None else None)
