"""No SSRF through a playlist (issue 11): every request the capture makes for a stream is public https.

A public https playlist could name, or redirect to, ``http://169.254.170.2/v2/metadata`` (the task's
credentials) or a loopback/private service. These tests serve the "public" CDN over HTTPS on 127.0.0.1:
a fake resolver says ``cdn.example.com`` is a public address and a fake network routes connections to
that address to the local server (nothing else is reachable). A second server on 127.0.0.1 plays the
private victim; a refused URL must never reach it.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from urllib3.util.connection import create_connection

from capture_task.exceptions import SegmentUnavailable, SourceUnavailable, StreamUrlRefused
from capture_task.ingest.guard import MAX_REDIRECTS, stream_session
from capture_task.ingest.playlist import LiveSegment, PlaylistFollower, fetch_init_section, fetch_segment
from capture_task.ingest.segments import hls_segments, source_segments
from capture_task.ingest.sources import Resolver
from tests.functional.hls_server import Reply, ScriptedHLSServer, SleepRecorder

CDN = "cdn.example.com"
PUBLIC = "93.184.215.14"
"""What the fake resolver answers for CDN; the fake network routes it to the CDN server on 127.0.0.1."""
REBOUND = "rebound.example.com"
TS_PACKET = b"\x47" + bytes(187)
SEGMENT_BYTES = TS_PACKET * 4
ALLOW_HINT = "allow_private_stream_urls=true"


class FakeNetwork:
    """The resolver and the connector a guarded session gets: CDN is public, nothing else exists."""

    def __init__(self, cdn_port: int) -> None:
        self.cdn_port = cdn_port
        self.connected: list[tuple[str, int]] = []
        self.lookups: list[str] = []

    def resolve(self, host: str) -> Iterable[str]:
        self.lookups.append(host)
        answers = {CDN: (PUBLIC,), REBOUND: (PUBLIC, "127.0.0.1"), "metadata.example.com": ("169.254.170.2",)}
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the fake resolver")
        return answers[host]

    def connect(self, address: tuple[str, int], timeout: Any, **options: Any) -> socket.socket:
        self.connected.append(address)
        assert address == (PUBLIC, self.cdn_port), f"the guard connected to {address}, which is not the fake CDN"
        return create_connection(("127.0.0.1", self.cdn_port), timeout, **options)

    def session(self) -> requests.Session:
        return stream_session(allow_private_stream_urls=False, resolve=self.resolve, connect=self.connect)


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for CDN (it is its own CA, trusted only by these tests)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CDN)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(CDN)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cdn.pem", directory / "cdn.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def cdn(certificate: tuple[Path, Path]) -> Iterator[ScriptedHLSServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    with ScriptedHLSServer(tls=context, host=CDN) as running:
        yield running


@pytest.fixture
def victim() -> Iterator[ScriptedHLSServer]:
    """A private service on 127.0.0.1 (plain HTTP, like the task's metadata endpoint): it must get no request."""
    with ScriptedHLSServer() as running:
        running.script("/v2/metadata", Reply(body=b'{"secret": "credentials"}'))
        yield running


@pytest.fixture
def network(cdn: ScriptedHLSServer) -> FakeNetwork:
    return FakeNetwork(cdn.port)


@pytest.fixture
def http(network: FakeNetwork, certificate: tuple[Path, Path]) -> Iterator[requests.Session]:
    session = network.session()
    session.verify = str(certificate[0])
    yield session
    session.close()


def playlist(*uris: str, key_uri: str | None = None, endlist: bool = True) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    for index, uri in enumerate(uris):
        if key_uri is not None and index == len(uris) - 1:
            lines.append(f'#EXT-X-KEY:METHOD=AES-128,URI="{key_uri}",IV=0x{"00" * 16}')
        lines += [f"#EXT-X-PROGRAM-DATE-TIME:2026-11-25T12:00:{2 * index:02d}Z", "#EXTINF:2.000,live", uri]
    if endlist:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def a_segment(uri: str, **changes: Any) -> LiveSegment:
    fields: dict[str, Any] = dict(
        sequence=7, uri=uri, duration_s=2.0, program_date_time=None, discontinuity=False, title="live",
        init_uri=None, container="ts",
    )  # fmt: skip
    fields.update(changes)
    return LiveSegment(**fields)


@pytest.mark.timeout(60)
def test_segments_and_keys_on_private_addresses_are_missing_and_the_follower_goes_on(
    cdn: ScriptedHLSServer,
    victim: ScriptedHLSServer,
    http: requests.Session,
    network: FakeNetwork,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loopback = victim.url("/v2/metadata")
    link_local = "https://169.254.170.2/v2/metadata"
    https_loopback = f"https://127.0.0.1:{victim.port}/v2/metadata"
    cdn.script(
        "/live/playlist.m3u8",
        playlist("/seg/0.ts", loopback, link_local, https_loopback, "/seg/4.ts", "/seg/5.ts", key_uri=loopback),
    )
    cdn.script("/seg/0.ts", Reply(body=SEGMENT_BYTES))
    cdn.script("/seg/4.ts", Reply(body=SEGMENT_BYTES))
    follower = PlaylistFollower(cdn.url("/live/playlist.m3u8"), http=http, sleep=SleepRecorder())

    with caplog.at_level(logging.WARNING, logger="highlight_bot.capture"):
        media = [segment for _live, segment in hls_segments(follower, http)]

    assert [(segment.sequence, segment.defect is None) for segment in media] == [
        (0, True), (1, False), (2, False), (3, False), (4, True), (5, False),
    ]  # fmt: skip
    assert media[4].data == SEGMENT_BYTES
    for refused, uri in zip(media[1:4], (loopback, link_local, https_loopback), strict=True):
        assert refused.data == b"" and uri in (refused.defect or "") and ALLOW_HINT in (refused.defect or "")
    assert "not an https:// URL" in (media[1].defect or "")
    assert "169.254.170.2, which is not a public address" in (media[2].defect or "")
    assert "127.0.0.1, which is not a public address" in (media[3].defect or "")
    assert loopback in (media[5].defect or "")  # its AES key is on the private service
    assert victim.hits("/v2/metadata") == 0
    assert set(network.connected) == {(PUBLIC, cdn.port)}
    missing_lines = [r.getMessage() for r in caplog.records if "announced as missing" in r.getMessage()]
    assert len(missing_lines) == 4 and all("refused to fetch" in line for line in missing_lines)


@pytest.mark.timeout(60)
def test_an_init_section_on_a_private_address_is_refused(victim: ScriptedHLSServer, http: requests.Session) -> None:
    segment = a_segment(f"https://{CDN}/seg/7.mp4", init_uri=victim.url("/v2/metadata"), container="fmp4")

    with pytest.raises(SegmentUnavailable, match="refused to fetch") as raised:
        fetch_init_section(http, segment, sleep=lambda _s: None)

    assert raised.value.attempts == 1, "a refusal is not retried"
    assert victim.hits("/v2/metadata") == 0


@pytest.mark.timeout(60)
@pytest.mark.parametrize("target", ["loopback", "link-local", "https-loopback", "named-link-local"])
def test_a_redirect_to_a_private_address_is_refused(
    cdn: ScriptedHLSServer, victim: ScriptedHLSServer, http: requests.Session, target: str
) -> None:
    location = {
        "loopback": victim.url("/v2/metadata"),
        "link-local": "http://169.254.170.2/v2/metadata",
        "https-loopback": f"https://127.0.0.1:{victim.port}/v2/metadata",
        "named-link-local": "https://metadata.example.com/v2/metadata",
    }[target]
    cdn.script("/seg/7.ts", Reply(status=302, headers=(("Location", location),)))

    with pytest.raises(SegmentUnavailable, match="refused to fetch") as raised:
        fetch_segment(http, a_segment(cdn.url("/seg/7.ts")), sleep=lambda _s: None)

    assert location in str(raised.value) and ALLOW_HINT in str(raised.value)
    assert cdn.hits("/seg/7.ts") == 1 and victim.hits("/v2/metadata") == 0


@pytest.mark.timeout(60)
def test_redirects_between_public_urls_are_followed_and_loops_are_cut_short(
    cdn: ScriptedHLSServer, http: requests.Session
) -> None:
    cdn.script("/seg/7.ts", Reply(status=302, headers=(("Location", cdn.url("/moved/7.ts")),)))
    cdn.script("/moved/7.ts", Reply(body=SEGMENT_BYTES))
    cdn.script("/loop.ts", Reply(status=302, headers=(("Location", cdn.url("/loop.ts")),)))

    assert fetch_segment(http, a_segment(cdn.url("/seg/7.ts"))) == SEGMENT_BYTES
    with pytest.raises(SegmentUnavailable, match="TooManyRedirects"):
        fetch_segment(http, a_segment(cdn.url("/loop.ts")), sleep=lambda _s: None)
    assert cdn.hits("/loop.ts") == MAX_REDIRECTS + 1


@pytest.mark.timeout(60)
def test_a_host_with_any_private_address_is_refused_and_the_checked_address_is_the_one_connected(
    cdn: ScriptedHLSServer, http: requests.Session, network: FakeNetwork
) -> None:
    cdn.script("/seg/7.ts", Reply(body=SEGMENT_BYTES))

    with pytest.raises(StreamUrlRefused, match=r"127\.0\.0\.1, which is not a public address"):
        http.get(f"https://{REBOUND}:{cdn.port}/seg/7.ts", timeout=5)
    assert http.get(cdn.url("/seg/7.ts"), timeout=5).content == SEGMENT_BYTES

    # One lookup per host, by the guard's own resolver, and the connection went to the address it answered:
    # no second DNS lookup that a rebinding server could answer differently.
    assert network.lookups == [REBOUND, CDN]
    assert network.connected == [(PUBLIC, cdn.port)]


@pytest.mark.timeout(60)
def test_a_variant_on_a_private_address_is_refused_with_a_sentence(
    cdn: ScriptedHLSServer, victim: ScriptedHLSServer, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    variant = f"https://127.0.0.1:{victim.port}/v2/metadata"
    cdn.script(
        "/live/master.m3u8",
        f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080\n{variant}\n",
    )
    assert Resolver(cdn.url("/live/master.m3u8"), http=http)() == variant  # chosen, not fetched

    stop = threading.Event()
    sleep = SleepRecorder(stop, stop_after=2)
    follower = PlaylistFollower(cdn.url("/live/master.m3u8"), http=http, sleep=sleep, stop_event=stop)
    with caplog.at_level(logging.ERROR, logger="highlight_bot.capture"):
        assert list(follower.segments()) == []

    refusals = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert refusals and all(variant in line and ALLOW_HINT in line for line in refusals)
    assert victim.hits("/v2/metadata") == 0


@pytest.mark.timeout(60)
def test_the_resolver_refuses_a_playlist_that_redirects_to_a_private_address(
    cdn: ScriptedHLSServer, victim: ScriptedHLSServer, http: requests.Session
) -> None:
    cdn.script("/live.m3u8", Reply(status=301, headers=(("Location", victim.url("/v2/metadata")),)))

    with pytest.raises(SourceUnavailable, match="refused to fetch"):
        Resolver(cdn.url("/live.m3u8"), http=http)()
    assert victim.hits("/v2/metadata") == 0


@pytest.mark.timeout(60)
def test_source_segments_allow_loopback_http_only_when_private_urls_are_allowed(victim: ScriptedHLSServer) -> None:
    """The local run serves HLS on 127.0.0.1 with private URLs allowed; the cloud default refuses it."""
    victim.script("/live/playlist.m3u8", playlist("/seg/0.ts", "/moved/1.ts"))
    victim.script("/seg/0.ts", Reply(body=SEGMENT_BYTES))
    victim.script("/moved/1.ts", Reply(status=302, headers=(("Location", victim.url("/seg/1.ts")),)))
    victim.script("/seg/1.ts", Reply(body=SEGMENT_BYTES))
    stop = threading.Event()

    allowed = list(source_segments(victim.url("/live/playlist.m3u8"), "best", stop, allow_private_stream_urls=True))
    assert [(segment.sequence, segment.data) for segment in allowed] == [(0, SEGMENT_BYTES), (1, SEGMENT_BYTES)]

    hits = victim.hits("/live/playlist.m3u8")
    with pytest.raises(SourceUnavailable, match=rf"refused to fetch .*not an https:// URL.*{ALLOW_HINT}"):
        list(source_segments(victim.url("/live/playlist.m3u8"), "best", stop))
    assert victim.hits("/live/playlist.m3u8") == hits
