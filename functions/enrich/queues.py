"""The two SQS queues enrich writes to: clip jobs for the clip function, and dead letters with their reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from contracts import ClipJob, GoalAlert, GoalEvent, MatchEndEvent
from contracts.settings import DEFAULT_SETTINGS

MAX_DATA_CHARS = 64 * 1024
"""How much of a record's (base64) data a dead letter keeps; SQS messages hold at most 256 KiB."""


class ClipJobQueue:
    """Sends clip jobs (standard queue; attributes ``channel`` and ``goal_id`` for filtering and logs)."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self.queue_url = queue_url

    def send(self, job: ClipJob | MatchEndEvent) -> str:
        """Send one job (a match end asks for the match reel); returns the SQS message id."""
        identity = ("goal_id", job.goal.id) if isinstance(job, ClipJob) else ("match_id", job.id)
        reply = self._client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=job.to_json(),
            MessageAttributes={
                DEFAULT_SETTINGS.channel_attribute: {"DataType": "String", "StringValue": job.channel},
                identity[0]: {"DataType": "String", "StringValue": identity[1]},
            },
        )
        return str(reply["MessageId"])


class DeadLetterQueue:
    """Keeps what enrich can never process, with a sentence saying why, for a person to look at.

    Kinds of letter, told apart by ``kind``: an ``invalid_record`` (not an
    event) and an ``unprocessable_record`` (an event whose processing failed
    for good) carry the Kinesis record as received (data still base64, cut to
    ``MAX_DATA_CHARS``; sequence number, partition key); a ``goal_given_up``
    carries the goal event; an ``unreadable_pending_goal`` the stored text.
    """

    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self.queue_url = queue_url

    def invalid_record(self, reason: str, record: dict[str, Any]) -> None:
        """Dead-letter a Kinesis record that is not an event enrich reads (malformed, unknown type or version)."""
        self._send("invalid_record", reason, {"record": _bounded(record)})

    def unprocessable_record(self, reason: str, record: dict[str, Any]) -> None:
        """Dead-letter a valid event whose processing failed for a reason no retry can fix (a bug, an overflow)."""
        self._send("unprocessable_record", reason, {"record": _bounded(record)})

    def unreadable_pending_goal(self, reason: str, stored_goal: str) -> None:
        """Dead-letter a waiting goal the index holds but this build cannot read (written by an older one)."""
        self._send("unreadable_pending_goal", reason, {"stored_goal": stored_goal[:MAX_DATA_CHARS]})

    def goal_given_up(self, reason: str, goal: GoalEvent) -> None:
        """Dead-letter a goal whose segments never arrived."""
        self._send("goal_given_up", reason, {"goal": json.loads(goal.to_json())})

    def alert_not_published(self, reason: str, alert: GoalAlert) -> None:
        """Keep a goal alert SNS would not take (see ``functions.enrich.alerts``); its goal is clipped anyway."""
        self._send("alert_not_published", reason, {"alert": json.loads(alert.to_json())})

    def _send(self, kind: str, reason: str, body: dict[str, Any]) -> None:
        letter = {"kind": kind, "reason": reason, **body, "received_at": _now_iso()}
        self._client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(letter),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
        )


def _bounded(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its data cut to ``MAX_DATA_CHARS``: a letter must fit in one SQS message (256 KiB).

    A cut record is still in the stream (for its retention) at the sequence number the letter names.
    """
    data = record.get("data")
    if not isinstance(data, str) or len(data) <= MAX_DATA_CHARS:
        return record
    return record | {"data": data[:MAX_DATA_CHARS], "data_truncated": True, "data_chars": len(data)}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
