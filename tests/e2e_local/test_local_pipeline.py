"""The README's main command, end to end, on a generated stream where one match ends and the next begins.

Real everything: x264 HLS served live on 127.0.0.1 (real time, Twitch's window),
the capture task, moto in server mode on loopback, the real enrich, clip and
vertical handlers with real ffmpeg, the real webhook hook posting to a loopback
chat server, the gallery hook, and the gallery pages checked in headless Chromium
at desktop and phone widths. A busy neighbour process takes CPU throughout:
nothing depends on the machine's speed.

One run serves every test here (it is served in real time, so each run costs
its stream's length and more): its stream (``bench-720p30-b``, 72 s, 720p30, two
goals) also has a new match kicking off, so the same run shows the capture
reporting the first match over, enrich passing it on and clip joining that
match's goal clips into a reel that reaches the gallery.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import cv2
import pytest

from capture_task.vision.reader import ScoreboardReader
from local_pipeline.display import verdict
from local_pipeline.pipeline import LocalRun, LocalRunOptions, run_pipeline
from sample_broadcast import SampleBroadcast, bench_suite
from tests.e2e_local.browser import chromium_path
from tests.e2e_local.capture_support import NOT_HUNG, REAL_TIME, busy_neighbour
from tests.e2e_local.gallery_probe import probe_gallery

pytestmark = [pytest.mark.slow, NOT_HUNG]
"""The module's run waits on progress, not a clock: on a loaded machine it may take long; only a hang fails."""
PRE_ROLL_S, POST_ROLL_S = 6.0, 4.0
"""Short rolls: the clip must hold the whole window, and a goal's window must fit inside its match."""
SEGMENT_S = 2.0


def new_match_sample() -> SampleBroadcast:
    """The 720p30 benchmark stream in which a new match kicks off (and no half time ends the first)."""
    return next(s for s in bench_suite() if s.script.new_match is not None and s.script.half_time is None)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> LocalRun:
    out = tmp_path_factory.mktemp("highlights")
    options = LocalRunOptions(
        out=out, pre_roll_s=PRE_ROLL_S, post_roll_s=POST_ROLL_S, speed=REAL_TIME, sample=new_match_sample()
    )
    started = time.monotonic()
    with busy_neighbour():
        run = run_pipeline(options)
    run_durations_s[id(run)] = time.monotonic() - started
    return run


run_durations_s: dict[int, float] = {}
"""Wall time of each run: no latency can exceed it."""


def _ffprobe(path: Path) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_every_goal_has_exactly_one_playable_clip_of_the_window(local_run: LocalRun) -> None:
    ok, sentence = verdict(local_run)
    assert ok, sentence
    truth = local_run.truth
    assert truth is not None
    out = local_run.gallery.folder if local_run.gallery else Path()
    clips = sorted(p for p in (out / "clips").glob("*.mp4") if not p.stem.endswith(("-vertical", "-reel")))
    thumbnails = sorted(p for p in (out / "clips").glob("*.jpg") if not p.stem.endswith("-vertical"))
    reels = {p.name for p in (out / "clips").glob("*-reel.mp4")}
    assert reels == {f"{reel.id}-reel.mp4" for reel in local_run.reels}
    assert len(clips) == len(thumbnails) == len(truth["goals"]) == len(local_run.highlights)
    by_score = {json.dumps(h.goal.score.model_dump(), sort_keys=True): h for h in local_run.highlights}
    for want in truth["goals"]:
        highlight = by_score[json.dumps(want["score"], sort_keys=True)]
        clip = out / "clips" / f"{highlight.goal.id}.mp4"
        probe = _ffprobe(clip)
        video = next(s for s in probe["streams"] if s["codec_type"] == "video")
        assert video["codec_name"] == "h264"
        duration = float(probe["format"]["duration"])
        # Widened to whole segments/keyframes: never shorter than the window, at most a segment longer each side.
        assert PRE_ROLL_S + POST_ROLL_S - 0.1 <= duration <= PRE_ROLL_S + POST_ROLL_S + 2 * SEGMENT_S + 0.2
        goal_offset = (highlight.goal.at - highlight.clip_start).total_seconds()
        assert PRE_ROLL_S - 0.1 <= goal_offset <= PRE_ROLL_S + SEGMENT_S + 0.1
        assert _score_shown(clip, goal_offset + 0.3) == (want["score"]["home"], want["score"]["away"])
        thumbnail = cv2.imread(str(out / "clips" / f"{highlight.goal.id}.jpg"))
        shown = ScoreboardReader().read(thumbnail, may_locate=True)
        assert shown is not None and (shown.score.home, shown.score.away) == (
            want["score"]["home"],
            want["score"]["away"],
        )


def _score_shown(clip: Path, offset_s: float) -> tuple[int, int] | None:
    """Read the scoreboard back from the clip near the goal frame, with the capture task's own reader."""
    capture = cv2.VideoCapture(str(clip))
    reader, found = ScoreboardReader(), None
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        t = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000
        if index == 0:
            reader.relocate(frame)
        if t >= offset_s and found is None:
            reading = reader.read(frame, may_locate=True, fresh=True)
            if reading is not None:
                found = (reading.score.home, reading.score.away)
                break
        index += 1
    capture.release()
    return found


def test_every_highlight_got_one_vertical_cut_beside_its_clip(local_run: LocalRun) -> None:
    by_highlight = {vertical.highlight_id: vertical for vertical in local_run.verticals}
    assert len(local_run.verticals) == len(by_highlight) == len(local_run.highlights)
    for highlight in local_run.highlights:
        vertical = by_highlight[highlight.id]
        assert (vertical.width, vertical.height) == (720, 1280)  # the stream is 720p
        assert abs(vertical.duration_s - highlight.duration_s) <= 2 / 30
        assert vertical.clip.key == highlight.clip.key.removesuffix(".mp4") + ".vertical.mp4"
        assert vertical.thumbnail.key == highlight.clip.key.removesuffix(".mp4") + ".vertical.jpg"
        assert vertical.source == highlight.clip


def test_the_chat_got_one_alert_per_goal_then_that_same_message_with_its_clip(local_run: LocalRun) -> None:
    """Issue 12's done-when: the local webhook receiver got one alert per goal, updated (PATCH) with its clip."""
    assert local_run.chat is not None and local_run.gallery is not None
    messages = list(local_run.chat.chat.values())
    assert len(messages) == len(local_run.alerts) == len(local_run.highlights)
    by_title = {h.title: h for h in local_run.highlights}
    for message in messages:
        alert, clip = message.versions  # posted once, edited once
        assert alert["content"].startswith("⚽ GOAL — ") and "url" not in alert["embeds"][0]
        highlight = by_title[clip["embeds"][0]["title"]]
        assert alert["content"] == f"⚽ GOAL — {highlight.title}"
        assert clip["embeds"][0]["url"] == highlight.clip.url
        if message.files:  # attached: it fits Discord's 10 MB, so the chat holds the clip itself
            assert message.files == {f"{highlight.goal.id}.mp4": (local_run.gallery.folder / "clips" /
                                      f"{highlight.goal.id}.mp4").read_bytes()}  # fmt: skip
        else:
            assert clip["embeds"][0]["image"] == {"url": highlight.thumbnail.url}
        assert message.received_at[0] <= message.received_at[1]


def test_each_alert_reached_the_chat_before_its_clip(local_run: LocalRun) -> None:
    assert set(local_run.alert_latencies_s) == {h.goal.id for h in local_run.highlights}
    for goal_id, alert_s in local_run.alert_latencies_s.items():
        # Ordering, not speed: the alert is published before the clip job is even sent.
        assert 0 < alert_s < local_run.latencies_s[goal_id]
        # The alert path alone (goal record handed to enrich -> alert in the chat) is part of that span.
        assert 0 < local_run.alert_path_s[goal_id] < alert_s


def test_latency_from_screen_to_hook_is_measured(local_run: LocalRun) -> None:
    # Measured, not bounded: how long it takes depends on the machine; that it is a real span does not.
    assert set(local_run.latencies_s) == {h.goal.id for h in local_run.highlights}
    assert all(0 < latency < run_durations_s[id(local_run)] for latency in local_run.latencies_s.values())


def test_first_match_reel_is_made_from_its_goals(local_run: LocalRun) -> None:
    """A stream where one match ends and the next begins: the first match's reel reaches the gallery."""
    ok, sentence = verdict(local_run)
    assert ok, sentence
    assert local_run.truth is not None
    new_match = new_match_sample().script.new_match
    assert new_match is not None
    first_match_goals = [g for g in local_run.truth["goals"] if g["stream_time"] < new_match.start_s]
    assert first_match_goals, "the stream's first match has a goal"
    (reel,) = local_run.reels
    assert reel.match.reason == "new_match"
    assert [g.score.model_dump() for g in reel.match.goals] == [g["score"] for g in first_match_goals]
    assert local_run.gallery is not None
    path = local_run.gallery.folder / "clips" / f"{reel.id}-reel.mp4"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    clips = {h.goal.id: h.duration_s for h in local_run.highlights}
    expected = sum(clips[g.id] for g in reel.match.goals)
    assert float(json.loads(probe.stdout)["format"]["duration"]) == pytest.approx(expected, abs=0.3)
    assert f'data-match-id="{reel.id}"' in local_run.gallery.channel_page(reel.channel).read_text()


SCREENSHOTS_ENV = "HIGHLIGHT_BOT_SCREENSHOTS"
"""Where the gallery's screenshots are kept for a person to look at (default: the test's temporary folder)."""


@pytest.mark.parametrize(
    ("width", "height", "mobile"), [(1366, 900, False), (390, 844, True)], ids=["desktop", "phone"]
)
def test_gallery_in_headless_chromium(
    local_run: LocalRun, tmp_path: Path, width: int, height: int, mobile: bool
) -> None:
    """Every clip, vertical cut and reel plays, every link resolves, and nothing is wider than the screen."""
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it (Debian package chromium)")
        pytest.skip("chromium is not installed; `make test` installs it")
    assert local_run.gallery is not None
    shots = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path / "shots")
    index, channels = probe_gallery(
        local_run.gallery.folder, tmp_path / "profile", shots, width=width, height=height, mobile=mobile
    )
    assert [page.path.parent.name for page in channels] == [local_run.channel]
    (channel,) = channels
    assert sorted(channel.report["goalIds"]) == sorted(h.goal.id for h in local_run.highlights)
    assert sorted(channel.report["matchIds"]) == sorted(reel.id for reel in local_run.reels)
    # `make demo`'s done-when: each goal's 16:9 clip and its 9:16 cut are both on the page.
    verticals = {vertical.goal.id for vertical in local_run.verticals}
    assert verticals == {h.goal.id for h in local_run.highlights}
    videos = channel.videos
    assert len(videos) == len(local_run.highlights) + len(verticals) + len(local_run.reels)
    for video in videos:
        assert video["error"] is None and video["readyState"] >= 1 and video["duration"] > 0, video
        assert (video["height"] > video["width"]) == video["tall"], video
        assert 0 < video["shownWidth"] <= width
    assert sum(video["tall"] for video in videos) == len(verticals)
    assert all(image["drawn"] for image in channel.report["images"]), channel.report["images"]
    for page in (index, channel):
        assert page.missing_files() == []
        assert not page.overflows(), f"{page.path} is {page.report['documentWidth']} px wide on a {width} px screen"
        image = cv2.imread(str(page.screenshot))
        assert image is not None and image.shape[:2] == (height, width)
        assert image.std() > 10  # a dark page with light cards: the cards have drawn


def test_an_unreachable_source_fails_the_run_with_a_sentence(tmp_path: Path) -> None:
    run = run_pipeline(LocalRunOptions(out=tmp_path, source="http://127.0.0.1:9/nothing-here.m3u8"))
    ok, sentence = verdict(run)
    assert not ok
    assert "could not be fetched" in sentence and "check the URL" in sentence
