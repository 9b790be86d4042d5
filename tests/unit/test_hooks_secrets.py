"""The shapes of the hooks' secrets: what is accepted, and errors that never repeat a secret value."""

from __future__ import annotations

from typing import Any

import pytest

from hooks.shared import HookConfigError, parse_secret
from hooks.streamable import StreamableCredentials
from hooks.webhook import WebhookTarget

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:highlight-bot/x-AbCdEf"


def test_streamable_credentials_parse_and_keep_the_password_out_of_repr() -> None:
    credentials = parse_secret(StreamableCredentials, {"username": "bot", "password": "hunter2"}, secret_id=ARN)
    assert credentials.basic_auth() == ("bot", "hunter2")
    assert "hunter2" not in repr(credentials)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"username": "bot"}, "password: Field required"),
        ({"user": "bot", "pass": "hunter2"}, "username: Field required; password: Field required"),
        ({"username": "", "password": "hunter2"}, "username: String should have at least 1 character"),
        ({"username": "bot", "password": 424242}, "password: Input should be a valid string"),
    ],
)
def test_a_wrong_streamable_secret_names_the_fields_and_the_fix(value: dict[str, Any], expected: str) -> None:
    with pytest.raises(HookConfigError) as failure:
        parse_secret(StreamableCredentials, value, secret_id=ARN)
    message = str(failure.value)
    assert expected in message
    assert f"Secret {ARN} does not have the expected shape" in message
    assert "the fields username, password" in message and "put-secret-value" in message
    assert "hunter2" not in message and "424242" not in message


def test_a_webhook_secret_has_a_url_and_an_optional_format() -> None:
    target = parse_secret(
        WebhookTarget, {"url": "https://hooks.slack.com/services/T/B/x", "format": "slack"}, secret_id=ARN
    )
    assert target.url.get_secret_value() == "https://hooks.slack.com/services/T/B/x" and target.format == "slack"
    assert parse_secret(WebhookTarget, {"url": "https://discord.com/api/webhooks/1/t"}, secret_id=ARN).format is None
    assert "webhooks/1/t" not in repr(target)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"url": "discord.com/api/webhooks/1/t0ken"}, "url: Value error, must be a URL with a host"),
        ({"url": "http://discord.com/api/webhooks/1/t0ken"}, "url: Value error, must be an https:// URL"),
        ({"url": "http://127.0.0.1:8080/api/webhooks/1/t0ken"}, "url: Value error, must be an https:// URL"),
        ({"url": "https://discord.com:99999/api/webhooks/1/t0ken"}, "must be a well-formed URL"),
        ({"url": "https://[discord.com/api/webhooks/1/t0ken"}, "must be a well-formed URL"),
        ({"url": "https://discord.com/api/webhooks/1/t0ken\n"}, "without spaces or control characters"),
        ({"url": "https://discord.com/api/webhooks/1/t0 ken"}, "without spaces or control characters"),
        ({"url": "https://discord.com/api/webhooks/1/t0ken", "format": "teams"}, "format: Input should be"),
        ({"webhook": "https://discord.com/api/webhooks/1/t0ken"}, "url: Field required"),
    ],
)
def test_a_wrong_webhook_secret_names_the_field_without_the_url(value: dict[str, Any], expected: str) -> None:
    with pytest.raises(HookConfigError) as failure:
        parse_secret(WebhookTarget, value, secret_id=ARN)
    assert expected in str(failure.value)
    assert "t0ken" not in str(failure.value)


def test_plain_http_is_allowed_only_to_loopback_and_only_with_the_local_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOOKS_ALLOW_LOOPBACK_HTTP", "1")
    for url in ("http://127.0.0.1:8080/api/webhooks/1/t", "http://[::1]:8080/w", "http://localhost/w"):
        assert parse_secret(WebhookTarget, {"url": url}, secret_id=ARN).url.get_secret_value() == url
    for url in ("http://10.0.0.1/w", "http://169.254.170.2/v2/metadata", "http://discord.com/w"):
        with pytest.raises(HookConfigError, match="must be an https:// URL"):
            parse_secret(WebhookTarget, {"url": url}, secret_id=ARN)
