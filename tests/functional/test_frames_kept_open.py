"""A keyframe decoded whole for a search is not decoded again for the frames after it in its segment.

Why: a HUD found on a keyframe is confirmed from the frames right after it (``_confirm_from_segment``);
decoding the segment anew decoded its keyframe twice, ~15-40 ms at 720p-1080p. The frames must be those a
fresh decode gives, bit for bit, or a goal's first frame could move.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.vision import frames as frames_module
from capture_task.vision.frames import TimedFrame, all_frames, first_frame
from capture_task.vision.keyframes import decode_keyframe


def _segment(folder: Path, sequence: int) -> SegmentMedia:
    """Two seconds of ffmpeg's busy test picture as x264 with B-frames (its keyframe comes out of a decoder only
    after the frames fed after it), as MPEG-TS."""
    path = folder / f"segment-{sequence}.ts"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=30,hue=h={sequence * 40}",
         "-t", "2", "-c:v", "libx264", "-preset", "medium", "-bf", "3", "-pix_fmt", "yuv420p", "-f", "mpegts",
         str(path)],
        check=True,
    )  # fmt: skip
    return SegmentMedia(sequence=sequence, start=datetime(2026, 12, 7, tzinfo=UTC), duration_s=2.0,
                        stream_time=2.0 * sequence, data=path.read_bytes())  # fmt: skip


@pytest.fixture(scope="module")
def segments(tmp_path_factory: pytest.TempPathFactory) -> list[SegmentMedia]:
    folder = tmp_path_factory.mktemp("kept-open")
    return [_segment(folder, sequence) for sequence in (3, 4)]


def _same(these: list[TimedFrame], those: list[TimedFrame]) -> bool:
    return len(these) == len(those) and all(
        a.stream_time == b.stream_time and a.exact_rows == b.exact_rows and np.array_equal(a.image, b.image)
        for a, b in zip(these, those, strict=True)
    )


def _skippable(stream_time: float) -> bool:
    return round(stream_time * 30) % 3 != 0  # every third frame looked at, the non-reference others skipped


def test_the_keyframe_is_the_one_decoded_alone(segments: list[SegmentMedia]) -> None:
    keyframe = first_frame(segments[0])
    alone = decode_keyframe(segments[0].data)
    assert keyframe is not None and alone is not None
    assert keyframe.whole and np.array_equal(keyframe.image, alone.image)


def test_the_frames_after_it_go_on_from_its_decoder_and_are_those_of_a_fresh_decode(
    segments: list[SegmentMedia], monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = list(all_frames(segments[0], rows=100, skippable=_skippable))
    assert first_frame(segments[0]) is not None

    def decoded_anew(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the segment was decoded anew")

    monkeypatch.setattr(frames_module, "_decoded", decoded_anew)
    resumed = list(all_frames(segments[0], rows=100, skippable=_skippable))
    assert len(resumed) > 20 and _same(resumed, fresh)


def test_it_goes_on_once_and_only_for_its_own_segment(segments: list[SegmentMedia]) -> None:
    first, other = segments
    fresh, fresh_other = list(all_frames(first)), list(all_frames(other))
    assert first_frame(first) is not None
    assert _same(list(all_frames(other)), fresh_other)  # another segment: decoded on its own
    assert _same(list(all_frames(first)), fresh)  # went on from the decoder kept open
    assert _same(list(all_frames(first)), fresh)  # decoded anew: a decoder goes on once
