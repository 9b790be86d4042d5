"""Lambda entry point of the gallery hook: each highlight and match reel updates the gallery pages in S3.

Thin on purpose: read the SNS event, turn each event into a change of its channel's gallery, let
`GalleryStore` apply it (conditional writes) and rewrite the pages. Any error is raised, so Lambda
retries the event and then sends it to this hook's on-failure destination.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from hooks.gallery.changes import change_for
from hooks.gallery.events import gallery_events_from_sns
from hooks.gallery.store import INDEX_PAGE_KEY, GalleryStore, channel_page_key
from hooks.shared import aws_client

logger = Logger(service="gallery-hook")
BUCKET_ENV = "HIGHLIGHTS_BUCKET"
BASE_URL_ENV = "HIGHLIGHTS_BASE_URL"
"""The CloudFront address the pages are served from; only logged, since the pages link relatively."""


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    published = gallery_events_from_sns(event)
    store = GalleryStore(aws_client("s3"), os.environ[BUCKET_ENV])
    base_url = os.environ.get(BASE_URL_ENV, "").rstrip("/")
    shown = []
    for item in published:
        logger.append_keys(event_id=item.id, channel=item.channel, event_type=item.type)
        gallery, _ = store.change_channel(item.channel, change_for(item))
        page_key = channel_page_key(item.channel)
        logger.info(
            "Gallery updated",
            extra={
                "page_key": page_key,
                "revision": gallery.revision,
                "page_url": f"{base_url}/{page_key}" if base_url else None,
            },
        )
        shown.append(item.id)
    return {"shown": shown, "index_key": INDEX_PAGE_KEY}
