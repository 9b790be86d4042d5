"""Reading hook secrets from moto Secrets Manager: cached per container, errors that say what to fix."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from hooks.shared import HookConfigError, get_secret_json
from hooks.streamable import StreamableCredentials
from tests.functional.hook_fixtures import REGION, create_secret, emulated_aws


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with emulated_aws(monkeypatch):
        yield


def test_a_secret_is_read_once_per_container(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = create_secret("highlight-bot/webhook", {"url": "https://discord.com/api/webhooks/1/t"})
    monkeypatch.setenv("WEBHOOK_SECRET_ARN", arn)
    assert get_secret_json("WEBHOOK_SECRET_ARN") == {"url": "https://discord.com/api/webhooks/1/t"}

    boto3.client("secretsmanager", region_name=REGION).put_secret_value(SecretId=arn, SecretString="{}")
    assert get_secret_json("WEBHOOK_SECRET_ARN") == {"url": "https://discord.com/api/webhooks/1/t"}


def test_streamable_credentials_remember_their_secret_and_hide_the_password(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = create_secret("highlight-bot/streamable", {"username": "bot", "password": "hunter2"})
    monkeypatch.setenv("STREAMABLE_SECRET_ARN", arn)
    credentials = StreamableCredentials.from_secret()
    assert credentials.secret_id == arn and credentials.basic_auth() == ("bot", "hunter2")
    assert "hunter2" not in repr(credentials) and "hunter2" not in str(credentials)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("not json at all {", "is not valid JSON"),
        ('["a", "list"]', "holds JSON list, not an object"),
    ],
)
def test_a_secret_that_is_not_a_json_object_is_a_sentence(
    aws: None, monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET_ARN", create_secret("highlight-bot/webhook", value))
    with pytest.raises(HookConfigError, match=expected) as failure:
        get_secret_json("WEBHOOK_SECRET_ARN")
    assert "not json at all" not in str(failure.value)


def test_a_missing_secret_names_the_secret_and_the_permission(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET_ARN", "highlight-bot/nowhere")
    with pytest.raises(HookConfigError, match=r"Could not read secret highlight-bot/nowhere .*GetSecretValue"):
        get_secret_json("WEBHOOK_SECRET_ARN")


def test_a_missing_environment_variable_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBHOOK_SECRET_ARN", raising=False)
    with pytest.raises(HookConfigError, match="Environment variable WEBHOOK_SECRET_ARN is not set"):
        get_secret_json("WEBHOOK_SECRET_ARN")
