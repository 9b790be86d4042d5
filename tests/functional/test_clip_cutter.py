"""cut_clip with real ffmpeg on real segments, no AWS: the system ffmpeg and the static one the Lambda layer ships."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import cv2
import imageio_ffmpeg
import pytest

from functions.clip import FfmpegError, cut_clip, fetch_segments
from functions.clip.cutter import media_duration_s
from tests.functional.functions_fixtures import a_segment, render_fmp4_segments, render_ts_segments

FFMPEGS = {"system": shutil.which("ffmpeg") or "ffmpeg", "layer": imageio_ffmpeg.get_ffmpeg_exe()}


@pytest.fixture(scope="module")
def ts_segments(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return render_ts_segments(tmp_path_factory.mktemp("ts"), count=6, size="160x90")


def video_packets(path: Path) -> list[tuple[float, bool]]:
    """(pts, keyframe) of every video packet, read with ffprobe."""
    output = subprocess.run(
        [
            "ffprobe", "-v", "error", "-select_streams", "v:0",
            "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0", str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return [(float(pts), "K" in flags) for pts, flags in (line.split(",") for line in output.stdout.split())]


@pytest.mark.parametrize("ffmpeg", FFMPEGS.values(), ids=FFMPEGS.keys())
def test_cut_starts_on_a_keyframe_before_the_window_and_ends_after_it(
    ts_segments: list[Path], tmp_path: Path, ffmpeg: str
) -> None:
    result = cut_clip(ts_segments, 3.1, 8.6, 6.2, tmp_path, ffmpeg=ffmpeg)

    assert result.start_offset_s == pytest.approx(2.0, abs=0.1)  # the keyframe opening segment 1
    packets = video_packets(result.clip_path)
    first_pts, first_is_keyframe = packets[0]
    assert first_is_keyframe and first_pts == pytest.approx(0.0, abs=0.05)  # starts cleanly, at 0
    assert 8.6 - 3.1 <= result.duration_s <= 8.6 - 3.1 + 2.0
    assert result.goal_offset_in_clip_s == pytest.approx(6.2 - result.start_offset_s)
    data = result.clip_path.read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")
    thumbnail = cv2.imread(str(result.thumbnail_path))
    assert thumbnail is not None and thumbnail.shape == (90, 160, 3)


def test_fragmented_mp4_segments_are_cut_after_their_init_section(tmp_path: Path) -> None:
    fragments = render_fmp4_segments(tmp_path / "fmp4", count=4, size="160x90")
    init = str(tmp_path / "fmp4" / "init.mp4")
    segments = [
        a_segment(n, location=str(path), container="fmp4", init_location=init) for n, path in enumerate(fragments)
    ]
    files = fetch_segments(segments, tmp_path / "fetched", s3_client=None, local_root=tmp_path)
    assert len(files) == 1  # one init section, then its fragments, in one file
    assert files[0][1] == pytest.approx(sum(segment.duration_s for segment in segments))

    result = cut_clip([files[0][0]], 1.0, 7.0, 4.0, tmp_path / "out", durations_s=[files[0][1]])

    assert 6.0 <= result.duration_s <= 8.0
    assert media_duration_s(result.clip_path) == pytest.approx(result.duration_s)
    thumbnail = cv2.imread(str(result.thumbnail_path))
    assert thumbnail is not None and thumbnail.shape == (90, 160, 3)


def test_ffmpeg_failures_say_what_ffmpeg_said(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ts"
    broken.write_bytes(b"G" + b"this is not a transport stream")  # passes the first-byte check, not ffmpeg
    with pytest.raises(FfmpegError, match="ffmpeg could not"):
        cut_clip([broken], 0.0, 1.0, 0.5, tmp_path / "out")
    with pytest.raises(FfmpegError, match="set FFMPEG_PATH"):
        cut_clip([broken], 0.0, 1.0, 0.5, tmp_path / "out", ffmpeg=str(tmp_path / "no-ffmpeg-here"))


def test_a_clip_from_the_first_keyframe_keeps_it_and_goal_frames_land_on_time(tmp_path: Path) -> None:
    """B-frames put a keyframe's decode time before zero: the cut must still start on it, and with
    the playlist's durations the goal sits where the segment times say (no audio-stretched drift)."""
    paths = render_ts_segments(tmp_path / "ts", count=6, size="160x90")
    keyframe_free = cut_clip(paths, 0.0, 12.0, 9.0, tmp_path / "plain")
    pinned = cut_clip(paths, 0.0, 12.0, 9.0, tmp_path / "pinned", durations_s=[2.0] * len(paths))
    assert keyframe_free.start_offset_s < 0.1 and pinned.start_offset_s < 0.1
    assert pinned.duration_s == pytest.approx(12.0, abs=0.2)
    assert pinned.goal_offset_in_clip_s == pytest.approx(9.0 - pinned.start_offset_s, abs=0.05)


class _CountingServer:
    """An HTTP server on 127.0.0.1 that counts the requests it gets (what a forged request would reach)."""

    def __init__(self) -> None:
        requests_seen = self.requests = []  # type: list[str]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests_seen.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("ffmpeg", FFMPEGS.values(), ids=FFMPEGS.keys())
def test_a_playlist_posing_as_a_segment_makes_no_request(tmp_path: Path, ts_segments: list[Path], ffmpeg: str) -> None:
    with _CountingServer() as server:
        fake = tmp_path / "000001.ts"
        fake.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{server.url}/internal/metadata.ts\n")
        with pytest.raises(FfmpegError, match="is not MPEG-TS"):
            cut_clip([ts_segments[0], fake], 0.0, 3.0, 1.0, tmp_path / "out", ffmpeg=ffmpeg)
        assert server.requests == []


def test_every_ffmpeg_input_is_opened_with_its_format_forced_and_files_only(
    tmp_path: Path, ts_segments: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.shared import ffmpeg  # where the clip function runs ffmpeg

    commands: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        commands.append(list(command))
        return real_run(command, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(ffmpeg.subprocess, "run", recording_run)
    cut_clip(ts_segments[:2], 0.0, 3.0, 1.0, tmp_path / "out")
    media_duration_s(ts_segments[0])
    inputs = [command[: command.index("-i")] for command in commands]
    assert len(inputs) == 6  # two segment durations, cut, duration of the clip, thumbnail, one more duration
    for options in inputs:
        assert options[options.index("-protocol_whitelist") + 1] == "file"
        assert options[options.index("-f") + 1] in ("concat", "mpegts", "mp4")
