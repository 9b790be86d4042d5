"""The container's command, `python -m capture_task run`, as Fargate starts it: env in, SIGTERM out.

No Docker here, so the image itself is checked by reading the Dockerfile
(test_dockerfile.py); this runs the very command its ENTRYPOINT/CMD name, in
a subprocess, against moto in server mode on loopback and a live sample stream served at real
time with Twitch's window, beside a busy neighbour process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from contracts.settings import DEFAULT_SETTINGS
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import (
    HUNG_AFTER_S,
    NOT_HUNG,
    REPO_ROOT,
    busy_neighbour,
    rendered,
    served_like_twitch,
)

pytestmark = [pytest.mark.slow, NOT_HUNG]


def test_run_follows_the_parameter_and_stops_cleanly_on_sigterm(broadcast_cache: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        # moto's backends are shared by everything in this process (other tests too): start empty.
        requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_DEFAULT_REGION": "us-east-1",
            # The variables the stack sets, from the builder the stack uses (deployed with
            # -c allow_private_stream_urls=true, since the stream is served on 127.0.0.1).
            **replace(DEFAULT_SETTINGS, allow_private_stream_urls=True).capture_environment(
                channel_parameter="/highlight-bot/channel", kinesis_stream="events", segments_bucket="segments"
            ),
            "CHANNEL_POLL_INTERVAL_S": "1",
        }
        clients = {name: boto3.client(name, endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                                      aws_access_key_id="x", aws_secret_access_key="x")
                   for name in ("kinesis", "s3", "ssm")}  # fmt: skip
        clients["kinesis"].create_stream(StreamName="events", ShardCount=1)
        clients["s3"].create_bucket(Bucket="segments")
        with busy_neighbour(), served_like_twitch(info.directory) as stream:
            clients["ssm"].put_parameter(
                Name="/highlight-bot/channel", Value=f"sample={stream.playlist_url}", Type="String"
            )
            process = subprocess.Popen(
                [sys.executable, "-m", "capture_task", "run"], cwd=REPO_ROOT, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            # Until the first goal is on the stream, or the service died; the bound only stops a hung test.
            give_up_at = time.monotonic() + HUNG_AFTER_S
            while not _goals(clients["kinesis"]) and process.poll() is None and time.monotonic() < give_up_at:
                time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=HUNG_AFTER_S)
        assert process.returncode == 0, stderr[-2000:]
        goals = _goals(clients["kinesis"])
        assert goals and goals[0]["channel"] == "sample"
        assert goals[0]["score"] == info.truth()["goals"][0]["score"]
        # Only the segments around the goal were stored (KEEP_SEGMENTS=around_goals), each one announced.
        keys = {o["Key"] for o in clients["s3"].list_objects_v2(Bucket="segments").get("Contents", [])}
        stored = {key for key in keys if key.startswith("segments/")}
        announced = _events(clients["kinesis"], "segment")
        assert stored and {e["location"].removeprefix("s3://segments/") for e in announced} == stored
        # The match state a restarted task resumes from, beside the segments.
        assert keys - stored == {"checkpoints/sample.json"}
        goal_times = [datetime.fromisoformat(goal["at"]) for goal in _goals(clients["kinesis"])]
        reach = timedelta(seconds=DEFAULT_SETTINGS.pre_roll_s + DEFAULT_SETTINGS.post_roll_s + 2 * 2.0)
        for event in announced:
            assert any(abs(datetime.fromisoformat(event["start"]) - at) <= reach for at in goal_times), event
    finally:
        server.stop()


def _goals(kinesis: object) -> list[dict]:
    return _events(kinesis, "goal")


def _events(kinesis: object, event_type: str) -> list[dict]:
    shard = kinesis.list_shards(StreamName="events")["Shards"][0]["ShardId"]  # type: ignore[attr-defined]
    iterator = kinesis.get_shard_iterator(  # type: ignore[attr-defined]
        StreamName="events", ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator, Limit=10000)["Records"]  # type: ignore[attr-defined]
    events = [json.loads(r["Data"]) for r in records]
    return [e for e in events if e["type"] == event_type]
