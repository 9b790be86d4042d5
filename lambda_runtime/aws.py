"""boto3 clients made on first use, so the environment is read when the function runs, not at import.

One module for every Lambda (pipeline functions and hooks alike), so they retry AWS calls the same way.

boto3 itself honours ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``),
which is how the local pipeline points the functions at its emulator; the cache
is keyed by region and endpoint so a process that changes them gets new clients.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

_CLIENTS: dict[tuple[str, str, str], Any] = {}

# Standard retry mode retries throttling with backoff inside one invocation;
# what is still failing after that raises, and the event source retries the record.
_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 4}, connect_timeout=5, read_timeout=30)
# Presigned links must be SigV4 (the only signature every region accepts, and the one with a 7-day limit).
_SERVICE_CONFIG = {"s3": _CONFIG.merge(Config(signature_version="s3v4"))}


def aws_client(service: str) -> Any:
    """A client for ``service`` in the current region and endpoint, shared by later calls.

    Example:
        >>> aws_client("sqs").send_message(QueueUrl=url, MessageBody="{}")
    """
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL") or ""
    key = (service, region, endpoint)
    if key not in _CLIENTS:
        config = _SERVICE_CONFIG.get(service, _CONFIG)
        _CLIENTS[key] = boto3.session.Session().client(service, region_name=region, config=config)
    return _CLIENTS[key]


def forget_aws_clients() -> None:
    """Drop every cached client (tests that swap credentials or emulators call this)."""
    _CLIENTS.clear()
