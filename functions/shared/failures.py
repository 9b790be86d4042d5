"""Which errors a retry can fix, and how any error is told in a dead letter.

A Kinesis shard is shared by every channel and processed in order, so a record
that fails for a reason no retry can fix would hold up every record after it,
retry after retry, until Kinesis discards them. The rule here: only trouble
*outside* the function (AWS or the network unavailable, throttled, timing out;
an idempotency record still in progress) is worth a retry. Everything else
(validation, overflow, recursion, a missing key, a bug) is kept as a dead
letter with the record and the reason, at once, and the batch moves on.

Example:
    >>> is_transient(ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "PutItem"))
    True
    >>> is_transient(OverflowError("date value out of range"))
    False
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceConnectionError,
    IdempotencyPersistenceConsistencyError,
    IdempotencyPersistenceLayerError,
)
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from functions.shared.exceptions import ConfigurationError, MediaReadError
from lambda_runtime.aws import aws_client

PERMANENT_AWS_CODES = frozenset(
    {
        "ValidationException",
        "SerializationException",
        "InvalidParameterValue",
        "InvalidParameterValueException",
        "InvalidParameterException",
        "InvalidMessageContents",
    }
)
"""AWS refusing the request's content: sending the same content again is refused again."""

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionError, TimeoutError and friends
    MediaReadError,
    ConfigurationError,  # an operator fixes the environment; the retry then succeeds
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceConnectionError,
    IdempotencyPersistenceConsistencyError,
    IdempotencyPersistenceLayerError,
)

MAX_REASON_CHARS = 2000


def is_transient(error: BaseException) -> bool:
    """True when retrying the same record later may succeed (see the module's rule)."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "") not in PERMANENT_AWS_CODES
    if isinstance(error, BotoCoreError):
        return not isinstance(error, ParamValidationError)
    return isinstance(error, _TRANSIENT_TYPES)


def reason_of(error: BaseException) -> str:
    """``TypeName: message``, cut to ``MAX_REASON_CHARS`` so a letter always fits in a queue message."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text if len(text) <= MAX_REASON_CHARS else text[:MAX_REASON_CHARS] + "…"


MAX_DEAD_LETTER_BODY_CHARS = 200_000
"""A letter must fit in one SQS message (256 KiB) with its reason."""


def dead_letter_message(queue_url: str, *, kind: str, message_id: str, body: str, reason: str) -> None:
    """Park an SQS message no retry can fix, at once: the message as received, the reason and its ``kind``.

    Example:
        >>> dead_letter_message(url, kind="clip_job_refused", message_id=record.message_id, body=record.body,
        ...                     reason=reason_of(error))
    """
    letter = {
        "kind": kind,
        "reason": reason,
        "message": {"messageId": message_id, "body": body[:MAX_DEAD_LETTER_BODY_CHARS]},
        "received_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    aws_client("sqs").send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(letter),
        MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}},
    )
