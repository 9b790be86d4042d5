"""Powertools idempotency with a DynamoDB store made when first needed, one store per guarded function.

Powertools binds the persistence layer when a function is decorated, but the
table name comes from the environment at call time; so the decorated function
is built on first use and kept per table. Each guarded function gets its own
persistence layer because Powertools configures a layer only once (its key
expression and expiry would otherwise leak from one function to another).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from lambda_runtime.aws import aws_client

_GUARDED: dict[tuple[Callable[..., Any], str, str, int, int], tuple[Callable[..., Any], IdempotencyConfig]] = {}


def once_per_id(
    function: Callable[..., Any],
    *,
    data_keyword_argument: str,
    table_name: str,
    ttl_hours: int,
    lambda_context: Any = None,
) -> Callable[..., Any]:
    """``function`` guarded so that a payload with the same ``id`` runs it once; a repeat returns the first result.

    The payload (the keyword argument named ``data_keyword_argument``) is a
    contract model or dict with an ``id``; the result must be JSON-serialisable,
    since it is stored and replayed.

    Example:
        >>> send = once_per_id(send_clip_job, data_keyword_argument="job", table_name="idem", ttl_hours=48)
        >>> send(job=job)   # a second call with the same job id does not send again
    """
    client = aws_client("dynamodb")  # one per region and endpoint: a new emulator gets a new store
    key = (function, data_keyword_argument, table_name, ttl_hours, id(client))
    if key not in _GUARDED:
        config = IdempotencyConfig(
            event_key_jmespath="id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=ttl_hours * 3600,
        )
        store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)
        guarded = idempotent_function(
            function, data_keyword_argument=data_keyword_argument, persistence_store=store, config=config
        )
        _GUARDED[key] = (guarded, config)
    guarded, config = _GUARDED[key]
    if lambda_context is not None:
        # Lets Powertools expire an in-progress record when this invocation times out.
        config.register_lambda_context(lambda_context)
    return guarded


def forget_idempotent_functions() -> None:
    """Drop the guarded functions (tests call this with the AWS clients, between emulators)."""
    _GUARDED.clear()
