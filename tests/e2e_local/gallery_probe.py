"""What a viewer of the gallery would see, measured in headless Chromium: videos, links, images, layout.

`probe_gallery(folder, ...)` opens the index page the local run wrote and every channel page it
links to, at one viewport size, and reports per page: each video's metadata as the browser decoded
it (readyState, duration, size, error), every link and media address resolved by the browser,
whether each image drew, and the document's width against the viewport's (horizontal overflow).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.e2e_local.browser import HeadlessChromium

PAGE_REPORT = """
(async () => {
  const videos = [...document.querySelectorAll('video')];
  // The page loads no video until it is played (preload="none"); ask for each one's metadata as a tap would.
  videos.forEach((video) => { video.preload = 'metadata'; video.load(); });
  const images = [...document.images];
  images.forEach((image) => { image.loading = 'eager'; });
  const settled = (video) => new Promise((done) => {
    if (video.readyState >= 1 || video.error) return done();
    video.addEventListener('loadedmetadata', done, {once: true});
    video.addEventListener('error', done, {once: true});
  });
  await Promise.all(videos.map(settled));
  await Promise.all(images.map((image) => image.complete ? null : new Promise((done) => {
    image.addEventListener('load', done, {once: true});
    image.addEventListener('error', done, {once: true});
  })));
  const addresses = [...document.querySelectorAll('[href], [src], [poster]')].flatMap((element) =>
    ['href', 'src', 'poster'].filter((name) => element.hasAttribute(name))
      .map((name) => new URL(element.getAttribute(name), document.baseURI).href));
  return {
    videos: videos.map((video) => ({
      src: video.currentSrc, readyState: video.readyState, duration: video.duration,
      width: video.videoWidth, height: video.videoHeight, error: video.error && video.error.code,
      tall: video.closest('figure.tall') !== null, shownWidth: video.getBoundingClientRect().width,
    })),
    images: images.map((image) => ({src: image.currentSrc, drawn: image.complete && image.naturalWidth > 0})),
    addresses,
    goalIds: [...document.querySelectorAll('[data-goal-id]')].map((element) => element.dataset.goalId),
    matchIds: [...document.querySelectorAll('[data-match-id]')].map((element) => element.dataset.matchId),
    channelLinks: [...document.querySelectorAll('article.channel a')].map((link) => link.href),
    documentWidth: document.documentElement.scrollWidth,
    viewportWidth: document.documentElement.clientWidth,
  };
})()
"""


@dataclass(frozen=True)
class PageReport:
    path: Path
    report: dict[str, Any]
    screenshot: Path

    @property
    def videos(self) -> list[dict[str, Any]]:
        return list(self.report["videos"])

    def missing_files(self) -> list[str]:
        """Every link or media address of the page that does not name an existing file."""
        missing = []
        for address in self.report["addresses"]:
            parts = urlsplit(address)
            if parts.scheme != "file" or not Path(unquote(parts.path)).is_file():
                missing.append(address)
        return missing

    def overflows(self) -> bool:
        return int(self.report["documentWidth"]) > int(self.report["viewportWidth"])


def probe_gallery(
    folder: Path, profile: Path, shots: Path, *, width: int, height: int, mobile: bool
) -> tuple[PageReport, list[PageReport]]:
    """The index page's report and each channel page's, with a screenshot of each viewport."""
    shots.mkdir(parents=True, exist_ok=True)
    with HeadlessChromium(profile) as browser:
        page = browser.open_page(width=width, height=height, mobile=mobile)

        def visit(path: Path, name: str) -> PageReport:
            page.navigate(path.resolve().as_uri())
            report = page.evaluate(PAGE_REPORT)
            shot = shots / f"{name}-{width}x{height}.png"
            page.screenshot(shot)
            page.screenshot(shot.with_name(f"{shot.stem}-full.png"), full_page=True)  # for a person to look at
            return PageReport(path, report, shot)

        index = visit(folder / "index.html", "index")
        channels = [
            visit(Path(unquote(urlsplit(link).path)), f"channel{number}")
            for number, link in enumerate(index.report["channelLinks"])
        ]
    return index, channels
