"""Faults injected into the capture, each ending with nothing lost.

- analysis stalls for longer than the playlist window (the fetcher keeps reading, spilling to disk);
- S3 is down for a minute (retried with a bounded backoff; every segment stored once it is back);
- S3 is down for longer than the retry budget (gaps announced with their reason; enrich ignores them);
- a corrupt segment on a live stream, and a decoder that fails on a segment (skipped, never fatal);
- the capture is killed mid-goal and restarted after the goal left the playlist (the goal is still
  reported, from the match checkpoint, flagged found after a gap).

Time-dependent faults run on a fake clock the announcer's backoff advances: a minute of outage
costs no minute of test. Live streams are served at real time beside a busy neighbour process.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import m3u8
import pytest
from botocore.exceptions import EndpointConnectionError

from capture_task.capture import CaptureTask
from capture_task.ingest.buffer import FetchAhead, SegmentBuffer
from capture_task.ingest.media import SegmentMedia
from capture_task.ingest.segments import source_segments
from capture_task.publish.announcer import STORE_RETRY_BUDGET_S, Announcer
from capture_task.publish.publisher import JsonLinesSink
from capture_task.publish.segment_store import S3SegmentStore
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import FrameObservation
from capture_task.vision.sampler import KeyframeSampler
from contracts import ClipJob, GoalEvent, SegmentEvent, parse_event
from functions.enrich import handler as enrich
from sample_broadcast import LiveHlsServer, bench_suite, test_broadcast
from tests.e2e_local.capture_support import (
    HUNG_AFTER_S,
    NOT_HUNG,
    REPO_ROOT,
    busy_neighbour,
    rendered,
    served_like_twitch,
)
from tests.functional.functions_fixtures import EnrichWorld, FakeLambdaContext, drain_queue, emulated_aws

pytestmark = [pytest.mark.slow, NOT_HUNG]
SEGMENT_S = 2.0


def _disk_segments(directory: Path) -> list[SegmentMedia]:
    playlist = m3u8.load(str(directory / "playlist.m3u8"))
    segments, elapsed = [], 0.0
    for sequence, segment in enumerate(playlist.segments):
        start: datetime = segment.current_program_date_time
        data = (directory / segment.uri).read_bytes()
        segments.append(SegmentMedia(sequence, start, segment.duration, elapsed, data))
        elapsed += segment.duration
    return segments


def _events(path: Path) -> list[Any]:
    return [parse_event(line) for line in path.read_text().splitlines()] if path.exists() else []


def _scores(goals: list[GoalEvent]) -> list[dict[str, int]]:
    return [goal.score.model_dump() for goal in sorted(goals, key=lambda g: g.at)]


def _wait_until(condition: Any, what: str) -> None:
    give_up_at = time.monotonic() + HUNG_AFTER_S
    while not condition():
        assert time.monotonic() < give_up_at, f"hung waiting for {what}"
        time.sleep(0.1)


class FakeClock:
    """Seconds that pass only when someone sleeps (or an S3 call is made): outages without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class S3Outage:
    """An S3 client that fails like an unreachable endpoint for ``lasts_s`` (fake) seconds from its ``first``-th PUT."""

    CALL_S = 1.0
    """Fake seconds each call to the unreachable endpoint takes."""

    def __init__(self, client: Any, clock: FakeClock, *, first: int, lasts_s: float) -> None:
        self._client, self._clock, self._first, self._lasts_s = client, clock, first, lasts_s
        self.puts = self.failures = 0
        self.began_at: float | None = None

    def put_object(self, **request: Any) -> Any:
        self.puts += 1
        if self.began_at is None and self.puts >= self._first:
            self.began_at = self._clock()
        if self.began_at is not None and self._clock() - self.began_at < self._lasts_s:
            self.failures += 1
            self._clock.sleep(self.CALL_S)
            raise EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com")
        return self._client.put_object(**request)


def _capture_through_outage(directory: Path, out: Path, *, lasts_s: float) -> tuple[S3Outage, FakeClock, Any]:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="segments")
    clock = FakeClock()
    outage = S3Outage(s3, clock, first=3, lasts_s=lasts_s)
    store = S3SegmentStore(outage, "segments")
    with JsonLinesSink(out) as sink:
        task = CaptureTask("sample", sink=sink, store=store)
        # Backoff capped at a second: attempts at most 2 fake seconds apart, so the outage's end is exact.
        task.announcer = Announcer("sample", sink, store, max_backoff_s=1.0, sleep=clock.sleep, clock=clock)
        task.run(_disk_segments(directory))
    return outage, clock, s3


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with emulated_aws(monkeypatch):
        yield


def test_s3_down_for_a_minute_loses_nothing(aws: None, broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    outage, clock, s3 = _capture_through_outage(info.directory, tmp_path / "events.jsonl", lasts_s=60.0)
    assert outage.failures > 0 and clock.now >= 60.0, "the outage happened and lasted a minute"
    events = _events(tmp_path / "events.jsonl")
    segments = [e for e in events if isinstance(e, SegmentEvent)]
    originals = _disk_segments(info.directory)
    assert [s.sequence for s in segments] == [s.sequence for s in originals], "every segment, once, in order"
    for event, original in zip(segments, originals, strict=True):
        assert not event.is_missing
        key = event.location.removeprefix("s3://segments/")
        assert s3.get_object(Bucket="segments", Key=key)["Body"].read() == original.data
    goals = [e for e in events if isinstance(e, GoalEvent)]
    assert _scores(goals) == [goal["score"] for goal in info.truth()["goals"]]
    for goal in goals:  # still after the segments before it
        assert all(events.index(s) < events.index(goal) for s in segments if s.start < goal.at)


def test_s3_down_past_the_retry_budget_announces_gaps_that_enrich_clips_around(
    aws: None, broadcast_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    lasts_s = STORE_RETRY_BUDGET_S + 5
    outage, _, _ = _capture_through_outage(info.directory, tmp_path / "events.jsonl", lasts_s=lasts_s)
    assert outage.failures > 0
    events = _events(tmp_path / "events.jsonl")
    segments = [e for e in events if isinstance(e, SegmentEvent)]
    assert [s.sequence for s in segments] == list(range(len(_disk_segments(info.directory))))
    gaps = [s for s in segments if s.is_missing]
    assert gaps and len(gaps) < len(segments) - 2, "a few gaps during the outage, stored again after it"
    assert all("could not be stored" in (g.missing_reason or "") and g.location.startswith("missing:") for g in gaps)
    assert not segments[-1].is_missing, "the store works again once the outage ends"

    world = EnrichWorld.create(monkeypatch)
    response = enrich.handler(world.stream.event_for(*events, partition_key="sample"), FakeLambdaContext())
    assert response["batchItemFailures"] == []
    # Gaps are indexed as gaps (they say their stretch is not coming, and why), never as bytes to read.
    locations = {int(item["sequence"]["N"]): item["location"]["S"] for item in world.items("seg#sample")}
    assert set(locations) == {s.sequence for s in segments}
    assert {n for n, location in locations.items() if location.startswith("missing:")} == {g.sequence for g in gaps}
    for message in drain_queue(world.clip_queue_url):
        job = parse_event(message["Body"])
        assert isinstance(job, ClipJob) and not any(segment.is_missing for segment in job.segments)


def test_an_analysis_stall_longer_than_the_window_loses_no_segment(broadcast_cache: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    count = info.truth()["stream"]["segment_count"]
    stop = threading.Event()
    # A memory bound of two segments: the rest of the backlog goes to disk and comes back intact.
    buffer = SegmentBuffer(memory_limit_bytes=2 * max(p.stat().st_size for p in info.directory.glob("seg_*.ts")))
    with busy_neighbour(), served_like_twitch(info.directory) as server:
        source = source_segments(server.playlist_url, "best", stop, allow_private_stream_urls=True)  # 127.0.0.1
        fetched = FetchAhead(source, stop_event=stop, buffer=buffer)
        segments = iter(fetched)
        first = next(segments)
        # The analysis "stalls" until the whole stream was published and fetched: longer than the window.
        _wait_until(lambda: buffer.stats.fetched == count, "the fetcher to read the whole stream")
        received = [first, *segments]
    assert [s.sequence for s in received] == list(range(count))
    for segment in received:
        assert segment.data == (info.directory / f"seg_{segment.sequence:05d}.ts").read_bytes()
    assert buffer.stats.spilled > 0 and buffer.stats.dropped == 0
    assert server.playlist_text().count("#EXTINF") < count, "the window did slide past early segments"


def test_a_corrupt_live_segment_is_announced_missing_and_every_goal_found(
    broadcast_cache: Path, tmp_path: Path
) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    truth = info.truth()
    corrupt = next(i for i in range(3, truth["stream"]["segment_count"]) if i not in _goal_segments(truth))
    stream = tmp_path / "stream"
    shutil.copytree(info.directory, stream)
    (stream / f"seg_{corrupt:05d}.ts").write_bytes(b"<html>502 Bad Gateway</html>" * 400)
    out, segments_dir = tmp_path / "events.jsonl", tmp_path / "segments"
    with busy_neighbour(), served_like_twitch(stream) as server:
        result = _detect(server.playlist_url, out, "--segments-dir", str(segments_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    events = _events(out)
    segments = {e.sequence: e for e in events if isinstance(e, SegmentEvent)}
    assert sorted(segments) == list(range(truth["stream"]["segment_count"]))
    assert segments[corrupt].is_missing and "not MPEG-TS" in (segments[corrupt].missing_reason or "")
    assert all(Path(s.location).is_file() for n, s in segments.items() if n != corrupt)
    assert _scores([e for e in events if isinstance(e, GoalEvent)]) == [g["score"] for g in truth["goals"]]


class _FailingOnce:
    """A sampler whose decoder fails on one segment, as OpenCV does on bytes it cannot open."""

    def __init__(self, fail_on: int) -> None:
        self._inner = KeyframeSampler(ScoreboardReader())
        self.reader = self._inner.reader
        self.segments_tail_decoded = self.segments_tail_abandoned = 0
        self._fail_on = fail_on

    def observe(
        self,
        segment: SegmentMedia,
        *,
        awaiting: Any,
        live_edge: Any = None,
        awaiting_goal: Any = None,
        confirmed: Any = None,
    ) -> Iterator[FrameObservation]:
        if segment.sequence == self._fail_on:
            raise ValueError(f"segment {segment.sequence} could not be decoded (not a video)")
        yield from self._inner.observe(
            segment, awaiting=awaiting, live_edge=live_edge, awaiting_goal=awaiting_goal, confirmed=confirmed
        )

    def end_of_stream(self) -> None:
        self._inner.end_of_stream()


def test_a_segment_the_decoder_fails_on_is_skipped_not_fatal(broadcast_cache: Path, tmp_path: Path) -> None:
    info = rendered(broadcast_cache, test_broadcast("720p30"))
    truth = info.truth()
    failing = next(i for i in range(2, truth["stream"]["segment_count"]) if i not in _goal_segments(truth))
    with JsonLinesSink(tmp_path / "events.jsonl") as sink:
        stats = CaptureTask("sample", sink=sink, sampler=_FailingOnce(failing)).run(_disk_segments(info.directory))
    assert stats.segments_unreadable == 1 and stats.segments == truth["stream"]["segment_count"]
    goals = [e for e in _events(tmp_path / "events.jsonl") if isinstance(e, GoalEvent)]
    assert _scores(goals) == [g["score"] for g in truth["goals"]]


class HeldStreamClock:
    """The live server's clock: real time, held at ``hold_at_s`` until resumed further on.

    Holding stops the playlist just before a goal whatever the capture's speed; resuming further
    on is the time that passed while the capture was down. The server reads the clock only when it
    answers a request, so the jump happens at the restarted capture's first request: however long
    that capture took to start on a loaded machine, it finds the stream exactly where the test says.
    """

    def __init__(self, hold_at_s: float) -> None:
        self._origin: float | None = None  # the first reading: the stream goes live at the first request
        self._offset_s = 0.0
        self._hold_at_s: float | None = hold_at_s
        self._resume_at_s: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            if self._origin is None:
                self._origin = time.monotonic()
            elapsed = time.monotonic() - self._origin
            if self._resume_at_s is not None:  # the first reading since resume_at: run on from there
                self._offset_s, self._resume_at_s, self._hold_at_s = self._resume_at_s - elapsed, None, None
            elapsed += self._offset_s
            return elapsed if self._hold_at_s is None else min(elapsed, self._hold_at_s)

    def resume_at(self, stream_s: float) -> None:
        with self._lock:
            assert self._origin is not None, "the stream was never requested"
            self._resume_at_s = stream_s


def test_killed_mid_goal_and_restarted_after_it_left_the_playlist_loses_no_goal(
    broadcast_cache: Path, tmp_path: Path
) -> None:
    # A longer stream: after the goal in the gap, the resumed capture needs keyframes with the HUD to confirm it.
    sample = next(s for s in bench_suite() if s.name == "bench-720p30-a")
    info = rendered(broadcast_cache, sample)
    truth = info.truth()
    first_goal, second_goal = truth["goals"][:2]
    second_segment = second_goal["segment_index"]
    segments_dir = tmp_path / "segments"
    checkpoint = segments_dir / "checkpoints" / "sample.json"
    window = 3  # short, so the second goal's first frames are gone from the playlist when the capture is back
    resume = ["--segments-dir", str(segments_dir), "--resume", "--keep-segments", "around_goals"]
    # Held with every segment before the second goal's published, the next one being the goal's.
    clock = HeldStreamClock(hold_at_s=second_segment * SEGMENT_S + SEGMENT_S / 2)
    live = LiveHlsServer(info.directory, window_segments=window, clock=clock, live_from_first_request=True)
    with busy_neighbour(), live as server:
        first_run = _start_detect(server.playlist_url, tmp_path / "before.jsonl", tmp_path / "before.log", *resume)
        _wait_until(
            lambda: checkpoint.is_file() and json.loads(checkpoint.read_text())["score"] == first_goal["score"],
            "the first goal's checkpoint",
        )
        first_run.send_signal(signal.SIGKILL)  # as the second goal is scored: no chance to flush anything
        first_run.wait()
        # While the capture is down, the goal is scored and leaves the playlist.
        clock.resume_at((second_segment + window + 1) * SEGMENT_S + SEGMENT_S / 2)
        second_run = _start_detect(server.playlist_url, tmp_path / "after.jsonl", tmp_path / "after.log", *resume)
        _wait_until(
            lambda: (
                second_run.poll() is not None
                or any(isinstance(e, GoalEvent) and e.found_after_gap for e in _events(tmp_path / "after.jsonl"))
            ),
            "the resumed capture to report the goal scored while it was down",
        )
        second_run.send_signal(signal.SIGTERM)
        second_run.wait(HUNG_AFTER_S)
    assert second_run.returncode == 0, (tmp_path / "after.log").read_text()[-2000:]
    before = [e for e in _events(tmp_path / "before.jsonl") if isinstance(e, GoalEvent)]
    after = [e for e in _events(tmp_path / "after.jsonl") if isinstance(e, GoalEvent)]
    assert _scores(before) == [first_goal["score"]]
    found = after[0]
    assert found.score.model_dump() == second_goal["score"] and found.found_after_gap
    assert found.previous_score.model_dump() == first_goal["score"]
    assert found.at > datetime.fromisoformat(second_goal["at"]), "stamped with the first frame seen after the gap"


def _goal_segments(truth: dict[str, Any]) -> set[int]:
    """Segments within a few of a goal: a fault there would test something else (a clip's window)."""
    return {g["segment_index"] + d for g in truth["goals"] for d in range(-2, 4)}


def _start_detect(url: str, out: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "capture_task", "detect", url, "--out", str(out), *extra]
    with log.open("wb") as stderr:
        return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=stderr)


def _detect(url: str, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "capture_task", "detect", url, "--out", str(out), *extra]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=HUNG_AFTER_S, check=False)
