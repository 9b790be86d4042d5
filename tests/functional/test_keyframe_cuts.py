"""A keyframe cut short is used only down to the rows its decoder's report proves exact.

Why: the sampler decodes each segment's keyframe only down to the HUD. The rows it takes from such a
decode must equal the whole decode's, bit for bit, or a mask compared with the last keyframe's could
differ from noise alone. A decoder kept from one cut to the next left state behind that made later
pictures wrong far above their cut (most cuts of x264 ultrafast's CAVLC keyframes): each cut, one
after another as retries make them, must be exact.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from capture_task.vision import keyframes
from capture_task.vision.keyframes import decode_keyframe, exact_rows_above, first_video_access_unit


def _encoded(tmp_path: Path, preset: str) -> bytes:
    """One second of ffmpeg's busy test picture as MPEG-TS, a keyframe first, encoded by x264 at ``preset``."""
    path = tmp_path / f"{preset}.ts"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "1",
         "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-f", "mpegts", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture(scope="module")
def cabac_and_cavlc(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("keyframes")
    return _encoded(folder, "veryfast"), _encoded(folder, "ultrafast")


@pytest.mark.parametrize("coder", [0, 1], ids=["cabac", "cavlc"])
def test_rows_above_the_report_are_exact_wherever_a_keyframe_is_cut(
    cabac_and_cavlc: tuple[bytes, bytes], coder: int
) -> None:
    """Cut after cut of one keyframe, as retries do: no cut may leave anything behind for the next."""
    found = first_video_access_unit(cabac_and_cavlc[coder])
    assert found is not None
    codec, unit = found
    whole = decode_keyframe(cabac_and_cavlc[coder])
    assert whole is not None
    start = keyframes._first_slice_offset(unit)
    assert start is not None
    checked = 0
    for cut in range(start + 200, len(unit), max((len(unit) - start) // 60, 1)):
        decoded = keyframes._decode_cut(codec, unit[:cut])
        if decoded is None or decoded[1] is None:
            continue
        frame, ran_out_row = decoded
        exact = exact_rows_above(ran_out_row)
        if exact == 0:
            continue
        top = keyframes.full_range_grey(frame, exact)
        assert np.array_equal(top, whole.image[:exact]), f"cut at {cut} bytes, ran out in row {ran_out_row}"
        checked += 1
    assert checked >= 30


def test_keyframes_cut_one_after_another_are_exact_down_to_the_rows_asked(cabac_and_cavlc: tuple[bytes, bytes]) -> None:
    """As the sampler asks for them: each keyframe of a stream cut short in turn, CABAC and CAVLC alike."""
    for data in cabac_and_cavlc * 2:
        # Bytes per row learned on this thread from other tests' 1080p keyframes would cut past this one's end.
        keyframes._local.__dict__.pop("row_costs", None)
        whole = decode_keyframe(data)
        top = decode_keyframe(data, rows=60)
        assert whole is not None and top is not None
        assert not top.whole and top.exact_rows >= 60
        assert np.array_equal(top.image[: top.exact_rows], whole.image[: top.exact_rows])
