"""The match reel: every goal's highlight clip of a finished match, in order, as one MP4.

Built from the clips already in the highlights bucket (stream copy, no
re-encode: one stream's clips share codec and resolution), when the capture
task reports the match over. The last goal's clip may still be in the making
then: a missing clip raises `ReelNotReady`, the message returns after the
queue's visibility timeout, and the redrive policy bounds the retries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from contracts import MatchEndEvent, ReelEvent, reel_title
from functions.clip.cutter import FILE_ONLY, check_container, media_duration_s, run_ffmpeg
from functions.clip.exceptions import ReelNotReady
from functions.clip.highlights import publish_event, store_media
from functions.clip.settings import ClipSettings
from functions.clip.timeline import HIGHLIGHTS_PREFIX, highlight_key, safe_channel

logger = Logger(child=True)


def reel_key(match: MatchEndEvent) -> str:
    """``highlights/{channel}/{YYYY/MM/DD}/{match_id}-reel.mp4``: one match, one key."""
    return f"{HIGHLIGHTS_PREFIX}/{safe_channel(match.channel)}/{match.at:%Y/%m/%d}/{match.id}-reel.mp4"


def make_reel(match: MatchEndEvent, *, settings: ClipSettings, s3: Any, sns: Any, workdir: Path) -> ReelEvent | None:
    """Concatenate the match's clips, store the reel, publish a `reel` event; None for a goalless match."""
    if not match.goals:
        logger.info("goalless match: no reel", extra={"match_id": match.id})
        return None
    workdir.mkdir(parents=True, exist_ok=True)
    clips = []
    for number, goal in enumerate(match.goals):
        key = highlight_key(goal, "mp4")
        try:
            body = s3.get_object(Bucket=settings.highlights_bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ReelNotReady(f"the clip of goal {goal.id} ({key}) is not there yet; the reel waits") from error
            raise
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
    stored = store_media(s3, settings, reel_key(match), reel_path, "video/mp4", metadata)
    reel = ReelEvent(
        id=match.id,
        channel=match.channel,
        title=reel_title(match),
        match=match,
        reel=stored,
        duration_s=media_duration_s(reel_path, ffmpeg=settings.ffmpeg_path),
    )
    publish_event(sns, settings.highlight_topic_arn, reel)
    logger.info("reel published", extra={"match_id": match.id, "key": stored.key, "goals": len(match.goals)})
    return reel
