"""The local run's vertical cuts, against its own emulated AWS (moto on loopback): side by side, as Lambda's would be.

The stack lets the vertical queue's event source mapping run ``MAX_CONCURRENCY`` invocations at once; the
local run polls the queue with as many workers, so two highlights close together are cut at the same time.
The handler here stands in for ffmpeg: each call waits until the other is running too, which only happens
when the two jobs are taken side by side (one worker would take the second only after the first returned).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from contracts.settings import DEFAULT_SETTINGS
from functions.vertical.renderer import FFMPEG_TIMEOUT_S
from functions.vertical.settings import MAX_CONCURRENCY, VerticalSettings
from local_pipeline.emulator import EmulatedAws, LocalResources
from local_pipeline.pipeline import cut_in_foreground, vertical_workers

NOT_HUNG_S = 120.0
"""Only a hang waits this long: the jobs are handed out in milliseconds, on any machine."""


@pytest.fixture
def emulated() -> Iterator[tuple[EmulatedAws, LocalResources]]:
    with EmulatedAws() as aws:
        yield aws, aws.create_resources(DEFAULT_SETTINGS, channel_value="local=http://127.0.0.1:9/live.m3u8")


def test_two_highlights_are_cut_side_by_side(emulated: tuple[EmulatedAws, LocalResources]) -> None:
    assert MAX_CONCURRENCY >= 2  # else the one job below would pass the barrier alone
    aws, resources = emulated
    sqs = aws.client("sqs")
    both_running = threading.Barrier(MAX_CONCURRENCY, timeout=NOT_HUNG_S)
    handled: list[str] = []
    all_handled = threading.Event()

    def cut(event: dict[str, Any], context: Any) -> dict[str, Any]:
        both_running.wait()  # raises BrokenBarrierError, a failed call, unless the other job is being cut too
        handled.extend(json.loads(record["body"])["id"] for record in event["Records"])
        if len(handled) == MAX_CONCURRENCY:
            all_handled.set()
        return {"batchItemFailures": []}

    for number in range(MAX_CONCURRENCY):
        sqs.send_message(QueueUrl=resources.vertical_queue_url, MessageBody=json.dumps({"id": f"highlight-{number}"}))
    workers = vertical_workers(cut, sqs, resources.vertical_queue_url)
    for worker in workers:
        worker.start()
    try:
        assert all_handled.wait(NOT_HUNG_S), f"handled {handled}; failures: {[w.stats.failures for w in workers]}"
    finally:
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join(NOT_HUNG_S)
    assert sorted(handled) == [f"highlight-{number}" for number in range(MAX_CONCURRENCY)]
    assert [failure for worker in workers for failure in worker.stats.failures] == []


def test_a_job_being_cut_stays_with_its_worker(emulated: tuple[EmulatedAws, LocalResources]) -> None:
    """The queue's visibility timeout outlasts ffmpeg's own limit, so a slow cut is never handed to the other worker."""
    aws, resources = emulated
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=resources.vertical_queue_url, AttributeNames=["VisibilityTimeout"]
    )["Attributes"]
    assert int(attributes["VisibilityTimeout"]) > 2 * FFMPEG_TIMEOUT_S  # the render and the thumbnail


def test_cuts_after_the_source_ended_run_in_the_foreground(emulated: tuple[EmulatedAws, LocalResources]) -> None:
    aws, resources = emulated
    assert VerticalSettings.from_env().background is True  # the capture shares the machine
    cut_in_foreground(aws, resources, DEFAULT_SETTINGS)
    settings = VerticalSettings.from_env()
    assert settings.background is False
    assert settings.model_dump() == resources.vertical_settings(DEFAULT_SETTINGS, background=False).model_dump()
