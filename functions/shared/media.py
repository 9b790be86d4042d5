"""Reading the bytes behind a segment event's ``location``: ``s3://bucket/key``, ``file://`` or a local path.

The capture task has the same reader, but a Lambda asset holds only its own
folder, ``functions/shared`` and ``contracts/``, so the clip function carries
this small copy. Local paths are what the laptop pipeline writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from botocore.exceptions import BotoCoreError, ClientError

from functions.shared.exceptions import MediaMissingError, MediaReadError

_MISSING_CODES = ("NoSuchKey", "404", "NotFound", "NoSuchBucket")


def read_media(location: str, *, s3_client: Any) -> bytes:
    """The bytes at ``location``; MediaMissingError when they are gone, MediaReadError otherwise.

    Example:
        >>> read_media("s3://segments/segments/sample/000000000006.ts", s3_client=s3)[:1]
        b'G'
    """
    if location.startswith("s3://"):
        return _read_s3(location, s3_client)
    path = _local_path(location)
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise MediaMissingError(f"segment file {path} does not exist; was it stored by this machine?") from error
    except OSError as error:
        raise MediaReadError(f"could not read segment file {path}: {error}") from error


def _local_path(location: str) -> Path:
    if location.startswith("file://"):
        return Path(url2pathname(unquote(urlsplit(location).path)))
    if "://" in location:
        raise MediaReadError(f"cannot read {location}: expected s3://BUCKET/KEY, a file:// URI or a local path")
    return Path(location)


def _read_s3(location: str, s3_client: Any) -> bytes:
    bucket, _, key = location.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise MediaReadError(f"cannot read {location}: an S3 location is s3://BUCKET/KEY")
    try:
        return bytes(s3_client.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _MISSING_CODES:
            raise MediaMissingError(
                f"segment {location} does not exist: it was never stored, or the segments bucket's "
                "lifecycle rule already expired it"
            ) from error
        raise MediaReadError(f"could not read segment {location}: {error}") from error
    except BotoCoreError as error:
        raise MediaReadError(f"could not read segment {location}: {error}") from error
