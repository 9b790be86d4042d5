"""Segment bytes kept in moto's in-process S3 and in a local folder, and read back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from capture_task.publish.segment_store import (
    LocalSegmentStore,
    S3SegmentStore,
    SegmentStoreError,
    s3_client_with_retries,
    segment_key,
)
from functions.shared.media import read_media
from tests.functional.fake_aws import use_fake_aws_environment

BUCKET = "highlight-bot-segments-test"
TS_BYTES = b"\x47" + bytes(187) + b"\x47" + bytes(187)  # two MPEG-TS packets' worth
FMP4_BYTES = b"\x00\x00\x00\x18moof" + bytes(64)
INIT_BYTES = b"\x00\x00\x00\x18ftypiso5" + bytes(32)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_fake_aws_environment(monkeypatch)
    with mock_aws():
        yield


@pytest.fixture
def s3(aws: None) -> Any:
    client = s3_client_with_retries()
    client.create_bucket(Bucket=BUCKET)
    return client


def object_keys(client: Any) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


# ---------------------------------------------------------------- keys


def test_segment_keys_come_from_channel_and_sequence_only() -> None:
    assert segment_key("twitch:somechannel", 81234) == "segments/twitch_somechannel/000000081234.ts"
    assert segment_key("twitch:somechannel", 81234, "fmp4") == "segments/twitch_somechannel/000000081234.m4s"
    assert segment_key("somechannel", 7) == segment_key("somechannel", 7)
    # Zero padding makes key order stream order.
    assert sorted([segment_key("c", 10), segment_key("c", 9), segment_key("c", 100)]) == [
        segment_key("c", 9),
        segment_key("c", 10),
        segment_key("c", 100),
    ]


@pytest.mark.parametrize("channel", ["..", "."])
def test_a_channel_that_would_escape_its_folder_is_refused(channel: str) -> None:
    with pytest.raises(ValueError, match="cannot name a folder"):
        segment_key(channel, 1)


def test_a_slash_in_a_channel_stays_inside_one_folder() -> None:
    assert segment_key("../etc/passwd", 1) == "segments/.._etc_passwd/000000000001.ts"


def test_negative_sequence_and_unknown_container_are_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        segment_key("c", -1)
    with pytest.raises(ValueError, match="unknown container"):
        segment_key("c", 1, "mkv")


# ---------------------------------------------------------------- S3


def test_s3_store_round_trips_content_type_and_metadata(s3: Any) -> None:
    store = S3SegmentStore(s3, BUCKET)
    start = datetime(2026, 11, 25, 20, 0, 2, 500000, tzinfo=UTC)

    location = store.store("twitch:somechannel", 81234, TS_BYTES, start=start)

    assert location == f"s3://{BUCKET}/segments/twitch_somechannel/000000081234.ts"
    stored = s3.get_object(Bucket=BUCKET, Key="segments/twitch_somechannel/000000081234.ts")
    assert stored["Body"].read() == TS_BYTES
    assert stored["ContentType"] == "video/mp2t"
    assert stored["Metadata"] == {
        "channel": "twitch:somechannel",
        "sequence": "81234",
        "start": "2026-11-25T20:00:02.500+00:00",
    }
    assert read_media(location, s3_client=s3) == TS_BYTES


def test_fmp4_fragments_and_init_sections(s3: Any) -> None:
    store = S3SegmentStore(s3, BUCKET, prefix="live/")

    fragment = store.store("somechannel", 5, FMP4_BYTES, container="fmp4")
    init = store.store_init("somechannel", INIT_BYTES)

    assert fragment == f"s3://{BUCKET}/live/segments/somechannel/000000000005.m4s"
    assert init.startswith(f"s3://{BUCKET}/live/segments/somechannel/init-") and init.endswith(".mp4")
    assert store.store_init("somechannel", INIT_BYTES) == init  # same bytes, same object
    assert store.store_init("somechannel", INIT_BYTES + b"\x01") != init
    head = s3.head_object(Bucket=BUCKET, Key=fragment.removeprefix(f"s3://{BUCKET}/"))
    assert head["ContentType"] == "video/mp4"
    assert read_media(init, s3_client=s3) == INIT_BYTES
    assert len(object_keys(s3)) == 3


def test_storing_a_sequence_again_overwrites_one_object(s3: Any) -> None:
    store = S3SegmentStore(s3, BUCKET)

    first = store.store("somechannel", 42, b"first read")
    again = store.store("somechannel", 42, b"read again after a restart")

    assert first == again
    assert object_keys(s3) == ["segments/somechannel/000000000042.ts"]
    assert read_media(again, s3_client=s3) == b"read again after a restart"


def test_a_missing_bucket_is_a_clear_error_the_caller_can_survive(aws: None) -> None:
    store = S3SegmentStore(s3_client_with_retries(), "no-such-bucket-here")

    with pytest.raises(SegmentStoreError, match="the S3 bucket no-such-bucket-here does not exist") as caught:
        store.store("somechannel", 1, TS_BYTES)

    assert "segment 1 of somechannel" in str(caught.value)
    assert isinstance(caught.value.__cause__, ClientError)


def test_s3_client_with_retries_uses_standard_mode(aws: None) -> None:
    client = s3_client_with_retries(boto3.session.Session(), max_attempts=3)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}


# ---------------------------------------------------------------- local folder


def test_local_store_uses_the_same_layout_and_returns_absolute_paths(tmp_path: Path) -> None:
    store = LocalSegmentStore(tmp_path / "capture")

    location = store.store("twitch:somechannel", 81234, TS_BYTES)
    init = store.store_init("twitch:somechannel", INIT_BYTES)

    expected = tmp_path / "capture" / segment_key("twitch:somechannel", 81234)
    assert location == str(expected)
    assert Path(location).is_absolute()
    assert expected.read_bytes() == TS_BYTES
    assert Path(init).parent == expected.parent
    # No temporary files left behind by the write-then-rename.
    assert sorted(p.name for p in expected.parent.iterdir()) == sorted([expected.name, Path(init).name])


def test_local_store_overwrites_and_reads_back_as_path_or_file_uri(tmp_path: Path) -> None:
    store = LocalSegmentStore(tmp_path)
    store.store("somechannel", 9, b"first")
    location = store.store("somechannel", 9, b"second")

    assert Path(location).read_bytes() == b"second"
    assert len(list((tmp_path / "segments" / "somechannel").iterdir())) == 1
