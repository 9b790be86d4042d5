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


def test_an_access_unit_without_a_parameter_set_is_not_taken_for_cabac() -> None:
    assert not keyframes._arithmetic_coded(b"\x00\x00\x01\x65" + b"\x88" * 64)


def test_each_cavlc_cut_gets_a_new_decoder_and_cabac_cuts_share_one() -> None:
    """A cut CAVLC picture leaves FFmpeg's decoder wrong for the next picture, CABAC or not."""
    first, first_kept = keyframes._cut_decoder("h264", arithmetic=False)
    second, second_kept = keyframes._cut_decoder("h264", arithmetic=False)
    assert first is not second and not first_kept and not second_kept
    kept, is_kept = keyframes._cut_decoder("h264", arithmetic=True)
    assert is_kept and keyframes._cut_decoder("h264", arithmetic=True)[0] is kept
    assert kept is not first and kept is not second


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
    arithmetic = keyframes._arithmetic_coded(unit)
    assert arithmetic is (coder == 0)
    checked = 0
    for cut in range(start + 200, len(unit), max((len(unit) - start) // 60, 1)):
        decoded = keyframes._decode_cut(codec, unit[:cut], arithmetic=arithmetic)
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
    """As the sampler asks for them, each keyframe cut short in turn, CABAC and CAVLC alike: a CABAC one
    decoded after a cut CAVLC one on the same thread too."""
    for data in cabac_and_cavlc * 2:
        # Bytes per row learned on this thread from other tests' 1080p keyframes would cut past this one's end.
        keyframes._local.__dict__.pop("row_costs", None)
        whole = decode_keyframe(data)
        top = decode_keyframe(data, rows=60)
        assert whole is not None and top is not None
        assert not top.whole and top.exact_rows >= 60
        assert np.array_equal(top.image[: top.exact_rows], whole.image[: top.exact_rows])
