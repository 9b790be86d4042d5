"""Headless Chromium driven over the DevTools protocol on a pipe: no port, no network, no extra package.

`--dump-dom` and `--screenshot` cannot set a phone's viewport (headless windows are at least
500 px wide) nor wait for a video's metadata, so the gallery's browser test speaks the DevTools
protocol itself: Chromium reads JSON commands on fd 3 and answers on fd 4, each message ended by
a NUL byte (`--remote-debugging-pipe`).

Example:
    >>> with HeadlessChromium(profile_dir) as browser:
    ...     page = browser.open_page(width=390, height=844, mobile=True)
    ...     page.navigate(url)
    ...     report = page.evaluate("document.title")
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any, Self

REPLY_TIMEOUT_S = 120.0
"""A generous bound for one reply, so a wedged browser fails the test instead of hanging it."""
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--allow-file-access-from-files", "--autoplay-policy=no-user-gesture-required", "--mute-audio",
)  # fmt: skip


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, went away, or did not answer in time."""


class HeadlessChromium:
    """One Chromium process; `open_page` gives a tab with its own viewport."""

    def __init__(self, profile_dir: Path, executable: str | None = None) -> None:
        executable = executable or chromium_path()
        if executable is None:
            raise BrowserError("chromium is not installed; `make setup` installs it (Debian package chromium).")
        # os.pipe() ends are close-on-exec; only the two the child dup2s to fds 3 and 4 cross the exec.
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def pipes_on_3_and_4() -> None:
            commands, replies = os.dup(commands_read), os.dup(replies_write)  # out of the way of 3 and 4
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self._process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=pipes_on_3_and_4,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        for fd in (self._commands, self._replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        try:
            self._process.wait(timeout=REPLY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._replies], [], [], REPLY_TIMEOUT_S)
            if not ready:
                raise BrowserError(f"chromium sent nothing for {REPLY_TIMEOUT_S:.0f} s")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise BrowserError(f"chromium closed its DevTools pipe (exit code {self._process.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are dropped)."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._commands, json.dumps(command).encode() + b"\0")
        while True:
            message = self._message()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error']}")
                return dict(message.get("result", {}))

    def open_page(self, *, width: int, height: int, mobile: bool) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        return page


class Page:
    """One tab, attached with its own DevTools session."""

    def __init__(self, browser: HeadlessChromium, session: str) -> None:
        self._browser = browser
        self._session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._browser.send(method, params, self._session)

    def navigate(self, url: str) -> None:
        """Load `url` and wait until its `load` event (checked from the page, not by time)."""
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url} did not load: {result['errorText']}")
        self.evaluate(
            "new Promise((done) => document.readyState === 'complete' ? done(true)"
            " : window.addEventListener('load', () => done(true), {once: true}))"
        )

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"the page's script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        """The viewport as a PNG, or with `full_page` the whole page's length at the viewport's width."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            content = self.send("Page.getLayoutMetrics")["cssContentSize"]
            viewport = self.send("Page.getLayoutMetrics")["cssLayoutViewport"]
            params |= {
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": viewport["clientWidth"], "height": content["height"], "scale": 1},
            }
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", params)["data"]))
