"""Restart without loss, the detector's side: a checkpoint out, a resumed detector that reports the gap's goals."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest

from capture_task.detect.checkpoint import InvalidCheckpointError, MatchCheckpoint
from capture_task.detect.goals import RESYNC_CONFIRMATIONS, GoalDetector
from contracts import GoalEvent, Score, Teams, parse_event
from tests.unit.test_goals import START, TEAMS, frame, run, stamped, warnings_in

BEFORE_RESTART = START - timedelta(minutes=2)


def a_checkpoint(score: str = "1-0", at: datetime = BEFORE_RESTART) -> MatchCheckpoint:
    home, away = (int(x) for x in score.split("-"))
    return MatchCheckpoint(
        channel="chan", teams=TEAMS, score=Score(home=home, away=away), last_goal_id="g-last", at=at, stream_time=3600.0
    )


def test_checkpoint_round_trips_through_json_with_utc_times() -> None:
    saved = a_checkpoint(at=datetime(2026, 11, 25, 21, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2))))
    wire = json.loads(saved.to_json())
    assert wire["at"] == "2026-11-25T19:00:00.250Z" and wire["version"] == 1
    assert wire["score"] == {"home": 1, "away": 0} and wire["last_goal_id"] == "g-last"
    assert MatchCheckpoint.from_json(saved.to_json()) == saved
    assert saved.at.utcoffset() == timedelta(0)
    with pytest.raises(ValueError, match="timezone"):
        a_checkpoint(at=datetime(2026, 11, 25, 21, 0))  # a naive time says nothing about where the gap began


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("not json", "cannot be used"),
        (a_checkpoint().to_json().replace('"version":1', '"version":2'), "version"),
        (a_checkpoint().to_json().replace('"teams"', '"team"'), "teams"),
    ],
)
def test_a_checkpoint_that_cannot_be_used_is_refused_with_a_sentence(raw: str, says: str) -> None:
    with pytest.raises(InvalidCheckpointError, match=says) as caught:
        MatchCheckpoint.from_json(raw)
    assert "delete it" in str(caught.value)


def test_the_detector_checkpoints_its_confirmed_score_last_frame_and_last_goal() -> None:
    detector = GoalDetector()
    assert detector.checkpoint("chan") is None
    ((_, goal),) = run(detector, ["0-0"] * 3 + ["1-0"] * 3 + [None] * 4 + ["1-0"] * 2 + ["7-0"])
    saved = detector.checkpoint("chan")
    assert saved is not None
    assert (saved.channel, saved.teams, saved.score) == ("chan", TEAMS, Score(home=1, away=0))
    assert saved.last_goal_id == goal.to_event("chan").id
    assert (saved.at, saved.stream_time) == frame(11), "the last frame that showed 1-0, not the stray 7-0"
    run(detector, ["1-0@90:00"] * 3 + [None] * 5 + ["CHE-MUN 0-0@00:05"] * 3)
    new_match = detector.checkpoint("chan")
    assert new_match is not None and new_match.last_goal_id is None and new_match.teams.home == "CHE"


def test_resumed_on_the_same_score_nothing_is_reported_and_later_goals_are_live() -> None:
    detector = GoalDetector.resume(a_checkpoint("1-0"))
    assert detector.checkpoint("chan") == a_checkpoint("1-0")
    found = run(detector, [None] * 3 + ["1-0"] * 5 + ["1-1"] * 3)
    assert stamped(found) == [("1-0", "1-1", *frame(8))]
    assert [goal.found_after_gap for _, goal in found] == [False]


def test_a_goal_scored_during_the_gap_is_reported_flagged_at_the_first_frame_seen(
    caplog: pytest.LogCaptureFixture,
) -> None:
    detector = GoalDetector.resume(a_checkpoint("1-0"))
    found = run(detector, [None] * 2 + ["2-0"] * 3)
    assert stamped(found) == [("1-0", "2-0", *frame(2))]
    assert [goal.found_after_gap for _, goal in found] == [True]
    assert "found after the gap" in " ".join(warnings_in(caplog))
    saved = detector.checkpoint("chan")
    assert saved is not None and saved.last_goal_id == found[0][1].to_event("chan").id


def test_two_goals_in_the_gap_are_both_reported_flagged_and_a_seen_goal_is_not_flagged() -> None:
    found = run(GoalDetector.resume(a_checkpoint("1-0")), ["3-0"] * 3)
    assert stamped(found) == [("1-0", "2-0", *frame(0)), ("2-0", "3-0", *frame(0))]
    assert all(goal.found_after_gap for _, goal in found)
    # 2-0 was the first score seen after the restart, 3-0 came later: only the first goal fell in the gap.
    found = run(GoalDetector.resume(a_checkpoint("1-0")), ["2-0"] + ["3-0"] * 3)
    assert stamped(found) == [("1-0", "2-0", *frame(0)), ("2-0", "3-0", *frame(1))]
    assert [goal.found_after_gap for _, goal in found] == [True, False]


def test_an_implausible_difference_after_a_gap_is_refused_loudly(caplog: pytest.LogCaptureFixture) -> None:
    detector = GoalDetector.resume(a_checkpoint("1-0"))
    assert run(detector, ["5-0"] * 30 + ["1-90"] * 30) == []
    assert detector.score == Score(home=1, away=0) and detector.checkpoint("chan") == a_checkpoint("1-0")
    assert len(warnings_in(caplog)) == 2 and detector.changes_refused == 2
    found = run(detector, ["2-0"] * 3)
    assert [(str(g.score), g.found_after_gap) for _, g in found] == [("2-0", True)]


def test_other_teams_after_a_gap_are_a_new_match_whatever_the_clock(caplog: pytest.LogCaptureFixture) -> None:
    detector = GoalDetector.resume(a_checkpoint("2-1"))
    assert run(detector, ["CHE-MUN 0-0@30:00"] * 3) == []
    assert detector.matches_started == 1 and detector.score == Score(home=0, away=0)
    assert "goals of LIV 2-1 MCI after the clock's last reading, if any, were not seen" in warnings_in(caplog)[0]
    assert detector.teams == Teams(home="CHE", away="MUN")
    # Its goals from 0-0 fell in the gap too.
    detector = GoalDetector.resume(a_checkpoint("2-1"))
    found = run(detector, ["CHE-MUN 1-0@30:00"] * 3)
    assert detector.matches_started == 1
    assert [(str(g.previous_score), str(g.score), g.found_after_gap) for _, g in found] == [("0-0", "1-0", True)]


def test_a_lower_score_after_a_gap_is_refused_until_it_stays() -> None:
    detector = GoalDetector.resume(a_checkpoint("2-1"))
    assert run(detector, ["1-1@50:00"] * (RESYNC_CONFIRMATIONS - 1)) == []
    assert detector.score == Score(home=2, away=1)
    run(detector, ["1-1@50:30"])
    assert detector.score == Score(home=1, away=1) and detector.matches_started == 1


def test_a_resumed_score_is_no_join_a_lower_score_read_more_often_outweighs() -> None:
    """The checkpoint's score was confirmed before the restart, goals and all: a lookalike read more often since the
    restart, in runs each cut short by a reading of the resumed score, stays a misread."""
    detector = GoalDetector.resume(a_checkpoint("0-7"))
    run(detector, ["0-7@70:00"] + (["0-1@70:10"] * 3 + ["0-7@70:20"]) * 5)
    assert detector.score == Score(home=0, away=7)


def test_found_after_gap_travels_in_the_goal_event_and_defaults_to_false() -> None:
    ((_, goal),) = run(GoalDetector.resume(a_checkpoint("1-0")), ["2-0"] * 3)
    event = goal.to_event("chan")
    parsed = parse_event(event.to_json())
    assert isinstance(parsed, GoalEvent) and parsed.found_after_gap is True and parsed == event
    wire = json.loads(event.to_json())
    del wire["found_after_gap"]
    older = parse_event(wire)
    assert isinstance(older, GoalEvent) and older.found_after_gap is False
    assert older.at == datetime(2026, 11, 25, 20, 0, tzinfo=UTC)


def test_resuming_logs_where_it_starts(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="highlight_bot.capture"):
        GoalDetector.resume(a_checkpoint("1-0"))
    assert "resuming chan at LIV 1-0 MCI" in caplog.text


def test_a_lookalike_letter_after_a_gap_is_the_same_teams_not_a_new_match() -> None:
    detector = GoalDetector.resume(a_checkpoint("1-0"))
    assert run(detector, ["LIV-MCL 1-0@30:00"] * 3) == []
    assert detector.matches_started == 0 and detector.teams == Teams(home="LIV", away="MCL")
    detector = GoalDetector.resume(a_checkpoint("1-0"))
    found = run(detector, ["LIV-MCL 2-0@30:00"] * 3)
    assert detector.matches_started == 0
    assert [(str(g.previous_score), str(g.score), g.found_after_gap) for _, g in found] == [("1-0", "2-0", True)]
    # The streamer's own team stays from match to match in FUT: one code wholly different is a new match.
    detector = GoalDetector.resume(a_checkpoint("1-0"))
    run(detector, ["LIV-ARS 1-0@30:00"] * 3)
    assert detector.matches_started == 1


def test_a_clock_that_went_back_during_the_gap_is_a_new_match_and_says_what_may_be_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Same teams, same 0-0, but the clock is at 00:13 where it was at 60:00: the next match began in the gap.
    detector = GoalDetector.resume(a_checkpoint("0-0").model_copy(update={"clock": "60:00"}))
    assert run(detector, ["0-0@00:13", "0-0@00:28", "0-0@00:43"]) == []
    assert detector.matches_started == 1
    (warning,) = warnings_in(caplog)
    assert (
        "new match (LIV 0-0 MCI, clock 00:13)" in warning and "goals of LIV 0-0 MCI after the clock's 60:00" in warning
    )
    # A lower score with the clock back: the new match's goal, found after the gap (not a refusal).
    detector = GoalDetector.resume(a_checkpoint("1-0").model_copy(update={"clock": "60:00"}))
    found = run(detector, ["0-1@01:26"] * 3)
    assert detector.matches_started == 1
    assert [(str(g.previous_score), str(g.score), g.found_after_gap) for _, g in found] == [("0-0", "0-1", True)]
    # The clock went on: the same match, nothing to report.
    detector = GoalDetector.resume(a_checkpoint("1-0").model_copy(update={"clock": "60:00"}))
    assert run(detector, ["1-0@61:10"] * 3 + ["2-0@62:00"] * 3) != [] and detector.matches_started == 0


def test_the_checkpoint_keeps_the_clock_last_read_with_the_score() -> None:
    detector = GoalDetector()
    run(detector, ["2-1@60:00"] * 3 + ["2-1@60:30"])
    saved = detector.checkpoint("chan")
    assert saved is not None and saved.clock == "60:30"
    assert GoalDetector.resume(saved).checkpoint("chan") == saved
