"""What enrich does with one segment or goal event, knowing nothing about Lambda or Kinesis.

A segment (read, or announced missing) is indexed, then every goal of its
channel that was waiting is looked at again; a goal is clipped at once if its
segments are all there or the missing ones are known not to come (a partial
clip), and otherwise waits in the index. ``functions.enrich.index`` holds the
rules; this module applies them and talks to the index, the clip job queue and
the dead-letter queue.

Example:
    >>> enricher = Enricher(index, send_job=queue.send, dead_letters=dlq, settings=settings)
    >>> enricher.on_goal(goal)
    'pending'
    >>> enricher.on_segment(post_roll_segment)
    {'g-…': 'job_sent'}
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from aws_lambda_powertools import Logger

from contracts import ClipJob, GoalEvent, SegmentEvent
from functions.enrich.index import ClipWindow, GiveUp, Ready, Wait, clip_job_id, decide_clip
from functions.enrich.queues import DeadLetterQueue
from functions.enrich.segment_index import SegmentIndex
from functions.enrich.settings import EnrichSettings

logger = Logger(child=True)

GoalOutcome = Literal["job_sent", "pending", "given_up"]


class Enricher:
    """Turns segment and goal events into clip jobs, one per goal, or a dead letter saying why not.

    ``send_job`` and ``give_up`` (default: a ``goal_given_up`` dead letter) are
    called at most once per goal by this class; the handler wraps both in
    Powertools idempotency so that a redelivered record, or a retry after a
    crash between sending and forgetting a pending goal, does not send the
    same job, or the same dead letter, twice either.
    """

    def __init__(
        self,
        index: SegmentIndex,
        *,
        send_job: Callable[[ClipJob], object],
        dead_letters: DeadLetterQueue,
        settings: EnrichSettings,
        give_up: Callable[[str, GoalEvent], object] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.index = index
        self._send_job = send_job
        self.dead_letters = dead_letters
        self._give_up = give_up or dead_letters.goal_given_up
        self.settings = settings
        self._clock = clock

    def on_segment(self, segment: SegmentEvent) -> dict[str, GoalOutcome]:
        """Index the segment; settle the channel's waiting goals it completes (or that waited too long).

        A gap (``segment.is_missing``: the capture task read it but could not keep its bytes) is indexed
        too: to the clip rules it covers nothing, but it says the stretch is not coming, and why.
        """
        if segment.is_missing:
            logger.warning(
                "segment announced as missing",
                extra={"channel": segment.channel, "sequence": segment.sequence, "reason": segment.missing_reason},
            )
        self.index.put_segment(segment)
        return self.settle_waiting(segment.channel)

    def settle_waiting(self, channel: str) -> dict[str, GoalOutcome]:
        """Look at the channel's waiting goals again: clip those now complete, give up those waited too long.

        Called for every event of the channel, not only segments: the capture task announces only the
        segments around goals, so a goal whose post-roll never came (the task died) may see no segment
        for a long time, and its dead letter should not wait for one.
        """
        outcomes: dict[str, GoalOutcome] = {}
        waiting, unreadable = self.index.pending_goals(channel)
        for item in unreadable:
            self.dead_letters.unreadable_pending_goal(item.reason, item.stored_goal)
            self.index.delete_item(item.key)
        for pending in waiting:
            outcome = self._settle(pending.goal, waited_s=self._clock() - pending.created_at)
            if outcome != "pending":
                self.index.delete_pending_goal(pending.goal)
                outcomes[pending.goal.id] = outcome
        return outcomes

    def on_goal(self, goal: GoalEvent) -> GoalOutcome:
        """Send the goal's clip job if its segments are all indexed, else keep it waiting."""
        outcome = self._settle(goal, waited_s=0.0)
        if outcome == "pending":
            self.index.put_pending_goal(goal)
            logger.info("goal waits for its segments", extra={"goal_id": goal.id, "channel": goal.channel})
        return outcome

    def _settle(self, goal: GoalEvent, *, waited_s: float) -> GoalOutcome:
        window = ClipWindow.around(goal, pre_roll_s=self.settings.pre_roll_s, post_roll_s=self.settings.post_roll_s)
        decision = decide_clip(
            goal,
            window,
            self.index.segments_around(goal.channel, window),
            newest_segment_start=self.index.newest_segment_start(goal.channel),
            waited_s=waited_s,
            post_roll_wait_s=self.settings.post_roll_wait_s,
        )
        match decision:
            case Ready(segments=segments, partial=partial):
                if partial is not None:
                    logger.warning(
                        "clipping what exists of a goal's window",
                        extra={
                            "goal_id": goal.id,
                            "missing_pre_roll_s": partial.missing_pre_roll_s,
                            "missing_post_roll_s": partial.missing_post_roll_s,
                            "reasons": partial.reasons,
                        },
                    )
                job = ClipJob(
                    id=clip_job_id(goal),
                    channel=goal.channel,
                    goal=goal,
                    window_start=window.start,
                    window_end=window.end,
                    segments=segments,
                    partial=partial,
                )
                self._send_job(job)
                logger.info(
                    "clip job sent", extra={"goal_id": goal.id, "segments": len(segments), "partial": bool(partial)}
                )
                return "job_sent"
            case GiveUp(reason=reason):
                self._give_up(reason, goal)
                logger.warning("gave up on a goal", extra={"goal_id": goal.id, "reason": reason})
                return "given_up"
            case Wait():
                return "pending"
