"""Two runs of a suite compared stream by stream: a goal gained on one stream must not hide one lost on another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.compare import compare, main


def _stream(label: str, found: int, *, codes: int = 0, timing: float = 0.0, ocr: int = 10) -> dict[str, Any]:
    return {
        "label": label,
        "truth_goals": 2,
        "pipelines": {
            "ours": {
                "matched": found,
                "detected": found,
                "wrong_scores": 0,
                "wrong_teams": codes,
                "silent_misses": 0,
                "ocr_calls": ocr,
                "max_timing_error_s": timing if found else None,
            }
        },
    }


def _run(*streams: dict[str, Any]) -> dict[str, Any]:
    return {"streams": list(streams)}


def test_a_goal_gained_on_one_stream_and_lost_on_another_shows_both() -> None:
    base = _run(_stream("dev-1", 2), _stream("dev-2", 1), _stream("dev-3", 2))
    new = _run(_stream("dev-1", 1), _stream("dev-2", 2), _stream("dev-3", 2, ocr=12))
    lines = compare(base, new)
    assert [line.split(":")[0] for line in lines[:-1]] == ["dev-1", "dev-2"], "OCR calls alone are no change"
    assert "found 2 -> 1 of 2" in lines[0] and "found 1 -> 2 of 2" in lines[1]
    assert lines[-1].startswith("3 streams, 6 goals: found 5 -> 5") and "OCR calls 30 -> 32" in lines[-1]


@pytest.mark.parametrize(
    ("new", "changed"),
    [
        (_stream("dev-1", 2, codes=1), True),  # a goal named after the wrong teams
        (_stream("dev-1", 2, timing=0.1), True),  # three frames later
        (_stream("dev-1", 2, timing=0.033), False),  # one frame: within noise of the first frame's choice
    ],
)
def test_a_name_or_a_timing_that_moved_is_a_change(new: dict[str, Any], changed: bool) -> None:
    lines = compare(_run(_stream("dev-1", 2)), _run(new))
    assert (len(lines) == 2) is changed


def test_streams_measured_in_one_run_only_are_left_out_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, new = tmp_path / "base.json", tmp_path / "new.json"
    base.write_text(json.dumps(_run(_stream("dev-1", 2), _stream("dev-9", 0))))
    new.write_text(json.dumps(_run(_stream("dev-1", 2))))
    assert main([str(base), str(new)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["1 streams, 2 goals: found 2 -> 2, detected 2 -> 2, wrong scores 0 -> 0, wrong codes 0 -> 0, "
                   "silent 0 -> 0, OCR calls 10 -> 10", "measured in one run only (left out): dev-9"]  # fmt: skip
