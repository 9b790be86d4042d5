"""One SNS message per highlight (or reel), even when the clip function crashes and its job is delivered again.

Powertools idempotency alone guards the *whole* job: a crash (or an
idempotency-store error) after ``sns.publish`` and before the job is marked
done made the retry publish the highlight twice. So the steps that matter are
recorded in one DynamoDB item per publication (the idempotency table, id
``publication#{event_id}``), each write conditional:

1. **reserve**: the first attempt stores a random token (the unguessable part of
   the S3 keys); every retry gets the same token, so keys are deterministic per
   goal without being derivable from the goal.
2. cut and upload (overwriting the same keys on a retry).
3. **record**: the event's JSON is stored once; every retry publishes those
   exact bytes (a presigned link or an expiry time made later would differ).
4. **publish** the recorded message.
5. **mark published** with SNS's message id. A retry that finds this does
   nothing. Once the message is out nothing after it may fail the job (a retry
   would publish again), so a failure to mark is logged, not raised.

What remains: a hard kill (timeout, out of memory) in the instant between
SNS's reply and the mark. The retry then publishes the same bytes again; the
hooks de-duplicate on the event id, so nobody sees it twice.

Example:
    >>> ledger = PublicationLedger(dynamodb, "highlight-bot-idempotency", ttl_hours=48)
    >>> publication = ledger.reserve("highlight-g-…")
    >>> publication.token
    '3f9c…'
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

PublicationState = Literal["reserved", "recorded", "published"]


@dataclass(frozen=True)
class Publication:
    """Where one event's publication stands."""

    event_id: str
    token: str
    """Random, fixed at the first attempt: the unguessable part of the event's S3 keys."""
    message: str | None = None
    """The event's JSON, once recorded: what is (re)published, byte for byte."""
    message_id: str | None = None
    """SNS's id of the message, once published."""

    @property
    def state(self) -> PublicationState:
        if self.message_id:
            return "published"
        return "recorded" if self.message is not None else "reserved"


class PublicationLedger:
    """Conditional writes on ``publication#{event_id}`` items of the idempotency table (``id``, TTL ``expiration``)."""

    def __init__(self, client: Any, table_name: str, *, ttl_hours: int, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self.table_name = table_name
        self.ttl_hours = ttl_hours
        self._clock = clock
        self.published_here: set[str] = set()
        """Event ids this ledger object sent to SNS. Why: with the table down after a publish, neither the
        mark nor the job's idempotency record is written; the handler, which makes one ledger per
        invocation, asks this instead of retrying a job whose message is already out."""

    def reserve(self, event_id: str) -> Publication:
        """The event's publication; created with a new random token when there is none."""
        try:
            self._client.put_item(
                TableName=self.table_name,
                Item={
                    "id": {"S": _item_id(event_id)},
                    "token": {"S": uuid.uuid4().hex},
                    "expiration": {"N": str(int(self._clock() + self.ttl_hours * 3600))},
                },
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        return self.get(event_id) or _missing(event_id)

    def get(self, event_id: str) -> Publication | None:
        """The event's publication, or None when it was never reserved (or has expired)."""
        item = self._client.get_item(
            TableName=self.table_name, Key={"id": {"S": _item_id(event_id)}}, ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        return Publication(
            event_id=event_id,
            token=item["token"]["S"],
            message=item["message"]["S"] if "message" in item else None,
            message_id=item["message_id"]["S"] if "message_id" in item else None,
        )

    def record(self, event_id: str, message: str) -> Publication:
        """Store the message unless one is stored already; returns the publication with the stored one."""
        try:
            self._client.update_item(
                TableName=self.table_name,
                Key={"id": {"S": _item_id(event_id)}},
                UpdateExpression="SET message = :message",
                ConditionExpression="attribute_exists(id) AND attribute_not_exists(message)",
                ExpressionAttributeValues={":message": {"S": message}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        return self.get(event_id) or _missing(event_id)

    def mark_published(self, event_id: str, message_id: str) -> None:
        """Remember that the recorded message went out (SNS's message id)."""
        self._client.update_item(
            TableName=self.table_name,
            Key={"id": {"S": _item_id(event_id)}},
            UpdateExpression="SET message_id = :message_id",
            ExpressionAttributeValues={":message_id": {"S": message_id}},
        )


def _item_id(event_id: str) -> str:
    return f"publication#{event_id}"


def _missing(event_id: str) -> Publication:
    raise LookupError(f"the publication of {event_id} vanished right after it was written; retry the job")
