"""Two capture runs of one suite, stream by stream: what a change gained, lost or cost.

Why: a rule is judged by the streams it changes, not by a suite's total (a goal gained on one stream can hide one
lost on another). Every session compared a base tree's run with a new one's on the same renders by hand; this is
that diff, from the JSON files ``python -m bench.capture --json`` writes, our pipeline only.

    python -m bench.compare base.json new.json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMING_CHANGE_S = 0.05
"""A goal's worst timing error moving by more than this is a change (one frame at 30 fps is 0.033 s)."""


@dataclass(frozen=True)
class StreamFigures:
    """What a run says about one stream (our pipeline)."""

    goals: int
    found: int
    detected: int
    wrong_scores: int
    wrong_codes: int
    silent_misses: int
    ocr_calls: int
    max_timing_error_s: float

    @classmethod
    def of(cls, stream: Mapping[str, Any]) -> StreamFigures:
        ours = stream["pipelines"]["ours"]
        return cls(
            goals=stream["truth_goals"],
            found=ours["matched"],
            detected=ours["detected"],
            wrong_scores=ours["wrong_scores"],
            wrong_codes=ours.get("wrong_teams", 0),
            silent_misses=ours.get("silent_misses", 0),
            ocr_calls=ours["ocr_calls"],
            max_timing_error_s=ours["max_timing_error_s"] or 0.0,
        )

    def differs_from(self, other: StreamFigures) -> bool:
        """Whether a goal, a name, a false or silent goal, or a goal's timing changed (OCR calls alone do not)."""
        same = (self.found, self.detected, self.wrong_scores, self.wrong_codes, self.silent_misses) == (
            other.found,
            other.detected,
            other.wrong_scores,
            other.wrong_codes,
            other.silent_misses,
        )
        return not same or abs(self.max_timing_error_s - other.max_timing_error_s) > TIMING_CHANGE_S


def figures_by_stream(run: Mapping[str, Any]) -> dict[str, StreamFigures]:
    return {stream["label"]: StreamFigures.of(stream) for stream in run["streams"]}


def compare(base: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """One line per stream whose figures changed, then the totals over the streams both runs measured."""
    before, after = figures_by_stream(base), figures_by_stream(new)
    shared = [label for label in before if label in after]
    lines = [
        f"{label}: found {before[label].found} -> {after[label].found} of {before[label].goals}, "
        f"detected {before[label].detected} -> {after[label].detected}, "
        f"wrong scores {before[label].wrong_scores} -> {after[label].wrong_scores}, "
        f"wrong codes {before[label].wrong_codes} -> {after[label].wrong_codes}, "
        f"silent {before[label].silent_misses} -> {after[label].silent_misses}, "
        f"max timing {before[label].max_timing_error_s:.3f} -> {after[label].max_timing_error_s:.3f} s, "
        f"OCR {before[label].ocr_calls} -> {after[label].ocr_calls}"
        for label in shared
        if after[label].differs_from(before[label])
    ]

    def total(figures: dict[str, StreamFigures], field: str) -> int:
        return sum(getattr(figures[label], field) for label in shared)

    lines.append(
        f"{len(shared)} streams, {total(before, 'goals')} goals: found {total(before, 'found')} -> "
        f"{total(after, 'found')}, detected {total(before, 'detected')} -> {total(after, 'detected')}, "
        f"wrong scores {total(before, 'wrong_scores')} -> {total(after, 'wrong_scores')}, "
        f"wrong codes {total(before, 'wrong_codes')} -> {total(after, 'wrong_codes')}, "
        f"silent {total(before, 'silent_misses')} -> {total(after, 'silent_misses')}, "
        f"OCR calls {total(before, 'ocr_calls')} -> {total(after, 'ocr_calls')}"
    )
    unmatched = sorted(set(before) ^ set(after))
    if unmatched:
        lines.append(f"measured in one run only (left out): {', '.join(unmatched)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path, help="the base tree's results JSON")
    parser.add_argument("new", type=Path, help="the new tree's results JSON, on the same renders")
    args = parser.parse_args(argv)
    for line in compare(json.loads(args.base.read_text()), json.loads(args.new.read_text())):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
