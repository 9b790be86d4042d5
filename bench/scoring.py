"""Scores detections against the generator's truth and checks the issue's targets.

Why apart from the measuring: matching decides what "found the goal" means, so it must be
one small, pure function anyone can read — and re-run on a saved ``capture.json`` — without
decoding a frame.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bench.measurements import PIPELINES, GoalMoment, Pipeline, StreamResult, realtime_factor

MATCH_TOLERANCE_S = 2.0
"""A detection further than this from a truth goal of the same score is a different goal."""


@dataclass(frozen=True)
class SuiteTargets:
    """What a suite must reach (our pipeline); ``None`` leaves a figure unchecked."""

    median_error_s: float
    max_error_s: float | None = None
    wrong_scores: int | None = None
    realtime_factor: dict[str, float] = field(default_factory=dict)
    """Stream seconds per CPU second of one core, per resolution class."""
    goal_realtime_factor: dict[str, float] = field(default_factory=dict)
    """Hoped for; reported, never failed on."""
    over_naive: float | None = None
    """Our realtime factor over the naive baseline's, on the whole run (when both ran)."""


SUITE_TARGETS = {
    "bench": SuiteTargets(
        median_error_s=0.5,
        realtime_factor={"720p30": 8.0, "1080p60": 4.0},
        goal_realtime_factor={"1080p30": 40.0, "1080p60": 20.0},
    ),
    # Issue 9's "done when", on broadcasts nobody looked at while writing the reader.
    "unseen": SuiteTargets(
        median_error_s=0.1,
        max_error_s=0.5,
        wrong_scores=0,
        realtime_factor={"1080p30": 40.0, "1080p60": 20.0},
        over_naive=10.0,
    ),
}
SUITE_TARGETS["dev"] = SUITE_TARGETS["unseen"]
"""The dev suite is the unseen suite's twin: the same targets, on streams one may look at."""
TARGET_MEDIAN_ERROR_S = SUITE_TARGETS["bench"].median_error_s
TARGET_REALTIME_FACTOR = SUITE_TARGETS["bench"].realtime_factor
GOAL_REALTIME_FACTOR = SUITE_TARGETS["bench"].goal_realtime_factor


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
    wrong: tuple[GoalMoment, ...] = ()
    """Detections whose score the stream never showed: a misread reported as a goal."""

    def __add__(self, other: DetectionScore) -> DetectionScore:
        return DetectionScore(
            self.truth + other.truth,
            self.detected + other.detected,
            self.matches + other.matches,
            self.wrong + other.wrong,
        )

    @property
    def wrong_scores(self) -> int:
        return len(self.wrong)

    @property
    def wrong_teams(self) -> int:
        """Goals found whose team codes are not those the HUD showed ('LY' for OLY, 'THEC' for THFC): the score
        and the moment right, the names a viewer reads on the clip wrong. Why counted: the issue asks for codes read
        with the same care as scores, and the bench scored only scores; measured on Dec 6, ~3 % of the goals found
        carried a code cut short or a lookalike letter, none of them said."""
        return sum(match.detected.teams != match.truth.teams for match in self.matches)

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
    truth: Sequence[GoalMoment],
    detected: Sequence[GoalMoment],
    tolerance_s: float = MATCH_TOLERANCE_S,
    shown_scores: Collection[tuple[int, int]] | None = None,
) -> DetectionScore:
    """Credit detections to truth goals one to one: same score, within tolerance, closest pairs first.

    With ``shown_scores`` (every score the HUD showed), detections of any other score are
    also counted as wrong scores.

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
    wrong = tuple(found for found in detected if shown_scores is not None and found.score not in shown_scores)
    return DetectionScore(tuple(truth), tuple(detected), tuple(matches), wrong)


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
    misreads_refused: int = 0
    """Misreads the goal detector refused, loudly (``Measurement.misreads_refused``)."""
    silent_misses: int = 0
    """Goals missed on streams where the capture logged no warning at all: lost in silence, the worst outcome.
    Counted from the number of warning lines alone, so the blind suite stays blind."""

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
        silent_misses = 0
        for result, measurement in measured:
            stream_score = match_goals(result.truth, measurement.detections, shown_scores=result.shown_scores)
            score += stream_score
            if not measurement.warnings:
                silent_misses += len(result.truth) - len(stream_score.matches)
        figures[pipeline] = PipelineFigures(
            score=score,
            stream_s=sum(m.stream_s for _, m in measured),
            cpu_s=sum(m.cpu_s for _, m in measured),
            wall_s=sum(m.wall_s for _, m in measured),
            segments=sum(m.segments for _, m in measured),
            segments_fully_decoded=sum(m.segments_fully_decoded for _, m in measured),
            ocr_calls=sum(m.ocr_calls for _, m in measured),
            misreads_refused=sum(m.misreads_refused for _, m in measured),
            silent_misses=silent_misses,
        )
    return Row(label, kind, format, sum(r.duration_s for r in results), sum(len(r.truth) for r in results), figures)


@dataclass(frozen=True)
class DimensionRow:
    """The totals of the streams sharing one value of one style or script dimension."""

    dimension: str
    value: str
    streams: int
    row: Row


def dimension_rows(results: Sequence[StreamResult]) -> list[DimensionRow]:
    """Per dimension and value (``separator=none-split``…), the pooled figures of its streams."""
    names = list(dict.fromkeys(name for result in results for name in result.dimensions))
    rows = []
    for name in names:
        values = sorted({result.dimensions[name] for result in results if name in result.dimensions})
        for value in values:
            subset = [result for result in results if result.dimensions.get(name) == value]
            rows.append(DimensionRow(name, value, len(subset), row_of(f"{name}={value}", "dimension", "", subset)))
    return rows


@dataclass(frozen=True)
class Summary:
    """The rows of a results table: each stream, each resolution class (in suite order), everything,
    and per style dimension value."""

    streams: list[Row]
    classes: list[Row]
    overall: Row
    dimensions: list[DimensionRow] = field(default_factory=list)

    @classmethod
    def of(cls, results: Sequence[StreamResult]) -> Summary:
        streams = [row_of(result.name, result.kind, result.format, [result]) for result in results]
        kinds = list(dict.fromkeys(result.kind for result in results))
        classes = [row_of(f"{kind} total", kind, kind, [r for r in results if r.kind == kind]) for kind in kinds]
        return cls(streams, classes, row_of("all streams", "all", "all", results), dimension_rows(results))

    @property
    def rows(self) -> list[Row]:
        return [*self.streams, *self.classes, self.overall]


@dataclass(frozen=True)
class TargetCheck:
    """One of the issue's targets, measured on our pipeline."""

    name: str
    measured: float | None
    unit: Literal["fraction", "seconds", "factor", "count"]
    passed: bool
    binding: bool = True
    """False for the stretch goal: shown, but ``--check`` does not fail on it."""


def check_targets(summary: Summary, suite: str = "bench") -> list[TargetCheck]:
    """The suite's targets evaluated on what ran (a partial run checks only its own streams)."""
    ours = summary.overall.figures.get("ours")
    if ours is None:
        return []
    targets = SUITE_TARGETS[suite]
    score = ours.score
    median_s, max_s = score.median_error_s, score.max_error_s
    checks = [
        TargetCheck("precision = 1.0", score.precision, "fraction", score.precision in (None, 1.0)),
        TargetCheck("recall = 1.0", score.recall, "fraction", score.recall in (None, 1.0)),
    ]
    if targets.wrong_scores is not None:
        checks.append(
            TargetCheck(
                f"wrong scores ≤ {targets.wrong_scores}",
                score.wrong_scores,
                "count",
                score.wrong_scores <= targets.wrong_scores,
            )
        )
    checks.append(
        TargetCheck(
            f"median timing error ≤ {targets.median_error_s} s",
            median_s,
            "seconds",
            median_s is not None and median_s <= targets.median_error_s,
        )
    )
    if targets.max_error_s is not None:
        checks.append(
            TargetCheck(
                f"max timing error ≤ {targets.max_error_s} s",
                max_s,
                "seconds",
                max_s is not None and max_s <= targets.max_error_s,
            )
        )
    for row in summary.classes:
        figures = row.figures.get("ours")
        if figures is None:
            continue
        for required_by_kind, binding in ((targets.realtime_factor, True), (targets.goal_realtime_factor, False)):
            if row.kind in required_by_kind:
                required = required_by_kind[row.kind]
                name = f"realtime factor ≥ {required:g}x at {row.kind}" + ("" if binding else " (goal)")
                factor = figures.realtime_factor
                checks.append(TargetCheck(name, factor, "factor", factor >= required, binding))
    ratio = summary.overall.ratio("realtime_factor")
    if targets.over_naive is not None and ratio is not None:
        name = f"realtime factor ≥ {targets.over_naive:g}x the naive baseline's"
        checks.append(TargetCheck(name, ratio, "factor", ratio >= targets.over_naive))
    return checks
