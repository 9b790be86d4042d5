"""Benchmark scripts whose figures are quoted in the README.

Why a package: each benchmark runs as ``python -m bench.<name>`` from the repository root and
measures in fresh subprocesses of itself, so no figure depends on what an earlier run left warm.
The scoring is importable on its own, to re-score a saved ``bench/results/*.json`` without video.

``bench.capture`` itself is deliberately not imported here: it would then be loaded twice
when run with ``python -m bench.capture`` (runpy warns about exactly that).

Example:
    $ .venv/bin/python -m bench.capture --streams bench-720p30-a --skip-naive
    >>> from bench import match_goals
    >>> match_goals(truth, detected).recall
"""

from bench.measurements import PIPELINES, GoalMoment, Measurement, Pipeline, StreamResult
from bench.scoring import DetectionScore, GoalMatch, Summary, TargetCheck, check_targets, match_goals

__all__ = [
    "PIPELINES",
    "DetectionScore",
    "GoalMatch",
    "GoalMoment",
    "Measurement",
    "Pipeline",
    "StreamResult",
    "Summary",
    "TargetCheck",
    "check_targets",
    "match_goals",
]
