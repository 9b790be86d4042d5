"""Restart without loss, the capture loop's side: the match so far and pending goal ids survive a kill.

The sampler is scripted (one reading per segment, no video), the checkpoints are real files, and a
"kill" is injected at one point of the announcer's work: from there on nothing the first capture
does persists (no event reaches the sink, no checkpoint is saved), as when the process dies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from capture_task.capture import CaptureTask
from capture_task.detect.checkpoint import MatchCheckpoint
from capture_task.ingest.media import SegmentMedia
from capture_task.publish.checkpoints import LocalCheckpointStore, saved_checkpoint
from capture_task.publish.publisher import JsonLinesSink
from capture_task.vision.reader import ScoreboardReader
from capture_task.vision.readings import FrameObservation, ScoreboardReading
from contracts import Event, GoalEvent, MatchEndEvent, Score, parse_event
from tests.unit.test_goals import START, TEAMS

SEGMENT_S = 2.0
CHANNEL = "chan"


class ScriptedSampler:
    """One observation per segment, read from the script by the segment's sequence ("1-0@23:10", None = no HUD)."""

    segments_tail_decoded = segments_tail_abandoned = 0

    def __init__(self, script: dict[int, str | None]) -> None:
        self._script = script
        self.reader = ScoreboardReader()  # never asked to read: the capture only asks whether it located a HUD

    def observe(
        self,
        segment: SegmentMedia,
        *,
        awaiting: Callable[[], bool],
        live_edge: Callable[[], bool] | None = None,
        awaiting_goal: Callable[[], bool] | None = None,
        confirmed: Callable[[], Score | None] | None = None,
    ) -> Iterator[FrameObservation]:
        item = self._script[segment.sequence]
        reading = None
        if item is not None:
            score, _, clock = item.partition("@")
            home, away = (int(x) for x in score.split("-"))
            reading = ScoreboardReading(TEAMS, Score(home=home, away=away), clock or "23:10")
        yield FrameObservation(segment.start, segment.stream_time, reading)

    def end_of_stream(self) -> None:
        """Nothing to say: the script's observations are all there is."""


def segments(sequences: range) -> list[SegmentMedia]:
    first = sequences[0]
    return [
        SegmentMedia(n, START + timedelta(seconds=SEGMENT_S * n), SEGMENT_S, SEGMENT_S * (n - first), b"\x47" * 188)
        for n in sequences
    ]


class Kill:
    """Shared by the sink and the checkpoint store: once it fired, nothing persists."""

    def __init__(self, when: Callable[[Event | MatchCheckpoint], bool]) -> None:
        self.when = when
        self.fired = False

    def after(self, item: Event | MatchCheckpoint) -> None:
        self.fired = self.fired or self.when(item)


class DyingSink(JsonLinesSink):
    def __init__(self, path: Path, kill: Kill) -> None:
        super().__init__(path)
        self.kill = kill

    def put(self, event: Event) -> None:
        if not self.kill.fired:
            super().put(event)
            self.kill.after(event)


class DyingCheckpoints(LocalCheckpointStore):
    def __init__(self, root: Path, kill: Kill) -> None:
        super().__init__(root)
        self.kill = kill

    def save(self, checkpoint: MatchCheckpoint) -> None:
        if not self.kill.fired:
            super().save(checkpoint)
            self.kill.after(checkpoint)


EQUALISER = Score(home=1, away=1)
# 0-0 adopted, 1-0 (the first goal), a checkpoint of 1-0, then 1-1 (the second goal) ...
BEFORE_KILL = {n: "0-0" for n in range(0, 4)} | {n: "1-0" for n in range(4, 12)} | {n: "1-1" for n in range(12, 20)}
# ... and after the restart the stream still shows 1-1, until full time.
AFTER_RESTART = {n: "1-1" for n in range(30, 36)} | {n: "1-1@90:00" for n in range(36, 39)} | {39: None, 40: None}


def _is_the_equaliser(item: Event | MatchCheckpoint) -> bool:
    return isinstance(item, GoalEvent) and item.score == EQUALISER


def _has_the_equaliser_pending(item: Event | MatchCheckpoint) -> bool:
    return isinstance(item, MatchCheckpoint) and any(g.score == EQUALISER for g in item.pending_goals)


def _events(path: Path) -> list[Any]:
    return [parse_event(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize(
    "kill_when",
    [_is_the_equaliser, _has_the_equaliser_pending],
    ids=["killed-after-the-goal-event-before-its-checkpoint", "killed-after-the-pending-checkpoint-before-the-event"],
)
def test_a_goal_around_a_kill_keeps_one_id_and_the_reel_lists_every_goal(
    tmp_path: Path, kill_when: Callable[[Event | MatchCheckpoint], bool]
) -> None:
    kill = Kill(kill_when)
    checkpoints = DyingCheckpoints(tmp_path / "state", kill)
    with DyingSink(tmp_path / "before.jsonl", kill) as sink:
        CaptureTask(CHANNEL, sink=sink, sampler=ScriptedSampler(BEFORE_KILL), checkpoints=checkpoints).run(
            segments(range(0, 20))
        )
    assert kill.fired, "the kill was injected"
    saved = saved_checkpoint(LocalCheckpointStore(tmp_path / "state"), CHANNEL)
    assert saved is not None and saved.score == Score(home=1, away=0), "the checkpoint after the goal never came"

    with JsonLinesSink(tmp_path / "after.jsonl") as sink:
        CaptureTask(
            CHANNEL,
            sink=sink,
            sampler=ScriptedSampler(AFTER_RESTART),
            checkpoints=LocalCheckpointStore(tmp_path / "state"),
            resume_from=saved,
        ).run(segments(range(30, 41)))

    before, after = _events(tmp_path / "before.jsonl"), _events(tmp_path / "after.jsonl")
    goals = [e for e in before + after if isinstance(e, GoalEvent)]
    opener = [g for g in goals if g.score == Score(home=1, away=0)]
    equaliser = [g for g in goals if g.score == EQUALISER]
    assert len(opener) == 1, "the goal before the last checkpoint is not reported again"
    assert len({g.id for g in equaliser}) == 1, "exactly one goal id for the goal around the kill"
    assert [g.found_after_gap for g in equaliser] == [False, True][-len(equaliser) :]
    (match_end,) = [e for e in after if isinstance(e, MatchEndEvent)]
    assert match_end.reason == "full_time" and match_end.score == EQUALISER
    assert [g.id for g in match_end.goals] == [opener[0].id, equaliser[0].id], (
        "the reel lists the goals before the kill"
    )

    final = LocalCheckpointStore(tmp_path / "state").load(CHANNEL)
    assert final is not None and final.match_over and final.pending_goals == ()
    assert [g.id for g in final.match_goals] == [opener[0].id, equaliser[0].id]
    assert final.last_goal_id == equaliser[0].id


def test_a_restart_after_full_time_does_not_end_the_match_again(tmp_path: Path) -> None:
    state = LocalCheckpointStore(tmp_path / "state")
    script = BEFORE_KILL | AFTER_RESTART
    with JsonLinesSink(tmp_path / "before.jsonl") as sink:
        CaptureTask(CHANNEL, sink=sink, sampler=ScriptedSampler(script), checkpoints=state).run(
            segments(range(0, 20)) + segments(range(30, 41))
        )
    saved = state.load(CHANNEL)
    assert saved is not None and saved.match_over
    with JsonLinesSink(tmp_path / "after.jsonl") as sink:
        CaptureTask(
            CHANNEL, sink=sink, sampler=ScriptedSampler({n: None for n in range(41, 50)}), resume_from=saved
        ).run(segments(range(41, 50)))
    assert len([e for e in _events(tmp_path / "before.jsonl") if isinstance(e, MatchEndEvent)]) == 1
    assert not [e for e in _events(tmp_path / "after.jsonl") if isinstance(e, MatchEndEvent | GoalEvent)]
