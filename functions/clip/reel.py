"""The match reel: the highlight clips of a finished match's goals, in order, as one MP4.

Built from the clips already in the highlights bucket (stream copy, no
re-encode: one stream's clips share codec and resolution), when the capture
task reports the match over; each goal's clip is found through its recorded
highlight in the publication ledger. A partial clip is used as it is. A goal
recorded as having no clip (enrich found no segment showing it, or clip refused
its job: ``functions.shared.goals_without_clip``) is listed in the reel event's
``goals_without_clip`` with the reason, and logged as an error: never dropped
silently. A goal neither clipped nor recorded may still be in the making: the
reel raises `ReelNotReady` and the message returns after the queue's
visibility timeout, until its ``REEL_LAST_ATTEMPT``-th receive, which makes the
reel of the clips that exist and lists the rest as without a clip. A match none
of whose goals has a clip gets no reel: `NoClipForReel` says why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger

from contracts import (
    GoalEvent,
    GoalWithoutClip,
    HighlightEvent,
    MatchEndEvent,
    ReelEvent,
    highlight_title,
    parse_event,
    reel_title,
)
from functions.clip.cutter import check_container, media_duration_s, run_ffmpeg
from functions.clip.exceptions import NoClipForReel, ReelNotReady
from functions.clip.highlights import publish_once, store_media
from functions.clip.ledger import PublicationLedger
from functions.clip.settings import ClipSettings
from functions.clip.timeline import highlight_id, key_under_prefix, safe_channel
from functions.shared.ffmpeg import FILE_ONLY
from functions.shared.goals_without_clip import GoalsWithoutClip

logger = Logger(child=True)

REEL_LAST_ATTEMPT = 3
"""The receive of a match-end message that makes the reel of the clips there are, whatever is still missing:
below the clip queue's ``maxReceiveCount`` (5 in the stack, 3 in the local run), so the reel is made before the
message would go to the dead-letter queue; at the stack's visibility timeout that is minutes after the match,
past enrich's wait for any post-roll."""


def reel_key(match: MatchEndEvent, token: str) -> str:
    """``highlights/{channel}/{YYYY/MM/DD}/{match_id}-{token}-reel.mp4``: one match, one key (token: see the ledger)."""
    return key_under_prefix(f"{safe_channel(match.channel)}/{match.at:%Y/%m/%d}/{match.id}-{token}-reel.mp4")


def make_reel(
    match: MatchEndEvent,
    *,
    settings: ClipSettings,
    s3: Any,
    sns: Any,
    workdir: Path,
    ledger: PublicationLedger,
    without_clip: GoalsWithoutClip,
    last_attempt: bool = False,
) -> ReelEvent | None:
    """Concatenate the match's clips that exist, store the reel, publish a `reel` event once; None if goalless."""
    if not match.goals:
        logger.info("goalless match: no reel", extra={"match_id": match.id})
        return None
    clip_keys, missing = reel_clips(match, ledger, without_clip, last_attempt=last_attempt)  # before any work
    if missing:
        logger.error(
            "the match reel goes without some goals' clips",
            extra={"match_id": match.id, "goals_without_clip": [json.loads(goal.to_json()) for goal in missing]},
        )
    if not clip_keys:
        raise NoClipForReel(
            f"no goal of match {match.id} ({reel_title(match)}) has a clip, so it gets no reel: "
            + "; ".join(f"{goal.title}: {goal.reason}" for goal in missing)
        )
    message = publish_once(
        ledger,
        match.id,
        lambda token: _join_and_store(
            match, clip_keys, tuple(missing), token, settings=settings, s3=s3, workdir=workdir
        ).to_json(),
        sns=sns,
        topic_arn=settings.highlight_topic_arn,
    )
    reel = parse_event(message)
    if not isinstance(reel, ReelEvent):
        raise TypeError(f"the publication of {match.id} holds a {reel.type} event")
    logger.info("reel published", extra={"match_id": match.id, "key": reel.reel.key, "goals": len(clip_keys)})
    return reel


def reel_clips(
    match: MatchEndEvent, ledger: PublicationLedger, without_clip: GoalsWithoutClip, *, last_attempt: bool
) -> tuple[list[str], list[GoalWithoutClip]]:
    """The keys of the match's clips that exist, in goal order, and the goals that have none, with why.

    Raises ReelNotReady while a goal is neither clipped nor known to stay without a clip, unless this is the
    ``last_attempt``.
    """
    clip_keys: list[str] = []
    missing: list[GoalWithoutClip] = []
    for goal in match.goals:
        key = _clip_key(ledger, goal)
        if key is not None:
            clip_keys.append(key)
            continue
        reason = without_clip.reason(goal.id)
        if reason is None and not last_attempt:
            raise ReelNotReady(f"the clip of goal {goal.id} is not there yet; the reel waits")
        if reason is None:
            reason = (
                f"no clip was made for it, and nothing says why, by the reel's attempt {REEL_LAST_ATTEMPT}; "
                "look for it in the enrich and clip dead-letter queues"
            )
        missing.append(GoalWithoutClip(goal_id=goal.id, title=highlight_title(goal), reason=reason))
    return clip_keys, missing


def _clip_key(ledger: PublicationLedger, goal: GoalEvent) -> str | None:
    """Where the goal's clip is, as its recorded highlight says; None while it has none."""
    publication = ledger.get(highlight_id(goal))
    highlight = parse_event(publication.message) if publication and publication.message else None
    return highlight.clip.key if isinstance(highlight, HighlightEvent) else None


def _join_and_store(
    match: MatchEndEvent,
    clip_keys: list[str],
    missing: tuple[GoalWithoutClip, ...],
    token: str,
    *,
    settings: ClipSettings,
    s3: Any,
    workdir: Path,
) -> ReelEvent:
    workdir.mkdir(parents=True, exist_ok=True)
    clips = []
    for number, key in enumerate(clip_keys):
        body = s3.get_object(Bucket=settings.highlights_bucket, Key=key)["Body"].read()
        clips.append(workdir / f"{number:03d}.mp4")
        clips[-1].write_bytes(body)
        check_container(clips[-1], what=f"the clip s3://{settings.highlights_bucket}/{key}")
    listing = workdir / "clips.txt"
    listing.write_text("ffconcat version 1.0\n" + "".join(f"file '{path.name}'\n" for path in clips))
    reel_path = workdir / "reel.mp4"
    run_ffmpeg(
        settings.ffmpeg_path,
        *("-f", "concat", *FILE_ONLY, "-safe", "0", "-i", str(listing)),
        *("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-movflags", "+faststart"),
        str(reel_path),
        what=f"join {len(clips)} clips into the reel of {match.id}",
    )
    metadata = {"match-id": match.id, "score": str(match.score), "channel": match.channel}
    stored = store_media(s3, settings, reel_key(match, token), reel_path, "video/mp4", metadata)
    return ReelEvent(
        id=match.id,
        channel=match.channel,
        title=reel_title(match),
        match=match,
        reel=stored,
        duration_s=media_duration_s(reel_path, ffmpeg=settings.ffmpeg_path),
        goals_without_clip=missing,
    )
