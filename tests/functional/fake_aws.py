"""Fake credentials and one region for tests against moto, whatever the machine's AWS settings are."""

from __future__ import annotations

import pytest

REGION = "us-east-1"
_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_MACHINE_SETTINGS = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
)
"""A profile or endpoint override left in the environment would send boto3 past moto."""


def use_fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set fake credentials and ``REGION`` for this test; drop any profile or endpoint override."""
    for name in _CREDENTIALS:
        monkeypatch.setenv(name, "testing")
    for name in _MACHINE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
