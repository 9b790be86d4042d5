"""SSM parameters read through Powertools Parameters, with the runtime's client (endpoint and retries).

Each call fetches afresh: the channel parameter is what an operator edits to switch channels, and the
reconciler and enrich's sweep each read it once per invocation, so a cache would only delay a switch.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parameters import SSMProvider

from lambda_runtime.aws import aws_client


def parameter_value(name: str, *, ssm_client: Any | None = None) -> str:
    """The current value of the SSM parameter ``name``.

    Raises Powertools' ``GetParameterError`` (its message holds boto3's) when it cannot be read.
    ``ssm_client`` replaces the runtime's client (a caller that was handed one).

    Example:
        >>> parameter_value("/highlight-bot/channel")
        'fifa_pro,sample=https://example.com/live.m3u8'
    """
    provider = SSMProvider(boto3_client=ssm_client or aws_client("ssm"))
    return str(provider.get(name, force_fetch=True))
