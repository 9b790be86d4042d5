"""Which chat message announced each goal, so the highlight can update it instead of posting a second one.

Kept in the table hooks already use for idempotency (``IDEMPOTENCY_TABLE``, key
``id``), under ``webhook-message#{goal id}``, expiring with Powertools' own
``expiration`` attribute after ``REMEMBER_S``. An item says which message the
goal has and what it shows:

* ``alert``: the goal alert was posted as ``message_id``; the highlight PATCHes it.
* ``clip``: the highlight was posted (no alert was there first); an alert that
  arrives after it is not posted at all, so nobody sees "GOAL" after the clip.

Example:
    >>> posted = PostedMessages.from_environment()
    >>> posted.remember_alert(goal_id, "1186…")        # False: the clip was posted first
    >>> posted.message_of(goal_id)                     # PostedMessage(message_id='1186…', shows='alert')
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from hooks.shared import HookConfigError, aws_client
from hooks.shared.once import REMEMBER_S, TABLE_ENV

KEY_PREFIX = "webhook-message#"
Shows = Literal["alert", "clip"]


@dataclass(frozen=True)
class PostedMessage:
    """The chat message of one goal: its id (None when the service gives none, e.g. Slack) and what it shows."""

    message_id: str | None
    shows: Shows


class PostedMessages:
    """Reads and writes the ``webhook-message#{goal id}`` items."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self._dynamodb = dynamodb
        self.table = table

    @classmethod
    def from_environment(cls) -> PostedMessages:
        table = os.environ.get(TABLE_ENV, "").strip()
        if not table:
            raise HookConfigError(
                f"Environment variable {TABLE_ENV} is not set; it should name the DynamoDB table where the webhook "
                "hook remembers which message announced each goal (the stack's idempotency table)."
            )
        return cls(aws_client("dynamodb"), table)

    def message_of(self, goal_id: str) -> PostedMessage | None:
        item = self._dynamodb.get_item(TableName=self.table, Key=_key(goal_id), ConsistentRead=True).get("Item")
        if not item:
            return None
        message_id = item.get("message_id", {}).get("S")
        shows: Shows = "clip" if item.get("shows", {}).get("S") == "clip" else "alert"
        return PostedMessage(message_id or None, shows)

    def remember_alert(self, goal_id: str, message_id: str | None) -> bool:
        """Record the goal's alert message; False when the goal's clip was recorded first (the alert is stale)."""
        try:
            self._dynamodb.put_item(
                TableName=self.table,
                Item=_item(goal_id, message_id, "alert"),
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def remember_clip(self, goal_id: str, message_id: str | None) -> None:
        """Record that the goal's message now shows its clip (posted new, or the alert updated)."""
        self._dynamodb.put_item(TableName=self.table, Item=_item(goal_id, message_id, "clip"))


def _key(goal_id: str) -> dict[str, dict[str, str]]:
    return {"id": {"S": f"{KEY_PREFIX}{goal_id}"}}


def _item(goal_id: str, message_id: str | None, shows: Shows) -> dict[str, dict[str, str]]:
    item: dict[str, dict[str, str]] = {
        **_key(goal_id),
        "shows": {"S": shows},
        "expiration": {"N": str(int(time.time()) + REMEMBER_S)},
    }
    if message_id:
        item["message_id"] = {"S": message_id}
    return item
