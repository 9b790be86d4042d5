"""What the capture benchmark measures, as plain values that cross a process boundary as JSON.

Why a module of its own: the measuring process produces these, the orchestrating process
scores and reports them, and both must agree on one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from contracts import GoalEvent
    from sample_broadcast import BroadcastInfo

Pipeline = Literal["ours", "naive"]
"""``ours`` is the keyframe sampler; ``naive`` decodes every frame and OCRs one every 0.5 s."""
PIPELINES: tuple[Pipeline, ...] = get_args(Pipeline)


def realtime_factor(stream_s: float, cpu_s: float) -> float:
    """Stream seconds per CPU second: how many such streams one core could follow."""
    return stream_s / cpu_s if cpu_s > 0 else float("inf")


@dataclass(frozen=True)
class GoalMoment:
    """A goal as the truth or a detector states it: the score it led to and its first frame's time."""

    at: datetime
    stream_time: float
    score: tuple[int, int]
    teams: str
    clock: str

    @classmethod
    def from_truth(cls, goal: dict[str, Any]) -> GoalMoment:
        return cls(
            at=datetime.fromisoformat(goal["at"]),
            stream_time=float(goal["stream_time"]),
            score=(goal["score"]["home"], goal["score"]["away"]),
            teams=f"{goal['teams']['home']}-{goal['teams']['away']}",
            clock=goal["clock"],
        )

    @classmethod
    def from_event(cls, event: GoalEvent) -> GoalMoment:
        return cls(
            at=event.at,
            stream_time=event.stream_time,
            score=(event.score.home, event.score.away),
            teams=f"{event.teams.home}-{event.teams.away}",
            clock=event.clock,
        )

    def describe(self) -> str:
        """``NEW-GAL 0-2 at t=34.433 s (39:14)``: what a reader of a note needs to find the moment."""
        return f"{self.teams} {self.score[0]}-{self.score[1]} at t={self.stream_time:.3f} s ({self.clock})"

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "stream_time": round(self.stream_time, 3),
            "score": list(self.score),
            "teams": self.teams,
            "clock": self.clock,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GoalMoment:
        home, away = data["score"]
        return cls(datetime.fromisoformat(data["at"]), data["stream_time"], (home, away), data["teams"], data["clock"])


@dataclass(frozen=True)
class Measurement:
    """What one pipeline did on one stream, as reported by its measuring process."""

    pipeline: Pipeline
    segments: int
    stream_s: float
    cpu_s: float
    """Of the measuring process, its threads and its finished children (tesseract), on one core."""
    wall_s: float
    ocr_calls: int
    locate_attempts: int
    readings_reused: int
    unreadable: int
    segments_fully_decoded: int
    """Only the keyframe sampler decodes selectively; for the naive one it equals ``segments``."""
    detections: tuple[GoalMoment, ...]
    warnings: tuple[str, ...] = ()
    """What the capture task logged at WARNING or above: often the reason a goal was missed."""
    misreads_refused: int = 0
    """Changes read three times that the goal detector refused as no football score or no explainable jump:
    a misread kept out of the events, loudly, that the "wrong scores" column (adopted scores only) does not show."""
    search_cpu_s: float = 0.0
    """CPU seconds searching for the HUD as the reader's ``SearchBudget`` charges them: the reference core's for the
    work done (``capture_task.vision.work``), not this machine's, so the same on every machine."""
    searches_deferred: int = 0
    """Searches the budget made wait (the keyframe sampler only): their HUD may have been found later."""
    search_lowest_balance_s: float = 0.0
    """The least CPU (reference-core seconds) the search budget held after a search: how near this stream came to
    deferring one."""

    @property
    def realtime_factor(self) -> float:
        return realtime_factor(self.stream_s, self.cpu_s)

    def to_json(self) -> dict[str, Any]:
        figures = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return figures | {"detections": [goal.to_json() for goal in self.detections], "warnings": list(self.warnings)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measurement:
        detections = tuple(GoalMoment.from_json(goal) for goal in data["detections"])
        return cls(**{**data, "detections": detections, "warnings": tuple(data.get("warnings", ()))})


def shown_scores(truth: dict[str, Any]) -> frozenset[tuple[int, int]]:
    """Every score a broadcast's HUD showed, from its truth: match starts (0-0, or 1-2 when the
    broadcast joins a match under way; older truth files have no start score: 0-0) and goals."""
    scores = {(0, 0)} if not any("score" in match for match in truth.get("matches", [])) else set()
    for match in truth.get("matches", []):
        if "score" in match:
            scores.add((match["score"]["home"], match["score"]["away"]))
    for goal in truth["goals"]:
        scores.add((goal["score"]["home"], goal["score"]["away"]))
        scores.add((goal["previous_score"]["home"], goal["previous_score"]["away"]))
    return frozenset(scores)


@dataclass(frozen=True)
class StreamResult:
    """One suite stream: its facts, its truth and each pipeline's measurement."""

    name: str
    kind: str
    """Resolution class, such as ``720p30``: the targets are set per class."""
    width: int
    height: int
    fps: int
    duration_s: float
    truth: tuple[GoalMoment, ...]
    measurements: dict[Pipeline, Measurement]
    shown_scores: frozenset[tuple[int, int]] = frozenset()
    """Every score the stream's HUD ever showed (each match's first score and each goal's):
    a detected goal with any other score is a *wrong score*, a misread taken for a goal."""
    dimensions: dict[str, str] = field(default_factory=dict)
    """The broadcast's style and script dimensions (``sample_broadcast.dimensions``), to group results by."""

    @classmethod
    def of(
        cls,
        name: str,
        info: BroadcastInfo,
        measurements: dict[Pipeline, Measurement],
        dimensions: dict[str, str] | None = None,
    ) -> StreamResult:
        """The result for a rendered broadcast; its truth is read here, never by the measuring process."""
        truth = info.truth()
        stream = truth["stream"]
        return cls(
            name=name,
            kind=f"{stream['height']}p{stream['fps']}",
            width=stream["width"],
            height=stream["height"],
            fps=stream["fps"],
            duration_s=float(stream["duration"]),
            truth=tuple(GoalMoment.from_truth(goal) for goal in truth["goals"]),
            measurements=measurements,
            shown_scores=shown_scores(truth),
            dimensions=dict(dimensions or {}),
        )

    @property
    def format(self) -> str:
        return f"{self.width}×{self.height}@{self.fps}"
