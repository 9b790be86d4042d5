"""Where a channel's match checkpoint is kept between runs: S3 in the cloud, the segments folder locally.

Why: a capture task that restarts (a crash, a deployment, a replaced Fargate task) resumes the
match from its last confirmed state (``capture_task.detect.checkpoint``), so a goal scored while it
was down is still reported, flagged as found after a gap. The checkpoint sits beside the segments:
``checkpoints/<channel>.json`` in the segments bucket (outside ``segments/``, which expires after a
day) or under the local segments folder.

It is saved by the announcer after the events before it were put on the sink: a checkpoint never
runs ahead of the goals it counts, so a kill between the two repeats a goal rather than losing it,
and (from the checkpoint's pending goals, saved just before the goal event) under the same id.

Example:
    >>> checkpoints = S3CheckpointStore(s3_client_with_retries(), "highlight-bot-segments")
    >>> task = CaptureTask("somechannel", ..., resume_from=saved_checkpoint(checkpoints, "somechannel"))
    >>> checkpoints.save(detector.checkpoint("somechannel"))
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from capture_task.detect.checkpoint import InvalidCheckpointError, MatchCheckpoint
from capture_task.detect.goals import GoalDetector
from capture_task.exceptions import CaptureError
from capture_task.publish.segment_store import channel_folder
from contracts.settings import CHECKPOINTS_PREFIX

logger = logging.getLogger("highlight_bot.capture")


class CheckpointStoreError(CaptureError):
    """A checkpoint could not be read or written; the message says where and why."""


class CheckpointStore(Protocol):
    """Keeps one checkpoint per channel."""

    def load(self, channel: str) -> MatchCheckpoint | None: ...

    def save(self, checkpoint: MatchCheckpoint) -> None: ...


def checkpoint_key(channel: str) -> str:
    """``checkpoints/<channel>.json``, the channel made one safe path component."""
    return f"{CHECKPOINTS_PREFIX}/{channel_folder(channel)}.json"


class S3CheckpointStore:
    """Checkpoints as small JSON objects in the segments bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self.bucket = bucket

    def load(self, channel: str) -> MatchCheckpoint | None:
        key = checkpoint_key(channel)
        try:
            body = self._client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise CheckpointStoreError(f"could not read the checkpoint s3://{self.bucket}/{key}: {error}") from error
        except BotoCoreError as error:
            raise CheckpointStoreError(f"could not read the checkpoint s3://{self.bucket}/{key}: {error}") from error
        return MatchCheckpoint.from_json(body)

    def save(self, checkpoint: MatchCheckpoint) -> None:
        key = checkpoint_key(checkpoint.channel)
        try:
            self._client.put_object(
                Bucket=self.bucket, Key=key, Body=checkpoint.to_json().encode(), ContentType="application/json"
            )
        except (ClientError, BotoCoreError) as error:
            raise CheckpointStoreError(f"could not save the checkpoint s3://{self.bucket}/{key}: {error}") from error


class LocalCheckpointStore:
    """Checkpoints as JSON files under ``root`` (the local segments folder), replaced atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, channel: str) -> Path:
        return self.root / checkpoint_key(channel)

    def load(self, channel: str) -> MatchCheckpoint | None:
        path = self.path(channel)
        try:
            return MatchCheckpoint.from_json(path.read_bytes())
        except FileNotFoundError:
            return None
        except OSError as error:
            raise CheckpointStoreError(f"could not read the checkpoint {path}: {error}") from error

    def save(self, checkpoint: MatchCheckpoint) -> None:
        path = self.path(checkpoint.channel)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as tmp:
                tmp.write(checkpoint.to_json())
            os.replace(tmp_name, path)
        except OSError as error:
            raise CheckpointStoreError(f"could not save the checkpoint {path}: {error}") from error


def saved_checkpoint(checkpoints: CheckpointStore | None, channel: str) -> MatchCheckpoint | None:
    """The channel's saved match state to resume from; None (logged) when none is kept, saved or readable."""
    if checkpoints is None:
        return None
    try:
        saved = checkpoints.load(channel)
    except (CheckpointStoreError, InvalidCheckpointError) as error:
        logger.error(
            "starting %s without its match checkpoint, goals scored while it was down are lost: %s", channel, error
        )
        return None
    if saved is None:
        logger.info("no match checkpoint for %s yet; starting from the score next seen", channel)
    return saved


def resumed_detector(checkpoints: CheckpointStore | None, channel: str) -> GoalDetector:
    """A detector that continues the channel's saved match, or a fresh one (nothing saved, or unreadable)."""
    saved = saved_checkpoint(checkpoints, channel)
    return GoalDetector() if saved is None else GoalDetector.resume(saved)
