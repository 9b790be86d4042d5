"""State-machine edges that mutants of bench/mutation.py showed no test held (goals, checkpoint, match end).

Each test feeds readings through the public API (``GoalDetector.observe``, ``GoalDetector.resume``,
``MatchTracker.observe``) and says what a user would see: a goal, no goal, a new match.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from capture_task.detect.checkpoint import InvalidCheckpointError, MatchCheckpoint
from capture_task.detect.goals import DetectedGoal, GoalDetector
from capture_task.detect.match_end import MatchEnd, MatchTracker
from capture_task.vision.readings import FrameObservation, ScoreboardReading
from contracts import GoalEvent, Score, Teams

START = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
LIV_MCI = Teams(home="LIV", away="MCI")
STEP_S = 0.5
Step = tuple[str | None, list[str], bool]
"""A match tracker's input: the reading (None: HUD hidden), the new goals' ids, whether a new match began."""


def reading(text: str) -> ScoreboardReading:
    """``"LIV-MCI 1-0@23:10"``: teams, score and clock as the HUD shows them."""
    codes, rest = text.split(" ", 1)
    score, _, clock = rest.partition("@")
    home, away = (int(goals) for goals in score.split("-"))
    home_code, away_code = codes.split("-")
    return ScoreboardReading(Teams(home=home_code, away=away_code), Score(home=home, away=away), clock)


def feed(detector: GoalDetector, script: Sequence[str | None], *, first_step: int = 0) -> list[DetectedGoal]:
    """Observe one reading (or a hidden HUD) every half second; the goals found, in order."""
    goals: list[DetectedGoal] = []
    for index, text in enumerate(script, start=first_step):
        observation = FrameObservation(
            START + timedelta(seconds=index * STEP_S), index * STEP_S, reading(text) if text else None
        )
        goals += detector.observe(observation)
    return goals


def resumed(text: str, *, last_goal_id: str | None = None) -> GoalDetector:
    """A detector restarted from a checkpoint taken at ``text``."""
    seen = reading(text)
    checkpoint = MatchCheckpoint(
        channel="chan", teams=seen.teams, score=seen.score, last_goal_id=last_goal_id,
        at=START - timedelta(minutes=5), stream_time=100.0, clock=seen.clock,
    )  # fmt: skip
    return GoalDetector.resume(checkpoint)


# ---------------------------------------------------------------- other team codes


def test_other_codes_before_minute_15_after_the_clock_went_back_are_a_new_match() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 2-0@40:00"] * 3)
    goals = feed(detector, ["ARS-CHE 1-0@14:59"] * 3, first_step=3)
    assert [(g.teams.home, g.previous_score, g.score) for g in goals] == [
        ("ARS", Score(home=0, away=0), Score(home=1, away=0))
    ]
    assert detector.matches_started == 1 and detector.score == Score(home=1, away=0)


def test_other_codes_from_minute_15_on_are_a_misread_and_a_lower_score_is_refused() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 2-0@40:00"] * 3)
    assert feed(detector, ["ARS-CHE 1-0@15:00"] * 3, first_step=3) == []
    assert detector.matches_started == 0 and detector.changes_refused == 1
    assert detector.score == Score(home=2, away=0)


def test_other_codes_while_the_last_clock_was_unreadable_start_a_new_match_from_nil_nil() -> None:
    # Kick-off clock, other codes, and the confirmed reading had no clock (went back? unknown): 0-0 explains 1-0,
    # so it is a new match with a goal, not the old match's 1-0 read with misread codes.
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 1-0@"] * 3)
    goals = feed(detector, ["ARS-CHE 1-0@01:00"] * 3, first_step=3)
    assert [(g.teams.home, g.score) for g in goals] == [("ARS", Score(home=1, away=0))]
    assert detector.matches_started == 1


def test_other_codes_after_the_clock_went_back_are_never_the_old_match_even_if_its_score_could_explain_them() -> None:
    # 3-0 cannot come from 0-0 in one change (three goals): a new match joined at 3-0, without goals,
    # not a goal of the old match (2-0 -> 3-0) whose codes were misread.
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 2-0@40:00"] * 3)
    assert feed(detector, ["ARS-CHE 3-0@10:00"] * 3, first_step=3) == []
    assert detector.matches_started == 1 and detector.score == Score(home=3, away=0)
    assert detector.teams == Teams(home="ARS", away="CHE")


def test_other_codes_at_kick_off_after_an_unreadable_clock_may_be_the_old_match_with_misread_codes() -> None:
    # 0-0 cannot explain 3-0 in one change, but the confirmed 2-0 can, and whether the clock went back
    # is unknown (the last reading had none): the same match, one goal.
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 2-0@"] * 3)
    goals = feed(detector, ["ARS-CHE 3-0@01:00"] * 3, first_step=3)
    assert [(g.previous_score, g.score, g.found_after_gap) for g in goals] == [
        (Score(home=2, away=0), Score(home=3, away=0), False)
    ]
    assert detector.matches_started == 0


def test_the_end_of_a_stream_names_a_change_still_being_confirmed_but_not_a_refused_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 1-0@20:00"] * 3)
    feed(detector, ["LIV-MCI 0-1@21:00"] * 3, first_step=3)  # a change goals cannot explain: refused
    feed(detector, ["LIV-MCI 2-0@22:00"] * 2, first_step=6)  # read twice, one short of confirmed
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="highlight_bot.capture"):
        detector.end_of_stream()
    ended = [record.getMessage() for record in caplog.records if "stream ended" in record.getMessage()]
    assert len(ended) == 1 and "LIV 2-0 MCI" in ended[0], ended


@pytest.mark.parametrize("away", ["CHEL", "MX"], ids=["another code, a letter longer", "a letter shorter and one off"])
def test_after_a_restart_a_code_more_than_a_letter_off_is_other_teams_not_a_lookalike(away: str) -> None:
    # MCI -> CHEL or MX is no one-letter misread: a new match, counted from 0-0.
    detector = resumed("LIV-MCI 1-0@30:00")
    goals = feed(detector, [f"LIV-{away} 1-0@31:00"] * 3)
    assert [(g.previous_score, g.score, g.found_after_gap) for g in goals] == [
        (Score(home=0, away=0), Score(home=1, away=0), True)
    ]
    assert detector.matches_started == 1


@pytest.mark.parametrize("away", ["MCL", "MCIX", "CI"], ids=["a letter changed", "one more", "one fewer"])
def test_after_a_restart_a_one_letter_misread_of_a_code_is_the_same_match(away: str) -> None:
    """A letter changed, or one gained or lost at the cell's edge (dev-237: MIL read IL; dev-174: LV read LVI)."""
    detector = resumed("LIV-MCI 1-0@30:00")
    assert feed(detector, [f"LIV-{away} 1-0@31:00"] * 3) == []
    assert detector.matches_started == 0 and detector.score == Score(home=1, away=0)


def test_nil_nil_again_at_kick_off_after_minute_15_is_the_next_match_of_the_same_teams() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 0-0@15:00"] * 3)
    feed(detector, ["LIV-MCI 0-0@00:30"] * 3, first_step=3)
    assert detector.matches_started == 1


def test_after_a_restart_the_same_score_later_in_the_same_minute_closes_the_gap_quietly() -> None:
    detector = resumed("LIV-MCI 1-0@30:10")
    assert feed(detector, ["LIV-MCI 1-0@30:40"] * 3) == []
    assert detector.matches_started == 0 and detector.score == Score(home=1, away=0)


def test_a_double_jump_with_both_single_goal_scores_read_takes_the_first_one_read() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 1-1@30:00"] * 3)
    script = ["LIV-MCI 2-1@31:00", "LIV-MCI 1-2@31:00", "LIV-MCI 2-2@31:01", "LIV-MCI 2-2@31:01", "LIV-MCI 2-2@31:01"]
    goals = feed(detector, script, first_step=3)
    assert [(g.side, g.score, g.stream_time) for g in goals] == [
        ("home", Score(home=2, away=1), 3 * STEP_S),
        ("away", Score(home=2, away=2), 5 * STEP_S),
    ]


def test_a_double_jump_without_a_frame_between_is_one_goal_for_the_side_that_scored() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 1-1@30:00"] * 3)
    (goal,) = feed(detector, ["LIV-MCI 1-3@31:00"] * 3, first_step=3)
    assert (goal.side, goal.previous_score, goal.score) == ("away", Score(home=1, away=1), Score(home=1, away=3))
    assert goal.to_event("chan").side == "away"


def test_other_codes_early_with_the_clock_going_on_are_a_goal_of_the_same_match_not_one_after_a_gap() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 0-0@05:00"] * 3)
    goals = feed(detector, ["ARS-CHE 1-0@06:00"] * 3, first_step=3)
    assert [(g.previous_score, g.score, g.found_after_gap) for g in goals] == [
        (Score(home=0, away=0), Score(home=1, away=0), False)
    ]
    assert detector.matches_started == 0


def test_twenty_goals_a_side_is_still_a_score() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 19-19@80:00"] * 3)
    home = feed(detector, ["LIV-MCI 20-19@81:00"] * 3, first_step=3)
    away = feed(detector, ["LIV-MCI 20-20@82:00"] * 3, first_step=6)
    assert [(g.side, g.score) for g in home + away] == [
        ("home", Score(home=20, away=19)),
        ("away", Score(home=20, away=20)),
    ]
    assert feed(detector, ["LIV-MCI 20-21@83:00"] * 3, first_step=9) == []


def test_a_lower_score_is_a_new_match_only_before_minute_2() -> None:
    late = GoalDetector()
    feed(late, ["LIV-MCI 1-0@30:00"] * 3)
    feed(late, ["LIV-MCI 0-0@02:00"] * 3, first_step=3)
    assert (late.matches_started, late.changes_refused, late.score) == (0, 1, Score(home=1, away=0))
    early = GoalDetector()
    feed(early, ["LIV-MCI 1-0@30:00"] * 3)
    feed(early, ["LIV-MCI 0-0@01:59"] * 3, first_step=3)
    assert (early.matches_started, early.score) == (1, Score(home=0, away=0))


# ---------------------------------------------------------------- what the checkpoint remembers


def test_the_checkpoint_names_the_last_of_two_goals_confirmed_together() -> None:
    detector = GoalDetector()
    feed(detector, ["LIV-MCI 0-0@10:00"] * 3)
    goals = feed(
        detector, ["LIV-MCI 1-0@11:00", "LIV-MCI 2-0@11:00", "LIV-MCI 2-0@11:00", "LIV-MCI 2-0@11:00"], first_step=3
    )
    assert [g.score for g in goals] == [Score(home=1, away=0), Score(home=2, away=0)]
    checkpoint = detector.checkpoint("chan")
    assert checkpoint is not None
    assert checkpoint.last_goal_id == goals[-1].to_event("chan").id != goals[0].to_event("chan").id


def test_a_checkpoint_may_be_taken_at_the_first_frame_of_a_capture_but_not_before_it() -> None:
    fields = {
        "channel": "chan", "teams": {"home": "LIV", "away": "MCI"}, "score": {"home": 0, "away": 0},
        "at": "2026-11-25T20:00:00Z", "clock": "00:10",
    }  # fmt: skip
    assert MatchCheckpoint.from_json(json.dumps(fields | {"stream_time": 0.0})).stream_time == 0.0
    with pytest.raises(InvalidCheckpointError, match="stream_time"):
        MatchCheckpoint.from_json(json.dumps(fields | {"stream_time": -0.5}))


# ---------------------------------------------------------------- match ends


def a_goal(event_id: str, stream_time: float = 1.0) -> GoalEvent:
    return GoalEvent(
        id=event_id, channel="chan", at=START, stream_time=stream_time, score=Score(home=1, away=0),
        previous_score=Score(home=0, away=0), teams=LIV_MCI, clock="10:00", side="home",
    )  # fmt: skip


def track(
    tracker: MatchTracker, script: list[tuple[str | None, list[str], bool]], start: int
) -> list[tuple[int, str, int]]:
    """Feed (reading, new goal ids, new match?) per 2 s; return (step, reason, goal count) of each match end."""
    ends: list[tuple[int, str, int]] = []
    for index, (text, goal_ids, new_match) in enumerate(script, start=start):
        seen = reading(text) if text else None
        observation = FrameObservation(START + timedelta(seconds=2 * index), 2.0 * index, seen)
        for end in tracker.observe(
            observation, [a_goal(g, 2.0 * index) for g in goal_ids], teams=LIV_MCI, score=seen.score if seen else None,
            new_match=new_match,
        ):  # fmt: skip
            ends.append((index, end.reason, len(end.goals)))
    return ends


def test_full_time_needs_the_clock_at_90_minutes() -> None:
    before: list[Step] = [("LIV-MCI 1-0@89:59", [], False), (None, [], False), (None, [], False), (None, [], False)]
    assert track(MatchTracker(), before, 0) == []
    at_90: list[Step] = [("LIV-MCI 1-0@90:00", [], False), (None, [], False), (None, [], False)]
    assert track(MatchTracker(), at_90, 0) == [(2, "full_time", 0)]


def test_stoppage_time_counts_from_when_the_clock_reached_90_not_from_the_start_of_the_stream() -> None:
    # 90:00 is reached 200 s into the stream; the HUD stays up: the match ends a minute later, not at once.
    script: list[Step] = [("LIV-MCI 1-0@90:00", [], False)] * 32
    assert track(MatchTracker(), script, 100) == [(130, "full_time", 0)]


def test_stoppage_time_ends_a_full_minute_after_90_00() -> None:
    tracker = MatchTracker()
    at_90 = reading("LIV-MCI 1-0@90:00")

    def ends_at(stream_time: float) -> list[MatchEnd]:
        observation = FrameObservation(START + timedelta(seconds=stream_time), stream_time, at_90)
        return tracker.observe(observation, [], teams=LIV_MCI, score=at_90.score, new_match=False)

    assert ends_at(200.0) == [] and ends_at(259.5) == []
    assert [end.reason for end in ends_at(260.0)] == ["full_time"]


def test_the_match_after_a_full_time_also_ends_at_its_own_full_time() -> None:
    tracker = MatchTracker()
    # Each goal's replay (the HUD hidden for up to REPLAY_AFTER_GOAL_S after it) is over before its panel: 10 steps.
    after_the_replay = [("LIV-MCI 1-0@90:00", [], False)] * 10
    first = [("LIV-MCI 1-0@89:00", ["g1"], False), *after_the_replay, (None, [], False), (None, [], False)]
    assert track(tracker, first, 0) == [(12, "full_time", 1)]
    second = [
        ("LIV-MCI 0-0@00:10", [], True),
        ("LIV-MCI 0-1@90:00", ["g2"], False),
        *after_the_replay,
        (None, [], False),
        (None, [], False),
    ]
    assert track(tracker, second, 13) == [(26, "full_time", 1)]
