"""A stream where one match ends and the next begins: the first match's reel reaches the gallery.

The whole local pipeline again (capture -> Kinesis -> enrich -> clip -> SNS -> hooks on moto),
on the benchmark stream with a new match: the capture task reports the first match over when the
new one kicks off, enrich passes it on, and clip joins that match's goal clips into one reel.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from local_pipeline.display import verdict
from local_pipeline.pipeline import LocalRunOptions, run_pipeline
from sample_broadcast import bench_suite
from tests.e2e_local.capture_support import NOT_HUNG, REAL_TIME

pytestmark = [pytest.mark.slow, NOT_HUNG, pytest.mark.usefixtures("busy_neighbour")]


def test_first_match_reel_is_made_from_its_goals(tmp_path: Path) -> None:
    sample = next(s for s in bench_suite() if s.script.new_match is not None and s.script.half_time is None)
    run = run_pipeline(LocalRunOptions(out=tmp_path, speed=REAL_TIME, pre_roll_s=6.0, post_roll_s=4.0, sample=sample))
    ok, sentence = verdict(run)
    assert ok, sentence
    assert run.truth is not None
    new_match_at = sample.script.new_match.start_s
    first_match_goals = [g for g in run.truth["goals"] if g["stream_time"] < new_match_at]
    assert first_match_goals, "the stream's first match has a goal"
    (reel,) = run.reels
    assert reel.match.reason == "new_match"
    assert [g.score.model_dump() for g in reel.match.goals] == [g["score"] for g in first_match_goals]
    path = tmp_path / "clips" / f"{reel.id}-reel.mp4"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    clips = {h.goal.id: h.duration_s for h in run.highlights}
    expected = sum(clips[g.id] for g in reel.match.goals)
    assert float(json.loads(probe.stdout)["format"]["duration"]) == pytest.approx(expected, abs=0.3)
    assert run.gallery is not None
    assert f'data-match-id="{reel.id}"' in run.gallery.channel_page(reel.channel).read_text()
