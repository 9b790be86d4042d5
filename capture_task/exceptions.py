"""Errors the capture task raises, each a sentence that says what to do next.

They live in one module so callers can catch them without importing the code that raises them
(the same split Powertools uses). ``CaptureError`` is the common base for everything the capture
task raises on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable

import requests


class CaptureError(Exception):
    """Base class for errors the capture task raises on purpose."""


class InvalidSourceError(CaptureError, ValueError):
    """A source spec is not one of the accepted forms (a ``ValueError``, so argument parsing can catch it)."""


class SourceUnavailable(CaptureError):
    """The source cannot be turned into a playable media playlist right now.

    Raised when streamlink has no plugin for the URL, a plugin fails, or an HLS URL cannot be
    fetched. Whether retrying helps depends on the cause, which the message names.
    """


class StreamOffline(SourceUnavailable):
    """The channel exists but is not live; wait and resolve again later."""

    metric_name = "TwitchOffline"

    def __init__(self, channel: str) -> None:
        self.channel = channel
        super().__init__(
            f"The Twitch channel '{channel}' is offline (streamlink found no streams); "
            "start the broadcast or wait, and resolve again."
        )


class QualityUnavailable(SourceUnavailable):
    """The requested quality is not among the stream's variants; the message lists the ones that are."""

    def __init__(self, requested: str, available: Iterable[str]) -> None:
        self.requested = requested
        self.available = tuple(sorted(set(available)))
        listed = ", ".join(self.available) or "none"
        super().__init__(
            f"Quality '{requested}' is not offered by this stream; choose one of: {listed} (or 'best' / 'worst')."
        )


class SegmentUnavailable(CaptureError):
    """A media segment could not be downloaded after every retry.

    Raised so one lost segment never blocks the pipeline: the caller skips the segment and marks
    the next one it keeps as a discontinuity.
    """

    def __init__(self, uri: str, attempts: int, reason: str, *, sequence: int | None = None) -> None:
        self.uri = uri
        self.attempts = attempts
        self.reason = reason
        self.sequence = sequence
        which = f"Segment {sequence}" if sequence is not None else "Segment"
        super().__init__(
            f"{which} could not be downloaded after {attempts} attempt(s) ({reason}); "
            f"skip it and mark the next segment as a discontinuity. URL: {uri}"
        )


class StreamUrlRefused(CaptureError, requests.RequestException):
    """A URL the capture would fetch for a stream is not a public https URL, so it is never requested.

    A ``requests.RequestException``, so every fetch handles it like a request that failed: a refused
    segment, init section or key makes the segment missing (announced as a gap, logged); a refused
    playlist is logged and polled again. Retrying it cannot help, so nothing retries it.
    """

    def __init__(self, url: str, why: str) -> None:
        self.url = url
        self.why = why
        shown = url.split("?", 1)[0]  # the query left out: a playlist URL's may hold an access token
        super().__init__(
            f"The capture refused to fetch {shown} because {why}; a stream's playlists, segments, keys and "
            "redirects must be public https:// URLs. If this stream really is on a private network you trust, "
            "deploy with -c allow_private_stream_urls=true (ALLOW_PRIVATE_STREAM_URLS=true in the task)."
        )


class EncryptedSegmentRefused(SegmentUnavailable):
    """A segment is encrypted in a way the capture cannot undo, so its bytes never reach the decoder.

    AES-128 is decrypted; SAMPLE-AES, SAMPLE-AES-CTR, key systems other than ``identity`` (DRM), and
    AES-128 without the ``cryptography`` package are refused with this error.
    """

    def __init__(self, uri: str, method: str, *, sequence: int | None = None, why: str = "") -> None:
        self.method = method
        reason = why or f"it is encrypted with {method}, which this capture cannot decrypt"
        super().__init__(uri, 0, reason, sequence=sequence)
        which = f"Segment {sequence}" if sequence is not None else "A segment"
        # Replaces SegmentUnavailable's sentence: nothing was downloaded, and retrying cannot help.
        self.args = (f"{which} was refused because {reason}; capture an unencrypted (or AES-128) rendition instead.",)


class PlaylistUnreadable(CaptureError, ValueError):
    """A playlist could not be read even after its unreadable tags were dropped.

    The follower logs it as an error and polls again; a ``ValueError`` so callers that caught
    m3u8's own errors keep working.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"The playlist at {url.split('?', 1)[0]} could not be read ({reason}); "
            "check that the URL serves an HLS playlist. The follower keeps polling it."
        )


class TwitchGeoBlocked(SourceUnavailable):
    """Twitch refuses this channel's stream in the region the capture runs in; waiting will not help."""

    metric_name = "TwitchGeoBlocked"

    def __init__(self, channel: str, detail: str = "") -> None:
        self.channel = channel
        said = f" (Twitch said: {detail})" if detail else ""
        super().__init__(
            f"Twitch refuses the stream of channel '{channel}' in this region{said}; "
            "run the capture task in a region where the channel may be watched."
        )


class TwitchUnauthorized(SourceUnavailable):
    """Twitch rejected the capture's credentials, or wants a client-integrity token only a browser can make."""

    metric_name = "TwitchUnauthorized"

    def __init__(self, channel: str, detail: str, *, integrity: bool = False) -> None:
        self.channel = channel
        self.integrity = integrity
        if integrity:
            advice = (
                "Twitch demands a client-integrity token, which needs a web browser the container does not have; "
                "set a valid OAuth token in the Twitch secret (TWITCH_OAUTH_SECRET_ARN), or try again later."
            )
        else:
            advice = (
                "replace the OAuth token in the Twitch secret (TWITCH_OAUTH_SECRET_ARN) with a valid one, "
                "or remove it to watch without an account."
            )
        super().__init__(f"Twitch did not authorise access to channel '{channel}' ({detail}); {advice}")


class TwitchApiUnavailable(SourceUnavailable):
    """Twitch's API could not be reached or answered with an error; it is retried with backoff."""

    metric_name = "TwitchApiDown"

    def __init__(self, channel: str, detail: str) -> None:
        self.channel = channel
        super().__init__(
            f"Twitch's API did not answer for channel '{channel}' ({detail}); "
            "this is usually brief, so the capture retries with backoff. If it lasts, check "
            "https://status.twitch.tv and the task's network access."
        )
