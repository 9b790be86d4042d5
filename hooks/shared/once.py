"""One delivery per highlight per hook: SNS may deliver a message twice, and clip may publish it twice.

SNS to Lambda is at-least-once, and the clip function republishes the same
bytes if it is killed between publishing and recording that it did (see
``functions/clip/ledger.py``). So each hook runs its delivery through
Powertools idempotency keyed on the highlight's id: a conditional write in the
idempotency table (``IDEMPOTENCY_TABLE``, the one the pipeline functions use;
keys are prefixed with the hook's function name). A second delivery returns the
first one's result and posts nothing; a delivery that failed left no record, so
Lambda's retry tries again.

Example:
    >>> post_once = once_per_highlight(post, context)
    >>> post_once(url, highlight=highlight)     # a second call with the same highlight id posts nothing
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from hooks.shared.exceptions import HookConfigError
from lambda_runtime.aws import aws_client

TABLE_ENV = "IDEMPOTENCY_TABLE"
REMEMBER_S = 48 * 3600
"""How long a delivered highlight is remembered: longer than SNS's and Lambda's retries."""

_GUARDED: dict[tuple[Callable[..., Any], str, int, str], tuple[Callable[..., Any], IdempotencyConfig]] = {}


def once_per_highlight(
    deliver: Callable[..., Any], lambda_context: Any = None, *, keyword: str = "highlight"
) -> Callable[..., Any]:
    """``deliver`` guarded so that it runs once per ``keyword`` argument's ``id`` (an event: a highlight, an
    alert); it must return JSON."""
    table = os.environ.get(TABLE_ENV, "").strip()
    if not table:
        raise HookConfigError(
            f"Environment variable {TABLE_ENV} is not set; it should name the DynamoDB table hooks use to post "
            "each highlight once (the stack's idempotency table; cdk deploy sets it)."
        )
    client = aws_client("dynamodb")
    key = (deliver, table, id(client), keyword)
    if key not in _GUARDED:
        config = IdempotencyConfig(
            event_key_jmespath="id", raise_on_no_idempotency_key=True, expires_after_seconds=REMEMBER_S
        )
        store = DynamoDBPersistenceLayer(table_name=table, boto3_client=client)
        guarded = idempotent_function(deliver, data_keyword_argument=keyword, persistence_store=store, config=config)
        _GUARDED[key] = (guarded, config)
    guarded, config = _GUARDED[key]
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)  # an in-progress record expires with this invocation
    return guarded


def forget_guarded_deliveries() -> None:
    """Drop the guarded functions (tests, between emulators)."""
    _GUARDED.clear()
