"""From a published highlight to its vertical cut: fetch the 16:9 MP4, render 9:16, store beside it, announce.

Knows nothing about Lambda or SQS; the handler calls ``make_vertical`` once
per highlight id (Powertools idempotency). The keys are derived from the
clip's key (``….mp4`` → ``….vertical.mp4`` and ``….vertical.jpg``), so a retry
after a crash between upload and publish overwrites the same two objects.

Example:
    >>> vertical = make_vertical(highlight, settings=settings, s3=s3, sns=sns, workdir=Path("/tmp/v"))
    >>> vertical.clip.key
    'highlights/sample/2026/11/25/g-….vertical.mp4'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger

from contracts import HighlightEvent, StoredMedia, VerticalEvent
from contracts.settings import DEFAULT_SETTINGS
from functions.shared import MediaMissingError, read_media
from functions.vertical.exceptions import UnusableSourceError
from functions.vertical.renderer import render_vertical
from functions.vertical.settings import VerticalSettings

logger = Logger(child=True)

THUMBNAIL_AFTER_GOAL_S = 0.15
"""As the 16:9 thumbnail: a few frames after the goal's first frame, so the new score shows."""
VERTICAL_SUFFIX = ".vertical"


def vertical_id(highlight: HighlightEvent) -> str:
    """One goal, one vertical cut: derived from the goal id, as the highlight's id is."""
    return f"vertical-{highlight.goal.id}"


def vertical_key(clip_key: str, extension: str) -> str:
    """The key beside the clip's: ``a/b/g-1.mp4`` → ``a/b/g-1.vertical.{extension}``."""
    stem = clip_key[: -len(".mp4")] if clip_key.endswith(".mp4") else clip_key
    return f"{stem}{VERTICAL_SUFFIX}.{extension}"


def make_vertical(
    highlight: HighlightEvent, *, settings: VerticalSettings, s3: Any, sns: Any, workdir: Path
) -> VerticalEvent:
    """Render the highlight's 9:16 cut and thumbnail, store both beside the clip, publish, and return the event."""
    if highlight.clip.bucket != settings.highlights_bucket:
        raise UnusableSourceError(
            f"the highlight's clip is in bucket {highlight.clip.bucket!r}, not in {settings.highlights_bucket!r}; "
            "the vertical cut is made only from clips of this deployment"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "source.mp4"
    location = f"s3://{highlight.clip.bucket}/{highlight.clip.key}"
    try:
        source.write_bytes(read_media(location, s3_client=s3))
    except MediaMissingError as error:
        raise UnusableSourceError(
            f"the clip {location} of {highlight.id} does not exist (deleted, or never stored); there is nothing "
            "to cut a vertical from"
        ) from error
    goal_in_clip_s = max((highlight.goal.at - highlight.clip_start).total_seconds(), 0.0)
    result = render_vertical(
        source,
        workdir / "out",
        thumbnail_at_s=goal_in_clip_s + THUMBNAIL_AFTER_GOAL_S,
        ffmpeg=settings.ffmpeg_path,
        source_name=location,
        background=settings.background,
    )
    metadata = {"goal-id": highlight.goal.id, "highlight-id": highlight.id, "channel": highlight.channel}
    clip = store_media(s3, settings, vertical_key(highlight.clip.key, "mp4"), result.clip_path, "video/mp4", metadata)
    thumbnail = store_media(
        s3, settings, vertical_key(highlight.clip.key, "jpg"), result.thumbnail_path, "image/jpeg", metadata
    )
    vertical = VerticalEvent(
        id=vertical_id(highlight),
        highlight_id=highlight.id,
        channel=highlight.channel,
        title=highlight.title,
        goal=highlight.goal,
        clip=clip,
        thumbnail=thumbnail,
        source=highlight.clip,
        width=result.width,
        height=result.height,
        clip_start=highlight.clip_start,
        clip_end=highlight.clip_start + timedelta(seconds=result.duration_s),
        duration_s=result.duration_s,
    )
    publish_vertical(sns, settings.highlight_topic_arn, vertical)
    logger.info(
        "vertical cut published",
        extra={"key": clip.key, "width": result.width, "height": result.height, "bytes": clip.size_bytes},
    )
    return vertical


def store_media(
    s3: Any, settings: VerticalSettings, key: str, path: Path, content_type: str, metadata: dict[str, str]
) -> StoredMedia:
    """Upload one file and describe it with a lasting CloudFront link, or a presigned one without CloudFront."""
    size = path.stat().st_size
    with path.open("rb") as body:
        s3.put_object(
            Bucket=settings.highlights_bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata
        )
    if settings.highlights_base_url:
        url, expires_at = f"{settings.highlights_base_url}/{quote(key)}", None
    else:
        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": settings.highlights_bucket, "Key": key}, ExpiresIn=settings.url_expiry_s
        )
        expires_at = datetime.now(UTC) + timedelta(seconds=settings.url_expiry_s)
    return StoredMedia(
        bucket=settings.highlights_bucket,
        key=key,
        url=url,
        url_expires_at=expires_at,
        content_type=content_type,
        size_bytes=size,
    )


def publish_vertical(sns: Any, topic_arn: str, vertical: VerticalEvent) -> str:
    """Publish with the attributes hooks filter on (``channel``, ``event_type`` = ``vertical``); returns the id."""
    reply = sns.publish(
        TopicArn=topic_arn,
        Message=vertical.to_json(),
        MessageAttributes={
            DEFAULT_SETTINGS.channel_attribute: {"DataType": "String", "StringValue": vertical.channel},
            DEFAULT_SETTINGS.highlight_event_type_attribute: {"DataType": "String", "StringValue": vertical.type},
        },
    )
    return str(reply["MessageId"])
