"""The event contracts every highlight-bot component speaks, defined once.

The capture task, the Lambdas and the hooks all import these models, so a field
renamed here is renamed everywhere at once, and a record that does not fit is
rejected at the boundary where it arrives, with pydantic's message saying why.

Example:
    >>> from contracts import parse_event, SegmentEvent
    >>> event = parse_event(line)          # any of the event types, validated
    >>> wire = event.to_json()             # compact JSON, times in ISO-8601 UTC
"""

from contracts.events import (
    ALERT_EVENT_TYPE,
    CONTRACT_VERSION,
    AnyEvent,
    ClipJob,
    Event,
    GoalAlert,
    GoalEvent,
    GoalWithoutClip,
    HighlightEvent,
    MatchEndEvent,
    MissingFootage,
    ReelEvent,
    Score,
    SegmentEvent,
    Side,
    StoredMedia,
    Teams,
    VerticalEvent,
    alert_id,
    goal_alert,
    goal_id,
    highlight_title,
    match_end_id,
    missing_location,
    parse_event,
    reel_title,
    segment_id,
)
from contracts.exceptions import InvalidEventError
from contracts.settings import PipelineSettings

__all__ = [
    "ALERT_EVENT_TYPE",
    "CONTRACT_VERSION",
    "AnyEvent",
    "ClipJob",
    "Event",
    "GoalAlert",
    "GoalEvent",
    "GoalWithoutClip",
    "HighlightEvent",
    "InvalidEventError",
    "MatchEndEvent",
    "MissingFootage",
    "PipelineSettings",
    "ReelEvent",
    "Score",
    "SegmentEvent",
    "Side",
    "StoredMedia",
    "Teams",
    "VerticalEvent",
    "alert_id",
    "goal_alert",
    "goal_id",
    "highlight_title",
    "match_end_id",
    "missing_location",
    "parse_event",
    "reel_title",
    "segment_id",
]
