"""The enrich Lambda: indexes segments, matches goals to the segments around them, sends clip jobs.

Entry point: ``functions.enrich.handler.handler``. The rules for which
segments a clip needs and when to give up are in ``functions.enrich.index``.
"""

from functions.enrich.enricher import Enricher, GoalOutcome
from functions.enrich.index import (
    ClipDecision,
    ClipWindow,
    Gap,
    GiveUp,
    Ready,
    Wait,
    clip_job_id,
    decide_clip,
    find_gaps,
    segments_covering,
)
from functions.enrich.queues import ClipJobQueue, DeadLetterQueue
from functions.enrich.segment_index import PendingGoal, SegmentIndex
from functions.enrich.settings import EnrichSettings

__all__ = [
    "ClipDecision",
    "ClipJobQueue",
    "ClipWindow",
    "DeadLetterQueue",
    "EnrichSettings",
    "Enricher",
    "Gap",
    "GiveUp",
    "GoalOutcome",
    "PendingGoal",
    "Ready",
    "SegmentIndex",
    "Wait",
    "clip_job_id",
    "decide_clip",
    "find_gaps",
    "segments_covering",
]
