"""Frames a reader would pass over are not decoded, and it is shown exactly the frames it would have looked at.

Why: a search back and the confirming reads skip every frame within 0.2 s of their last read. A
non-reference B-frame (none is predicted from it) need not be decoded for that; every other frame must
come out bit for bit as in a full decode, or a goal's first frame could move.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision.frames import TimedFrame, all_frames
from capture_task.vision.keyframes import non_reference_picture, non_reference_sample, video_pes_packets

SPACING_S = 0.2


def _encoded(folder: Path, container: str) -> SegmentMedia:
    """Two seconds of ffmpeg's busy test picture as x264 (B-frames, some of them references), as MPEG-TS or
    fragmented MP4 (init section and fragments in one piece, as the demuxer reads them)."""
    path = folder / f"segment.{container}"
    muxing = ["-f", "mpegts"] if container == "ts" else ["-f", "mp4", "-movflags", "frag_keyframe+empty_moov"]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=60", "-t", "2",
         "-c:v", "libx264", "-preset", "medium", "-bf", "3", "-pix_fmt", "yuv420p", *muxing, str(path)],
        check=True,
    )  # fmt: skip
    return SegmentMedia(sequence=7, start=datetime(2026, 12, 3, tzinfo=UTC), duration_s=2.0, stream_time=14.0,
                        data=path.read_bytes(), container=container)  # fmt: skip


@pytest.fixture(scope="module")
def segments(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SegmentMedia]:
    folder = tmp_path_factory.mktemp("skipped")
    return {container: _encoded(folder, container) for container in ("ts", "fmp4")}


@pytest.fixture(params=["ts", "fmp4"])
def segment(request: pytest.FixtureRequest, segments: dict[str, SegmentMedia]) -> SegmentMedia:
    return segments[request.param]


def _spaced_reads(frames_in: Iterator[TimedFrame]) -> list[TimedFrame]:
    """What a reader that looks at frames at least ``SPACING_S`` apart looks at."""
    looked_at: list[TimedFrame] = []
    for frame in frames_in:
        if looked_at and frame.stream_time - looked_at[-1].stream_time < SPACING_S:
            continue
        looked_at.append(frame)
    return looked_at


def test_x264_codes_some_b_frames_as_non_reference(segments: dict[str, SegmentMedia]) -> None:
    found = video_pes_packets(segments["ts"].data)
    assert found is not None
    non_reference = sum(non_reference_picture(unit.data) for unit in found[1])
    assert 0 < non_reference < len(found[1]) - 1


def test_the_reader_sees_the_same_frames_with_fewer_decoded(segment: SegmentMedia) -> None:
    everything = list(all_frames(segment))
    expected = _spaced_reads(iter(everything))

    last_read: list[float] = []
    decoded: list[TimedFrame] = []

    def skippable(stream_time: float) -> bool:
        return bool(last_read) and stream_time - last_read[-1] < SPACING_S

    def recording(frames_in: Iterator[TimedFrame]) -> Iterator[TimedFrame]:
        for frame in frames_in:
            decoded.append(frame)
            yield frame

    looked_at: list[TimedFrame] = []
    for frame in recording(all_frames(segment, skippable=skippable)):
        if looked_at and frame.stream_time - looked_at[-1].stream_time < SPACING_S:
            continue
        looked_at.append(frame)
        last_read.append(frame.stream_time)

    assert [f.stream_time for f in looked_at] == [f.stream_time for f in expected]
    for got, want in zip(looked_at, expected, strict=True):
        assert got.at == want.at
        assert np.array_equal(got.image, want.image)
    assert len(expected) < len(decoded) < len(everything), "non-reference frames near a read are not decoded"
    by_time = {f.stream_time: f for f in everything}
    for frame in decoded:  # every frame decoded is the full decode's, pixel for pixel
        assert np.array_equal(frame.image, by_time[frame.stream_time].image)


def test_nothing_is_skipped_before_the_first_frame_comes_out(segment: SegmentMedia) -> None:
    """Before the first frame is out, no frame's time is known: a reader saying 'skip everything' gets every frame."""
    assert len(list(all_frames(segment, skippable=lambda _t: True))) < len(list(all_frames(segment)))
    asked: list[float] = []

    def never(stream_time: float) -> bool:
        asked.append(stream_time)
        return False

    assert len(list(all_frames(segment, skippable=never))) == len(list(all_frames(segment)))
    assert asked and all(segment.stream_time <= t <= segment.stream_time + segment.duration_s for t in asked)


def test_an_mp4_sample_s_pictures_are_told_apart_by_their_length_prefixed_slices() -> None:
    sei, idr, non_reference_b = b"\x06\x05\x01\x00", b"\x65\x88\x84", b"\x01\x9e\x00"
    sample = b"".join(len(nal).to_bytes(4, "big") + nal for nal in (sei, non_reference_b))
    assert non_reference_sample(sample, 4)
    assert not non_reference_sample(len(idr).to_bytes(2, "big") + idr, 2)
    assert not non_reference_sample(len(sei).to_bytes(4, "big") + sei, 4)  # no slice at all


def test_a_reference_picture_is_never_taken_for_a_non_reference_one() -> None:
    idr = b"\x00\x00\x00\x01\x09\xf0" + b"\x00\x00\x01\x65\x88\x84"
    non_reference_b = b"\x00\x00\x00\x01\x09\xf0" + b"\x00\x00\x01\x01\x9e\x00"
    reference_b = b"\x00\x00\x00\x01\x09\xf0" + b"\x00\x00\x01\x21\x9e\x00"
    assert not non_reference_picture(idr)
    assert non_reference_picture(non_reference_b)
    assert not non_reference_picture(reference_b)
    assert not non_reference_picture(b"\x00\x00\x01\x09\xf0")  # no slice at all
