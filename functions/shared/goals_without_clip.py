"""Goals that will never have a clip, and why: recorded where that is decided, read by the match reel.

Enrich records a goal no segment shows (when it dead-letters it) and clip a job it refuses for good, so
a match reel knows at once which goals to list as missing instead of waiting for clips that will not
come. One item per goal in the idempotency table (both functions read and write it already): ``id =
no-clip#{goal id}``, the ``reason`` sentence, and ``expiration`` (its TTL attribute) like the other items.

Example:
    >>> without_clip = GoalsWithoutClip(aws_client("dynamodb"), "highlight-bot-idempotency", ttl_hours=48)
    >>> without_clip.record("g-…", "no segment shows goal g-… …")
    >>> without_clip.reason("g-…")
    'no segment shows goal g-… …'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

KEY_PREFIX = "no-clip#"
MAX_REASON_CHARS = 1000


class GoalsWithoutClip:
    """Reads and writes the ``no-clip#`` items of one table."""

    def __init__(self, client: Any, table_name: str, *, ttl_hours: int, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self.table_name = table_name
        self.ttl_hours = ttl_hours
        self._clock = clock

    def record(self, goal_id: str, reason: str) -> None:
        """Say that goal ``goal_id`` will have no clip, and why (a repeat rewrites the same item)."""
        self._client.put_item(
            TableName=self.table_name,
            Item={
                "id": {"S": KEY_PREFIX + goal_id},
                "reason": {"S": reason[:MAX_REASON_CHARS]},
                "expiration": {"N": str(int(self._clock() + self.ttl_hours * 3600))},
            },
        )

    def reason(self, goal_id: str) -> str | None:
        """Why goal ``goal_id`` has no clip, or None when nobody said it would have none."""
        reply = self._client.get_item(
            TableName=self.table_name, Key={"id": {"S": KEY_PREFIX + goal_id}}, ConsistentRead=True
        )
        item = reply.get("Item")
        return str(item["reason"]["S"]) if item and "reason" in item else None
