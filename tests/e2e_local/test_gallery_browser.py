"""The local run's gallery in headless Chromium, from real H.264 clips: 16:9, 9:16 and a reel, two channels.

The gallery hook of the local run (`local_pipeline.gallery.Gallery`) receives the SNS events a
run delivers — two channels' highlights, a vertical cut, a match reel, and one highlight twice —
for real MP4s (ffmpeg's x264) and JPEGs in moto S3, and writes its pages. Chromium then opens
them at desktop and phone sizes. Unlike test_local_pipeline.py this does not depend on the capture
keeping up with a live stream, so a busy machine cannot empty the gallery under test.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import cv2
import pytest

from contracts import HighlightEvent, StoredMedia
from local_pipeline.gallery import Gallery
from tests.e2e_local.browser import chromium_path
from tests.e2e_local.gallery_probe import probe_gallery
from tests.functional.fake_aws import REGION
from tests.functional.gallery_fixtures import goal_at, highlight_of, reel_of, vertical_of
from tests.functional.hook_fixtures import BUCKET, emulated_aws, sns_event

pytestmark = pytest.mark.slow
SCREENSHOTS_ENV = "HIGHLIGHT_BOT_SCREENSHOTS"
"""Where the screenshots are kept for a person to look at (default: the test's temporary folder)."""


def _encode(path: Path, width: int, height: int, seconds: float) -> None:
    """A short H.264 MP4 (ffmpeg's test pattern) and its first frame as a JPEG beside it."""
    source = f"testsrc2=size={width}x{height}:rate=25"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds), "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path)],
        check=True,
    )  # fmt: skip
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-frames:v", "1", str(path.with_suffix(".jpg"))], check=True
    )


def _stored(s3: Any, key: str, body: bytes, content_type: str) -> StoredMedia:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType=content_type)
    return StoredMedia(bucket=BUCKET, key=key, url=f"https://example.invalid/{key}", content_type=content_type,
                       size_bytes=len(body))  # fmt: skip


@pytest.fixture(scope="module", name="media")
def media_fixture(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    sizes = {"wide": (640, 360, 2.0), "tall": (360, 640, 2.0), "reel": (640, 360, 4.0)}
    for name, (width, height, seconds) in sizes.items():
        _encode(folder / f"{name}.mp4", width, height, seconds)
    return {name: folder / f"{name}.mp4" for name in sizes}


@pytest.fixture(name="gallery")
def gallery_fixture(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, media: dict[str, Path]) -> Iterator[Gallery]:
    with emulated_aws(monkeypatch):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        gallery = Gallery(tmp_path / "highlights", s3)

        def highlight(channel: str, minutes: int, home: int) -> HighlightEvent:
            goal = goal_at(minutes, home, channel=channel)
            stem = f"highlights/{channel}/{goal.id}"
            return highlight_of(
                goal,
                title=f"LIV {home}-0 MCI <b>&amp;</b>",
                clip=_stored(s3, f"{stem}.mp4", media["wide"].read_bytes(), "video/mp4"),
                thumbnail=_stored(s3, f"{stem}.jpg", media["wide"].with_suffix(".jpg").read_bytes(), "image/jpeg"),
            )

        first, second = highlight("sample", 0, 1), highlight("sample", 10, 2)
        elsewhere = highlight("other_channel", 5, 1)
        vertical = vertical_of(second)
        vertical = vertical.model_copy(
            update={
                "clip": _stored(s3, vertical.clip.key, media["tall"].read_bytes(), "video/mp4"),
                "thumbnail": _stored(
                    s3, vertical.thumbnail.key, media["tall"].with_suffix(".jpg").read_bytes(), "image/jpeg"
                ),
            }
        )
        reel = reel_of(first.goal, second.goal)
        reel = reel.model_copy(update={"reel": _stored(s3, reel.reel.key, media["reel"].read_bytes(), "video/mp4")})
        gallery.handler(sns_event(first, elsewhere), None)
        gallery.handler(sns_event(vertical), None)
        gallery.handler(sns_event(second, second), None)  # delivered twice, shown once
        gallery.handler(sns_event(reel), None)
        yield gallery


@pytest.mark.parametrize(
    ("width", "height", "mobile"), [(1366, 900, False), (390, 844, True)], ids=["desktop", "phone"]
)
def test_the_gallery_plays_links_and_fits_the_screen(
    gallery: Gallery, tmp_path: Path, width: int, height: int, mobile: bool
) -> None:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: `make test` installs it (Debian package chromium)")
        pytest.skip("chromium is not installed; `make test` installs it")
    shots = Path(os.environ.get(SCREENSHOTS_ENV) or tmp_path / "shots") / "gallery-browser"
    index, channels = probe_gallery(
        gallery.folder, tmp_path / "profile", shots, width=width, height=height, mobile=mobile
    )
    # The channel with the newest goal (sample: minute 10) comes first.
    assert [page.path.parent.name for page in channels] == ["sample", "other_channel"]
    sample, other = channels
    assert len(sample.report["goalIds"]) == 2 and len(other.report["goalIds"]) == 1
    assert len(sample.report["matchIds"]) == 1
    videos = sample.videos
    assert [video["tall"] for video in videos] == [False, False, True, False]  # reel, newest goal + its cut, oldest
    for video in videos + other.videos:
        assert video["error"] is None and video["readyState"] >= 1 and video["duration"] > 0, video
        assert (video["height"] > video["width"]) == video["tall"], video
        assert 0 < video["shownWidth"] <= width
    assert videos[0]["duration"] == pytest.approx(4.0, abs=0.1)
    for page in (index, sample, other):
        assert page.missing_files() == [], page.path
        assert all(image["drawn"] for image in page.report["images"]), page.report["images"]
        assert not page.overflows(), f"{page.path} is {page.report['documentWidth']} px wide on a {width} px screen"
        image = cv2.imread(str(page.screenshot))
        assert image is not None and image.shape[:2] == (height, width)
        assert image.std() > 10  # a dark page with light cards: the cards have drawn
    assert "<b>" not in sample.path.read_text()
