"""Keeps the bytes of the HLS segments a clip needs, so it can be cut later.

Twitch drops a segment from its playlist about 28 s after publishing it, which
is less than pre-roll plus detection delay: by the time a goal is seen, the
segments before it can no longer be fetched from Twitch. So the capture task
holds what it reads and stores the segments the keeper releases (those around
a goal, or all: ``capture_task.publish.keeper``) in S3 in AWS or a folder on a laptop;
the segment event says where, in its ``location`` field.

Example:
    >>> store = S3SegmentStore(s3_client_with_retries(), "highlight-bot-segments")
    >>> location = store.store("twitch:somechannel", 81234, data)  # 's3://highlight-bot-segments/segments/...'
    >>> read_media(location, s3_client=client) == data             # what the clip Lambda does (functions.shared.media)
    True
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from capture_task.exceptions import CaptureError

SEGMENTS_PREFIX = "segments"
"""Top folder of every stored segment; the stack's S3 lifecycle rule expires it after about a day."""

_SUFFIX = {"ts": ".ts", "fmp4": ".m4s"}
_CONTENT_TYPE = {"ts": "video/mp2t", "fmp4": "video/mp4"}
_INIT_HASH_CHARS = 16
_UNSAFE_IN_KEY = re.compile(r"[^A-Za-z0-9_.-]")


class SegmentStoreError(CaptureError):
    """A segment could not be stored; the message says which one and why.

    The capture task logs it and goes on with the next segment: one lost
    segment costs at most a gap in one clip, a crashed task costs every goal.
    """


class SegmentStore(Protocol):
    """Where segment bytes go; returns the location string for the segment event.

    ``container`` is ``"ts"`` (MPEG-TS) or ``"fmp4"`` (a fragmented-MP4 fragment);
    anything else raises ValueError. ``start`` is the segment's program-date-time.
    """

    def store(
        self,
        channel: str,
        sequence: int,
        data: bytes,
        *,
        container: str = "ts",
        start: datetime | None = None,
    ) -> str: ...

    def store_init(self, channel: str, data: bytes) -> str: ...


def channel_folder(channel: str) -> str:
    """The channel as one safe path component: ``twitch:somechannel`` → ``twitch_somechannel``."""
    folder = _UNSAFE_IN_KEY.sub("_", channel)
    if not folder.strip("."):
        raise ValueError(f"channel {channel!r} cannot name a folder of segments")
    return folder


def segment_key(channel: str, sequence: int, container: str = "ts") -> str:
    """The key of one segment, from its channel and media sequence number only.

    Deterministic on purpose: a task restarted mid-stream reads the same live
    playlist again, and storing a segment it already stored overwrites the
    same object instead of adding a copy; nothing needs cleaning up, since the
    stack's lifecycle rule expires ``segments/`` after about a day. Zero-padded
    so keys sort in stream order.

    Example:
        >>> segment_key("twitch:somechannel", 81234)
        'segments/twitch_somechannel/000000081234.ts'
    """
    if sequence < 0:
        raise ValueError(f"a media sequence number is never negative, got {sequence}")
    if container not in _SUFFIX:
        raise ValueError(f"unknown container {container!r}; expected one of {sorted(_SUFFIX)}")
    return f"{SEGMENTS_PREFIX}/{channel_folder(channel)}/{sequence:012d}{_SUFFIX[container]}"


def init_key(channel: str, data: bytes) -> str:
    """The key of an fMP4 init section, named by a short hash of its bytes.

    Twitch repeats the same ``EXT-X-MAP`` for hours; hashing stores it once and
    gives a new object only when the init section really changes.
    """
    digest = hashlib.sha256(data).hexdigest()[:_INIT_HASH_CHARS]
    return f"{SEGMENTS_PREFIX}/{channel_folder(channel)}/init-{digest}.mp4"


def _with_prefix(prefix: str, key: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/{key}" if prefix else key


def s3_client_with_retries(session: boto3.session.Session | None = None, *, max_attempts: int = 4) -> Any:
    """An S3 client that retries throttling and transient failures itself, a few times, quickly.

    A segment is worth storing only while it is fresh, so the budget is small:
    `max_attempts` calls in all (the first included) in boto3's standard retry mode, short timeouts.
    """
    session = session or boto3.session.Session()
    config = Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=5,
        read_timeout=15,
    )
    return session.client("s3", config=config)


class S3SegmentStore:
    """Stores segments as S3 objects and returns ``s3://bucket/key`` locations.

    Retries are boto3's (see `s3_client_with_retries`); once they are spent the
    store raises `SegmentStoreError`, which the capture task logs and survives.
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix

    def store(
        self,
        channel: str,
        sequence: int,
        data: bytes,
        *,
        container: str = "ts",
        start: datetime | None = None,
    ) -> str:
        key = _with_prefix(self.prefix, segment_key(channel, sequence, container))
        metadata = {"channel": channel, "sequence": str(sequence)}
        if start is not None:
            metadata["start"] = start.astimezone(UTC).isoformat(timespec="milliseconds")
        self._put(key, data, _CONTENT_TYPE[container], metadata, what=f"segment {sequence} of {channel}")
        return f"s3://{self.bucket}/{key}"

    def store_init(self, channel: str, data: bytes) -> str:
        key = _with_prefix(self.prefix, init_key(channel, data))
        self._put(key, data, "video/mp4", {"channel": channel}, what=f"the fMP4 init section of {channel}")
        return f"s3://{self.bucket}/{key}"

    def _put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str], *, what: str) -> None:
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, Metadata=metadata)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "NoSuchBucket":
                reason = f"the S3 bucket {self.bucket} does not exist; deploy the stack or pass --segments-dir DIR"
            elif code in ("AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId"):
                reason = f"not allowed to write to the S3 bucket {self.bucket} ({code}); check the task role"
            else:
                reason = str(error)
            raise SegmentStoreError(f"could not store {what} at s3://{self.bucket}/{key}: {reason}") from error
        except BotoCoreError as error:
            raise SegmentStoreError(f"could not store {what} at s3://{self.bucket}/{key}: {error}") from error


class LocalSegmentStore:
    """Stores segments as files under ``root`` in the same layout as S3, for the laptop run.

    Locations are plain absolute paths (not ``file://`` URIs): ffmpeg, shells and
    people read them as they are, and the clip reader accepts both spellings.
    Files are written to a temporary name and renamed, so a reader cutting a
    clip never sees half a segment.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def store(
        self,
        channel: str,
        sequence: int,
        data: bytes,
        *,
        container: str = "ts",
        start: datetime | None = None,
    ) -> str:
        # `start` is not kept locally: the segment event already carries it.
        return self._write(segment_key(channel, sequence, container), data)

    def store_init(self, channel: str, data: bytes) -> str:
        return self._write(init_key(channel, data), data)

    def _write(self, key: str, data: bytes) -> str:
        path = self.root / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            try:
                with os.fdopen(fd, "wb") as tmp:
                    tmp.write(data)
                os.chmod(tmp_name, 0o644)  # mkstemp makes it owner-only; the clip cutter may be another user
                os.replace(tmp_name, path)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise SegmentStoreError(f"could not write segment file {path}: {error}") from error
        return str(path)
