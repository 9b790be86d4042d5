"""Resolving a Twitch channel with the real streamlink Twitch plugin against a fake Twitch API on 127.0.0.1.

streamlink's HTTP session gets an adapter that sends its https://gql.twitch.tv, usher.ttvnw.net and
video-weaver requests to a local server instead, so the plugin's own code (access token, client
integrity, multivariant playlist, stream checks) runs unchanged and the internet is never used.
The answers the fake gives are the shapes streamlink's own tests use (tests/plugins/test_twitch.py).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests
import streamlink
from moto import mock_aws
from requests.adapters import HTTPAdapter

from capture_task.exceptions import (
    SourceUnavailable,
    StreamOffline,
    TwitchApiUnavailable,
    TwitchGeoBlocked,
    TwitchUnauthorized,
)
from capture_task.ingest.sources import (
    TWITCH_OAUTH_SECRET_ENV,
    Resolver,
    _classify,
    twitch_oauth_token_from_secret,
)
from capture_task.metrics import CaptureMetrics
from tests.functional.fake_aws import REGION, use_fake_aws_environment

CHANNEL = "somechannel"
TOKEN = "0123456789abcdefghijklmnopqrst"
TWITCH_HOSTS = ("gql.twitch.tv", "usher.ttvnw.net", "video-weaver.twitch.example")

ACCESS_TOKEN = {"data": {"streamPlaybackAccessToken": {"value": json.dumps({"channel": CHANNEL}), "signature": "sig"}}}
OFFLINE = {"data": {"streamPlaybackAccessToken": None}}
UNAUTHORIZED = {"error": "Unauthorized", "status": 401, "message": 'The "Authorization" token is invalid.'}
INTEGRITY = {"errors": [{"message": "failed integrity check"}]}
GEO_BLOCKED = [
    {
        "url": f"https://usher.ttvnw.net/api/v2/channel/hls/{CHANNEL}.m3u8",
        "error": "Content Restricted In Region",
        "error_code": "content_geoblocked",
        "type": "error",
    }
]
METADATA = [
    {"data": {"userOrError": {"displayName": "Some Channel"}}},
    {"data": {"user": {"lastBroadcast": {"title": "match"}, "stream": {"id": "123", "game": {"name": "football"}}}}},
]
MULTIVARIANT = """#EXTM3U
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="chunked",NAME="1080p60 (source)",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080,CODECS="avc1.64002A,mp4a.40.2",VIDEO="chunked",FRAME-RATE=60.000
https://video-weaver.twitch.example/v1/playlist/source.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="480p30",NAME="480p",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=852x480,CODECS="avc1.4D401F,mp4a.40.2",VIDEO="480p30",FRAME-RATE=30.000
https://video-weaver.twitch.example/v1/playlist/480p30.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="audio_only",NAME="audio_only",AUTOSELECT=NO,DEFAULT=NO
#EXT-X-STREAM-INF:BANDWIDTH=160000,CODECS="mp4a.40.2",VIDEO="audio_only"
https://video-weaver.twitch.example/v1/playlist/audio_only.m3u8
"""
MEDIA = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:2.000,live\nseg1.ts\n"


@dataclass
class FakeTwitch:
    """What the fake API answers; replies are served in order, the last repeating."""

    access_token: list[tuple[int, Any]] = field(default_factory=lambda: [(200, ACCESS_TOKEN)])
    usher: tuple[int, str] = (200, MULTIVARIANT)
    authorizations: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_access_token(self) -> tuple[int, Any]:
        with self.lock:
            return self.access_token.pop(0) if len(self.access_token) > 1 else self.access_token[0]


class _FakeTwitchServer:
    def __init__(self, twitch: FakeTwitch) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                query = json.loads(self.rfile.read(length) or b"null")
                if isinstance(query, list):  # the plugin's metadata queries
                    self._reply(200, METADATA)
                    return
                twitch.authorizations.append(self.headers.get("Authorization"))
                self._reply(*twitch.next_access_token())

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith("/usher.ttvnw.net/"):
                    status, body = twitch.usher
                    self._reply(status, body)
                elif path.endswith(".m3u8"):
                    self._reply(200, MEDIA)
                else:
                    self._reply(404, "not found")

            def _reply(self, status: int, body: Any) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _ToLoopback(HTTPAdapter):
    """Sends https://HOST/PATH to http://127.0.0.1:PORT/HOST/PATH: Twitch's hosts, served locally."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        query = f"?{parts.query}" if parts.query else ""
        request.url = f"http://127.0.0.1:{self.port}/{parts.netloc}{parts.path}{query}"
        return super().send(request, *args, **kwargs)


@pytest.fixture
def twitch() -> Iterator[tuple[FakeTwitch, int]]:
    fake = FakeTwitch()
    server = _FakeTwitchServer(fake)
    yield fake, server.httpd.server_address[1]
    server.close()


def _session_factory(port: int) -> Any:
    def factory() -> streamlink.Streamlink:
        session = streamlink.Streamlink(options={"webbrowser": False})
        session.http.trust_env = False  # no proxy from the environment for 127.0.0.1
        for host in TWITCH_HOSTS:
            session.http.mount(f"https://{host}/", _ToLoopback(port))
        return session

    return factory


class _Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def _resolver(port: int, **kwargs: Any) -> Resolver:
    kwargs.setdefault("oauth_token", lambda: None)
    kwargs.setdefault("sleep", _Sleeps())
    return Resolver(f"twitch:{CHANNEL}", session_factory=_session_factory(port), **kwargs)


@pytest.mark.timeout(60)
def test_a_live_channel_resolves_through_the_real_plugin(twitch: tuple[FakeTwitch, int]) -> None:
    fake, port = twitch

    url = _resolver(port)()

    assert url == "https://video-weaver.twitch.example/v1/playlist/source.m3u8"
    assert fake.authorizations == [None]


@pytest.mark.timeout(60)
def test_worst_is_the_lowest_video_quality_not_audio_only(twitch: tuple[FakeTwitch, int]) -> None:
    _fake, port = twitch

    assert _resolver(port, quality="worst")().endswith("/480p30.m3u8")


@pytest.mark.timeout(60)
def test_the_oauth_token_is_sent_as_the_api_header_and_never_logged(
    twitch: tuple[FakeTwitch, int], caplog: pytest.LogCaptureFixture
) -> None:
    fake, port = twitch
    fake.access_token = [(401, UNAUTHORIZED)]

    with caplog.at_level(logging.DEBUG), pytest.raises(TwitchUnauthorized) as raised:
        _resolver(port, oauth_token=lambda: TOKEN)()

    assert fake.authorizations and all(header == f"OAuth {TOKEN}" for header in fake.authorizations)
    assert TOKEN not in str(raised.value)
    assert "TWITCH_OAUTH_SECRET_ARN" in str(raised.value)
    assert TOKEN not in caplog.text


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("access_token", "usher", "expected", "metric", "level"),
    [
        ([(200, OFFLINE)], (200, MULTIVARIANT), StreamOffline, "TwitchOffline", logging.INFO),
        ([(200, ACCESS_TOKEN)], (403, json.dumps(GEO_BLOCKED)), TwitchGeoBlocked, "TwitchGeoBlocked", logging.ERROR),
        ([(401, UNAUTHORIZED)], (200, MULTIVARIANT), TwitchUnauthorized, "TwitchUnauthorized", logging.ERROR),
        ([(401, INTEGRITY)], (200, MULTIVARIANT), TwitchUnauthorized, "TwitchUnauthorized", logging.ERROR),
    ],
    ids=["offline", "geo-blocked", "unauthorised", "client-integrity"],
)
def test_twitch_failures_are_told_apart(
    twitch: tuple[FakeTwitch, int],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    access_token: list[tuple[int, Any]],
    usher: tuple[int, str],
    expected: type[SourceUnavailable],
    metric: str,
    level: int,
) -> None:
    fake, port = twitch
    fake.access_token, fake.usher = list(access_token), usher
    metrics = CaptureMetrics(CHANNEL)
    sleeps = _Sleeps()

    with caplog.at_level(logging.INFO, logger="highlight_bot.capture"), pytest.raises(expected) as raised:
        _resolver(port, metrics=metrics, sleep=sleeps)()

    assert type(raised.value) is expected
    assert sleeps.calls == []  # only Twitch being down is retried
    ours = [r for r in caplog.records if r.name == "highlight_bot.capture"]
    assert [r.levelno for r in ours] == [level]
    assert ours[0].getMessage() == str(raised.value)
    metrics.flush()
    emitted = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert emitted[metric] in (1.0, [1.0])


@pytest.mark.timeout(60)
def test_client_integrity_refusal_says_what_to_do(twitch: tuple[FakeTwitch, int]) -> None:
    fake, port = twitch
    fake.access_token = [(401, INTEGRITY)]

    with pytest.raises(TwitchUnauthorized, match="client-integrity") as raised:
        _resolver(port)()

    assert raised.value.integrity


@pytest.mark.timeout(60)
def test_twitch_api_down_at_start_up_is_retried_with_backoff(
    twitch: tuple[FakeTwitch, int], caplog: pytest.LogCaptureFixture
) -> None:
    fake, port = twitch
    fake.access_token = [(503, "Service Unavailable"), (503, "Service Unavailable"), (200, ACCESS_TOKEN)]
    sleeps = _Sleeps()

    with caplog.at_level(logging.WARNING, logger="highlight_bot.capture"):
        url = _resolver(port, sleep=sleeps)()

    assert url.endswith("/source.m3u8")
    assert len(sleeps.calls) == 2 and 0 < sleeps.calls[0] <= 2.0 and 0 < sleeps.calls[1] <= 4.0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("Twitch's API did not answer" in w for w in warnings)


@pytest.mark.timeout(60)
def test_twitch_api_down_for_good_gives_up_after_bounded_retries(twitch: tuple[FakeTwitch, int]) -> None:
    fake, port = twitch
    fake.access_token = [(503, "Service Unavailable")]
    sleeps = _Sleeps()

    with pytest.raises(TwitchApiUnavailable, match="retries with backoff"):
        _resolver(port, sleep=sleeps, attempts=4, max_backoff_s=3.0)()

    assert len(sleeps.calls) == 3
    assert max(sleeps.calls) <= 3.0


def test_the_token_is_read_from_secrets_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_aws_environment(monkeypatch)
    with mock_aws():
        client = boto3.client("secretsmanager")
        arn = client.create_secret(Name="highlight-bot/twitch-oauth", SecretString=f"oauth:{TOKEN}\n")["ARN"]
        monkeypatch.setenv(TWITCH_OAUTH_SECRET_ENV, arn)

        assert twitch_oauth_token_from_secret() == TOKEN

        monkeypatch.delenv(TWITCH_OAUTH_SECRET_ENV)
        assert twitch_oauth_token_from_secret() is None


def test_an_unreadable_secret_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_aws_environment(monkeypatch)
    with mock_aws():
        missing = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:missing"
        monkeypatch.setenv(TWITCH_OAUTH_SECRET_ENV, missing)

        with pytest.raises(SourceUnavailable, match="GetSecretValue"):
            twitch_oauth_token_from_secret()


@pytest.mark.parametrize(
    "message",
    [
        "Unable to open URL: {url} (503 Server Error: Service Unavailable for url: {url})".format(
            url="http://127.0.0.1:40153/gql.twitch.tv/gql"
        ),
        "Unable to open URL: https://usher.ttvnw.net/api/region/401.m3u8 (503 Server Error)",
        "HTTPConnectionPool(host='127.0.0.1', port=40153): Max retries exceeded (Caused by NewConnectionError)",
    ],
    ids=["port-with-401", "path-with-region-and-401", "port-without-a-url"],
)
def test_an_address_in_the_message_does_not_decide_the_failure(message: str) -> None:
    # A 503 from a loopback port 40153 was once classified "unauthorised" and not retried.
    assert type(_classify(CHANNEL, message)) is TwitchApiUnavailable


def test_a_401_status_is_still_unauthorised() -> None:
    assert type(_classify(CHANNEL, "Unable to open URL: https://gql.twitch.tv/gql (401 Client Error)")) is (
        TwitchUnauthorized
    )
