"""The goal state machine against hostile reading sequences (no video needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capture_task.detect.goals import GoalDetector
from capture_task.vision.readings import FrameObservation, ScoreboardReading
from contracts import Score, Teams

START = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
TEAMS = Teams(home="LIV", away="MCI")


def run(detector: GoalDetector, script: list[str | None], step_s: float = 0.5):
    """Feed readings like "1-0@23:10" or "CHE-MUN 0-1@01:26" (None = hidden HUD); return (step, goal)s."""
    found = []
    for index, item in enumerate(script):
        reading = None
        if item is not None:
            teams = TEAMS
            if " " in item:
                codes, item = item.split(" ", 1)
                teams = Teams(home=codes[:3], away=codes[4:])
            score_text, _, clock = item.partition("@")
            home, away = (int(x) for x in score_text.split("-"))
            reading = ScoreboardReading(teams, Score(home=home, away=away), clock or "23:10")
        observation = FrameObservation(START + timedelta(seconds=index * step_s), index * step_s, reading)
        found += [(index, goal) for goal in detector.observe(observation)]
    return found


def test_first_score_is_adopted_without_a_goal() -> None:
    detector = GoalDetector()
    assert run(detector, ["2-1"] * 5) == []
    assert detector.score == Score(home=2, away=1)


def test_goal_needs_confirmation_and_is_timed_by_its_first_frame() -> None:
    detector = GoalDetector(confirmations=3)
    goals = run(detector, ["0-0"] * 4 + ["1-0", "1-0"])
    assert goals == []
    goals = run(detector, ["1-0"])
    assert len(goals) == 1
    detector2 = GoalDetector(confirmations=3)
    found = run(detector2, ["0-0"] * 4 + ["1-0"] * 3)
    ((index, goal),) = found
    assert index == 6
    assert goal.side == "home" and goal.score == Score(home=1, away=0)
    assert goal.previous_score == Score(home=0, away=0)
    assert goal.stream_time == pytest.approx(4 * 0.5)
    assert goal.at == START + timedelta(seconds=2.0)
    assert goal.teams == TEAMS


def test_misread_one_as_seven_never_makes_a_goal() -> None:
    detector = GoalDetector()
    assert run(detector, ["1-0"] * 4 + ["7-0"] * 5 + ["1-0"] * 3 + ["7-0"] * 3 + ["1-0"]) == []
    assert detector.score == Score(home=1, away=0)


def test_single_frame_misreads_and_chat_digits_are_cancelled() -> None:
    detector = GoalDetector()
    script = ["2-1"] * 3 + ["2-2", "2-1", "3-1", "2-1", "2-2", "2-1", "2-2", "2-1"]
    assert run(detector, script) == []


def test_a_side_going_down_is_a_misread() -> None:
    detector = GoalDetector()
    assert run(detector, ["2-1"] * 3 + ["1-1"] * 6) == []
    assert detector.score == Score(home=2, away=1)


def test_hidden_hud_during_replay_is_not_a_change() -> None:
    detector = GoalDetector()
    script = ["0-0"] * 3 + ["0-1"] + [None] * 12 + ["0-1"] * 2 + [None] * 4 + ["0-1"]
    found = run(detector, script)
    assert len(found) == 1
    index, goal = found[0]
    assert goal.side == "away" and goal.stream_time == pytest.approx(1.5)
    assert index == 17


def test_stray_misread_inside_confirmation_keeps_first_frame() -> None:
    detector = GoalDetector()
    found = run(detector, ["0-0"] * 3 + ["1-0", "7-0", "1-0", "1-0"])
    ((_, goal),) = found
    assert goal.stream_time == pytest.approx(1.5)


def test_new_match_at_kickoff_is_not_a_goal() -> None:
    detector = GoalDetector()
    script = ["3-2@90:00"] * 4 + [None] * 10 + ["0-0@00:00", "0-0@00:07", "0-0@00:15", "1-0@00:52"] + ["1-0@01:00"] * 2
    found = run(detector, script)
    assert detector.matches_started == 1
    assert [goal.score for _, goal in found] == [Score(home=1, away=0)]


def test_zero_zero_mid_match_is_a_misread() -> None:
    detector = GoalDetector(resync_confirmations=50)
    assert run(detector, ["2-1@60:00"] * 3 + ["0-0@60:10"] * 10) == []
    assert detector.score == Score(home=2, away=1)


def test_double_jump_after_a_gap_emits_both_goals() -> None:
    detector = GoalDetector()
    found = run(detector, ["1-1"] * 3 + [None] * 5 + ["3-1"] * 3)
    goals = [goal for _, goal in found]
    assert [goal.score for goal in goals] == [Score(home=2, away=1), Score(home=3, away=1)]
    assert [goal.previous_score for goal in goals] == [Score(home=1, away=1), Score(home=2, away=1)]
    assert all(goal.side == "home" for goal in goals)


def test_duplicate_readings_after_a_goal_do_not_repeat_it() -> None:
    detector = GoalDetector()
    found = run(detector, ["0-0"] * 3 + ["0-1"] * 30 + [None] * 3 + ["0-1"] * 10)
    assert len(found) == 1


def test_implausible_score_that_persists_is_adopted_silently() -> None:
    detector = GoalDetector(confirmations=2, resync_confirmations=6)
    assert run(detector, ["0-0"] * 3 + ["4-0"] * 6 + ["5-0"] * 2) != []
    detector = GoalDetector(confirmations=2, resync_confirmations=6)
    assert run(detector, ["0-0"] * 3 + ["4-0"] * 6) == []
    assert detector.score == Score(home=4, away=0)


def test_both_sides_changing_at_once_is_a_misread() -> None:
    detector = GoalDetector(resync_confirmations=100)
    assert run(detector, ["1-1"] * 3 + ["2-2"] * 20) == []


def test_new_match_of_other_teams_counts_from_nil_nil_even_unseen() -> None:
    detector = GoalDetector()
    script = ["1-0@90:00"] * 4 + [None] * 6 + ["CHE-MUN 0-0@01:13"] + ["CHE-MUN 0-1@01:26"] * 3
    found = run(detector, script)
    assert detector.matches_started == 1
    ((_, goal),) = found
    assert goal.score == Score(home=0, away=1) and goal.previous_score == Score(home=0, away=0)
    assert goal.teams == Teams(home="CHE", away="MUN") and goal.side == "away"


def test_other_team_codes_late_in_a_match_are_a_misread_not_a_new_match() -> None:
    detector = GoalDetector()
    found = run(detector, ["2-1@60:00"] * 3 + ["LIV-MCL 2-1@61:00"] * 3 + ["LIV-MCL 3-1@62:00"] * 3)
    assert detector.matches_started == 0
    assert [goal.score for _, goal in found] == [Score(home=3, away=1)]


def _track(script: list[tuple[str | None, list[str]]]) -> list[tuple[int, str, int]]:
    """Feed (reading, goal ids) pairs to a MatchTracker ("!" marks a new match); return the ends."""
    from capture_task.detect.match_end import MatchTracker
    from tests.unit.test_contracts import a_goal

    tracker, ends = MatchTracker(), []
    for index, (item, goal_ids) in enumerate(script):
        reading = None
        new_match = item is not None and item.startswith("!")  # the detector's "a new match began"
        if item is not None:
            score_text, _, clock = item.lstrip("!").partition("@")
            home, away = (int(x) for x in score_text.split("-"))
            reading = ScoreboardReading(TEAMS, Score(home=home, away=away), clock)
        observation = FrameObservation(START + timedelta(seconds=2 * index), 2.0 * index, reading)
        goals = [a_goal(id=goal) for goal in goal_ids]
        for end in tracker.observe(
            observation, goals, teams=TEAMS, score=reading.score if reading else None, new_match=new_match
        ):
            ends.append((index, end.reason, len(end.goals)))
    return ends


def test_full_time_ends_the_match_once_when_the_panel_hides_the_hud() -> None:
    script = [("0-0@85:00", []), ("1-0@88:00", ["g1"]), ("1-0@90:00", []), ("1-0@90:00", [])]
    script += [(None, []), (None, []), (None, []), ("1-0@90:00", [])]
    assert _track(script) == [(5, "full_time", 1)]


def test_a_new_match_ends_the_previous_one_when_full_time_was_not_seen() -> None:
    script = [("2-1@60:00", ["g1", "g2"]), (None, []), ("!0-0@00:10", []), ("0-0@00:30", [])]
    assert _track(script) == [(2, "new_match", 2)]


def test_stoppage_time_without_a_panel_ends_after_a_minute() -> None:
    script = [("1-1@90:00", [])] + [("1-1@90:00", [])] * 31
    assert _track(script) == [(30, "full_time", 0)]
