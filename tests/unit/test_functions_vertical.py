"""The vertical function's pure parts: its frame layout, its keys, and its settings written and read back."""

from __future__ import annotations

import pytest

from functions.vertical import VerticalSettings, vertical_key, vertical_layout


def test_1080_line_sources_get_1080x1920_others_720x1280_every_size_even_and_the_play_area_centred() -> None:
    for width, height in ((1920, 1080), (1280, 720), (854, 480), (1440, 1080), (1600, 900)):
        layout = vertical_layout(width, height)
        assert layout.height * 9 == layout.width * 16
        assert layout.width == (1080 if height >= 1080 else 720)
        assert layout.band_height + layout.play_height == layout.height
        for region in (layout.band, layout.play):
            assert region.width % 2 == region.height % 2 == 0
            assert region.x + region.width <= width and region.y + region.height <= height
        assert (layout.band.x, layout.band.y) == (0, 0)  # the scoreboard's corner
        assert abs(layout.play.x + layout.play.width / 2 - width / 2) <= 2
        # The play area keeps its proportions: source crop and output slot have the same aspect (±2 %).
        assert layout.play.width / layout.play.height == pytest.approx(layout.width / layout.play_height, rel=0.02)


def test_the_cut_is_stored_beside_its_clip() -> None:
    assert (
        vertical_key("highlights/sample/2026/11/25/g-1.mp4", "mp4") == "highlights/sample/2026/11/25/g-1.vertical.mp4"
    )
    assert (
        vertical_key("highlights/sample/2026/11/25/g-1.mp4", "jpg") == "highlights/sample/2026/11/25/g-1.vertical.jpg"
    )


def test_settings_read_back_what_the_stack_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    written = VerticalSettings(
        highlights_bucket="b", highlight_topic_arn="arn:aws:sns:us-east-1:1:t", idempotency_table="idem",
        ffmpeg_path="/opt/bin/ffmpeg", dead_letter_queue_url="https://sqs/dlq", highlights_base_url="https://d.example",
        url_expiry_s=3600, idempotency_ttl_hours=12, background=True,
    )  # fmt: skip
    for name, value in written.environment().items():
        monkeypatch.setenv(name, value)
    assert VerticalSettings.from_env() == written


def test_a_missing_variable_is_named_in_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIGHLIGHTS_BUCKET", raising=False)
    with pytest.raises(Exception, match="set HIGHLIGHTS_BUCKET to the S3 bucket"):
        VerticalSettings.from_env()


def test_sources_faster_than_30_fps_are_cut_at_30() -> None:
    layout = vertical_layout(1920, 1080)
    assert layout.filter_graph(60.0).startswith("[0:v:0]fps=30,split=2")
    for source_fps in (30.0, 29.97, 25.0, None):
        assert layout.filter_graph(source_fps).startswith("[0:v:0]split=2")
