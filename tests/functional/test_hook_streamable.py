"""The Streamable hook's handler against a fake Streamable API on 127.0.0.1, moto S3 and Secrets Manager."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from contracts import HighlightEvent, InvalidEventError
from hooks.shared import HttpUnavailableError
from hooks.streamable import StreamableCredentialsError, StreamableUploadRefusedError
from hooks.streamable import handler as streamable_hook
from tests.functional.hook_fixtures import (
    CLIP_BYTES,
    CLIP_KEY,
    TITLE,
    FakeLambdaContext,
    FakeStreamable,
    create_secret,
    emulated_aws,
    fast_http,
    sns_event,
    stage_highlight,
)

USERNAME, PASSWORD = "bot@example.com", "correct horse"


@dataclass
class World:
    highlight: HighlightEvent
    secret_arn: str
    sleeps: list[float]
    logs: io.StringIO


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Clip in moto S3, credentials in moto Secrets Manager, a non-sleeping HTTP client, logs captured."""
    with emulated_aws(monkeypatch):
        secret_arn = create_secret("highlight-bot/streamable", {"username": USERNAME, "password": PASSWORD})
        monkeypatch.setenv("STREAMABLE_SECRET_ARN", secret_arn)
        sleeps: list[float] = []
        monkeypatch.setattr(streamable_hook, "http_client", fast_http(sleeps))
        logs = io.StringIO()
        log_handler = logging.StreamHandler(logs)
        log_handler.setFormatter(streamable_hook.logger.registered_formatter)
        logging.getLogger("streamable-hook").addHandler(log_handler)
        try:
            yield World(stage_highlight(), secret_arn, sleeps, logs)
        finally:
            logging.getLogger("streamable-hook").removeHandler(log_handler)


def run_hook(world: World, api: FakeStreamable, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    monkeypatch.setenv("STREAMABLE_API_URL", api.url)
    return streamable_hook.handler(sns_event(world.highlight), FakeLambdaContext())


def test_import_from_the_presigned_link_returns_the_streamable_link(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD) as api:
        result = run_hook(world, api, monkeypatch)

    assert result == {"links": ["https://streamable.com/imp0rt"]}
    (imported,) = api.requests_to("/import")
    assert imported.query == {"url": [world.highlight.clip.url], "title": [TITLE]}
    assert imported.basic_auth() == (USERNAME, PASSWORD)
    assert api.requests_to("/upload") == []
    assert [r.path for r in api.requests][-1] == "/videos/imp0rt"
    assert world.sleeps == []
    logs = world.logs.getvalue()
    assert "https://streamable.com/imp0rt" in logs and world.highlight.goal.id in logs and CLIP_KEY in logs
    assert "X-Amz-Signature" not in logs and PASSWORD not in logs  # presigned links are bearer links


def test_a_server_error_is_retried_after_a_backoff(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[503]) as api:
        result = run_hook(world, api, monkeypatch)

    assert result == {"links": ["https://streamable.com/imp0rt"]}
    assert len(api.requests_to("/import")) == 2
    assert world.sleeps == [0.5]


def test_a_refused_import_falls_back_to_uploading_the_clip_from_s3(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400]) as api:
        result = run_hook(world, api, monkeypatch)

    assert result == {"links": ["https://streamable.com/upl0ad"]}
    (uploaded,) = api.requests_to("/upload")
    assert uploaded.basic_auth() == (USERNAME, PASSWORD)
    form = uploaded.form()
    assert form["file"] == ("g-test.mp4", CLIP_BYTES)
    assert form["title"] == (None, TITLE.encode())


def test_an_upload_retried_after_a_server_error_sends_the_whole_clip_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[404], upload_statuses=[502]) as api:
        result = run_hook(world, api, monkeypatch)

    assert result == {"links": ["https://streamable.com/upl0ad"]}
    assert [r.form()["file"][1] for r in api.requests_to("/upload")] == [CLIP_BYTES, CLIP_BYTES]


def test_wrong_credentials_fail_at_once_with_a_sentence_naming_the_secret(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        FakeStreamable(username=USERNAME, password="another password") as api,
        pytest.raises(StreamableCredentialsError) as failure,
    ):
        run_hook(world, api, monkeypatch)

    message = str(failure.value)
    assert f"Streamable rejected the credentials in secret {world.secret_arn}" in message
    assert "aws secretsmanager put-secret-value" in message and PASSWORD not in message
    assert len(api.requests) == 1 and world.sleeps == []


def test_when_streamable_refuses_import_and_upload_the_error_says_where_the_clip_is(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[400], upload_statuses=[410]) as api,
        pytest.raises(StreamableUploadRefusedError, match=f"clip stays at s3://.*/{CLIP_KEY}"),
    ):
        run_hook(world, api, monkeypatch)


def test_a_streamable_outage_gives_up_after_bounded_retries(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        FakeStreamable(username=USERNAME, password=PASSWORD, import_statuses=[500] * 10) as api,
        pytest.raises(HttpUnavailableError, match="Streamable import failed 4 times"),
    ):
        run_hook(world, api, monkeypatch)

    assert len(api.requests_to("/import")) == 4
    assert world.sleeps == [0.5, 1.0, 2.0]


def test_the_video_status_is_polled_a_few_times_until_ready(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD, video_statuses=[1, 1, 2]) as api:
        run_hook(world, api, monkeypatch)

    assert len(api.requests_to("/videos/imp0rt")) == 3
    assert world.sleeps == [2.0, 4.0]


def test_a_malformed_message_fails_before_any_request(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeStreamable(username=USERNAME, password=PASSWORD) as api:
        monkeypatch.setenv("STREAMABLE_API_URL", api.url)
        with pytest.raises(InvalidEventError, match="is not a highlight event"):
            streamable_hook.handler(sns_event('{"type": "highlight", "v": 1}'), FakeLambdaContext())

    assert api.requests == []
