"""The capture bench counts goals found with team codes other than the HUD's, apart from wrong scores.

Why: a goal found at the right moment with the right score but named 'LY 1-1 EV' for OLY-SEV is what a viewer of the
clip reads; the bench scored only scores, and the share of such goals (~3 %) was counted by hand now and then.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from bench.measurements import GoalMoment
from bench.scoring import match_goals

START = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


def goal(second: float, score: tuple[int, int], teams: str = "OLY-SEV") -> GoalMoment:
    return GoalMoment(START + timedelta(seconds=second), second, score, teams, "45:36")


TRUTH = (goal(22.5, (1, 1)), goal(43.5, (1, 2)))


def test_a_goal_found_with_a_code_cut_short_is_matched_and_counted_as_a_wrong_code() -> None:
    found = (goal(22.5, (1, 1), "LY-EV"), goal(43.5, (1, 2)))
    score = match_goals(TRUTH, found, shown_scores={(1, 1), (1, 2)})
    assert len(score.matches) == 2 and score.wrong_scores == 0
    assert score.wrong_teams == 1


def test_codes_as_shown_are_no_wrong_codes_and_an_unmatched_goal_is_not_counted() -> None:
    right = match_goals(TRUTH, TRUTH, shown_scores={(1, 1), (1, 2)})
    assert right.wrong_teams == 0
    elsewhere = dataclasses.replace(TRUTH[0], score=(2, 1), teams="LY-EV")  # no goal of its score: not a match
    assert match_goals(TRUTH, (elsewhere,)).wrong_teams == 0
