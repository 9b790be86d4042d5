"""The capture bench counts goals lost in silence: missed on a stream whose capture logged no warning at all.

Why: a silent loss is the worst outcome, and the blind suite must show it without anyone reading its logs;
the count uses only whether warnings were logged. Refused misreads are counted apart from wrong scores.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.measurements import GoalMoment, Measurement, StreamResult
from bench.scoring import row_of

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def goal(second: float, score: tuple[int, int]) -> GoalMoment:
    return GoalMoment(START + timedelta(seconds=second), second, score, "LIV-MCI", "23:10")


TRUTH = (goal(10.0, (1, 0)), goal(30.0, (2, 0)), goal(50.0, (2, 1)))


def stream(name: str, found: tuple[GoalMoment, ...], warnings: tuple[str, ...], refused: int = 0) -> StreamResult:
    measurement = Measurement(
        pipeline="ours", segments=30, stream_s=60.0, cpu_s=2.0, wall_s=2.0, ocr_calls=10, locate_attempts=1,
        readings_reused=0, unreadable=0, segments_fully_decoded=3, detections=found, warnings=warnings,
        misreads_refused=refused,
    )  # fmt: skip
    shown = frozenset({(0, 0), *(moment.score for moment in TRUTH)})
    return StreamResult(name, "720p30", 1280, 720, 30, 60.0, TRUTH, {"ours": measurement}, shown_scores=shown)


def test_goals_missed_without_any_warning_are_silent_and_those_with_one_are_not() -> None:
    silent = stream("a", TRUTH[:1], warnings=())  # two goals missed, nothing said
    loud = stream("b", (), warnings=("no score was read in 60 s of stream",), refused=2)  # three missed, said
    whole = stream("c", TRUTH, warnings=())  # nothing missed, nothing to say
    figures = row_of("all", "all", "all", [silent, loud, whole]).figures["ours"]
    assert figures.silent_misses == 2
    assert figures.misreads_refused == 2
    assert figures.score.wrong_scores == 0
