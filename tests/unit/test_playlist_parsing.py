"""Parsing Twitch-like playlists and source specs: no network, no clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import m3u8
import pytest
from streamlink.exceptions import NoPluginError, PluginError
from streamlink.options import Options

from capture_task.exceptions import (
    InvalidSourceError,
    PlaylistUnreadable,
    QualityUnavailable,
    SourceUnavailable,
    StreamOffline,
)
from capture_task.ingest.playlist import AdDateRange, ByteRange, SegmentKey, parse_media_playlist
from capture_task.ingest.sources import (
    TWITCH_OAUTH_SECRET_ENV,
    Resolver,
    SourceKind,
    SourceSpec,
    parse_source,
    resolve_playlist_url,
    select_variant,
)
from capture_task.ingest.tolerant_m3u8 import load_playlist


@pytest.fixture(autouse=True)
def _no_twitch_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TWITCH_OAUTH_SECRET_ENV, raising=False)


PLAYLIST_URL = "https://video-edge.example/v1/playlist/abc.m3u8?token=t"
T0 = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def _pdt(offset_s: float) -> str:
    return (T0 + timedelta(seconds=offset_s)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


TWITCH_WITH_AD = f"""#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:500
#EXT-X-TWITCH-ELAPSED-SECS:1000.000
#EXT-X-TWITCH-TOTAL-SECS:1030.000
#EXT-X-DATERANGE:ID="quartile-1",CLASS="twitch-ad-quartile",START-DATE="{_pdt(0)}",DURATION=30.0,X-TV-TWITCH-AD-QUARTILE="0"
#EXT-X-PROGRAM-DATE-TIME:{_pdt(0)}
#EXTINF:2.000,live
seg500.ts
#EXT-X-DATERANGE:ID="stitched-ad-1764072002-30",CLASS="twitch-stitched-ad",START-DATE="{_pdt(2)}",DURATION=4.0,X-TV-TWITCH-AD-POD-LENGTH="2"
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:{_pdt(2)}
#EXTINF:2.000,Amazon|4123
https://ads.example/ad1.ts
#EXT-X-PROGRAM-DATE-TIME:{_pdt(4)}
#EXTINF:2.000,Amazon|4124
https://ads.example/ad2.ts
#EXT-X-DISCONTINUITY
#EXT-X-PROGRAM-DATE-TIME:{_pdt(6)}
#EXTINF:2.000,live
seg503.ts
#EXT-X-TWITCH-PREFETCH:https://video-edge.example/v1/segment/prefetch1.ts
#EXT-X-TWITCH-PREFETCH:https://video-edge.example/v1/segment/prefetch2.ts
"""


def test_live_and_ad_segments_are_told_apart() -> None:
    playlist = parse_media_playlist(TWITCH_WITH_AD, PLAYLIST_URL)

    assert [entry.segment.sequence for entry in playlist.entries] == [500, 501, 502, 503]
    assert [entry.is_ad for entry in playlist.entries] == [False, True, True, False]
    live = playlist.entries[0].segment
    assert live.title == "live"
    assert live.uri == "https://video-edge.example/v1/playlist/seg500.ts"
    assert live.duration_s == 2.0
    assert live.program_date_time == T0
    assert live.container == "ts"
    assert live.init_uri is None
    assert playlist.entries[3].segment.discontinuity is True
    assert playlist.target_duration_s == 6.0
    assert not playlist.is_endlist


def test_prefetch_lines_are_not_segments() -> None:
    playlist = parse_media_playlist(TWITCH_WITH_AD, PLAYLIST_URL)

    assert all("prefetch" not in entry.segment.uri for entry in playlist.entries)
    assert len(playlist.entries) == 4


def test_stitched_ad_daterange_marks_a_live_titled_segment_as_ad() -> None:
    # Twitch does not always title ad segments "Amazon"; the date range alone must suffice.
    text = f"""#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:10
#EXT-X-PROGRAM-DATE-TIME:{_pdt(0)}
#EXTINF:2.000,live
a.ts
#EXT-X-DATERANGE:ID="stitched-ad-9",START-DATE="{_pdt(2)}",END-DATE="{_pdt(4)}"
#EXT-X-PROGRAM-DATE-TIME:{_pdt(2)}
#EXTINF:2.000,live
b.ts
#EXT-X-PROGRAM-DATE-TIME:{_pdt(4)}
#EXTINF:2.000,live
c.ts
"""
    playlist = parse_media_playlist(text, PLAYLIST_URL)

    assert [entry.is_ad for entry in playlist.entries] == [False, True, False]
    assert playlist.ad_ranges == (AdDateRange("stitched-ad-9", T0 + timedelta(seconds=2), T0 + timedelta(seconds=4)),)


def test_ad_quartile_daterange_is_only_a_marker() -> None:
    text = f"""#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:1
#EXT-X-DATERANGE:ID="q",CLASS="twitch-ad-quartile",START-DATE="{_pdt(0)}",DURATION=60.0
#EXT-X-PROGRAM-DATE-TIME:{_pdt(0)}
#EXTINF:2.000,live
a.ts
#EXTINF:2.000,live
b.ts
"""
    playlist = parse_media_playlist(text, PLAYLIST_URL)

    assert [entry.is_ad for entry in playlist.entries] == [False, False]
    assert playlist.ad_ranges == ()


def test_ad_ranges_from_earlier_refreshes_still_apply() -> None:
    # The DATERANGE line scrolls out of the window before the last ad segment does.
    text = f"""#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:3
#EXT-X-PROGRAM-DATE-TIME:{_pdt(6)}
#EXTINF:2.000,live
d.ts
#EXTINF:2.000,live
e.ts
"""
    earlier = AdDateRange("stitched-ad-1", T0, T0 + timedelta(seconds=8))

    playlist = parse_media_playlist(text, PLAYLIST_URL, known_ad_ranges=[earlier])

    assert [entry.is_ad for entry in playlist.entries] == [True, False]


def test_fmp4_segments_carry_their_init_section() -> None:
    text = f"""#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:77
#EXT-X-MAP:URI="init-0.mp4"
#EXT-X-PROGRAM-DATE-TIME:{_pdt(0)}
#EXTINF:2.000,live
frag77.mp4
#EXT-X-PROGRAM-DATE-TIME:{_pdt(2)}
#EXTINF:2.000,live
frag78.mp4
"""
    playlist = parse_media_playlist(text, PLAYLIST_URL)

    for entry in playlist.entries:
        assert entry.segment.container == "fmp4"
        assert entry.segment.init_uri == "https://video-edge.example/v1/playlist/init-0.mp4"


def test_missing_program_date_times_are_extrapolated_both_ways() -> None:
    text = f"""#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXTINF:1.500,live
a.ts
#EXT-X-PROGRAM-DATE-TIME:{_pdt(0)}
#EXTINF:2.000,live
b.ts
#EXTINF:2.500,live
c.ts
#EXTINF:2.000,live
d.ts
"""
    dates = [entry.segment.program_date_time for entry in parse_media_playlist(text, PLAYLIST_URL).entries]

    assert dates == [T0 - timedelta(seconds=1.5), T0, T0 + timedelta(seconds=2), T0 + timedelta(seconds=4.5)]


def test_program_date_time_with_offset_becomes_utc() -> None:
    text = """#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-PROGRAM-DATE-TIME:2026-11-25T16:00:00.000+04:00
#EXTINF:2.000,live
a.ts
"""
    segment = parse_media_playlist(text, PLAYLIST_URL).entries[0].segment

    assert segment.program_date_time == T0
    assert segment.program_date_time is not None and segment.program_date_time.tzinfo == UTC


def test_playlist_without_program_date_time_leaves_it_unknown() -> None:
    text = """#EXTM3U
#EXT-X-TARGETDURATION:2
#EXTINF:2.000,
a.ts
#EXTINF:2.000,
b.ts
#EXT-X-ENDLIST
"""
    playlist = parse_media_playlist(text, PLAYLIST_URL)

    assert [entry.segment.program_date_time for entry in playlist.entries] == [None, None]
    assert [entry.segment.title for entry in playlist.entries] == [None, None]
    assert playlist.is_endlist


def test_non_playlist_text_is_rejected() -> None:
    with pytest.raises(ValueError, match="#EXTM3U"):
        parse_media_playlist("<html>Service Unavailable</html>", PLAYLIST_URL)


MASTER = """#EXTM3U
#EXT-X-TWITCH-INFO:NODE="video-edge-1",SERVING-ID="x"
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="chunked",NAME="1080p60 (source)",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080,CODECS="avc1.64002A,mp4a.40.2",VIDEO="chunked",FRAME-RATE=60.000
https://video-weaver.example/v1/playlist/source.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="720p60",NAME="720p60",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=3400000,RESOLUTION=1280x720,CODECS="avc1.4D401F,mp4a.40.2",VIDEO="720p60",FRAME-RATE=60.000
720p60.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="480p30",NAME="480p",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=852x480,CODECS="avc1.4D401F,mp4a.40.2",VIDEO="480p30",FRAME-RATE=30.000
480p30.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="audio_only",NAME="audio_only",AUTOSELECT=NO,DEFAULT=NO
#EXT-X-STREAM-INF:BANDWIDTH=160000,CODECS="mp4a.40.2",VIDEO="audio_only"
audio_only.m3u8
"""
MASTER_URL = "https://usher.example/api/channel/hls/somechannel.m3u8?sig=1"


@pytest.mark.parametrize(
    ("quality", "expected"),
    [
        ("best", "https://video-weaver.example/v1/playlist/source.m3u8"),
        ("worst", "https://usher.example/api/channel/hls/480p30.m3u8"),  # never audio_only: no picture
        ("720p60", "https://usher.example/api/channel/hls/720p60.m3u8"),
        ("720p", "https://usher.example/api/channel/hls/720p60.m3u8"),
        ("480p", "https://usher.example/api/channel/hls/480p30.m3u8"),
        ("chunked", "https://video-weaver.example/v1/playlist/source.m3u8"),
    ],
)
def test_master_playlist_variant_choice(quality: str, expected: str) -> None:
    assert select_variant(m3u8.loads(MASTER, uri=MASTER_URL), quality) == expected


def test_unknown_variant_quality_lists_the_offered_ones() -> None:
    with pytest.raises(QualityUnavailable) as raised:
        select_variant(m3u8.loads(MASTER, uri=MASTER_URL), "4k")

    assert "1080p60" in str(raised.value) and "720p60" in str(raised.value)
    assert "audio_only" in raised.value.available


@pytest.mark.parametrize(
    "spec",
    [
        "twitch:SomeChannel",
        "https://www.twitch.tv/SomeChannel",
        "http://twitch.tv/somechannel/",
        "twitch.tv/somechannel",
        "www.twitch.tv/somechannel?referrer=raid",
        "https://m.twitch.tv/somechannel",
        "  twitch:somechannel  ",
    ],
)
def test_twitch_forms_give_the_channel(spec: str) -> None:
    source = parse_source(spec)

    assert source == SourceSpec(SourceKind.TWITCH, "somechannel")
    assert source.twitch_url == "https://www.twitch.tv/somechannel"


def test_http_url_is_an_hls_source() -> None:
    url = "https://cdn.example/live/stream.m3u8?x=1"

    assert parse_source(url) == SourceSpec(SourceKind.HLS_URL, url)


def test_existing_file_is_a_file_source(tmp_path: Path) -> None:
    video = tmp_path / "match.mp4"
    video.write_bytes(b"\x00")

    assert parse_source(str(video)) == SourceSpec(SourceKind.FILE, str(video.resolve()))


@pytest.mark.parametrize(
    "spec",
    ["", "   ", "no-such-file.mp4", "twitch:", "twitch:bad name!", "https://www.twitch.tv/videos/123", "ftp://x/y"],
)
def test_unusable_specs_say_what_is_accepted(spec: str) -> None:
    with pytest.raises(ValueError, match=r"twitch|Twitch"):
        parse_source(spec)


def test_directory_is_not_a_file_source(tmp_path: Path) -> None:
    with pytest.raises(InvalidSourceError, match="directory"):
        parse_source(str(tmp_path))


class _FakeStream:
    def __init__(self, url: str) -> None:
        self.url = url


class _FakeStreamlink:
    """Stands in for streamlink.Streamlink: the internet is out of reach in tests."""

    def __init__(self, result: Mapping[str, Any] | Exception) -> None:
        self.result = result
        self.requested: list[str] = []

    def streams(self, url: str, options: Options | None = None) -> Mapping[str, Any]:
        self.requested.append(url)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def test_twitch_resolves_to_the_requested_quality() -> None:
    session = _FakeStreamlink(
        {"720p60": _FakeStream("https://edge/720.m3u8"), "best": _FakeStream("https://edge/b.m3u8")}
    )

    url = resolve_playlist_url("twitch:SomeChannel", "best", session_factory=lambda: session)

    assert url == "https://edge/b.m3u8"
    assert session.requested == ["https://www.twitch.tv/somechannel"]


def test_offline_channel_raises_stream_offline() -> None:
    with pytest.raises(StreamOffline, match="offline"):
        resolve_playlist_url("twitch:somechannel", session_factory=lambda: _FakeStreamlink({}))


def test_missing_quality_lists_the_available_ones() -> None:
    session = _FakeStreamlink({"480p": _FakeStream("a"), "720p60": _FakeStream("b")})

    with pytest.raises(QualityUnavailable, match=r"480p, 720p60"):
        resolve_playlist_url("twitch:somechannel", "1080p60", session_factory=lambda: session)


@pytest.mark.parametrize("error", [NoPluginError(), PluginError("Unable to open URL: 503")])
def test_streamlink_failures_become_source_unavailable(error: Exception) -> None:
    with pytest.raises(SourceUnavailable) as raised:
        resolve_playlist_url("twitch:somechannel", session_factory=lambda: _FakeStreamlink(error), sleep=lambda s: None)

    assert not isinstance(raised.value, StreamOffline)


def test_resolver_reuses_one_session_and_asks_again_each_call() -> None:
    created: list[_FakeStreamlink] = []

    def factory() -> _FakeStreamlink:
        created.append(_FakeStreamlink({"best": _FakeStream("https://edge/b.m3u8")}))
        return created[-1]

    resolver = Resolver("twitch:somechannel", session_factory=factory)
    resolver()
    resolver()

    assert len(created) == 1
    assert len(created[0].requested) == 2


def test_file_sources_have_no_playlist(tmp_path: Path) -> None:
    video = tmp_path / "match.mp4"
    video.write_bytes(b"\x00")

    with pytest.raises(InvalidSourceError, match="local file"):
        Resolver(str(video))


# --- Real-world HLS: what the parser makes of imperfect playlists ---


def _playlist(*lines: str) -> str:
    return "\n".join(["#EXTM3U", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:10", *lines]) + "\n"


LIVE_PAIR = (f"#EXT-X-PROGRAM-DATE-TIME:{_pdt(0)}", "#EXTINF:2.000,live", "a.ts", "#EXTINF:2.000,live", "b.ts")


@pytest.mark.parametrize(
    "tail",
    [
        ('#EXT-X-PART:DURATION=0.5,URI="c.0.ts"', '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="c.1.ts"'),
        ("#EXTINF:2.000,live",),
    ],
    ids=["ll-hls-parts", "cut-after-extinf"],
)
def test_entries_without_a_uri_are_not_segments(tail: tuple[str, ...]) -> None:
    playlist = parse_media_playlist(_playlist(*LIVE_PAIR, *tail), PLAYLIST_URL)

    assert [entry.segment.sequence for entry in playlist.entries] == [10, 11]
    assert all(entry.segment.uri.endswith(".ts") for entry in playlist.entries)


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        (f'#EXT-X-DATERANGE:CLASS="twitch-stitched-ad",START-DATE="{_pdt(2)}",DURATION=2.0', "missing ID"),
        ("#EXT-X-PROGRAM-DATE-TIME:2026-13-45T99:00:00Z", "malformed"),
        ("#EXT-X-TARGETDURATION:2.5", "fractional"),
        ("#EXT-X-DISCONTINUITY-SEQUENCE:abc", "Dropped the tag line"),
    ],
)
def test_unreadable_tags_are_repaired_with_a_sentence(broken: str, repaired: str) -> None:
    with pytest.raises((KeyError, ValueError)):
        m3u8.loads(_playlist(broken, *LIVE_PAIR))  # what m3u8 6.0 does on its own

    playlist = parse_media_playlist(_playlist(broken, *LIVE_PAIR), PLAYLIST_URL)

    assert [entry.segment.uri.rsplit("/", 1)[1] for entry in playlist.entries] == ["a.ts", "b.ts"]
    assert playlist.entries[0].segment.program_date_time == T0
    assert len(playlist.repairs) == 1 and repaired in playlist.repairs[0]


def test_a_stitched_ad_range_without_id_still_marks_its_segments() -> None:
    broken = f'#EXT-X-DATERANGE:CLASS="twitch-stitched-ad",START-DATE="{_pdt(2)}",DURATION=2.0'

    playlist = parse_media_playlist(_playlist(broken, *LIVE_PAIR), PLAYLIST_URL)

    assert [entry.is_ad for entry in playlist.entries] == [False, True]


def test_a_fractional_target_duration_is_rounded_up() -> None:
    text = _playlist(*LIVE_PAIR).replace("#EXT-X-TARGETDURATION:2", "#EXT-X-TARGETDURATION:2.5")

    assert parse_media_playlist(text, PLAYLIST_URL).target_duration_s == 3.0


def test_a_multivariant_playlist_without_bandwidth_still_offers_its_variants() -> None:
    text = "#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1280x720\nhi.m3u8\n#EXT-X-STREAM-INF:RESOLUTION=640x360\nlo.m3u8\n"

    loaded = load_playlist(text, MASTER_URL)

    assert select_variant(loaded.playlist, "worst").endswith("/lo.m3u8")
    assert len(loaded.repairs) == 2


def test_text_that_is_not_a_playlist_is_unreadable() -> None:
    with pytest.raises(PlaylistUnreadable, match="#EXTM3U"):
        load_playlist("<html>502 Bad Gateway</html>", PLAYLIST_URL)


def test_byte_ranges_follow_each_other_when_the_offset_is_left_out() -> None:
    text = _playlist(
        "#EXTINF:2.000,", "#EXT-X-BYTERANGE:100@0", "all.ts",
        "#EXTINF:2.000,", "#EXT-X-BYTERANGE:50", "all.ts",
        '#EXT-X-MAP:URI="init.mp4",BYTERANGE="812@0"', "#EXTINF:2.000,", "#EXT-X-BYTERANGE:30@500", "all.mp4",
    )  # fmt: skip

    segments = [entry.segment for entry in parse_media_playlist(text, PLAYLIST_URL).entries]

    assert [s.byterange for s in segments] == [ByteRange(0, 100), ByteRange(100, 50), ByteRange(500, 30)]
    assert segments[1].byterange is not None and segments[1].byterange.http_range == "bytes=100-149"
    assert segments[2].init_byterange == ByteRange(0, 812)


def test_gap_segments_are_flagged() -> None:
    text = _playlist("#EXTINF:2.000,", "a.ts", "#EXTINF:2.000,", "#EXT-X-GAP", "b.ts")

    assert [entry.is_gap for entry in parse_media_playlist(text, PLAYLIST_URL).entries] == [False, True]


FAIRPLAY = "com.apple.streamingkeydelivery"


def test_keys_are_read_and_undecryptable_ones_say_why() -> None:
    text = _playlist(
        '#EXT-X-KEY:METHOD=AES-128,URI="k.bin",IV=0X10ef8f758ca555115584bb5b3c687f52', "#EXTINF:2.000,", "a.ts",
        f'#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://x",KEYFORMAT="{FAIRPLAY}"', "#EXTINF:2.000,", "b.ts",
        f'#EXT-X-KEY:METHOD=AES-128,URI="skd://y",KEYFORMAT="{FAIRPLAY}"', "#EXTINF:2.000,", "c.ts",
        "#EXT-X-KEY:METHOD=NONE", "#EXTINF:2.000,", "d.ts",
    )  # fmt: skip

    keys = [entry.segment.key for entry in parse_media_playlist(text, PLAYLIST_URL).entries]

    assert keys[0] == SegmentKey(
        "AES-128", "https://video-edge.example/v1/playlist/k.bin", bytes.fromhex("10ef8f758ca555115584bb5b3c687f52")
    )
    assert keys[0].refusal() is None
    assert keys[1] is not None and "SAMPLE-AES" in (keys[1].refusal() or "")
    assert keys[2] is not None and "DRM" in (keys[2].refusal() or "")
    assert keys[3] is None


def test_only_audio_variants_are_refused_for_worst_and_best() -> None:
    text = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.5"\naudio.m3u8\n'

    for quality in ("worst", "best"):
        with pytest.raises(QualityUnavailable, match=quality):
            select_variant(m3u8.loads(text, uri=MASTER_URL), quality)
