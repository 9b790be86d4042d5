"""Turns scored results into what people read: a terminal table, a Markdown table, notes and JSON.

Why apart from the scoring: the README quotes the Markdown, the team reads the terminal table,
and tools read the JSON; all three show the same :class:`~bench.scoring.Summary`, so a figure
cannot differ between them.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from bench.measurements import PIPELINES, StreamResult
from bench.scoring import (
    TARGET_MEDIAN_ERROR_S,
    DetectionScore,
    PipelineFigures,
    Row,
    Summary,
    TargetCheck,
    match_goals,
)

WARNINGS_PER_RUN = 5
"""Capture-task warnings quoted per run in the notes; the JSON keeps all of them."""
NEARBY_S = 10.0
"""Detections this close to a missed goal are named beside it: usually the misread that replaced it."""


def fraction(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def factor(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}x"


def count(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


_UNIT_FORMATS = {"fraction": fraction, "seconds": seconds, "factor": factor, "count": count}


def _pair(row: Row, render: Callable[[PipelineFigures], str]) -> str:
    """``ours / naive`` in one cell, so the two pipelines sit side by side in a table that still fits."""
    return " / ".join(render(row.figures[p]) for p in PIPELINES if p in row.figures) or "–"


def results_table(summary: Summary, *, title: str) -> Table:
    """Per stream, per resolution class and overall: quality and cost, ours / naive."""
    table = Table(title=title, caption="two figures in a cell: ours / naive; ratios: ours ÷ naive")
    for header in ("stream", "format"):
        table.add_column(header)
    for header in (
        "length s", "goals", "detected", "precision", "recall", "wrong scores", "wrong codes", "median err s",
        "max err s", "realtime", "ratio", "OCR calls", "ratio", "full decodes",
    ):  # fmt: skip
        table.add_column(header, justify="right")
    for row in summary.rows:
        ours = row.figures.get("ours")
        table.add_row(
            row.label,
            row.format,
            f"{row.stream_s:.0f}",
            str(row.truth_goals),
            _pair(row, lambda f: str(len(f.score.detected))),
            _pair(row, lambda f: fraction(f.score.precision)),
            _pair(row, lambda f: fraction(f.score.recall)),
            _pair(row, lambda f: str(f.score.wrong_scores)),
            _pair(row, lambda f: str(f.score.wrong_teams)),
            _pair(row, lambda f: seconds(f.score.median_error_s)),
            _pair(row, lambda f: seconds(f.score.max_error_s)),
            _pair(row, lambda f: factor(f.realtime_factor)),
            factor(row.ratio("realtime_factor")),
            _pair(row, lambda f: str(f.ocr_calls)),
            fraction(row.ratio("ocr_calls")),
            f"{ours.segments_fully_decoded}/{ours.segments}" if ours else "–",
            end_section=row is summary.streams[-1] or row is summary.classes[-1],
            style="bold" if row is summary.overall else None,
        )
    return table


def dimensions_table(summary: Summary, *, title: str) -> Table:
    """Per style/script dimension value: quality, ours / naive, so a weak dimension shows.

    Recall below the run's overall recall is marked, as is any wrong score.
    """
    table = Table(title=title, caption="two figures in a cell: ours / naive; * = recall below the run's overall")
    for header in ("dimension", "value"):
        table.add_column(header)
    headers = ("streams", "goals", "precision", "recall", "wrong scores", "wrong codes", "median err s", "max err s")
    for header in headers:
        table.add_column(header, justify="right")
    overall = summary.overall.figures.get("ours")
    overall_recall = overall.score.recall if overall else None
    previous = None
    for entry in summary.dimensions:
        row = entry.row
        ours = row.figures.get("ours")
        weak = (
            ours is not None
            and ours.score.recall is not None
            and overall_recall is not None
            and ours.score.recall < overall_recall
        )
        table.add_row(
            entry.dimension if entry.dimension != previous else "",
            entry.value + (" *" if weak else ""),
            str(entry.streams),
            str(row.truth_goals),
            _pair(row, lambda f: fraction(f.score.precision)),
            _pair(row, lambda f: fraction(f.score.recall)),
            _pair(row, lambda f: str(f.score.wrong_scores)),
            _pair(row, lambda f: str(f.score.wrong_teams)),
            _pair(row, lambda f: seconds(f.score.median_error_s)),
            _pair(row, lambda f: seconds(f.score.max_error_s)),
            style="yellow" if weak else None,
        )
        previous = entry.dimension
    return table


def dimensions_markdown(summary: Summary) -> str:
    """The per-dimension figures of our pipeline as a Markdown table."""
    lines = [
        "| dimension | value | streams | goals | precision | recall | wrong scores | wrong codes "
        "| median / max error |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for entry in summary.dimensions:
        ours = entry.row.figures.get("ours")
        score = ours.score if ours else DetectionScore()
        lines.append(
            f"| {entry.dimension} | {entry.value} | {entry.streams} | {entry.row.truth_goals} "
            f"| {fraction(score.precision)} | {fraction(score.recall)} | {score.wrong_scores if ours else '–'} "
            f"| {score.wrong_teams if ours else '–'} "
            f"| {seconds(score.median_error_s)} / {seconds(score.max_error_s)} s |"
        )
    return "\n".join(lines)


def targets_table(checks: Sequence[TargetCheck], *, partial: bool) -> Table:
    """The issue's targets with pass/fail; a partial run says its verdicts cover only its streams."""
    table = Table(title="Targets (our pipeline, " + ("streams of this run only)" if partial else "whole suite)"))
    table.add_column("target")
    table.add_column("measured", justify="right")
    table.add_column("result")
    for check in checks:
        verdict = "[green]pass[/]" if check.passed else ("[red]FAIL[/]" if check.binding else "[yellow]not yet[/]")
        table.add_row(check.name, _UNIT_FORMATS[check.unit](check.measured), verdict)
    return table


def markdown_table(summary: Summary) -> str:
    """A short table for the README: our quality, and realtime factor and OCR calls, ours vs naive."""
    lines = [
        "| stream | format | goals | precision | recall | median / max error | realtime ours | realtime naive "
        "| OCR calls ours / naive |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in summary.rows:
        ours, naive = row.figures.get("ours"), row.figures.get("naive")
        label = row.label if row in summary.streams else f"**{row.label}**"
        quality = ours.score if ours else DetectionScore()
        lines.append(
            f"| {label} | {row.format} | {row.truth_goals} | {fraction(quality.precision)} "
            f"| {fraction(quality.recall)} | {seconds(quality.median_error_s)} / {seconds(quality.max_error_s)} s "
            f"| {factor(ours.realtime_factor if ours else None)} | {factor(naive.realtime_factor if naive else None)} "
            f"| {ours.ocr_calls if ours else '–'} / {naive.ocr_calls if naive else '–'} |"
        )
    return "\n".join(lines)


def notes(results: Sequence[StreamResult]) -> list[str]:
    """Every missed, invented or late goal in words, and what the capture task warned about.

    These are the lines worth handing to whoever owns the detector: the stream, the truth
    goal, and what was detected instead.
    """
    lines: list[str] = []
    for result in results:
        for pipeline, measurement in result.measurements.items():
            where = f"{result.name} ({pipeline})"
            score = match_goals(result.truth, measurement.detections, shown_scores=result.shown_scores)
            for found in score.wrong:
                lines.append(f"{where} reported a score the stream never showed: {found.describe()}")
            for goal in score.missed:
                near = [d for d in measurement.detections if abs((d.at - goal.at).total_seconds()) <= NEARBY_S]
                instead = ", ".join(d.describe() for d in near) if near else "nothing within 10 s"
                lines.append(f"{where} missed truth goal {goal.describe()}; detected instead: {instead}")
            for found in score.spurious:
                if found in score.wrong:
                    continue
                lines.append(f"{where} detected a goal the truth does not have: {found.describe()}")
            for match in score.matches:
                if match.error_s > TARGET_MEDIAN_ERROR_S:
                    offset_s = (match.detected.at - match.truth.at).total_seconds()
                    lines.append(f"{where} timed truth goal {match.truth.describe()} {offset_s:+.3f} s off")
            for warning in measurement.warnings[:WARNINGS_PER_RUN]:
                lines.append(f"{where} capture task logged: {warning}")
            if len(measurement.warnings) > WARNINGS_PER_RUN:
                more = len(measurement.warnings) - WARNINGS_PER_RUN
                lines.append(f"{where} … and {more} more warnings (see the JSON results)")
    return lines


def search_budget_line(results: Sequence[StreamResult]) -> str | None:
    """Our pipeline's searches for the HUD: their CPU, those the budget deferred, and the nearest a stream came to
    a deferral (``capture_task.vision.search_budget``), so a budget that binds on ordinary streams shows."""
    ours = [(result.name, result.measurements["ours"]) for result in results if "ours" in result.measurements]
    if not ours:
        return None
    cpu = sum(measured.cpu_s for _, measured in ours)
    searched = sum(measured.search_cpu_s for _, measured in ours)
    deferring = [f"{name} ({measured.searches_deferred})" for name, measured in ours if measured.searches_deferred]
    nearest, lowest = min(ours, key=lambda named: named[1].search_lowest_balance_s)
    return (
        f"ours: searches for the HUD were charged {searched:.1f} CPU s (their work at the reference core's cost, as "
        f"the search budget counts it; the whole capture took {cpu:.1f} CPU s here); the search "
        f"budget deferred searches on {len(deferring)} of {len(ours)} streams{': ' if deferring else ''}"
        f"{', '.join(deferring)}; least budget left after a search: {lowest.search_lowest_balance_s:.1f} CPU s "
        f"({nearest})"
    )


def environment(repo: Path) -> dict[str, Any]:
    """Where and with what the figures were measured, so a figure in the README can be traced."""
    import cv2
    import numpy
    import pytesseract

    cpu_model = next(
        (line.split(":", 1)[1].strip() for line in _lines_of(Path("/proc/cpuinfo")) if line.startswith("model name")),
        platform.processor(),
    )
    git = ["git", "-C", str(repo)]
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    changes = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, check=False).stdout
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu": cpu_model, "cpus": os.cpu_count()},
        "python": platform.python_version(),
        "opencv": cv2.__version__,
        "numpy": numpy.__version__,
        "tesseract": str(pytesseract.get_tesseract_version()),
        "commit": commit or None,
        "uncommitted_changes": bool(changes.strip()),
    }


def _lines_of(path: Path) -> list[str]:
    try:
        return path.read_text().splitlines()
    except OSError:
        return []


def _row_json(row: Row) -> dict[str, Any]:
    pipelines = {
        pipeline: {
            "detected": len(f.score.detected),
            "matched": len(f.score.matches),
            "precision": f.score.precision,
            "recall": f.score.recall,
            "wrong_scores": f.score.wrong_scores,
            "wrong_teams": f.score.wrong_teams,
            "timing_errors_s": [round(error_s, 3) for error_s in f.score.errors_s],
            "median_timing_error_s": f.score.median_error_s,
            "max_timing_error_s": f.score.max_error_s,
            "stream_s": f.stream_s,
            "cpu_s": round(f.cpu_s, 3),
            "wall_s": round(f.wall_s, 3),
            "realtime_factor": round(f.realtime_factor, 2),
            "ocr_calls": f.ocr_calls,
            "segments": f.segments,
            "segments_fully_decoded": f.segments_fully_decoded,
            "misreads_refused": f.misreads_refused,
            "silent_misses": f.silent_misses,
        }
        for pipeline, f in row.figures.items()
    }
    return {
        "label": row.label,
        "kind": row.kind,
        "format": row.format,
        "stream_s": row.stream_s,
        "truth_goals": row.truth_goals,
        "pipelines": pipelines,
        "ours_over_naive": {"realtime_factor": row.ratio("realtime_factor"), "ocr_calls": row.ratio("ocr_calls")},
    }


def results_document(
    results: Sequence[StreamResult],
    summary: Summary,
    checks: Sequence[TargetCheck],
    *,
    method: dict[str, Any],
    repo: Path,
) -> dict[str, Any]:
    """The JSON written to ``bench/results/capture.json``: environment, method, every figure, raw runs."""
    streams = [
        _row_json(row)
        | {
            "dimensions": result.dimensions,
            "truth": [goal.to_json() for goal in result.truth],
            "measurements": {pipeline: m.to_json() for pipeline, m in result.measurements.items()},
        }
        for result, row in zip(results, summary.streams, strict=True)
    ]
    return {
        "benchmark": "capture",
        **environment(repo),
        "method": method,
        "streams": streams,
        "classes": [_row_json(row) for row in summary.classes],
        "overall": _row_json(summary.overall),
        "dimensions": [
            {"dimension": entry.dimension, "value": entry.value, "streams": entry.streams} | _row_json(entry.row)
            for entry in summary.dimensions
        ],
        "targets": [
            {"target": c.name, "measured": c.measured, "passed": c.passed, "binding": c.binding} for c in checks
        ],
    }
