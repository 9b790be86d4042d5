"""The fetch-ahead buffer and the container check, without media or network: order, spill, drop, errors."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from capture_task.exceptions import SourceUnavailable
from capture_task.ingest.buffer import FAR_BEHIND_SEGMENTS, FetchAhead, LiveEdge, SegmentBuffer
from capture_task.ingest.media import SegmentMedia
from capture_task.ingest.segments import TS_PACKET_BYTES, container_defect
from capture_task.ingest.sources import is_live_source

START = datetime(2024, 5, 18, 19, 30, tzinfo=UTC)
KIB = 1024


def a_segment(sequence: int, size: int = KIB) -> SegmentMedia:
    data = bytes([sequence % 256]) * size
    return SegmentMedia(sequence, START + timedelta(seconds=2 * sequence), 2.0, 2.0 * sequence, data)


def test_segments_come_out_in_order_with_their_bytes_whether_held_in_memory_or_on_disk(tmp_path: Path) -> None:
    buffer = SegmentBuffer(memory_limit_bytes=3 * KIB, spool_root=tmp_path)
    for sequence in range(10):
        buffer.put(a_segment(sequence))
    buffer.finish()
    assert buffer.stats.spilled == 7 and list(tmp_path.iterdir()), "beyond the memory bound, bytes went to disk"
    taken = []
    while (segment := buffer.get()) is not None:
        taken.append(segment)
    assert [s.data for s in taken] == [a_segment(n).data for n in range(10)]
    buffer.close()
    assert not list(tmp_path.iterdir()), "the spool folder is removed"


def test_when_disk_is_full_too_the_oldest_spilled_bytes_are_dropped_and_the_segment_stays_as_a_gap(
    tmp_path: Path,
) -> None:
    buffer = SegmentBuffer(memory_limit_bytes=KIB, disk_limit_bytes=2 * KIB, spool_root=tmp_path)
    for sequence in range(5):
        buffer.put(a_segment(sequence))
    buffer.finish()
    taken = []
    while (segment := buffer.get()) is not None:
        taken.append(segment)
    assert [s.sequence for s in taken] == [0, 1, 2, 3, 4], "nothing leaves the line silently"
    assert buffer.stats.dropped == 2
    assert [bool(s.data) for s in taken] == [True, False, False, True, True]
    assert all("disk buffer was full" in (s.defect or "") for s in taken[1:3])
    assert [s.discontinuity for s in taken] == [False, True, True, True, False]


def test_a_source_error_reaches_the_analysis_after_the_segments_before_it() -> None:
    def source():  # type: ignore[no-untyped-def]
        yield a_segment(0)
        yield a_segment(1)
        raise SourceUnavailable("The HLS playlist could not be fetched; check the URL.")

    received = []
    with pytest.raises(SourceUnavailable, match="check the URL"):
        for segment in FetchAhead(source()):
            received.append(segment.sequence)
    assert received == [0, 1]


def test_stopping_ends_the_iteration_and_the_source() -> None:
    stop = threading.Event()
    produced = threading.Event()

    def endless():  # type: ignore[no-untyped-def]
        sequence = 0
        while not stop.is_set():
            yield a_segment(sequence)
            produced.set()
            sequence += 1
            stop.wait(0.01)

    fetched = FetchAhead(endless(), stop_event=stop)
    for segment in fetched:
        assert produced.is_set()
        if segment.sequence == 2:
            stop.set()
    assert stop.is_set() and fetched.stats.fetched >= 3


@pytest.mark.parametrize(
    ("data", "container", "problem"),
    [
        (b"", "ts", "empty"),
        (b"<html>502 Bad Gateway</html>" * 20, "ts", "not MPEG-TS"),
        ((b"\x47" + b"\x00" * 187) * 3 + b"\x00" * 188, "ts", "1 of its 4"),
        (b"\x00\x00\x00\x08moov", "fmp4", "lacks a moof"),
        (b"\x00\x00\x00\x02moof", "fmp4", "has size 2"),
    ],
)
def test_bytes_that_are_not_the_container_are_a_defect(data: bytes, container: str, problem: str) -> None:
    defect = container_defect(data, container)
    assert defect is not None and problem in defect


def test_sound_containers_have_no_defect_even_cut_off_mid_packet() -> None:
    ts = (b"\x47" + b"\x00" * (TS_PACKET_BYTES - 1)) * 5 + b"\x47\x00"
    fmp4 = b"\x00\x00\x00\x10moof" + b"\x00" * 8 + b"\x00\x00\x00\x10mdat" + b"\x00" * 4
    assert container_defect(ts, "ts") is None
    assert container_defect(fmp4, "fmp4") is None


def test_the_live_edge_is_reached_only_by_a_live_source_with_no_segment_waiting() -> None:
    buffer = SegmentBuffer()
    edge = LiveEdge(buffer, live=True)
    assert edge.reached(), "empty: the analysis has kept up, the segment's tail may be decoded"
    buffer.put(a_segment(0))
    buffer.put(a_segment(1))
    assert not edge.reached(), "segments waiting: keyframes only"
    buffer.get()
    assert not edge.reached(), "one still waits"
    buffer.get()
    assert edge.reached()
    assert not LiveEdge(SegmentBuffer(), live=False).reached(), "a file has no live edge"


def test_a_live_stream_s_analysis_is_far_behind_while_a_long_backlog_grows_not_while_one_is_caught_up() -> None:
    first_window = FAR_BEHIND_SEGMENTS + 10  # handed out at once: a long backlog, shrinking as it is analysed
    buffer, sequence = SegmentBuffer(), 0
    edge = LiveEdge(buffer, live=True)
    for sequence in range(first_window):
        buffer.put(a_segment(sequence))
    behind = []
    for _ in range(FAR_BEHIND_SEGMENTS + 2):
        buffer.get()
        behind.append(edge.far_behind())
    assert not any(behind), "a backlog being caught up is not falling behind, however long"
    for _ in range(FAR_BEHIND_SEGMENTS + 2):  # two segments arrive for each one analysed: a core too slow
        for _ in range(2):
            sequence += 1
            buffer.put(a_segment(sequence))
        buffer.get()
        behind.append(edge.far_behind())
    assert behind[-1] and buffer.waiting > FAR_BEHIND_SEGMENTS
    assert not LiveEdge(buffer, live=False).far_behind(), "a file has no live edge to fall behind"
    while buffer.waiting > FAR_BEHIND_SEGMENTS:  # searches held: the analysis catches up
        buffer.get()
        if not edge.far_behind():
            break
    assert not edge.far_behind() and buffer.waiting >= FAR_BEHIND_SEGMENTS, "shrinking again: searches resume"
    small = SegmentBuffer()
    for sequence in range(2 * FAR_BEHIND_SEGMENTS):
        small.put(a_segment(sequence))
        small.put(a_segment(sequence))
        small.get()
        small.get()
    assert not LiveEdge(small, live=True).far_behind(), "kept up: nothing waits"


def test_only_files_are_read_without_a_live_edge(tmp_path: Path) -> None:
    video = tmp_path / "match.mp4"
    video.write_bytes(b"")
    assert not is_live_source(str(video))
    assert is_live_source("twitch:somechannel") and is_live_source("https://example.com/live/playlist.m3u8")
    assert not is_live_source("not a source"), "reading it says what is wrong; it is not followed live"
    assert not FetchAhead([]).live_edge.live, "a source is not live unless its reader says so"
