"""The sample broadcast generator against real ffmpeg/ffprobe and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import requests

from sample_broadcast import (
    BroadcastInfo,
    FrameRenderer,
    Goal,
    InvalidScriptError,
    LiveHlsServer,
    MatchScript,
    ensure_broadcast,
    every_nth_playlist_request,
    random_script,
    random_style,
    render_broadcast,
)
from sample_broadcast import broadcast as broadcast_module
from sample_broadcast.hls import parse_iso_utc
from sample_broadcast.hud import hud_box

pytestmark = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs ffmpeg and ffprobe")

SHORT_SCRIPT = MatchScript(
    home="LIV",
    away="MCI",
    duration_s=10,
    start_clock_s=20 * 60,
    goals=(Goal(3.37, "home", celebration_s=1.5, replay_s=2.0), Goal(7.21, "away", celebration_s=1.0, replay_s=1.5)),
)
SHORT_STYLE = replace(random_style(11, "720p", 30), chat_overlay=True, webcam_overlay=True)
HTTP_TIMEOUT_S = 5


@pytest.fixture(scope="module")
def short_broadcast(tmp_path_factory: pytest.TempPathFactory) -> BroadcastInfo:
    out_dir = tmp_path_factory.mktemp("broadcast") / "short"
    return render_broadcast(out_dir, SHORT_SCRIPT, SHORT_STYLE, mp4=True)


def _ffprobe(path: Path, *args: str) -> str:
    command = ["ffprobe", "-v", "error", "-select_streams", "v:0", *args, "-of", "json", str(path)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _playlist_tags(text: str, prefix: str) -> list[str]:
    return [line.split(":", 1)[1] for line in text.splitlines() if line.startswith(prefix)]


def _media_sequence(text: str) -> int:
    return int(_playlist_tags(text, "#EXT-X-MEDIA-SEQUENCE:")[0])


def _uris(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


# -- pure: styles and scripts -------------------------------------------------------------------


def test_random_style_varies_fonts_offsets_colours_and_sizes() -> None:
    styles = [random_style(seed) for seed in range(24)]
    assert len({s.hud.font_path for s in styles}) >= 5
    assert len({(s.hud.offset_x_frac, s.hud.offset_y_frac) for s in styles}) == len(styles)
    assert len({s.hud.text_height_frac for s in styles}) >= 20
    assert len({s.hud.box_bgr for s in styles}) >= 4
    brightness = {sum(s.hud.text_bgr) > 382 for s in styles}
    assert brightness == {True, False}, "both light-on-dark and dark-on-light HUDs must occur"
    assert len({s.crf for s in styles}) >= 5
    assert {s.chat_overlay for s in styles} == {True, False}
    assert random_style(5) == random_style(5)


def test_random_script_keeps_events_apart_and_off_segment_edges() -> None:
    for seed in range(40):
        script = random_script(seed, 60)
        times = sorted(
            [g.stream_time_s for g in script.goals] + ([script.half_time.start_s] if script.half_time else [])
        )
        assert all(b - a >= 12 for a, b in itertools.pairwise(times))
        for goal in script.goals:
            assert 6 <= goal.stream_time_s <= 60 - 8
            assert 0.2 <= goal.stream_time_s % 2 <= 1.8


def test_random_script_refuses_what_does_not_fit() -> None:
    with pytest.raises(InvalidScriptError, match="do not fit"):
        random_script(1, 20, n_goals=3)


def test_clock_runs_at_game_speed_and_goals_change_the_score() -> None:
    first = SHORT_SCRIPT.state_at(0, 30)
    later = SHORT_SCRIPT.state_at(60, 30)  # 2 s later = 15 game seconds
    assert (first.clock_text, later.clock_text) == ("20:00", "20:15")
    goal_frame = int(np.ceil(3.37 * 30))
    assert SHORT_SCRIPT.state_at(goal_frame - 1, 30).home_score == 0
    assert SHORT_SCRIPT.state_at(goal_frame, 30).home_score == 1
    assert SHORT_SCRIPT.state_at(int(5.0 * 30), 30).phase == "replay"


# -- a rendered broadcast -----------------------------------------------------------------------


@pytest.mark.slow
def test_segments_last_two_seconds_and_start_with_a_keyframe(short_broadcast: BroadcastInfo) -> None:
    assert [p.name for p in short_broadcast.segments] == [f"seg_{i:05d}.ts" for i in range(5)]
    for segment in short_broadcast.segments:
        stream = json.loads(_ffprobe(segment, "-count_packets", "-show_entries", "stream=nb_read_packets,width"))
        assert int(stream["streams"][0]["nb_read_packets"]) == 60  # 2 s at 30 fps
        assert stream["streams"][0]["width"] == 1280
        first = json.loads(_ffprobe(segment, "-read_intervals", "%+#1", "-show_entries", "packet=flags"))
        assert first["packets"][0]["flags"].startswith("K")
        duration = json.loads(_ffprobe(segment, "-show_entries", "format=duration"))["format"]["duration"]
        assert float(duration) == pytest.approx(2.0, abs=0.1)


@pytest.mark.slow
def test_playlist_program_date_times_are_two_seconds_apart(short_broadcast: BroadcastInfo) -> None:
    text = short_broadcast.playlist.read_text()
    pdts = [parse_iso_utc(value) for value in _playlist_tags(text, "#EXT-X-PROGRAM-DATE-TIME:")]
    assert len(pdts) == 5
    assert all(b - a == timedelta(seconds=2) for a, b in itertools.pairwise(pdts))
    assert _playlist_tags(text, "#EXTINF:") == ["2.000,live"] * 5
    assert "#EXT-X-ENDLIST" in text and _media_sequence(text) == 0
    assert pdts[0] == parse_iso_utc(short_broadcast.truth()["stream"]["start_program_date_time"])


@pytest.mark.slow
def test_truth_goals_match_the_script(short_broadcast: BroadcastInfo) -> None:
    truth = short_broadcast.truth()
    start = parse_iso_utc(truth["stream"]["start_program_date_time"])
    assert [g["side"] for g in truth["goals"]] == ["home", "away"]
    for goal, scripted in zip(truth["goals"], SHORT_SCRIPT.goals, strict=True):
        at = parse_iso_utc(goal["at"])
        assert abs((at - start).total_seconds() - goal["stream_time"]) < 0.001
        assert goal["stream_time"] == pytest.approx(goal["frame_index"] / 30)
        assert 0 <= goal["stream_time"] - scripted.stream_time_s < 1 / 30
        assert goal["stream_time"] % 2 > 0, "goals must not land on a segment boundary"
        side = goal["side"]
        assert goal["score"][side] == goal["previous_score"][side] + 1
        other = "away" if side == "home" else "home"
        assert goal["score"][other] == goal["previous_score"][other]
        assert goal["teams"] == {"home": "LIV", "away": "MCI"}
    assert truth["goals"][1]["previous_score"] == truth["goals"][0]["score"]
    assert [h["kind"] for h in truth["hud_hidden"]] == ["replay", "replay"]


def _decoded_frames(path: Path, indices: set[int]) -> dict[int, np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames: dict[int, np.ndarray] = {}
    index = 0
    while len(frames) < len(indices):
        ok, frame = capture.read()
        assert ok, f"video ended before frame {index}"
        if index in indices:
            frames[index] = frame
        index += 1
    capture.release()
    return frames


@pytest.mark.slow
def test_decoded_goal_frame_shows_the_new_score_in_the_hud(short_broadcast: BroadcastInfo) -> None:
    assert short_broadcast.mp4 is not None
    goal_frame = short_broadcast.truth()["goals"][0]["frame_index"]
    decoded = _decoded_frames(short_broadcast.mp4, {goal_frame - 1, goal_frame})
    x, y, w, h = hud_box(SHORT_STYLE, "LIV", "MCI")
    renderer = FrameRenderer(SHORT_SCRIPT, SHORT_STYLE)

    def hud_error(decoded_frame: np.ndarray, rendered_index: int) -> float:
        rendered = renderer.render(rendered_index)
        return float(np.abs(decoded_frame[y : y + h, x : x + w].astype(int) - rendered[y : y + h, x : x + w]).mean())

    # The encoded goal frame matches the renderer's goal frame, not the frame before it.
    assert hud_error(decoded[goal_frame], goal_frame) < hud_error(decoded[goal_frame], goal_frame - 1)
    assert hud_error(decoded[goal_frame - 1], goal_frame - 1) < hud_error(decoded[goal_frame - 1], goal_frame)
    assert hud_error(decoded[goal_frame], goal_frame) < 12


@pytest.mark.slow
def test_ensure_broadcast_renders_once_and_reuses_the_directory(tmp_path: Path) -> None:
    script = MatchScript(home="ARS", away="CHE", duration_s=2, start_clock_s=0)
    style = random_style(3)
    first = ensure_broadcast(tmp_path, script, style)
    second = ensure_broadcast(tmp_path, script, style)
    assert first.directory == second.directory
    assert [p.name for p in tmp_path.iterdir()] == [first.directory.name]  # no scratch left behind
    assert first.truth()["goals"] == []


def test_workers_asking_for_the_same_broadcast_at_once_render_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[Path] = []
    render = broadcast_module.render_broadcast

    def noted_render(out_dir: Path, *args: Any, **options: Any) -> BroadcastInfo:
        renders.append(out_dir)
        return render(out_dir, *args, **options)

    monkeypatch.setattr(broadcast_module, "render_broadcast", noted_render)
    script, style = MatchScript(home="ARS", away="CHE", duration_s=2, start_clock_s=0), random_style(4)
    with ThreadPoolExecutor(max_workers=3) as workers:  # each opens the lock file itself, as a process would
        found = list(workers.map(lambda _: ensure_broadcast(tmp_path, script, style).directory, range(3)))
    assert len(renders) == 1 and len(set(found)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [found[0].name]


# -- the live server -----------------------------------------------------------------------------


def _poll_until_ended(url: str, deadline_s: float = 10.0) -> list[str]:
    texts: list[str] = []
    stop = time.monotonic() + deadline_s
    while time.monotonic() < stop:
        response = requests.get(url, timeout=HTTP_TIMEOUT_S)
        if response.status_code == 200:
            texts.append(response.text)
            if "#EXT-X-ENDLIST" in response.text:
                return texts
        time.sleep(0.05)
    raise AssertionError("the live playlist never ended")


@pytest.mark.slow
def test_live_playlist_grows_slides_and_ends(short_broadcast: BroadcastInfo) -> None:
    # The stream's clock is stepped a segment at a time, so the test sees every state whatever the machine's speed.
    stream_clock = [0.0]
    segment_s = 2.0
    with LiveHlsServer(short_broadcast.directory, window_segments=3, clock=lambda: stream_clock[0]) as server:
        assert server.playlist_url.startswith("http://127.0.0.1:")
        early = requests.get(server.base_url + "seg_00004.ts", timeout=HTTP_TIMEOUT_S)
        assert early.status_code == 404  # not live yet
        texts = []
        for _ in range(len(short_broadcast.segments)):
            stream_clock[0] += segment_s
            texts.append(requests.get(server.playlist_url, timeout=HTTP_TIMEOUT_S).text)
        last = requests.get(server.base_url + "seg_00004.ts", timeout=HTTP_TIMEOUT_S)
    assert last.status_code == 200 and last.headers["Content-Type"] == "video/mp2t"
    sequences = [_media_sequence(text) for text in texts]
    assert sequences == [0, 0, 0, 1, 2]
    sizes = [len(_uris(text)) for text in texts]
    assert sizes == [1, 2, 3, 3, 3]
    assert "#EXT-X-ENDLIST" in texts[-1] and all("#EXT-X-ENDLIST" not in text for text in texts[:-1])
    assert _uris(texts[-1]) == ["seg_00002.ts", "seg_00003.ts", "seg_00004.ts"]
    pdts = _playlist_tags(texts[-1], "#EXT-X-PROGRAM-DATE-TIME:")
    assert pdts == _playlist_tags(short_broadcast.playlist.read_text(), "#EXT-X-PROGRAM-DATE-TIME:")[2:]


@pytest.mark.slow
def test_ad_break_replaces_segments_with_twitch_tagged_ads(short_broadcast: BroadcastInfo) -> None:
    with LiveHlsServer(short_broadcast.directory, speed=8, window_segments=6, ad_breaks=[(1, 2)]) as server:
        final = _poll_until_ended(server.playlist_url)[-1]
        ad = requests.get(server.base_url + "ad/1.ts", timeout=HTTP_TIMEOUT_S)
        hidden = requests.get(server.base_url + "seg_00001.ts", timeout=HTTP_TIMEOUT_S)
    assert _uris(final) == ["seg_00000.ts", "ad/1.ts", "ad/2.ts", "seg_00003.ts", "seg_00004.ts"]
    assert final.count("#EXT-X-DISCONTINUITY\n") == 2
    assert _media_sequence(final) == 0
    titles = _playlist_tags(final, "#EXTINF:")
    assert [t.split(",", 1)[1].startswith("Amazon|") for t in titles] == [False, True, True, False, False]
    (daterange,) = _playlist_tags(final, "#EXT-X-DATERANGE:")
    assert 'CLASS="twitch-stitched-ad"' in daterange and "DURATION=4.000" in daterange
    assert 'ID="stitched-ad-' in daterange
    lines = final.splitlines()
    assert lines[lines.index("ad/1.ts") - 4].startswith("#EXT-X-DISCONTINUITY")
    assert ad.status_code == 200 and ad.headers["Content-Type"] == "video/mp2t"
    assert hidden.status_code == 404
    slate = short_broadcast.directory / "ad_slate.ts"
    stream = json.loads(_ffprobe(slate, "-count_packets", "-show_entries", "stream=nb_read_packets,width,height"))
    assert stream["streams"][0] == {"width": 1280, "height": 720, "nb_read_packets": "60"}


@pytest.mark.slow
def test_injected_failures_answer_503_then_recover(short_broadcast: BroadcastInfo) -> None:
    rule: set[int | str] = {2, "/seg_00000.ts"}
    with LiveHlsServer(short_broadcast.directory, speed=1, preloaded_segments=2, fail_requests=rule) as server:
        statuses = [requests.get(server.playlist_url, timeout=HTTP_TIMEOUT_S).status_code for _ in range(3)]
        segment = [requests.get(server.base_url + "seg_00000.ts", timeout=HTTP_TIMEOUT_S) for _ in range(2)]
        log = list(server.request_log)
    assert statuses == [200, 503, 200]
    assert [r.status_code for r in segment] == [503, 200]
    assert [status for _, _, status in log] == [200, 503, 200, 503, 200]

    nth = every_nth_playlist_request(3)
    with LiveHlsServer(short_broadcast.directory, preloaded_segments=1, fail_requests=nth) as server:
        statuses = [requests.get(server.playlist_url, timeout=HTTP_TIMEOUT_S).status_code for _ in range(6)]
        content_type = requests.get(server.playlist_url, timeout=HTTP_TIMEOUT_S).headers["Content-Type"]
    assert statuses == [200, 200, 503, 200, 200, 503]
    assert content_type == "application/vnd.apple.mpegurl"


def test_a_broadcast_at_a_capped_bitrate_renders_to_the_same_bytes_twice(tmp_path: Path) -> None:
    # x264's VBV rate control on several threads is not deterministic: dev-1109, rendered twice, differed in 78 % of
    # its pixels, and a stream's goals (a test's outcome) with them. The bench's results and the tests that render
    # a streamer's capped bitrate must be about one broadcast.
    script = replace(SHORT_SCRIPT, duration_s=4, goals=(SHORT_SCRIPT.goals[0],))
    style = replace(random_style(11, "720p", 30), rate_control="capped", bitrate_kbps=700)
    first, second = (render_broadcast(tmp_path / name, script, style) for name in ("first", "second"))
    assert [path.read_bytes() for path in first.segments] == [path.read_bytes() for path in second.segments]
