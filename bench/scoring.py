"""Scores detections against the generator's truth and checks the issue's targets.

Why apart from the measuring: matching decides what "found the goal" means, so it must be
one small, pure function anyone can read — and re-run on a saved ``capture.json`` — without
decoding a frame.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bench.measurements import PIPELINES, GoalMoment, Pipeline, StreamResult, realtime_factor

MATCH_TOLERANCE_S = 2.0
"""A detection further than this from a truth goal of the same score is a different goal."""
TARGET_MEDIAN_ERROR_S = 0.5
TARGET_REALTIME_FACTOR = {"720p30": 8.0, "1080p60": 4.0}
"""Stream seconds per CPU second of one core that the issue requires, per resolution class."""
GOAL_REALTIME_FACTOR = {"1080p60": 20.0}
"""What the issue hopes for; reported, never failed on."""


@dataclass(frozen=True)
class GoalMatch:
    """A detection credited to a truth goal."""

    truth: GoalMoment
    detected: GoalMoment

    @property
    def error_s(self) -> float:
        return abs((self.detected.at - self.truth.at).total_seconds())


@dataclass(frozen=True)
class DetectionScore:
    """Truth goals, detections, and which detection was credited to which goal; adds up over streams."""

    truth: tuple[GoalMoment, ...] = ()
    detected: tuple[GoalMoment, ...] = ()
    matches: tuple[GoalMatch, ...] = ()

    def __add__(self, other: DetectionScore) -> DetectionScore:
        return DetectionScore(self.truth + other.truth, self.detected + other.detected, self.matches + other.matches)

    @property
    def precision(self) -> float | None:
        """None when nothing was detected: no detection was wrong, but none was right either."""
        return len(self.matches) / len(self.detected) if self.detected else None

    @property
    def recall(self) -> float | None:
        return len(self.matches) / len(self.truth) if self.truth else None

    @property
    def errors_s(self) -> list[float]:
        return [match.error_s for match in self.matches]

    @property
    def median_error_s(self) -> float | None:
        return statistics.median(self.errors_s) if self.matches else None

    @property
    def max_error_s(self) -> float | None:
        return max(self.errors_s) if self.matches else None

    @property
    def missed(self) -> list[GoalMoment]:
        credited = {id(match.truth) for match in self.matches}
        return [goal for goal in self.truth if id(goal) not in credited]

    @property
    def spurious(self) -> list[GoalMoment]:
        credited = {id(match.detected) for match in self.matches}
        return [goal for goal in self.detected if id(goal) not in credited]


def match_goals(
    truth: Sequence[GoalMoment], detected: Sequence[GoalMoment], tolerance_s: float = MATCH_TOLERANCE_S
) -> DetectionScore:
    """Credit detections to truth goals one to one: same score, within tolerance, closest pairs first.

    Example:
        >>> match_goals(result.truth, result.measurements["ours"].detections).recall
        1.0
    """
    candidates = sorted(
        (abs((found.at - goal.at).total_seconds()), t, d)
        for t, goal in enumerate(truth)
        for d, found in enumerate(detected)
        if found.score == goal.score and abs((found.at - goal.at).total_seconds()) <= tolerance_s
    )
    used_truth: set[int] = set()
    used_detected: set[int] = set()
    matches: list[GoalMatch] = []
    for _error_s, t, d in candidates:
        if t not in used_truth and d not in used_detected:
            used_truth.add(t)
            used_detected.add(d)
            matches.append(GoalMatch(truth[t], detected[d]))
    matches.sort(key=lambda match: match.truth.at)
    return DetectionScore(tuple(truth), tuple(detected), tuple(matches))


@dataclass(frozen=True)
class PipelineFigures:
    """One pipeline's totals over one or more streams."""

    score: DetectionScore
    stream_s: float
    cpu_s: float
    wall_s: float
    segments: int
    segments_fully_decoded: int
    ocr_calls: int

    @property
    def realtime_factor(self) -> float:
        return realtime_factor(self.stream_s, self.cpu_s)


@dataclass(frozen=True)
class Row:
    """A line of the results: one stream, or the totals of a resolution class or of the whole run."""

    label: str
    kind: str
    format: str
    stream_s: float
    truth_goals: int
    figures: dict[Pipeline, PipelineFigures] = field(default_factory=dict)

    def ratio(self, figure: Literal["realtime_factor", "ocr_calls"]) -> float | None:
        """``ours / naive`` of one figure, when both pipelines ran."""
        if "ours" not in self.figures or "naive" not in self.figures:
            return None
        ours, naive = getattr(self.figures["ours"], figure), getattr(self.figures["naive"], figure)
        return float(ours / naive) if naive else None


def row_of(label: str, kind: str, format: str, results: Sequence[StreamResult]) -> Row:
    """Totals over ``results``: goals are matched per stream, then pooled; CPU and counts are summed."""
    figures: dict[Pipeline, PipelineFigures] = {}
    for pipeline in PIPELINES:
        measured = [(result, result.measurements[pipeline]) for result in results if pipeline in result.measurements]
        if not measured:
            continue
        score = DetectionScore()
        for result, measurement in measured:
            score += match_goals(result.truth, measurement.detections)
        figures[pipeline] = PipelineFigures(
            score=score,
            stream_s=sum(m.stream_s for _, m in measured),
            cpu_s=sum(m.cpu_s for _, m in measured),
            wall_s=sum(m.wall_s for _, m in measured),
            segments=sum(m.segments for _, m in measured),
            segments_fully_decoded=sum(m.segments_fully_decoded for _, m in measured),
            ocr_calls=sum(m.ocr_calls for _, m in measured),
        )
    return Row(label, kind, format, sum(r.duration_s for r in results), sum(len(r.truth) for r in results), figures)


@dataclass(frozen=True)
class Summary:
    """The rows of a results table: each stream, each resolution class (in suite order), everything."""

    streams: list[Row]
    classes: list[Row]
    overall: Row

    @classmethod
    def of(cls, results: Sequence[StreamResult]) -> Summary:
        streams = [row_of(result.name, result.kind, result.format, [result]) for result in results]
        kinds = list(dict.fromkeys(result.kind for result in results))
        classes = [row_of(f"{kind} total", kind, kind, [r for r in results if r.kind == kind]) for kind in kinds]
        return cls(streams, classes, row_of("all streams", "all", "all", results))

    @property
    def rows(self) -> list[Row]:
        return [*self.streams, *self.classes, self.overall]


@dataclass(frozen=True)
class TargetCheck:
    """One of the issue's targets, measured on our pipeline."""

    name: str
    measured: float | None
    unit: Literal["fraction", "seconds", "factor"]
    passed: bool
    binding: bool = True
    """False for the stretch goal: shown, but ``--check`` does not fail on it."""


def check_targets(summary: Summary) -> list[TargetCheck]:
    """The issue's targets evaluated on what ran (a partial run checks only its own streams)."""
    ours = summary.overall.figures.get("ours")
    if ours is None:
        return []
    score = ours.score
    median_s = score.median_error_s
    checks = [
        TargetCheck("precision = 1.0", score.precision, "fraction", score.precision in (None, 1.0)),
        TargetCheck("recall = 1.0", score.recall, "fraction", score.recall in (None, 1.0)),
        TargetCheck(
            f"median timing error ≤ {TARGET_MEDIAN_ERROR_S} s",
            median_s,
            "seconds",
            median_s is not None and median_s <= TARGET_MEDIAN_ERROR_S,
        ),
    ]
    for row in summary.classes:
        figures = row.figures.get("ours")
        if figures is None:
            continue
        for targets, binding in ((TARGET_REALTIME_FACTOR, True), (GOAL_REALTIME_FACTOR, False)):
            if row.kind in targets:
                required = targets[row.kind]
                name = f"realtime factor ≥ {required:g}x at {row.kind}" + ("" if binding else " (goal)")
                factor = figures.realtime_factor
                checks.append(TargetCheck(name, factor, "factor", factor >= required, binding))
    return checks
