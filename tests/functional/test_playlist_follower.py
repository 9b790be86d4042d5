"""PlaylistFollower and segment downloads against a scripted HLS server on 127.0.0.1.

The server answers each path from a script: a list of replies served in order, the last one
repeating. Sleeps are recorded instead of slept, so the whole module runs in well under a second
or two.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from capture_task.exceptions import EncryptedSegmentRefused, SegmentUnavailable, StreamOffline
from capture_task.ingest import playlist as playlist_module
from capture_task.ingest.playlist import (
    InitSectionCache,
    LiveSegment,
    PlaylistFollower,
    fetch_init_section,
    fetch_segment,
    parse_media_playlist,
)
from capture_task.metrics import CaptureMetrics
from tests.functional.hls_server import Reply, ScriptedHLSServer, SleepRecorder

T0 = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
SEGMENT_S = 2.0
PLAYLIST_PATH = "/live/playlist.m3u8"


def media_playlist(
    sequences: range,
    *,
    ads: frozenset[int] = frozenset(),
    endlist: bool = False,
    pdt_base: datetime = T0,
    target_s: int = 2,
) -> str:
    """A Twitch-like media playlist; ad segments get Amazon titles, a stitched-ad range and discontinuities."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target_s}",
        f"#EXT-X-MEDIA-SEQUENCE:{sequences.start}",
    ]
    previous_was_ad = False
    for sequence in sequences:
        start = pdt_base + timedelta(seconds=SEGMENT_S * sequence)
        is_ad = sequence in ads
        if is_ad and not previous_was_ad:
            length_s = SEGMENT_S * sum(1 for s in sequences if s >= sequence and s in ads)
            lines.append(
                f'#EXT-X-DATERANGE:ID="stitched-ad-{sequence}",CLASS="twitch-stitched-ad",'
                f'START-DATE="{start.isoformat()}",DURATION={length_s}'
            )
        if is_ad != previous_was_ad:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{start.isoformat()}")
        lines.append(f"#EXTINF:{SEGMENT_S:.3f},{'Amazon|' + str(sequence) if is_ad else 'live'}")
        lines.append(f"ad/{sequence}.ts" if is_ad else f"seg/{sequence}.ts")
        previous_was_ad = is_ad
    if sequences:
        last = pdt_base + timedelta(seconds=SEGMENT_S * sequences[-1])
        lines.append(f"#EXT-X-TWITCH-PREFETCH:seg/prefetch-{last.timestamp():.0f}.ts")
    if endlist:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


@pytest.fixture
def server() -> Iterator[ScriptedHLSServer]:
    with ScriptedHLSServer() as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # never route 127.0.0.1 through a proxy from the environment
    yield session
    session.close()


def follow(follower: PlaylistFollower) -> list[LiveSegment]:
    return list(follower.segments())


@pytest.mark.timeout(30)
def test_sliding_window_yields_each_segment_once_in_order(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        media_playlist(range(1, 5)),  # slid by 1
        media_playlist(range(1, 5)),  # unchanged
        media_playlist(range(3, 7)),  # slid by 2
        media_playlist(range(6, 10)),  # slid by 3
        media_playlist(range(7, 11), endlist=True),
    )
    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=sleep)

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(11))
    assert not any(s.discontinuity for s in segments)
    assert segments[0].uri == server.url("/live/seg/0.ts")
    assert segments[5].program_date_time == T0 + timedelta(seconds=10)
    assert follower.stats.segments_yielded == 11
    assert follower.stats.sequences_missed == 0
    assert follower.stats.playlists_fetched == 6
    # Just before the next 2 s segment is due after a change; soon again when nothing new was listed.
    assert len(sleep.calls) == 5 and all(0.0 < s <= 2.0 - playlist_module.POLL_LEAD_S for s in sleep.calls)


@pytest.mark.timeout(30)
def test_reads_lock_onto_the_segment_cadence_and_back_off_when_the_stream_stalls(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    """A new segment is due a segment's duration after the last: read just before, then every 0.25 s, doubling.

    Why it matters: a segment seen late delays the goal in it by as much. On a frozen clock the sleeps are the
    schedule itself; a stalled stream backs off to half the target duration (RFC 8216 §6.3.4), not a read per 0.25 s.
    """
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4), target_s=6),
        media_playlist(range(1, 5), target_s=6),
        *[media_playlist(range(1, 5), target_s=6)] * 6,  # the stream stalls
        media_playlist(range(2, 6), target_s=6, endlist=True),
    )
    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=sleep, clock=lambda: 0.0)

    assert [s.sequence for s in follow(follower)] == list(range(6))
    lead, step = playlist_module.POLL_LEAD_S, playlist_module.MIN_POLL_INTERVAL_S
    due = SEGMENT_S - lead  # the last segment's duration, not the target's 6 s
    assert sleep.calls == pytest.approx([due, due, step, 2 * step, 4 * step, 8 * step, 3.0, 3.0])


@pytest.mark.timeout(30)
def test_sequence_gap_is_counted_and_marked(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        media_playlist(range(6, 10), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2, 3, 6, 7, 8, 9]
    assert [s.sequence for s in segments if s.discontinuity] == [6]
    assert follower.stats.sequences_missed == 2


@pytest.mark.timeout(30)
def test_ad_break_is_skipped_and_the_next_live_segment_marked(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    ads = frozenset({4, 5, 6})
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        media_playlist(range(2, 6), ads=ads),
        media_playlist(range(4, 8), ads=ads),
        media_playlist(range(6, 10), ads=ads, endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2, 3, 7, 8, 9]
    assert [s.sequence for s in segments if s.discontinuity] == [7]
    assert all(s.title == "live" for s in segments)
    assert follower.stats.ad_segments_skipped == 3
    assert follower.stats.sequences_missed == 0


@pytest.mark.timeout(30)
def test_server_errors_are_retried_without_losing_segments(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(0, 4)),
        Reply(status=503),
        Reply(drop=True),
        Reply(status=500),
        media_playlist(range(2, 6), endlist=True),
    )
    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=sleep, max_backoff_s=1.5)

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(6))
    assert follower.stats.fetch_errors == 3
    assert not any(s.discontinuity for s in segments)
    backoffs = sleep.calls[1:4]
    assert all(0 < s <= 1.5 for s in backoffs)


@pytest.mark.timeout(30)
def test_timeout_is_retried(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        Reply(body=media_playlist(range(0, 2)).encode(), delay_s=1.0),
        media_playlist(range(0, 3), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder(), timeout_s=0.2)

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2]
    assert follower.stats.fetch_errors == 1


@pytest.mark.timeout(30)
def test_forbidden_playlist_is_re_resolved(server: ScriptedHLSServer, http: requests.Session) -> None:
    old_path, new_path = "/old/playlist.m3u8", "/new/playlist.m3u8"
    server.script(old_path, media_playlist(range(0, 3)), Reply(status=403))
    server.script(new_path, media_playlist(range(2, 6), endlist=True))
    resolved: list[str] = []

    def resolver() -> str:
        resolved.append(server.url(new_path))
        return resolved[-1]

    follower = PlaylistFollower(server.url(old_path), http=http, resolver=resolver, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(6))
    assert len(resolved) == 1
    assert follower.stats.re_resolves == 1
    assert follower.playlist_url == server.url(new_path)
    assert segments[-1].uri == server.url("/new/seg/5.ts")
    assert server.hits(old_path) == 2


@pytest.mark.timeout(30)
def test_offline_stream_is_waited_for(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, Reply(status=404))
    live_path = "/back/playlist.m3u8"
    server.script(live_path, media_playlist(range(0, 2), endlist=True))
    answers: list[str | Exception] = [
        StreamOffline("somechannel"),
        StreamOffline("somechannel"),
        RuntimeError("Twitch API hiccup"),
        server.url(live_path),
    ]

    def resolver() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    sleep = SleepRecorder()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, resolver=resolver, sleep=sleep, max_backoff_s=4.0)

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1]
    assert follower.stats.fetch_errors == 4
    assert follower.stats.re_resolves == 1
    assert len(sleep.calls) >= 3 and max(sleep.calls) <= 4.0


@pytest.mark.timeout(30)
def test_periodic_re_resolve(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 2)), media_playlist(range(0, 3), endlist=True))
    now = [1000.0]
    calls: list[float] = []

    def resolver() -> str:
        calls.append(now[0])
        return server.url(PLAYLIST_PATH)

    def sleep(seconds: float) -> None:
        now[0] += 3600.0  # each poll interval stands in for an hour

    follower = PlaylistFollower(
        server.url(PLAYLIST_PATH),
        http=http,
        resolver=resolver,
        sleep=sleep,
        clock=lambda: now[0],
        re_resolve_interval_s=3000.0,
    )

    assert [s.sequence for s in follow(follower)] == [0, 1, 2]
    assert calls == [4600.0]
    assert follower.stats.re_resolves == 1


@pytest.mark.timeout(30)
def test_endlist_ends_iteration_after_one_fetch(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 5), endlist=True))
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    assert [s.sequence for s in follow(follower)] == list(range(5))
    assert server.hits(PLAYLIST_PATH) == 1


@pytest.mark.timeout(30)
def test_media_sequence_reset_restarts_tracking(server: ScriptedHLSServer, http: requests.Session) -> None:
    restarted_at = T0 + timedelta(hours=1)
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(100, 104)),
        media_playlist(range(0, 3), pdt_base=restarted_at),
        media_playlist(range(1, 4), pdt_base=restarted_at, endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    # Our numbers stay unique (S3 keys are (channel, sequence)); the hour off air stays a hole in them.
    hole = round((restarted_at - (T0 + timedelta(seconds=SEGMENT_S * 104))).total_seconds() / SEGMENT_S)
    assert [s.sequence for s in segments] == [100, 101, 102, 103, *range(104 + hole, 108 + hole)]
    assert [s.media_sequence for s in segments] == [100, 101, 102, 103, 0, 1, 2, 3]
    assert [s.sequence for s in segments if s.discontinuity] == [104 + hole]
    assert segments[4].program_date_time == restarted_at
    assert follower.stats.sequences_missed == 0  # the stream's own break, not a loss of ours


@pytest.mark.timeout(30)
def test_stale_copy_from_a_lagging_edge_is_not_replayed(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(10, 14)),
        media_playlist(range(8, 12)),  # an older copy of the same stream
        media_playlist(range(12, 16), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [10, 11, 12, 13, 14, 15]
    assert not any(s.discontinuity for s in segments)


@pytest.mark.timeout(30)
def test_stop_event_ends_a_live_follow(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 4)))
    stop = threading.Event()
    follower = PlaylistFollower(
        server.url(PLAYLIST_PATH), http=http, stop_event=stop, sleep=SleepRecorder(stop, stop_after=3)
    )

    assert [s.sequence for s in follow(follower)] == [0, 1, 2, 3]
    assert server.hits(PLAYLIST_PATH) == 3


@pytest.mark.timeout(30)
def test_stop_event_interrupts_the_default_sleep(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script(PLAYLIST_PATH, media_playlist(range(0, 2)))
    stop = threading.Event()
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, stop_event=stop, poll_interval_s=60.0)
    segments = follower.segments()

    assert next(segments).sequence == 0
    assert next(segments).sequence == 1
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    assert list(segments) == []
    assert time.monotonic() - started < 5


def _segment(server: ScriptedHLSServer, path: str, init_path: str | None = None) -> LiveSegment:
    return LiveSegment(
        sequence=7,
        uri=server.url(path),
        duration_s=2.0,
        program_date_time=T0,
        discontinuity=False,
        title="live",
        init_uri=server.url(init_path) if init_path else None,
        container="fmp4" if init_path else "ts",
    )


@pytest.mark.timeout(30)
def test_fetch_segment_retries_a_server_error(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/seg/7.ts", Reply(status=500), Reply(body=b"\x47segment-bytes"))
    sleep = SleepRecorder()

    data = fetch_segment(http, _segment(server, "/live/seg/7.ts"), sleep=sleep)

    assert data == b"\x47segment-bytes"
    assert len(sleep.calls) == 1


@pytest.mark.timeout(30)
def test_fetch_segment_gives_up_with_segment_unavailable(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/seg/7.ts", Reply(status=502))

    with pytest.raises(SegmentUnavailable, match="discontinuity") as raised:
        fetch_segment(http, _segment(server, "/live/seg/7.ts"), attempts=3, sleep=SleepRecorder())

    assert raised.value.sequence == 7
    assert server.hits("/live/seg/7.ts") == 3


@pytest.mark.timeout(30)
def test_fetch_segment_does_not_retry_a_missing_segment(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/seg/7.ts", Reply(status=404))

    with pytest.raises(SegmentUnavailable, match="HTTP 404"):
        fetch_segment(http, _segment(server, "/live/seg/7.ts"), sleep=SleepRecorder())

    assert server.hits("/live/seg/7.ts") == 1


@pytest.mark.timeout(30)
def test_init_section_is_fetched_once(server: ScriptedHLSServer, http: requests.Session) -> None:
    server.script("/live/init-0.mp4", Reply(body=b"ftyp-moov"))
    cache = InitSectionCache()
    segment = _segment(server, "/live/frag7.mp4", init_path="/live/init-0.mp4")

    first = fetch_init_section(http, segment, cache=cache)
    second = fetch_init_section(http, segment, cache=cache)

    assert first == second == b"ftyp-moov"
    assert server.hits("/live/init-0.mp4") == 1
    assert fetch_init_section(http, _segment(server, "/live/seg/7.ts"), cache=cache) is None


@pytest.mark.timeout(30)
def test_program_date_time_is_carried_across_refreshes(server: ScriptedHLSServer, http: requests.Session) -> None:
    # Some servers tag only the stream's first segment; once it scrolls out, times come from the follower.
    first = f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PROGRAM-DATE-TIME:{T0.isoformat()}\n"
    first += "".join(f"#EXTINF:2.000,\nseg/{n}.ts\n" for n in range(2))
    second = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n"
    second += "".join(f"#EXTINF:2.000,\nseg/{n}.ts\n" for n in range(1, 4)) + "#EXT-X-ENDLIST\n"
    server.script(PLAYLIST_PATH, first, second)
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.program_date_time for s in segments] == [T0 + timedelta(seconds=2 * n) for n in range(4)]


# --- Real-world HLS: entries without a URI, unreadable tags, renumbering, gaps, byte ranges, keys ---

PARTS_AFTER_LAST = '#EXT-X-PART:DURATION=0.5,URI="seg/part-3.0.ts"\n#EXT-X-PART:DURATION=0.5,URI="seg/part-3.1.ts"\n'
CUT_AFTER_EXTINF = "#EXT-X-PROGRAM-DATE-TIME:2026-11-25T12:00:06+00:00\n#EXTINF:2.000,live\n"


def _without_prefetch(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith("#EXT-X-TWITCH-PREFETCH"))


@pytest.mark.timeout(30)
@pytest.mark.parametrize("incomplete", [PARTS_AFTER_LAST, CUT_AFTER_EXTINF], ids=["ll-hls-parts", "cut-after-extinf"])
def test_entries_without_a_uri_wait_for_their_complete_version(
    server: ScriptedHLSServer, http: requests.Session, incomplete: str
) -> None:
    server.script(
        PLAYLIST_PATH,
        _without_prefetch(media_playlist(range(0, 3))) + incomplete,
        media_playlist(range(0, 5), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2, 3, 4]
    assert [s.uri for s in segments] == [server.url(f"/live/seg/{n}.ts") for n in range(5)]
    assert not any(s.discontinuity for s in segments)


BROKEN_TAGS = {
    "daterange-without-id": '#EXT-X-DATERANGE:CLASS="twitch-ad-quartile",START-DATE="2026-11-25T12:00:00Z"',
    "malformed-program-date-time": "#EXT-X-PROGRAM-DATE-TIME:yesterday at noon",
    "fractional-target-duration": "#EXT-X-TARGETDURATION:2.5",
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("broken", BROKEN_TAGS.values(), ids=BROKEN_TAGS.keys())
def test_an_unreadable_tag_is_logged_once_and_the_playlist_still_followed(
    server: ScriptedHLSServer, http: requests.Session, caplog: pytest.LogCaptureFixture, broken: str
) -> None:
    def with_broken_tag(text: str) -> str:
        # Before the first segment's own tags, so the segment keeps its real program-date-time.
        lines = text.splitlines()
        first_segment = next(i for i, line in enumerate(lines) if line.startswith("#EXT-X-PROGRAM-DATE-TIME"))
        return "\n".join([*lines[:first_segment], broken, *lines[first_segment:]]) + "\n"

    server.script(
        PLAYLIST_PATH,
        with_broken_tag(media_playlist(range(0, 3))),
        with_broken_tag(media_playlist(range(1, 4))),
        with_broken_tag(media_playlist(range(2, 5), endlist=True)),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    with caplog.at_level("ERROR", logger="highlight_bot.capture"):
        segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2, 3, 4]
    assert [s.program_date_time for s in segments] == [T0 + timedelta(seconds=SEGMENT_S * n) for n in range(5)]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and broken.split(":")[0] in errors[0]
    assert follower.stats.playlists_repaired == 3


@pytest.mark.timeout(30)
def test_a_multivariant_playlist_without_bandwidth_is_followed(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    server.script(
        "/live/master.m3u8",
        "#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1280x720\nplaylist.m3u8\n"
        "#EXT-X-STREAM-INF:RESOLUTION=640x360\nsmall.m3u8\n",
    )
    server.script(PLAYLIST_PATH, media_playlist(range(0, 2), endlist=True))
    follower = PlaylistFollower(server.url("/live/master.m3u8"), http=http, sleep=SleepRecorder())

    assert [s.sequence for s in follow(follower)] == [0, 1]
    assert follower.playlist_url == server.url(PLAYLIST_PATH)


@pytest.mark.timeout(30)
def test_an_unreadable_playlist_is_an_error_and_polling_goes_on(
    server: ScriptedHLSServer, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(
        PLAYLIST_PATH,
        "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:twelve\n#EXTINF:2.000,live\nseg/0.ts\n",
        media_playlist(range(0, 2), endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    with caplog.at_level("ERROR", logger="highlight_bot.capture"):
        segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1]
    assert follower.stats.playlists_unreadable == 1
    assert any("could not be read" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


@pytest.mark.timeout(30)
def test_a_negative_media_sequence_is_numbered_from_zero(server: ScriptedHLSServer, http: requests.Session) -> None:
    text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:-2\n"
    text += "".join(f"#EXTINF:2.000,\nseg/{n}.ts\n" for n in range(3)) + "#EXT-X-ENDLIST\n"
    server.script(PLAYLIST_PATH, text)
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 1, 2]
    assert [s.media_sequence for s in segments] == [-2, -1, 0]


@pytest.mark.timeout(30)
def test_a_session_renumbered_after_re_resolve_is_not_handed_out_twice(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    # Twitch's new session lists the same moments of the stream under new numbers.
    old_path, new_path = "/old/playlist.m3u8", "/new/playlist.m3u8"
    same_clock = T0 + timedelta(seconds=SEGMENT_S * 100)  # new sequence 0 is old sequence 100
    server.script(old_path, media_playlist(range(100, 104)), Reply(status=403))
    server.script(new_path, media_playlist(range(1, 8), pdt_base=same_clock, endlist=True))
    follower = PlaylistFollower(
        server.url(old_path), http=http, resolver=lambda: server.url(new_path), sleep=SleepRecorder()
    )

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(100, 108))
    assert [s.media_sequence for s in segments] == [100, 101, 102, 103, 4, 5, 6, 7]
    assert len({s.program_date_time for s in segments}) == len(segments)
    assert not any(s.discontinuity for s in segments)
    assert follower.stats.renumberings == 1
    assert follower.stats.sequences_missed == 0


@pytest.mark.timeout(30)
def test_a_sequence_restarted_during_an_ad_keeps_numbers_unique(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    after_54 = T0 + timedelta(seconds=SEGMENT_S * 54)  # the restarted sequence continues the stream clock
    server.script(
        PLAYLIST_PATH,
        media_playlist(range(50, 54)),
        media_playlist(range(0, 4), ads=frozenset({0, 1}), pdt_base=after_54),
        media_playlist(range(2, 6), pdt_base=after_54, endlist=True),
    )
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [50, 51, 52, 53, 56, 57, 58, 59]
    assert [s.sequence for s in segments if s.discontinuity] == [56]
    assert follower.stats.ad_segments_skipped == 2
    assert follower.stats.sequences_missed == 0


@pytest.mark.timeout(30)
def test_gap_segments_are_skipped_and_counted(server: ScriptedHLSServer, http: requests.Session) -> None:
    text = media_playlist(range(0, 4), endlist=True).replace("seg/1.ts", "#EXT-X-GAP\nseg/1.ts")
    server.script(PLAYLIST_PATH, text)
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    segments = follow(follower)

    assert [s.sequence for s in segments] == [0, 2, 3]
    assert [s.sequence for s in segments if s.discontinuity] == [2]
    assert follower.stats.gap_segments == 1
    assert server.hits("/live/seg/1.ts") == 0


BYTES = bytes(range(256)) * 4
BYTERANGE_PLAYLIST = (
    "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXTINF:2.000,\n#EXT-X-BYTERANGE:100@0\nall.ts\n"
    "#EXTINF:2.000,\n#EXT-X-BYTERANGE:50\nall.ts\n"
    "#EXTINF:2.000,\n#EXT-X-BYTERANGE:30@500\nall.ts\n#EXT-X-ENDLIST\n"
)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("honour_range", [True, False], ids=["206-partial", "200-whole-file"])
def test_byterange_segments_are_fetched_as_their_ranges(
    server: ScriptedHLSServer, http: requests.Session, honour_range: bool
) -> None:
    server.script(PLAYLIST_PATH, BYTERANGE_PLAYLIST)
    server.script("/live/all.ts", Reply(body=BYTES, honour_range=honour_range))
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    fetched = []
    for segment in follow(follower):
        fetched.append(fetch_segment(http, segment, sleep=SleepRecorder()))
        assert server.range_asked("/live/all.ts") == segment.byterange.http_range if segment.byterange else False

    assert fetched == [BYTES[0:100], BYTES[100:150], BYTES[500:530]]


def _aes_128(plain: bytes, key: bytes, iv: bytes) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()


AES_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
EXPLICIT_IV = bytes.fromhex("10ef8f758ca555115584bb5b3c687f52")


@pytest.mark.timeout(30)
def test_aes_128_segments_are_decrypted_with_explicit_and_implied_ivs(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    text = (
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7794\n"
        f'#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x{EXPLICIT_IV.hex()}\n#EXTINF:2.000,\nseg/a.ts\n'
        '#EXT-X-KEY:METHOD=AES-128,URI="key.bin"\n#EXTINF:2.000,\nseg/b.ts\n'
        "#EXT-X-KEY:METHOD=NONE\n#EXTINF:2.000,\nseg/c.ts\n#EXT-X-ENDLIST\n"
    )
    plain = [b"\x47" + bytes([n]) * 300 for n in range(3)]
    server.script(PLAYLIST_PATH, text)
    server.script("/live/key.bin", Reply(body=AES_KEY))
    server.script("/live/seg/a.ts", Reply(body=_aes_128(plain[0], AES_KEY, EXPLICIT_IV)))
    server.script("/live/seg/b.ts", Reply(body=_aes_128(plain[1], AES_KEY, (7795).to_bytes(16, "big"))))
    server.script("/live/seg/c.ts", Reply(body=plain[2]))
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())
    keys = InitSectionCache()

    fetched = [fetch_segment(http, s, sleep=SleepRecorder(), key_cache=keys) for s in follow(follower)]

    assert fetched == plain
    assert server.hits("/live/key.bin") == 1


SAMPLE_AES_PLAYLIST = (
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.000,\nseg/0.ts\n"
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://someuri",KEYFORMAT="com.apple.streamingkeydelivery"\n'
    "#EXTINF:2.000,\nseg/1.ts\n#EXTINF:2.000,\nseg/2.ts\n#EXT-X-ENDLIST\n"
)


@pytest.mark.timeout(30)
def test_sample_aes_segments_are_refused_clearly_and_never_downloaded(
    server: ScriptedHLSServer, http: requests.Session, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(PLAYLIST_PATH, SAMPLE_AES_PLAYLIST)
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder())

    with caplog.at_level("ERROR", logger="highlight_bot.capture"):
        segments = follow(follower)

    assert [s.sequence for s in segments] == [0]
    assert follower.stats.encrypted_refused == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "SAMPLE-AES" in errors[0] and "unencrypted" in errors[0]

    encrypted = parse_media_playlist(SAMPLE_AES_PLAYLIST, server.url(PLAYLIST_PATH)).entries[1].segment
    with pytest.raises(EncryptedSegmentRefused, match="SAMPLE-AES"):
        fetch_segment(http, encrypted, sleep=SleepRecorder())
    assert server.hits("/live/seg/1.ts") == 0


@pytest.mark.timeout(30)
def test_aes_128_without_the_cryptography_package_is_refused(
    server: ScriptedHLSServer, http: requests.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(playlist_module, "AES_128_AVAILABLE", False)
    text = '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="key.bin"\n#EXTINF:2.000,\nseg/0.ts\n'
    segment = parse_media_playlist(text, server.url(PLAYLIST_PATH)).entries[0].segment

    with pytest.raises(EncryptedSegmentRefused, match="cryptography"):
        fetch_segment(http, segment, sleep=SleepRecorder())
    assert server.hits("/live/seg/0.ts") == 0


@pytest.mark.timeout(30)
def test_follower_problems_are_counted_as_metrics(
    server: ScriptedHLSServer, http: requests.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(PLAYLIST_PATH, SAMPLE_AES_PLAYLIST.replace("#EXT-X-TARGETDURATION:2", "#EXT-X-TARGETDURATION:2.5"))
    metrics = CaptureMetrics("somechannel")
    follower = PlaylistFollower(server.url(PLAYLIST_PATH), http=http, sleep=SleepRecorder(), metrics=metrics)

    follow(follower)
    metrics.flush()

    emitted = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert emitted["SegmentsRefusedEncrypted"] == [2.0] or emitted["SegmentsRefusedEncrypted"] == 2.0
    assert emitted["PlaylistsRepaired"] in ([1.0], 1.0)


@pytest.mark.timeout(30)
def test_a_session_renumbered_upwards_lines_up_by_program_date_time(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    old_path, new_path = "/old/playlist.m3u8", "/new/playlist.m3u8"
    clock = T0 + timedelta(seconds=SEGMENT_S * (12 - 500))  # new sequence 500 is old sequence 12
    server.script(old_path, media_playlist(range(10, 14)), Reply(status=403))
    server.script(new_path, media_playlist(range(500, 506), pdt_base=clock, endlist=True))
    follower = PlaylistFollower(
        server.url(old_path), http=http, resolver=lambda: server.url(new_path), sleep=SleepRecorder()
    )

    segments = follow(follower)

    assert [s.sequence for s in segments] == list(range(10, 18))
    assert follower.stats.sequences_missed == 0 and follower.stats.renumberings == 1


@pytest.mark.timeout(30)
def test_a_renumbered_session_without_overlap_counts_the_time_it_missed(
    server: ScriptedHLSServer, http: requests.Session
) -> None:
    # The re-resolve took longer than the window: nothing in the new playlist was seen before.
    old_path, new_path = "/old/playlist.m3u8", "/new/playlist.m3u8"
    clock = T0 + timedelta(seconds=SEGMENT_S * (20 - 900))  # new sequence 900 is what old 20 would have been
    server.script(old_path, media_playlist(range(10, 14)), Reply(status=403))
    server.script(new_path, media_playlist(range(900, 903), pdt_base=clock, endlist=True))
    follower = PlaylistFollower(
        server.url(old_path), http=http, resolver=lambda: server.url(new_path), sleep=SleepRecorder()
    )

    segments = follow(follower)

    assert [s.sequence for s in segments] == [10, 11, 12, 13, 20, 21, 22]
    assert [s.sequence for s in segments if s.discontinuity] == [20]
    assert follower.stats.sequences_missed == 6


@pytest.mark.timeout(30)
@pytest.mark.parametrize("encrypted_init", [True, False], ids=["encrypted-init", "clear-init"])
def test_an_aes_128_init_section_is_decrypted_only_when_encrypted(
    server: ScriptedHLSServer, http: requests.Session, encrypted_init: bool
) -> None:
    init = b"\x00\x00\x00\x18ftypiso6" + bytes(16)
    text = (
        "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n"
        f'#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x{EXPLICIT_IV.hex()}\n#EXT-X-MAP:URI="init.mp4"\n'
        "#EXTINF:2.000,\nfrag0.mp4\n"
    )
    server.script("/live/key.bin", Reply(body=AES_KEY))
    server.script("/live/init.mp4", Reply(body=_aes_128(init, AES_KEY, EXPLICIT_IV) if encrypted_init else init))
    segment = parse_media_playlist(text, server.url(PLAYLIST_PATH)).entries[0].segment

    fetched = fetch_init_section(http, segment, cache=InitSectionCache(), key_cache=InitSectionCache())

    assert fetched == init
