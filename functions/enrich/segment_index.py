"""The DynamoDB segment index: the last day's announced segments per channel, and goals waiting for theirs.

One table (env ``SEGMENT_TABLE``; keys ``pk``/``sk``, TTL attribute ``expires_at``):

- segments: ``pk = seg#{channel}``, ``sk = {start}#{sequence:012d}``, with the
  segment's location, init_location, container, duration_s, sequence, start,
  end, stream_time and the whole event as JSON in ``event``;
- pending goals: ``pk = goal#{channel}``, ``sk = {at}#{goal_id}``, with the goal
  as JSON in ``goal`` and ``created_at`` (epoch seconds, wall clock).

Writes are plain puts of deterministic keys, so a redelivered record rewrites
the same item. ``expires_at`` is wall clock plus ``segment_ttl_hours``: expiry
is about storage, not about the stream's timeline (a replayed old broadcast
must not expire on arrival).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts import GoalEvent, InvalidEventError, SegmentEvent, parse_event
from functions.enrich.index import (
    ClipWindow,
    iso_ms,
    pending_goal_partition_key,
    pending_goal_sort_key,
    segment_end,
    segment_partition_key,
    segment_sort_key,
)

LOOK_AROUND_S = 60.0
"""How far outside a window segments are read: the neighbours name missing sequence numbers."""


@dataclass(frozen=True)
class UnreadableItem:
    """An index item that does not hold what it should: its key, its stored text, and why it was refused."""

    key: dict[str, Any]
    stored_goal: str
    reason: str


@dataclass(frozen=True)
class PendingGoal:
    """A goal whose segments have not all arrived, and when enrich first saw it (epoch seconds)."""

    goal: GoalEvent
    created_at: float


class SegmentIndex:
    """Segments and pending goals of every channel in one DynamoDB table.

    Example:
        >>> index = SegmentIndex(aws_client("dynamodb"), "highlight-bot-segments", ttl_hours=24)
        >>> index.put_segment(segment)
        >>> index.segments_around("sample", window)
    """

    def __init__(self, client: Any, table_name: str, *, ttl_hours: int, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self.table_name = table_name
        self.ttl_hours = ttl_hours
        self._clock = clock

    def _expires_at(self) -> str:
        return str(int(self._clock() + self.ttl_hours * 3600))

    def put_segment(self, segment: SegmentEvent) -> None:
        """Index one segment (a repeat of the same segment rewrites the same item)."""
        item = {
            "pk": {"S": segment_partition_key(segment.channel)},
            "sk": {"S": segment_sort_key(segment)},
            "location": {"S": segment.location},
            "container": {"S": segment.container},
            "duration_s": {"N": repr(segment.duration_s)},
            "sequence": {"N": str(segment.sequence)},
            "start": {"S": iso_ms(segment.start)},
            "end": {"S": iso_ms(segment_end(segment))},
            "stream_time": {"N": repr(segment.stream_time)},
            "event": {"S": segment.to_json()},
            "expires_at": {"N": self._expires_at()},
        }
        if segment.init_location:
            item["init_location"] = {"S": segment.init_location}
        self._client.put_item(TableName=self.table_name, Item=item)

    def segments_around(self, channel: str, window: ClipWindow) -> list[SegmentEvent]:
        """The channel's segments starting within ``LOOK_AROUND_S`` of the window, in stream order."""
        low = iso_ms(window.start - timedelta(seconds=LOOK_AROUND_S))
        high = iso_ms(window.end + timedelta(seconds=LOOK_AROUND_S)) + "~"  # "~" sorts after "#sequence"
        items = self._query(
            KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
            ExpressionAttributeValues={
                ":pk": {"S": segment_partition_key(channel)},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            ProjectionExpression="event",
        )
        return [_segment_from(item) for item in items]

    def newest_segment_start(self, channel: str) -> datetime | None:
        """When the channel's newest indexed segment starts: the stream's "now" for give-up decisions."""
        reply = self._client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": segment_partition_key(channel)}},
            ProjectionExpression="event",
            ScanIndexForward=False,
            Limit=1,
        )
        items = reply.get("Items", [])
        return _segment_from(items[0]).start if items else None

    def put_pending_goal(self, goal: GoalEvent) -> None:
        """Remember a goal until its segments arrive (expires like the segments it waits for)."""
        self._client.put_item(
            TableName=self.table_name,
            Item={
                "pk": {"S": pending_goal_partition_key(goal.channel)},
                "sk": {"S": pending_goal_sort_key(goal)},
                "goal": {"S": goal.to_json()},
                "created_at": {"N": str(int(self._clock()))},
                "expires_at": {"N": self._expires_at()},
            },
        )

    def pending_goals(self, channel: str) -> tuple[list[PendingGoal], list[UnreadableItem]]:
        """The channel's waiting goals, oldest first, and the waiting-goal items this build cannot read (with why).

        An unreadable item (written by an older build, or damaged) is returned apart rather than raised:
        raised, it would fail every later event of its channel.
        """
        pending: list[PendingGoal] = []
        unreadable: list[UnreadableItem] = []
        for item in self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pending_goal_partition_key(channel)}},
        ):
            try:
                pending.append(PendingGoal(_goal_from(item), float(item["created_at"]["N"])))
            except (InvalidEventError, TypeError, KeyError, ValueError) as error:
                stored = str(item.get("goal", {}).get("S", ""))
                reason = f"a waiting goal of channel {channel} is unreadable and was dropped from the index: {error}"
                unreadable.append(UnreadableItem({"pk": item["pk"], "sk": item["sk"]}, stored, reason))
        return pending, unreadable

    def delete_pending_goal(self, goal: GoalEvent) -> None:
        """Forget a goal once its job is sent or it was given up (deleting a missing item is fine)."""
        self._client.delete_item(
            TableName=self.table_name,
            Key={"pk": {"S": pending_goal_partition_key(goal.channel)}, "sk": {"S": pending_goal_sort_key(goal)}},
        )

    def delete_item(self, key: dict[str, Any]) -> None:
        """Delete one item by its ``pk``/``sk`` key (an unreadable one, after it was dead-lettered)."""
        self._client.delete_item(TableName=self.table_name, Key=key)

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        start_key: dict[str, Any] | None = None
        while True:
            page = self._client.query(
                TableName=self.table_name, **query, **({"ExclusiveStartKey": start_key} if start_key else {})
            )
            yield from page.get("Items", [])
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return


def _segment_from(item: dict[str, Any]) -> SegmentEvent:
    event = parse_event(item["event"]["S"])
    if not isinstance(event, SegmentEvent):
        raise TypeError(f"segment index item holds a {event.type} event, not a segment")
    return event


def _goal_from(item: dict[str, Any]) -> GoalEvent:
    event = parse_event(item["goal"]["S"])
    if not isinstance(event, GoalEvent):
        raise TypeError(f"pending goal item holds a {event.type} event, not a goal")
    return event
