"""From a clip job to a published highlight: fetch the segments, cut, store in S3, announce on SNS.

Knows nothing about Lambda or SQS; the handler calls ``make_highlight`` once
per job id (Powertools idempotency), and ``functions.clip.ledger`` makes the
publication itself happen once: a retry after a crash at any step reuses the
same random token (so it overwrites the same two objects) and publishes the
same recorded bytes at most once more only after a hard kill mid-publish.

Example:
    >>> highlight = make_highlight(job, settings=settings, s3=s3, sns=sns, workdir=Path("/tmp/job"))
    >>> highlight.clip.key
    'highlights/sample/2026/11/25/g-…-3f9c….mp4'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools import Logger

from contracts import (
    ClipJob,
    GoalEvent,
    HighlightEvent,
    ReelEvent,
    SegmentEvent,
    StoredMedia,
    highlight_title,
    parse_event,
)
from contracts.settings import DEFAULT_SETTINGS
from functions.clip.cutter import cut_clip
from functions.clip.ledger import PublicationLedger
from functions.clip.settings import ClipSettings
from functions.clip.timeline import highlight_id, highlight_key, moment_on_timeline, offset_on_timeline
from functions.shared.media import read_media

logger = Logger(child=True)

FETCH_THREADS = 8


def make_highlight(
    job: ClipJob, *, settings: ClipSettings, s3: Any, sns: Any, workdir: Path, ledger: PublicationLedger
) -> HighlightEvent:
    """Cut the job's clip and thumbnail, store both, publish the highlight event once, and return it.

    The steps and why a crash between any two of them still makes one message: ``functions.clip.ledger``.
    """
    message = publish_once(
        ledger,
        highlight_id(job.goal),
        lambda token: _cut_and_store(job, token, settings=settings, s3=s3, workdir=workdir).to_json(),
        sns=sns,
        topic_arn=settings.highlight_topic_arn,
    )
    highlight = parse_event(message)
    if not isinstance(highlight, HighlightEvent):
        raise TypeError(f"the publication of {highlight_id(job.goal)} holds a {highlight.type} event")
    logger.info(
        "highlight published",
        extra={
            "goal_id": job.goal.id,
            "key": highlight.clip.key,
            "duration_s": highlight.duration_s,
            "bytes": highlight.clip.size_bytes,
        },
    )
    return highlight


def publish_once(
    ledger: PublicationLedger, event_id: str, make_message: Callable[[str], str], *, sns: Any, topic_arn: str
) -> str:
    """Reserve, make (given the token), record, publish, mark: the published message, whatever came before."""
    publication = ledger.reserve(event_id)
    if publication.message is None:
        publication = ledger.record(event_id, make_message(publication.token))
    message = publication.message
    if message is None:
        raise LookupError(f"the message of {event_id} was recorded but cannot be read back; retry the job")
    if publication.state == "published" or event_id in ledger.published_here:
        logger.info("already published; not publishing again", extra={"event_id": event_id})
        return message
    message_id = publish_message(sns, topic_arn, message)
    ledger.published_here.add(event_id)
    try:
        ledger.mark_published(event_id, message_id)
    except Exception:
        # The message is out: failing the job now would make its retry publish it again.
        logger.exception("published, but could not mark it published", extra={"event_id": event_id})
    return message


def _cut_and_store(job: ClipJob, token: str, *, settings: ClipSettings, s3: Any, workdir: Path) -> HighlightEvent:
    segments = job.segments
    files = fetch_segments(segments, workdir / "segments", s3_client=s3, local_root=settings.local_media_root)
    result = cut_clip(
        [path for path, _ in files],
        offset_on_timeline(segments, job.window_start),
        offset_on_timeline(segments, job.window_end),
        offset_on_timeline(segments, job.goal.at),
        workdir / "out",
        ffmpeg=settings.ffmpeg_path,
        durations_s=[duration for _, duration in files],
    )
    clip_start = moment_on_timeline(segments, result.start_offset_s)
    metadata = _object_metadata(job.goal)
    clip_key, thumbnail_key = highlight_key(job.goal, "mp4", token), highlight_key(job.goal, "jpg", token)
    clip = store_media(s3, settings, clip_key, result.clip_path, "video/mp4", metadata)
    thumbnail = store_media(s3, settings, thumbnail_key, result.thumbnail_path, "image/jpeg", metadata)
    logger.info("highlight stored", extra={"goal_id": job.goal.id, "key": clip.key, "partial": bool(job.partial)})
    return HighlightEvent(
        id=highlight_id(job.goal),
        channel=job.channel,
        title=highlight_title(job.goal),
        goal=job.goal,
        clip=clip,
        thumbnail=thumbnail,
        clip_start=clip_start,
        clip_end=clip_start + timedelta(seconds=result.duration_s),
        duration_s=result.duration_s,
        partial=job.partial,
    )


def fetch_segments(
    segments: Sequence[SegmentEvent], folder: Path, *, s3_client: Any, local_root: Path | None = None
) -> list[tuple[Path, float]]:
    """Write the segments to ``folder`` as files ffmpeg can read, in order, each with its playlist duration.

    MPEG-TS segments become one file each. fMP4 fragments cannot be decoded
    without their init section, so each run of fragments sharing one init
    section becomes one file: the init section, then the fragments. Local
    locations are read only under ``local_root`` (``read_media``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    # Fetched in parallel (boto3 clients are thread-safe): 14 sequential GETs would be most of a clip's latency.
    locations = _locations(segments)

    def read(location: str) -> bytes:
        return read_media(location, s3_client=s3_client, local_root=local_root)

    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        fetched = dict(zip(locations, pool.map(read, locations), strict=True))
    files: list[tuple[Path, float]] = []
    run_init: str | None = None
    for number, segment in enumerate(segments):
        data = fetched[segment.location]
        if segment.container == "ts":
            path = folder / f"{number:04d}.ts"
            path.write_bytes(data)
            files.append((path, segment.duration_s))
            run_init = None
            continue
        if not segment.init_location:
            raise ValueError(f"fMP4 segment {segment.sequence} of {segment.channel} has no init_location")
        if segment.init_location != run_init:
            run_init = segment.init_location
            files.append((folder / f"{number:04d}.mp4", 0.0))
            files[-1][0].write_bytes(fetched[run_init])
        path, duration = files[-1]
        with path.open("ab") as run:
            run.write(data)
        files[-1] = (path, duration + segment.duration_s)
    return files


def _locations(segments: Sequence[SegmentEvent]) -> list[str]:
    """Every location to fetch, each once: the segments, and the init sections fMP4 fragments need."""
    locations = [segment.location for segment in segments]
    locations += [segment.init_location for segment in segments if segment.init_location]
    return list(dict.fromkeys(locations))


def store_media(
    s3: Any, settings: ClipSettings, key: str, path: Path, content_type: str, metadata: dict[str, str]
) -> StoredMedia:
    """Upload one file and describe it with a link: ``HIGHLIGHTS_BASE_URL/key`` when set, else a presigned GET.

    A presigned link is signed with the function's temporary role credentials and dies with them (hours,
    whatever ``clip_url_expiry_s`` says); the CloudFront link lasts as long as the object, and its key holds
    a random token, so it cannot be guessed from the goal.
    """
    size = path.stat().st_size
    with path.open("rb") as body:
        s3.put_object(
            Bucket=settings.highlights_bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata
        )
    if settings.highlights_base_url:
        url, expires_at = f"{settings.highlights_base_url.rstrip('/')}/{quote(key)}", None
    else:
        url = s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": settings.highlights_bucket, "Key": key},
            ExpiresIn=settings.clip_url_expiry_s,
        )
        expires_at = datetime.now(UTC) + timedelta(seconds=settings.clip_url_expiry_s)
    return StoredMedia(
        bucket=settings.highlights_bucket,
        key=key,
        url=url,
        url_expires_at=expires_at,
        content_type=content_type,
        size_bytes=size,
    )


def publish_message(sns: Any, topic_arn: str, message: str) -> str:
    """Publish an event's JSON with the attributes hooks filter on (``channel``, ``event_type``); returns the id."""
    event = parse_event(message)
    reply = sns.publish(
        TopicArn=topic_arn,
        Message=message,
        MessageAttributes={
            DEFAULT_SETTINGS.channel_attribute: {"DataType": "String", "StringValue": event.channel},
            DEFAULT_SETTINGS.highlight_event_type_attribute: {"DataType": "String", "StringValue": event.type},
        },
    )
    return str(reply["MessageId"])


def publish_event(sns: Any, topic_arn: str, event: HighlightEvent | ReelEvent) -> str:
    """Publish an event (see ``publish_message``); returns the message id."""
    return publish_message(sns, topic_arn, event.to_json())


def _object_metadata(goal: GoalEvent) -> dict[str, str]:
    return {
        "goal-id": goal.id,
        "score": str(goal.score),
        "teams": f"{goal.teams.home}-{goal.teams.away}",
        "channel": goal.channel,
    }
