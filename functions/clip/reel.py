"""The match reel: every goal's highlight clip of a finished match, in order, as one MP4.

Built from the clips already in the highlights bucket (stream copy, no
re-encode: one stream's clips share codec and resolution), when the capture
task reports the match over; each goal's clip is found through its recorded
highlight in the publication ledger. The last goal's clip may still be in the
making then: a missing one raises `ReelNotReady`, the message returns after the
queue's visibility timeout, and the redrive policy bounds the retries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger

from contracts import GoalEvent, HighlightEvent, MatchEndEvent, ReelEvent, parse_event, reel_title
from functions.clip.cutter import check_container, media_duration_s, run_ffmpeg
from functions.clip.exceptions import ReelNotReady
from functions.clip.highlights import publish_once, store_media
from functions.clip.ledger import PublicationLedger
from functions.clip.settings import ClipSettings
from functions.clip.timeline import highlight_id, key_under_prefix, safe_channel
from functions.shared.ffmpeg import FILE_ONLY

logger = Logger(child=True)


def reel_key(match: MatchEndEvent, token: str) -> str:
    """``highlights/{channel}/{YYYY/MM/DD}/{match_id}-{token}-reel.mp4``: one match, one key (token: see the ledger)."""
    return key_under_prefix(f"{safe_channel(match.channel)}/{match.at:%Y/%m/%d}/{match.id}-{token}-reel.mp4")


def make_reel(
    match: MatchEndEvent, *, settings: ClipSettings, s3: Any, sns: Any, workdir: Path, ledger: PublicationLedger
) -> ReelEvent | None:
    """Concatenate the match's clips, store the reel, publish a `reel` event once; None for a goalless match."""
    if not match.goals:
        logger.info("goalless match: no reel", extra={"match_id": match.id})
        return None
    clip_keys = [_clip_key(ledger, goal) for goal in match.goals]  # before any work: ReelNotReady is common
    message = publish_once(
        ledger,
        match.id,
        lambda token: _join_and_store(match, clip_keys, token, settings=settings, s3=s3, workdir=workdir).to_json(),
        sns=sns,
        topic_arn=settings.highlight_topic_arn,
    )
    reel = parse_event(message)
    if not isinstance(reel, ReelEvent):
        raise TypeError(f"the publication of {match.id} holds a {reel.type} event")
    logger.info("reel published", extra={"match_id": match.id, "key": reel.reel.key, "goals": len(match.goals)})
    return reel


def _clip_key(ledger: PublicationLedger, goal: GoalEvent) -> str:
    """Where the goal's clip is, as its recorded highlight says; ReelNotReady while it has none."""
    publication = ledger.get(highlight_id(goal))
    highlight = parse_event(publication.message) if publication and publication.message else None
    if not isinstance(highlight, HighlightEvent):
        raise ReelNotReady(f"the clip of goal {goal.id} is not there yet; the reel waits")
    return highlight.clip.key


def _join_and_store(
    match: MatchEndEvent, clip_keys: list[str], token: str, *, settings: ClipSettings, s3: Any, workdir: Path
) -> ReelEvent:
    workdir.mkdir(parents=True, exist_ok=True)
    clips = []
    for number, key in enumerate(clip_keys):
        body = s3.get_object(Bucket=settings.highlights_bucket, Key=key)["Body"].read()
        clips.append(workdir / f"{number:03d}.mp4")
        clips[-1].write_bytes(body)
        check_container(clips[-1])
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
    )
