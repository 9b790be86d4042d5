"""The cloud gallery's state and pages in the highlights bucket, safe against concurrent and repeated events.

Layout under `gallery/` (served through the CloudFront distribution that serves the clips):

* `gallery/channels.json` — the `GalleryIndex`; `gallery/index.html` — its page;
* `gallery/<slug>/gallery.json` — a channel's `ChannelGallery`; `gallery/<slug>/index.html` — its page.

Two invocations may run at once (two goals in a few seconds, a clip and its vertical cut) and SNS
may deliver an event twice. So each JSON document is changed by read → change → conditional PUT
(`If-Match` its ETag, or `If-None-Match: *` when it does not exist yet), again from a fresh read
when S3 answers 412/409; entries are keyed by goal or match id, so a repeated event changes nothing
and writes nothing. A page is rendered from the document this invocation read, and then the
document's ETag is checked again: if another invocation changed it meanwhile, the page is rendered
once more from the newer one, so the last page written always shows the last document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel

from hooks.gallery.exceptions import GalleryConflictError
from hooks.gallery.pages import (
    PAGE_NAME,
    ChannelGallery,
    GalleryIndex,
    channel_slug,
    render_channel,
    render_index,
    with_channel,
)

GALLERY_PREFIX = "gallery/"
INDEX_DOCUMENT_KEY = f"{GALLERY_PREFIX}channels.json"
INDEX_PAGE_KEY = f"{GALLERY_PREFIX}{PAGE_NAME}"
MAX_WRITE_ATTEMPTS = 8
"""Conditional writes lost in a row before giving up (Lambda's retry then starts over)."""
PAGE_CACHE_CONTROL = "max-age=60"
"""CloudFront and browsers keep a page a minute at most, so a new goal shows within a minute."""
_CONFLICT_CODES = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}

Document = TypeVar("Document", bound=BaseModel)


def channel_document_key(channel: str) -> str:
    return f"{GALLERY_PREFIX}{channel_slug(channel)}/gallery.json"


def channel_page_key(channel: str) -> str:
    return f"{GALLERY_PREFIX}{channel_slug(channel)}/{PAGE_NAME}"


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}


def _is_conflict(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _CONFLICT_CODES


class GalleryStore:
    """Reads and changes the gallery documents and pages of one bucket."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self.bucket = bucket

    def _read(self, key: str, model: type[Document]) -> tuple[Document | None, str | None]:
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _is_missing(error):
                return None, None
            raise
        return model.model_validate_json(response["Body"].read()), str(response["ETag"])

    def _etag(self, key: str) -> str | None:
        try:
            return str(self._s3.head_object(Bucket=self.bucket, Key=key)["ETag"])
        except ClientError as error:
            if _is_missing(error):
                return None
            raise

    def update(self, key: str, model: type[Document], change: Callable[[Document | None], Document]) -> Document:
        """Apply `change` to the document at `key` without losing a concurrent change; return what is stored."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            current, etag = self._read(key, model)
            changed = change(current)
            if changed == current:
                return changed
            condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
            try:
                self._s3.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=json.dumps(changed.model_dump(mode="json"), indent=1).encode(),
                    ContentType="application/json",
                    **condition,
                )
            except ClientError as error:
                if _is_conflict(error):
                    continue
                raise
            return changed
        raise GalleryConflictError(
            f"s3://{self.bucket}/{key} changed under {MAX_WRITE_ATTEMPTS} attempts in a row to update it; "
            "the event is retried by Lambda, and lands in the hook's on-failure queue if it keeps happening."
        )

    def _publish(self, key: str, document_key: str, model: type[Document], render: Callable[[Document], str]) -> None:
        """Write the page of the document at `document_key`, again while the document keeps changing."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            document, etag = self._read(document_key, model)
            if document is None:
                return
            self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=render(document).encode(),
                ContentType="text/html; charset=utf-8",
                CacheControl=PAGE_CACHE_CONTROL,
            )
            if self._etag(document_key) == etag:
                return
        raise GalleryConflictError(
            f"s3://{self.bucket}/{document_key} kept changing while its page {key} was written; "
            "the event is retried by Lambda."
        )

    def change_channel(
        self, channel: str, change: Callable[[ChannelGallery], ChannelGallery]
    ) -> tuple[ChannelGallery, GalleryIndex]:
        """Apply `change` to the channel's gallery, then rewrite its page, the index and the index page."""
        gallery = self.update(
            channel_document_key(channel),
            ChannelGallery,
            lambda current: change(current or ChannelGallery(channel=channel)),
        )
        self._publish(channel_page_key(channel), channel_document_key(channel), ChannelGallery, render_channel)
        index = self.update(
            INDEX_DOCUMENT_KEY, GalleryIndex, lambda current: with_channel(current or GalleryIndex(), gallery)
        )
        self._publish(INDEX_PAGE_KEY, INDEX_DOCUMENT_KEY, GalleryIndex, render_index)
        return gallery, index
