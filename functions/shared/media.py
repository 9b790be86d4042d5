"""Reading the bytes behind a segment event's ``location``: ``s3://bucket/key``, or a file under a local root.

The capture task has the same reader, but a Lambda asset holds only its own
folder, ``functions/shared`` and ``contracts/``, so the clip function carries
this small copy.

A clip job comes from the event stream, so it must never choose what the
function reads from its own disk (``/proc/self/environ`` holds the role's
credentials): local paths and ``file://`` URIs are refused unless the caller
names a ``local_root`` (a setting of the deployment, as the benchmarks and
tests pass, never a field of the job), and then only files under it are read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from functions.shared.exceptions import MediaLocationRefusedError, MediaMissingError, MediaReadError

_MISSING_CODES = ("NoSuchKey", "404", "NotFound", "NoSuchBucket")


def read_media(location: str, *, s3_client: Any, local_root: Path | None = None) -> bytes:
    """The bytes at ``location``; MediaMissingError when they are gone, MediaReadError otherwise.

    MediaLocationRefusedError when ``location`` is local and ``local_root`` is None, or outside it.

    Example:
        >>> read_media("s3://segments/segments/sample/000000000006.ts", s3_client=s3)[:1]
        b'G'
    """
    if location.startswith("s3://"):
        return _read_s3(location, s3_client)
    path = _local_path(location, local_root)
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise MediaMissingError(f"segment file {path} does not exist; was it stored by this machine?") from error
    except OSError as error:
        raise MediaReadError(f"could not read segment file {path}: {error}") from error


def _local_path(location: str, local_root: Path | None) -> Path:
    if location.startswith("file://"):
        path = Path(url2pathname(unquote(urlsplit(location).path)))
    elif "://" in location:
        raise MediaLocationRefusedError(f"cannot read {location!r}: a segment location is s3://BUCKET/KEY")
    else:
        path = Path(location)
    if local_root is None:
        raise MediaLocationRefusedError(
            f"refused to read local file {location!r}: a segment location is s3://BUCKET/KEY "
            "(local files are read only under a local media root the deployment sets)"
        )
    resolved, root = path.resolve(), local_root.resolve()
    if not resolved.is_relative_to(root):
        raise MediaLocationRefusedError(f"refused to read {location!r}: it is outside the local media root {root}")
    return resolved


def _read_s3(location: str, s3_client: Any) -> bytes:
    bucket, _, key = location.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise MediaLocationRefusedError(f"cannot read {location}: an S3 location is s3://BUCKET/KEY")
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
    except ParamValidationError as error:  # a bucket or key S3 would never accept: no retry changes it
        raise MediaLocationRefusedError(f"cannot read {location!r}: {error}") from error
    except BotoCoreError as error:
        raise MediaReadError(f"could not read segment {location}: {error}") from error
