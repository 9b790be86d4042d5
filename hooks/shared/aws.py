"""boto3 clients made once per container, on first use.

Lazily, so importing a handler needs no credentials or region, and tests can
create them inside moto's `mock_aws`. boto3 reads AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE> itself, which points the hooks at moto or LocalStack.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3


class _ClientCache:
    """One client per service, region and endpoint: a process that moves to a new emulator gets new ones."""

    def __call__(self, service: str) -> Any:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
        endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL") or ""
        return _client(service, region, endpoint)

    def cache_clear(self) -> None:
        _client.cache_clear()


@cache
def _client(service: str, region: str, endpoint: str) -> Any:
    return boto3.client(service)


aws_client = _ClientCache()
"""The container's boto3 client for `service` ("s3", "secretsmanager"); `aws_client.cache_clear()` resets."""
