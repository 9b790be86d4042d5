"""Gallery events for the tests: goals minutes apart, their highlights, vertical cuts and a match's reel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contracts import GoalEvent, HighlightEvent, MatchEndEvent, ReelEvent, Score, StoredMedia, VerticalEvent, goal_id
from hooks.gallery.pages import GalleryMedia
from tests.functional.hook_fixtures import AT, a_goal, a_highlight


def goal_at(minutes: int, home: int, *, channel: str = "sample") -> GoalEvent:
    at = AT + timedelta(minutes=minutes)
    score = Score(home=home, away=0)
    teams = a_goal().teams
    return a_goal(
        id=goal_id(channel, teams, score, at),
        channel=channel,
        at=at,
        score=score,
        previous_score=Score(home=home - 1, away=0),
        clock=f"{22 + minutes}:10",
    )


def highlight_of(goal: GoalEvent, **changes: Any) -> HighlightEvent:
    return a_highlight(goal=goal, **changes)


def media(name: str) -> GalleryMedia:
    return GalleryMedia(href=f"clips/{name}.mp4", thumbnail_href=f"clips/{name}.jpg", duration_s=12.5)


def vertical_of(highlight: HighlightEvent) -> VerticalEvent:
    """The 9:16 cut of `highlight`, its keys beside the clip's (`<clip stem>-vertical.mp4`)."""
    stem = highlight.clip.key.removesuffix(".mp4")

    def stored(key: str) -> StoredMedia:
        return highlight.clip.model_copy(update={"key": key})

    return VerticalEvent(
        id=f"vertical-{highlight.goal.id}",
        highlight_id=highlight.id,
        channel=highlight.channel,
        title=highlight.title,
        goal=highlight.goal,
        clip=stored(f"{stem}-vertical.mp4"),
        thumbnail=stored(f"{stem}-vertical.jpg"),
        source=highlight.clip,
        width=720,
        height=1280,
        clip_start=highlight.clip_start,
        clip_end=highlight.clip_end,
        duration_s=highlight.duration_s,
    )


def reel_of(*goals: GoalEvent) -> ReelEvent:
    last = goals[-1]
    match = MatchEndEvent(
        id="m-match",
        channel=last.channel,
        at=last.at + timedelta(minutes=30),
        stream_time=last.stream_time + 1800,
        teams=last.teams,
        score=last.score,
        reason="full_time",
        goals=goals,
    )
    return ReelEvent(
        id=match.id,
        channel=match.channel,
        title="LIV 2-0 MCI: all goals",
        match=match,
        reel=a_highlight().clip.model_copy(update={"key": f"highlights/{match.channel}/{match.id}-reel.mp4"}),
        duration_s=50.0,
    )
