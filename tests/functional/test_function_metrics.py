"""What enrich and clip tell CloudWatch: their EMF metrics (stdout) and the goal id on their log lines.

The dashboard and alarms (infra/constructs/monitoring.py) are built against
`lambda_runtime.metric_names`; these tests run the handlers against moto, capture the EMF JSON
Powertools prints, and check that the names and dimensions match what the dashboard searches for.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.clip import handler as clip
from functions.enrich import handler as enrich
from lambda_runtime.metric_names import CHANNEL_DIMENSION, NAMESPACE, SERVICE_DIMENSION, ClipMetric, EnrichMetric
from tests.functional.functions_fixtures import (
    CHANNEL,
    HIGHLIGHTS_BUCKET,
    REGION,
    SEGMENTS_BUCKET,
    START,
    EnrichWorld,
    FakeLambdaContext,
    a_goal,
    a_segment,
    drain_queue,
    emulated_aws,
    render_ts_segments,
    sqs_event,
)

SEGMENT_COUNT = 15
GOAL = a_goal(START + timedelta(seconds=21.3))


@pytest.fixture(scope="module")
def segment_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return render_ts_segments(tmp_path_factory.mktemp("segments"), count=SEGMENT_COUNT)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, segment_files: list[Path]) -> Iterator[EnrichWorld]:
    """enrich's and clip's resources in moto, the segments in S3, metrics on (emulated_aws turns them off)."""
    with emulated_aws(monkeypatch):
        world = EnrichWorld.create(monkeypatch)
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (SEGMENTS_BUCKET, HIGHLIGHTS_BUCKET):
            s3.create_bucket(Bucket=bucket)
        for sequence, path in enumerate(segment_files):
            s3.upload_file(str(path), SEGMENTS_BUCKET, a_segment(sequence).location.split("/", 3)[3])
        topic_arn = boto3.client("sns", region_name=REGION).create_topic(Name="highlights")["TopicArn"]
        for name, value in {
            "HIGHLIGHTS_BUCKET": HIGHLIGHTS_BUCKET,
            "HIGHLIGHT_TOPIC_ARN": topic_arn,
            "FFMPEG_PATH": shutil.which("ffmpeg") or "ffmpeg",
            "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
            "POWERTOOLS_METRICS_DISABLED": "false",
        }.items():
            monkeypatch.setenv(name, value)
        yield world


def emitted(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The EMF documents Powertools printed since the last call."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]


@contextmanager
def log_records(logger: Logger) -> Iterator[list[dict[str, Any]]]:
    """The JSON log records `logger` (and its children) write meanwhile.

    Its handler holds the stdout of the moment it was made, which capsys does not see; point it at a buffer.
    """
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    records: list[dict[str, Any]] = []
    try:
        yield records
    finally:
        handler.setStream(previous)
        records.extend(json.loads(line) for line in buffer.getvalue().splitlines())


def dimension_sets(emf: dict[str, Any]) -> list[list[str]]:
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    return [sorted(dimensions) for dimensions in directive["Dimensions"]]


def metric_names(emf: dict[str, Any]) -> set[str]:
    return {metric["Name"] for metric in emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def value(emf: dict[str, Any], name: str) -> float:
    """A metric's value in an EMF document (Powertools writes a list when a metric was added several times)."""
    raw = emf[name]
    return float(sum(raw)) if isinstance(raw, list) else float(raw)


def run_enrich(world: EnrichWorld, *payloads: Any) -> None:
    assert enrich.handler(world.stream.event_for(*payloads), FakeLambdaContext())["batchItemFailures"] == []


def clip_job_message(world: EnrichWorld) -> dict[str, Any]:
    run_enrich(world, *(a_segment(n) for n in range(SEGMENT_COUNT)), GOAL)
    (message,) = drain_queue(world.clip_queue_url)
    return message


def test_enrich_counts_with_the_names_the_dashboard_uses(
    world: EnrichWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # In Lambda, POWERTOOLS_SERVICE_NAME is set before the handler module creates its Metrics; here it was not.
    monkeypatch.setattr(enrich.metrics.provider, "service", "enrich")
    capsys.readouterr()
    run_enrich(world, *(a_segment(n) for n in range(SEGMENT_COUNT)), GOAL, b"{")
    (emf,) = emitted(capsys)
    assert dimension_sets(emf) == [[SERVICE_DIMENSION]] and emf[SERVICE_DIMENSION] == "enrich"
    not_in_this_batch = {  # no match ended, and the goal's footage is whole
        EnrichMetric.GOALS_GIVEN_UP.value,
        EnrichMetric.REEL_JOBS_SENT.value,
        EnrichMetric.PARTIAL_CLIP_JOBS_SENT.value,
        EnrichMetric.GOAL_ALERTS_FAILED.value,
    }
    assert metric_names(emf) == {metric.value for metric in EnrichMetric} - not_in_this_batch
    assert value(emf, EnrichMetric.GOALS_RECEIVED) == 1 and value(emf, EnrichMetric.CLIP_JOBS_SENT) == 1


def test_enrich_logs_carry_the_goal_id_only_while_handling_that_goal(world: EnrichWorld) -> None:
    run_enrich(world, *(a_segment(n) for n in range(SEGMENT_COUNT)))
    with log_records(enrich.logger) as logs:
        run_enrich(world, GOAL, b"{")
    (sent,) = [log for log in logs if log["message"] == "clip job sent"]
    assert (sent["goal_id"], sent["channel"]) == (GOAL.id, CHANNEL)
    (rejected,) = [log for log in logs if log["message"] == "dead-lettered an invalid record"]
    assert "goal_id" not in rejected and "channel" not in rejected


def test_clip_counts_each_clip_and_its_latency_per_channel(
    world: EnrichWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "clip")
    message = clip_job_message(world)
    capsys.readouterr()
    before = datetime.now(UTC)
    with log_records(clip.logger) as logs:
        assert clip.handler(sqs_event(message), FakeLambdaContext("highlight-bot-clip"))["batchItemFailures"] == []
    after = datetime.now(UTC)

    (emf,) = emitted(capsys)
    assert dimension_sets(emf) == [sorted([CHANNEL_DIMENSION, SERVICE_DIMENSION])]
    assert (emf[CHANNEL_DIMENSION], emf[SERVICE_DIMENSION]) == (CHANNEL, "clip")
    assert metric_names(emf) == {ClipMetric.CLIPS_MADE.value, ClipMetric.CLIP_LATENCY_SECONDS.value}
    assert value(emf, ClipMetric.CLIPS_MADE) == 1
    latency_s = value(emf, ClipMetric.CLIP_LATENCY_SECONDS)
    assert (before - GOAL.at).total_seconds() <= latency_s <= (after - GOAL.at).total_seconds()
    (published,) = [log for log in logs if log["message"] == "highlight published"]
    assert (published["goal_id"], published["channel"]) == (GOAL.id, CHANNEL)

    # A redelivered job is answered from the idempotency record: no second clip is counted.
    clip.handler(sqs_event(message), FakeLambdaContext("highlight-bot-clip"))
    assert emitted(capsys) == []


def test_clip_counts_a_failure(world: EnrichWorld, capsys: pytest.CaptureFixture[str]) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    sqs.send_message(QueueUrl=world.clip_queue_url, MessageBody=GOAL.to_json())
    (message,) = drain_queue(world.clip_queue_url)
    capsys.readouterr()
    with pytest.raises(BatchProcessingError):
        clip.handler(sqs_event(message), FakeLambdaContext("highlight-bot-clip"))
    (emf,) = emitted(capsys)
    assert metric_names(emf) == {ClipMetric.CLIP_FAILURES.value} and value(emf, ClipMetric.CLIP_FAILURES) == 1
    assert CHANNEL_DIMENSION not in emf
