"""The varied generator draws every dimension value, and its truth agrees with the pixels it renders.

These render frames with the real fonts (no video): the HUD's truth boxes must hold exactly
what the renderer draws, or a benchmark on these broadcasts would score the reader against
a wrong answer.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from sample_broadcast import (
    DEFAULT_START_PDT,
    DEV_SEEDS,
    DEV_SUITE_SEEDS,
    UNSEEN_SEEDS,
    FrameRenderer,
    MatchScript,
    MatchState,
    dev_suite,
    dimensions,
    render_broadcast,
    unseen_suite,
    varied_broadcast,
    varied_script,
    varied_style,
)
from sample_broadcast.hud import Box, HudRenderer, hud_geometry
from sample_broadcast.overlays import ChatOverlay, WebcamOverlay
from sample_broadcast.script import FULL_TIME_CLOCK_S, HALF_TIME_CLOCK_S
from sample_broadcast.truth import build_truth
from sample_broadcast.varied import (
    BAR_SEPARATOR_SHARE,
    BOTTOM_MOVE_SHARE,
    MORE_FONTS,
    SEPARATORS,
    VARIED_FONT_PACKAGES,
    VARIED_FONTS,
    catalogue_font,
    missing_varied_fonts,
    more_of_the_hard_looks,
    varied_hud_style,
)

DIMENSION_SEEDS = range(400)
GEOMETRY_SEEDS = range(1000, 1030)
KITS = ((40, 30, 200), (200, 120, 30))


def _dimension_values() -> dict[str, set[str]]:
    seen: dict[str, set[str]] = defaultdict(set)
    for seed in DIMENSION_SEEDS:
        sample = varied_broadcast(seed, 60)
        for name, value in dimensions(sample.script, sample.style).items():
            seen[name].add(value)
    return seen


def test_the_set_up_installs_every_font_the_varied_styles_draw() -> None:
    # These tests render the varied styles and are not skipped without the fonts: the test command
    # installs them, and a font missing here is a set-up defect to see, not a reason to test less.
    script = (Path(__file__).parents[2] / "scripts" / "ensure-system-packages.sh").read_text()
    checked = dict(
        line.strip().rstrip("\\;").removesuffix("; do").split(":", 1)
        for line in script.splitlines()
        if ":/usr/share/fonts/" in line
    )
    drawn = {str(font.full_path) for font in VARIED_FONTS + MORE_FONTS}

    assert set(VARIED_FONT_PACKAGES) <= set(checked)
    # The file the script checks for is one the package installs (one the styles draw), not a shared folder.
    assert all(path.strip() in drawn for path in checked.values()), checked
    assert missing_varied_fonts() == []


@pytest.fixture(scope="module")
def dimension_values() -> dict[str, set[str]]:
    return _dimension_values()


@pytest.mark.parametrize(
    ("dimension", "required"),
    [
        ("separator", {"dash", "spaced-dash", "en-dash", "colon", "bar", "none-split"}),
        ("cells", {"dark", "light"}),
        ("score_cell", {"same", "lighter", "darker", "inverted", "accent", "team"}),
        ("cell_gaps", {"one-bar", "separate"}),
        ("placement", {"top-left", "top-centre", "top-right", "bottom-left", "bottom-centre", "bottom-right"}),
        ("clock", {"left-joined", "left-box", "right-joined", "right-box", "left-joined-bar", "right-joined-bar"}),
        ("code_length", {"2", "3", "4"}),
        ("code_marker", {"strip-outer", "strip-inner", "strip-under", "crest-shield", "crest-circle", "crest-roundel"}),
        ("added_time", {"shown", "no"}),
        ("text_height", {"small", "medium", "large"}),
        ("font_weight", {"light", "regular", "medium", "bold", "black"}),
        ("font_width", {"normal", "condensed"}),
        ("italic", {"yes", "no", "face"}),
        ("cell_fill", {"flat", "gradient", "flat-translucent", "gradient-translucent"}),
        ("text_effect", {"none", "shadow", "outline"}),
        ("score_animation", {"none", "flash", "slide", "banner"}),
        ("resolution", {"720p", "768p", "864p", "900p", "1080p"}),
        ("fps", {"30", "60"}),
        ("rate_control", {"crf", "<1 Mbit/s", "1-2.5 Mbit/s", "2.5-5 Mbit/s", "5-8 Mbit/s"}),
        ("x264_preset", {"veryfast", "superfast", "ultrafast"}),
        ("overlays_near_hud", {"widget", "no"}),
        ("start", {"0-0", "mid-match"}),
        ("blackouts", {"0", "1", "2"}),
    ],
)
def test_every_value_of_every_dimension_occurs(
    dimension_values: dict[str, set[str]], dimension: str, required: set[str]
) -> None:
    assert required <= dimension_values[dimension], f"{dimension}: missing {required - dimension_values[dimension]}"


class _Draws(random.Random):
    """A random stream whose ``random()`` always returns ``value`` (choices still come from the seed)."""

    def __init__(self, value: float) -> None:
        super().__init__(5)
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_weak_dimensions_of_the_blind_run_are_drawn_more_often() -> None:
    placements, weights, italics = Counter(), Counter(), Counter()
    for seed in DIMENSION_SEEDS:
        sample = varied_broadcast(seed, 60)
        found = dimensions(sample.script, sample.style)
        placements[found["placement"].split("-")[0]] += 1
        weights[found["font_weight"]] += 1
        italics[found["italic"]] += 1
    # Before: about a fifth at the bottom, 1 face in 27 light, no italic face.
    assert placements["bottom"] >= 0.3 * len(DIMENSION_SEEDS)
    assert weights["light"] >= 0.1 * len(DIMENSION_SEEDS)
    assert italics["face"] >= 0.1 * len(DIMENSION_SEEDS)


def test_a_style_the_extra_draws_leave_alone_is_the_one_drawn_before() -> None:
    hud = varied_hud_style(random.Random("varied-style:7"))

    assert more_of_the_hard_looks(hud, _Draws(0.999)) is hud


def test_the_extra_draws_move_a_top_hud_down_in_another_face_with_team_cells_and_a_bar() -> None:
    hud = replace(varied_hud_style(random.Random("varied-style:7")), placement="top-left", score_layout="single")
    assert min(BOTTOM_MOVE_SHARE, BAR_SEPARATOR_SHARE) > 0.0

    moved = more_of_the_hard_looks(hud, _Draws(0.0))

    assert moved.placement.startswith("bottom-")
    font = catalogue_font(moved.font_path)
    assert font in MORE_FONTS and moved.font_weight == font.weight
    assert moved.italic_shear == (0.0 if font.italic else hud.italic_shear)
    assert moved.score_cell == "team"
    assert moved.score_separator in SEPARATORS["bar"]


def test_many_font_families_are_drawn(dimension_values: dict[str, set[str]]) -> None:
    assert len(dimension_values["font_family"]) >= 12


def test_the_same_seed_gives_the_same_broadcast() -> None:
    assert varied_style(77) == varied_style(77)
    assert varied_script(77, 60, code_length=4, added_time=True) == varied_script(
        77, 60, code_length=4, added_time=True
    )
    assert varied_style(77) != varied_style(78)


def test_unseen_suite_uses_only_its_own_seeds() -> None:
    assert set(UNSEEN_SEEDS).isdisjoint(DEV_SEEDS)
    suite = unseen_suite()
    assert len(suite) >= 40
    assert len({sample.name for sample in suite}) == len(suite)
    assert len({sample.style for sample in suite}) == len(suite)
    for sample in suite:
        assert 40 <= sample.script.duration_s <= 70
        assert 2 <= len(sample.script.goals) <= 3
        for goal in sample.script.goals:
            assert 2.0 <= goal.celebration_s <= 5.0 and 7.5 <= goal.replay_s <= 10.0, "FIFA's replay rhythm"
    formats = {(sample.style.height, sample.style.fps) for sample in suite}
    assert {(720, 30), (720, 60), (1080, 30)} <= formats
    with pytest.raises(ValueError, match="between 1 and"):
        unseen_suite(0)


def test_dev_suite_is_the_unseen_suites_twin_on_seeds_one_may_look_at() -> None:
    assert set(DEV_SUITE_SEEDS) <= set(DEV_SEEDS)
    suite = dev_suite()
    assert len(suite) == len(unseen_suite())
    assert not {sample.style for sample in suite} & {sample.style for sample in unseen_suite()}
    assert all(sample.name.startswith("dev-") for sample in suite)
    with pytest.raises(ValueError, match="between 1 and"):
        dev_suite(0)


def test_team_codes_have_the_styles_length() -> None:
    for seed in range(40):
        sample = varied_broadcast(seed, 60)
        length = sample.style.hud.team_code_length
        assert len(sample.script.home) == len(sample.script.away) == length


def test_added_time_box_shows_past_45_or_90_minutes() -> None:
    shown = 0
    for seed in range(60):
        script = varied_script(seed, 60, added_time=True)
        states = [script.state_at(frame, 30) for frame in range(0, 60 * 30, 15)]
        for state in states:
            if state.added_time_min:
                shown += 1
                assert state.added_time_min == script.added_time_min
                assert state.clock_s >= HALF_TIME_CLOCK_S
                assert state.clock_s <= FULL_TIME_CLOCK_S + 60 * script.added_time_min
        assert any(state.added_time_min for state in states if state.hud_visible) or script.new_match
    assert shown


def test_a_broadcast_may_join_a_match_under_way() -> None:
    script = varied_script(3, 60, mid_match_start=True)
    first = script.state_at(0, 30)
    assert (first.home_score, first.away_score) == script.start_score != (0, 0)
    truth = build_truth(script, varied_style(3, resolution="720p", fps=30), DEFAULT_START_PDT)
    assert truth["matches"][0]["score"] == {"home": script.start_score[0], "away": script.start_score[1]}
    if truth["goals"]:
        assert truth["goals"][0]["previous_score"] == truth["matches"][0]["score"]


def test_blackouts_hide_the_hud_and_blank_the_game() -> None:
    script = varied_script(5, 60, blackouts=2)
    style = replace(varied_style(5, resolution="720p", fps=30), chat_overlay=False, webcam_overlay=False)
    style = replace(style, near_hud_widget=False)
    truth = build_truth(script, style, DEFAULT_START_PDT)
    dark = [span for span in truth["hud_hidden"] if span["kind"] == "blackout"]
    assert len(dark) == len(script.blackouts) == 2
    frame = round((dark[0]["start_time"] + dark[0]["end_time"]) / 2 * 30)
    assert FrameRenderer(script, style).render(frame).max() == 0


# -- the truth's HUD boxes hold what is drawn ------------------------------------------------------


def _state(home: str, away: str, score: tuple[int, int], clock_s: int, added: int = 0) -> MatchState:
    return MatchState("play", home, away, score[0], score[1], clock_s, 0.0, 0.0, added_time_min=added)


def _drawn(renderer: HudRenderer, state: MatchState, width: int, height: int) -> np.ndarray:
    frame = np.full((height, width, 3), 127, np.uint8)
    renderer.draw(frame, state)
    return frame


NOISE_LEVELS = 4
"""Blending in float32 may round a pixel one level differently between two layers; that is not drawing."""


def _changed_outside(a: np.ndarray, b: np.ndarray, boxes: list[Box]) -> int:
    changed = np.abs(a.astype(int) - b.astype(int)).max(axis=2) > NOISE_LEVELS
    inside = np.zeros_like(changed)
    for box in boxes:
        inside[box.y : box.y + box.height, box.x : box.x + box.width] = True
    return int((changed & ~inside).sum())


def _changed_inside(a: np.ndarray, b: np.ndarray, box: Box) -> int:
    region = (slice(box.y, box.y + box.height), slice(box.x, box.x + box.width))
    return int((np.abs(a[region].astype(int) - b[region].astype(int)).max(axis=2) > NOISE_LEVELS).sum())


def _codes(length: int) -> tuple[str, str, str, str]:
    return {2: ("LV", "MC", "AR", "CH"), 3: ("LIV", "MCI", "ARS", "CHE"), 4: ("LIVE", "MCFC", "AJAX", "ROMA")}[length]


@pytest.mark.parametrize("seed", GEOMETRY_SEEDS)
def test_truth_boxes_hold_what_the_hud_draws(seed: int) -> None:
    style = replace(varied_style(seed), near_hud_widget=False)
    style = replace(style, hud=replace(style.hud, score_animation="none"))
    home, away, other_home, other_away = _codes(style.hud.team_code_length)
    kits = {(home, away): KITS, (other_home, other_away): KITS}
    renderer = HudRenderer(style, kits)
    geometry = renderer.geometry(home, away)
    w, h = style.width, style.height
    hud = geometry.hud
    assert hud.x >= 0 and hud.x + hud.width <= w and hud.y >= 0 and hud.y + hud.height <= h, "HUD on screen"
    clock_s = 91 * 60 + 10 if style.hud.added_time_box else 27 * 60 + 10
    base = _drawn(renderer, _state(home, away, (1, 0), clock_s, added=3), w, h)
    blank = np.full_like(base, 127)
    assert _changed_outside(base, blank, [hud]) == 0, "the HUD draws only inside its truth box"

    # The score's pixels change only inside the score box(es), and do change there.
    rescored = _drawn(renderer, _state(home, away, (2, 3), clock_s, added=3), w, h)
    assert _changed_outside(base, rescored, list(geometry.score)) == 0
    assert all(_changed_inside(base, rescored, box) > 0 for box in geometry.score)

    # The clock's pixels change only inside the clock box.
    later = _drawn(renderer, _state(home, away, (1, 0), clock_s + 47, added=3), w, h)
    assert _changed_outside(base, later, [geometry.clock]) == 0
    assert _changed_inside(base, later, geometry.clock) > 0

    # The codes' pixels change only inside the code boxes (same kits, so markers stay the same).
    other = HudRenderer(style, kits)
    swapped = _drawn(other, _state(other_home, other_away, (1, 0), clock_s, added=3), w, h)
    if other.geometry(other_home, other_away) == geometry:  # same widths: the codes' boxes coincide
        assert _changed_outside(base, swapped, [geometry.home_code, geometry.away_code]) == 0
        assert _changed_inside(base, swapped, geometry.home_code) > 0
        assert _changed_inside(base, swapped, geometry.away_code) > 0

    # The added-time box shows +N only when the match has added time on the clock.
    if style.hud.added_time_box:
        assert geometry.added_time is not None
        without = _drawn(renderer, _state(home, away, (1, 0), clock_s, added=0), w, h)
        assert _changed_outside(base, without, [geometry.added_time]) == 0
        assert _changed_inside(base, without, geometry.added_time) > 0
    else:
        assert geometry.added_time is None


@pytest.mark.parametrize("seed", GEOMETRY_SEEDS)
def test_chat_and_webcam_never_cover_the_hud(seed: int) -> None:
    style = varied_style(seed)
    home, away, _, _ = _codes(style.hud.team_code_length)
    hud = hud_geometry(style, home, away).hud
    overlays = []
    if style.chat_overlay:
        chat = ChatOverlay(style, 10)
        overlays.append(Box(chat.x, chat.y, chat.w, chat.h))
    if style.webcam_overlay:
        webcam = WebcamOverlay(style)
        overlays.append(Box(webcam.x, webcam.y, webcam.w, webcam.h))
    for box in overlays:
        apart = (
            box.x >= hud.x + hud.width
            or hud.x >= box.x + box.width
            or box.y >= hud.y + hud.height
            or hud.y >= box.y + box.height
        )
        assert apart, f"seed {seed}: an overlay at {box} covers the HUD at {hud}"


def test_truth_file_carries_the_hud_boxes_of_each_match() -> None:
    sample = varied_broadcast(21, 60, new_match=True, n_goals=2)
    truth = build_truth(sample.script, sample.style, DEFAULT_START_PDT)
    pairs = {(m["teams"]["home"], m["teams"]["away"]) for m in truth["matches"]}
    assert {(entry["teams"]["home"], entry["teams"]["away"]) for entry in truth["hud"]} == pairs
    for entry in truth["hud"]:
        expected = hud_geometry(sample.style, entry["teams"]["home"], entry["teams"]["away"]).to_json()
        assert {key: value for key, value in entry.items() if key != "teams"} == expected


def test_score_animations_never_hide_the_new_score_on_the_goal_frame() -> None:
    for animation in ("flash", "slide", "banner"):
        sample = varied_broadcast(33, 60, n_goals=2)
        style = replace(sample.style, hud=replace(sample.style.hud, score_animation=animation))
        still = replace(style, hud=replace(style.hud, score_animation="none"))
        renderer, reference = FrameRenderer(sample.script, style), FrameRenderer(sample.script, still)
        goal_frame = renderer.goals[0].frame_index
        state = sample.script.state_at(goal_frame, style.fps)
        geometry = renderer.hud.geometry(state.home, state.away)
        animated = renderer.hud.layer_for(state, goal_frame)
        plain = reference.hud.layer_for(state, goal_frame)
        if animation == "slide":
            assert np.array_equal(animated.bgr, plain.bgr), "the slide ends before the goal frame"
        else:
            # A flash tints the cell behind the digits; a banner is drawn outside the HUD.
            assert animated.bgr.shape == plain.bgr.shape
        before = renderer.hud.layer_for(sample.script.state_at(goal_frame - 1, style.fps), goal_frame - 1)
        assert (before.x, before.y) == (geometry.hud.x, geometry.hud.y)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="needs ffmpeg and ffprobe")
def test_capped_encodes_keep_to_their_bitrate(tmp_path: Path) -> None:
    script = MatchScript(home="LIV", away="MCI", duration_s=8, start_clock_s=27 * 60)
    style = varied_style(8, resolution="720p", fps=30)
    style = replace(style, rate_control="capped", bitrate_kbps=600, x264_preset="ultrafast", audio=False)
    info = render_broadcast(tmp_path / "capped", script, style)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=bit_rate", "-of", "csv=p=0", str(info.segments[-1])],
        check=True,
        capture_output=True,
        text=True,
    )
    assert int(probe.stdout.strip()) < 600_000 * 1.5
