"""The Fargate service loop: channel from SSM, events to Kinesis, bytes to S3, switch without redeploy.

moto's in-process backends stand in for AWS (they patch botocore in every
thread); the streams are generated broadcasts served live on 127.0.0.1 at real time with
Twitch's window, beside a busy neighbour process. The test waits on what it needs to see,
never on a time.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from capture_task import service as service_module
from capture_task.metrics import CaptureMetric
from capture_task.publish.keeper import KeepPolicy
from capture_task.publish.publisher import JsonLinesSink, KinesisSink
from capture_task.publish.segment_store import LocalSegmentStore, S3SegmentStore
from capture_task.service import CaptureService, ChannelParameter
from capture_task.vision.ocr import engine_started
from contracts.channels import channel_entry
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import HUNG_AFTER_S, NOT_HUNG, busy_neighbour, rendered, served_like_twitch
from tests.functional.fake_aws import use_fake_aws_environment
from tests.functional.hls_server import Reply, ScriptedHLSServer
from tests.functional.test_playlist_follower import PLAYLIST_PATH, media_playlist

PARAMETER = "/highlight-bot/channel"


def test_parameter_entries() -> None:
    assert channel_entry("somechannel").source == "twitch:somechannel"  # type: ignore[union-attr]
    entry = channel_entry(" a=http://127.0.0.1:1/x.m3u8 , b ", wanted="b")
    assert entry is not None and (entry.channel, entry.source) == ("b", "twitch:b")
    assert channel_entry("a,b", wanted="c") is None
    assert channel_entry(" , ") is None


def test_the_parameter_is_not_followed_to_a_private_address_unless_allowed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    use_fake_aws_environment(monkeypatch)
    with mock_aws():
        ssm = boto3.client("ssm")
        ssm.put_parameter(Name=PARAMETER, Value="cup=http://169.254.170.2/v2/credentials", Type="String")
        assert ChannelParameter(ssm, PARAMETER).read() is None
        assert "only Twitch channels and https:// URLs" in caplog.text
        allowed = ChannelParameter(ssm, PARAMETER, allow_private_stream_urls=True).read()
        assert allowed is not None and allowed.source == "http://169.254.170.2/v2/credentials"
        ssm.put_parameter(Name=PARAMETER, Value="fifa_pro", Type="String", Overwrite=True)
        assert ChannelParameter(ssm, PARAMETER).read() == channel_entry("fifa_pro")


def _kinesis_events(client: Any, stream: str) -> list[dict[str, Any]]:
    events = []
    for shard in client.list_shards(StreamName=stream)["Shards"]:
        iterator = client.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = client.get_records(ShardIterator=iterator, Limit=10000)["Records"]
        events += [json.loads(r["Data"]) | {"_key": r["PartitionKey"]} for r in records]
    return events


def _wait_for_goal(kinesis: Any, channel: str, service: CaptureService) -> None:
    """Until a goal of ``channel`` is on the stream (or the service reported a failure)."""
    give_up_at = time.monotonic() + HUNG_AFTER_S
    while not service.errors and time.monotonic() < give_up_at:
        if any(e["channel"] == channel and e["type"] == "goal" for e in _kinesis_events(kinesis, "events")):
            return
        time.sleep(0.5)
    raise AssertionError(f"no goal of {channel} reached Kinesis; capture errors: {service.errors}")


@pytest.mark.slow
@NOT_HUNG
def test_service_switches_channel_when_the_parameter_changes(
    broadcast_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_aws_environment(monkeypatch)
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    second = served_like_twitch(info.directory)
    with busy_neighbour(), mock_aws(), served_like_twitch(info.directory) as first:
        ssm, kinesis, s3 = (boto3.client(name) for name in ("ssm", "kinesis", "s3"))
        kinesis.create_stream(StreamName="events", ShardCount=1)
        s3.create_bucket(Bucket="segments")
        ssm.put_parameter(Name=PARAMETER, Value=f"chan_a={first.playlist_url}", Type="String")
        service = CaptureService(
            ChannelParameter(ssm, PARAMETER, allow_private_stream_urls=True),
            sink_factory=lambda: KinesisSink(kinesis, "events", flush_in_background=False),
            store=S3SegmentStore(s3, "segments"),
            poll_interval_s=0.5,
        )
        worker = threading.Thread(target=service.run, daemon=True)
        worker.start()
        _wait_for_goal(kinesis, "chan_a", service)
        second.__enter__()  # the new channel goes live when the operator switches to it
        ssm.put_parameter(Name=PARAMETER, Value=f"chan_b={second.playlist_url}", Type="String", Overwrite=True)
        _wait_for_goal(kinesis, "chan_b", service)
        service.stop()
        worker.join(timeout=HUNG_AFTER_S)
        second.__exit__(None, None, None)
        events = _kinesis_events(kinesis, "events")
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket="segments").get("Contents", [])}
    assert service.switches == 1
    assert {e["channel"] for e in events} == {"chan_a", "chan_b"}
    assert all(e["_key"] == e["channel"] for e in events), "partition key must be the channel"
    last_a = max(i for i, e in enumerate(events) if e["channel"] == "chan_a")
    first_b = min(i for i, e in enumerate(events) if e["channel"] == "chan_b")
    assert last_a < first_b, "the old channel stops before the new one starts"
    segments = [e for e in events if e["type"] == "segment"]
    assert all(e["location"].startswith("s3://segments/") for e in segments)
    assert {e["location"].removeprefix("s3://segments/") for e in segments} <= keys
    goals_b = [e["score"] for e in events if e["type"] == "goal" and e["channel"] == "chan_b"]
    assert goals_b and all(score in [g["score"] for g in info.truth()["goals"]] for score in goals_b)


def test_the_service_counts_what_the_playlist_follower_meets_per_channel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_fake_aws_environment(monkeypatch)
    # A playlist with a tag m3u8 cannot read (repaired, counted) and a segment that is gone (a gap, counted).
    playlist = media_playlist(range(0, 3), endlist=True).replace(
        "#EXT-X-PROGRAM-DATE-TIME",
        '#EXT-X-DATERANGE:CLASS="twitch-ad-quartile",START-DATE="2026-11-25T12:00:00Z"\n#EXT-X-PROGRAM-DATE-TIME',
        1,
    )
    with mock_aws(), ScriptedHLSServer() as server:
        server.script(PLAYLIST_PATH, playlist)
        for sequence in (0, 2):
            server.script(f"/live/seg/{sequence}.ts", Reply(body=b"\x47" + bytes(187)))
        server.script("/live/seg/1.ts", Reply(status=404))
        ssm = boto3.client("ssm")
        ssm.put_parameter(Name=PARAMETER, Value=f"metered={server.url(PLAYLIST_PATH)}", Type="String")
        service = CaptureService(
            ChannelParameter(ssm, PARAMETER, allow_private_stream_urls=True),
            sink_factory=lambda: JsonLinesSink(tmp_path / "events.jsonl", append=True),
            store=LocalSegmentStore(tmp_path / "segments"),
            poll_interval_s=0.2,
            exit_when_ended=True,
            emit_metrics=True,
            keep=KeepPolicy.keep_all(),
        )
        service.run()
    assert not service.errors
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert lines and all(line["channel"] == "metered" for line in lines)
    total = {name: sum(sum(line.get(name, [0])) for line in lines) for name in CaptureMetric}
    assert total[CaptureMetric.PLAYLISTS_REPAIRED] >= 1, "the follower's count reached the service's metrics"
    assert total[CaptureMetric.SEGMENTS_MISSING] == 1 and total[CaptureMetric.SEGMENTS_READ] == 3


def test_the_capture_starts_its_ocr_engine_before_it_asks_for_the_first_segment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Loading tesseract's trained data is a start-up cost of a capture that runs for hours, paid
    before the first segment rather than inside the first goal's reading (the bench counts it so)."""
    use_fake_aws_environment(monkeypatch)
    engine_started_when_asked: list[bool] = []

    def no_segments(*args: Any, **kwargs: Any) -> Iterator[Any]:
        engine_started_when_asked.append(engine_started())  # in the capture's own thread
        return iter(())

    monkeypatch.setattr(service_module, "source_segments", no_segments)
    with mock_aws():
        ssm = boto3.client("ssm")
        ssm.put_parameter(Name=PARAMETER, Value=f"chan_a={tmp_path / 'stream.m3u8'}", Type="String")
        service = CaptureService(
            ChannelParameter(ssm, PARAMETER, allow_private_stream_urls=True),
            sink_factory=lambda: JsonLinesSink(tmp_path / "events.jsonl"),
            store=None,
            poll_interval_s=0.01,
            exit_when_ended=True,
        )
        service.run()
    assert service.errors == []
    assert engine_started_when_asked == [True]
