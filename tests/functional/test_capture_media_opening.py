"""How the capture task opens media: as the declared container only, from files only, exactly.

Segment bytes come from the network. Probed, bytes that are an HLS playlist, a concat script or
an SDP description make FFmpeg open what they name; so every demuxer is forced (MPEG-TS, or MP4
for fMP4) and nested opens are limited to local files. The keyframe decoded only down to the
HUD's rows must be bit-exact there.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from capture_task.ingest.media import SegmentMedia
from capture_task.ingest.segments import file_segments
from capture_task.vision import frames
from capture_task.vision.frames import UndecodableSegment, all_frames, first_frame
from capture_task.vision.keyframes import decode_keyframe, first_video_access_unit, video_pes_packets
from sample_broadcast import test_broadcast
from tests.e2e_local.capture_support import rendered

START = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def loopback_http() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every request it gets: (base URL, requests)."""
    requests: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _segment(data: bytes, container: str = "ts", init: bytes | None = None) -> SegmentMedia:
    return SegmentMedia(0, START, 2.0, 0.0, data, container=container, init_section=init)


def _hostile_documents(base_url: str, udp_port: int) -> dict[str, bytes]:
    """Bytes that name other media: what a hostile or confused server could send as a segment."""
    return {
        "hls playlist": (
            f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{base_url}/from-playlist.ts\n#EXT-X-ENDLIST\n"
        ).encode(),
        "concat script": f"ffconcat version 1.0\nfile '{base_url}/from-concat.ts'\n".encode(),
        "sdp description": (
            f"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video {udp_port} RTP/AVP 96\n"
            "a=rtpmap:96 H264/90000\n"
        ).encode(),
        "dash manifest": (
            '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
            'mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" '
            f'bandwidth="1000"><BaseURL>{base_url}/from-dash.mp4</BaseURL></Representation></AdaptationSet>'
            "</Period></MPD>"
        ).encode(),
    }


@pytest.mark.parametrize("container", ["ts", "fmp4"])
def test_segment_bytes_naming_other_media_are_refused_and_nothing_is_opened(
    loopback_http: tuple[str, list[str]], container: str
) -> None:
    base_url, requests = loopback_http
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        udp.setblocking(False)
        for name, document in _hostile_documents(base_url, udp.getsockname()[1]).items():
            segment = _segment(document, container)
            assert first_frame(segment) is None, name
            with pytest.raises(UndecodableSegment):
                list(all_frames(segment))
        with pytest.raises(BlockingIOError):
            udp.recv(2048)  # no RTP/RTCP packet reached the port the SDP named
    assert requests == []


@pytest.fixture(scope="module")
def sample_segments(broadcast_cache: Path) -> list[Path]:
    return sorted(rendered(broadcast_cache, test_broadcast("1080p60")).directory.glob("seg_*.ts"))


def test_a_segment_is_decoded_only_as_the_container_its_playlist_declared(
    sample_segments: list[Path], tmp_path: Path
) -> None:
    """MPEG-TS bytes declared fMP4, and MP4 bytes declared MPEG-TS, are refused, not probed."""
    ts_bytes = sample_segments[1].read_bytes()
    mp4 = tmp_path / "segment.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(sample_segments[1]), "-c", "copy", "-an", "-f", "mp4", str(mp4)],
        check=True,
    )
    assert first_frame(_segment(ts_bytes)) is not None  # the bytes themselves are sound
    for misdeclared in (_segment(mp4.read_bytes(), "ts"), _segment(ts_bytes, "fmp4")):
        assert first_frame(misdeclared) is None
        with pytest.raises(UndecodableSegment):
            list(all_frames(misdeclared))


def test_a_local_playlist_naming_urls_is_not_followed(loopback_http: tuple[str, list[str]], tmp_path: Path) -> None:
    """``detect FILE`` probes the operator's file (any container), but never lets it open a URL."""
    base_url, requests = loopback_http
    playlist = tmp_path / "stream.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n{base_url}/segment.ts\n#EXT-X-ENDLIST\n")
    with pytest.raises(ValueError, match="ffmpeg could not read"):
        list(file_segments(playlist))
    assert requests == []


def test_a_keyframe_decoded_down_to_the_hud_is_exact_there(sample_segments: list[Path]) -> None:
    rows = 150
    partial_decodes = 0
    for path in sample_segments:
        data = path.read_bytes()
        whole = decode_keyframe(data)
        top = decode_keyframe(data, rows=rows)
        assert whole is not None and whole.whole and top is not None
        assert top.exact_rows >= rows
        assert top.image.shape == whole.image.shape
        assert np.array_equal(top.image[: top.exact_rows], whole.image[: top.exact_rows]), path.name
        partial_decodes += not top.whole
    assert partial_decodes >= len(sample_segments) - 1  # the first learns how many bytes a row takes


def test_every_frame_is_timed_on_the_frame_grid(sample_segments: list[Path]) -> None:
    frames = list(all_frames(_segment(sample_segments[2].read_bytes())))
    assert len(frames) == 120  # 2 s at 60 fps
    offsets = [frame.stream_time for frame in frames]
    assert offsets == pytest.approx([index / 60 for index in range(120)], abs=1e-6)
    assert all(frame.image.ndim == 2 and frame.image.shape == (1080, 1920) for frame in frames)
    top = list(all_frames(_segment(sample_segments[2].read_bytes()), rows=200))
    assert all(np.array_equal(a.image[:200], b.image[:200]) and not b.whole for a, b in zip(frames, top, strict=True))


def test_transport_stream_packets_fed_straight_to_the_decoder_give_the_demuxer_s_frames(
    sample_segments: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """MPEG-TS segments skip the demuxer (its probe decodes frames twice); nothing else may change."""
    segment = _segment(sample_segments[2].read_bytes())
    found = video_pes_packets(segment.data)
    assert found is not None
    codec, units = found
    assert codec == "h264" and len(units) == 120
    assert first_video_access_unit(segment.data) == (codec, units[0].data)
    presented = sorted(unit.pts for unit in units if unit.pts is not None)
    assert [later - earlier for earlier, later in pairwise(presented)] == [1500] * 119  # 60 fps on a 90 kHz clock
    direct = {rows: list(all_frames(segment, rows=rows)) for rows in (None, 200)}
    monkeypatch.setattr(frames, "video_pes_packets", lambda data: None)  # as for bytes it cannot split
    for rows, ours in direct.items():
        demuxed = list(all_frames(segment, rows=rows))
        assert len(ours) == len(demuxed) == 120
        for a, b in zip(ours, demuxed, strict=True):
            assert (a.at, a.stream_time, a.exact_rows) == (b.at, b.stream_time, b.exact_rows)
            assert np.array_equal(a.image, b.image)


def test_bytes_that_are_not_a_transport_stream_are_left_to_the_demuxer(sample_segments: list[Path]) -> None:
    data = sample_segments[1].read_bytes()
    assert video_pes_packets(b"") is None
    assert video_pes_packets(b"#EXTM3U\n" * 100) is None
    assert video_pes_packets(data[1:]) is None  # out of step with the 188-byte packets
    assert video_pes_packets(data[: 188 * 400] + b"\x00" * 188 + data[188 * 401 :]) is None  # a packet lost its sync
