"""boto3 clients made once per container, on first use.

Lazily, so importing a handler needs no credentials or region, and tests can
create them inside moto's `mock_aws`. boto3 reads AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE> itself, which points the hooks at moto or LocalStack.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


@cache
def aws_client(service: str) -> Any:
    """The container's boto3 client for `service` ("s3", "secretsmanager"); `aws_client.cache_clear()` resets."""
    return boto3.client(service)
