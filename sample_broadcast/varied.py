"""Broadcasts drawn from everything FIFA 19–23 and EA SPORTS FC 24–26 streams look like.

Why: a reader written against one generator's looks scored P = R = 1.0 on them and recall
0.28 on other HUD styles. So every choice a game version, a streamer or an encoder makes is a
named dimension here, drawn from a seed: separator, cell polarity, score cell, strips or crests,
placement, clock side, code length, added time, font family/weight/width, text size, effects,
italic, gradients, opacity, animation on goal, resolution, fps, rate control and bitrate,
overlays with digits near the HUD; and on the script side long replays right after a goal,
blackouts, and joining a match already under way. :func:`dimensions` names each value, so
benchmark results can be grouped by it and a weak dimension shows.

Example:
    >>> style = varied_style(12)
    >>> script = varied_script(12, 60, code_length=style.hud.team_code_length, added_time=style.hud.added_time_box)
    >>> dimensions(script, style)["separator"]
    'spaced-dash'
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from pathlib import Path

from sample_broadcast.exceptions import FontsMissingError, InvalidScriptError
from sample_broadcast.script import (
    FULL_TIME_CLOCK_S,
    GAME_CLOCK_RATE,
    HALF_TIME_CLOCK_S,
    TEAM_CODES,
    TEAM_CODES_2,
    TEAM_CODES_4,
    MatchScript,
    random_script,
)
from sample_broadcast.style import (
    KIT_COLOURS,
    RESOLUTIONS,
    Bgr,
    BroadcastStyle,
    ChatPosition,
    CodeMarker,
    HudStyle,
    Placement,
    Resolution,
    ScoreCell,
    WebcamPosition,
)

FONT_ROOT = Path("/usr/share/fonts")


@dataclass(frozen=True)
class CatalogueFont:
    """A sans or condensed face a broadcast HUD plausibly uses, with the Debian package that ships it."""

    path: str
    """Relative to /usr/share/fonts."""
    family: str
    weight: str
    width: str
    package: str
    italic: bool = False
    """A face drawn italic by its designer (its own shapes, not a shear of the upright face)."""

    @property
    def full_path(self) -> Path:
        return FONT_ROOT / self.path


def _faces(
    folder: str, family: str, package: str, faces: tuple[tuple[str, str, str], ...], *, italic: bool = False
) -> list[CatalogueFont]:
    return [CatalogueFont(f"{folder}/{name}", family, weight, width, package, italic) for name, weight, width in faces]


# Thin, hairline, serif, script and oblique faces are left out: no scoreboard uses them (italic is
# drawn by shearing any face, so it varies independently of the family).
VARIED_FONTS: tuple[CatalogueFont, ...] = tuple(
    _faces("truetype/dejavu", "DejaVu Sans", "fonts-dejavu-core", (
        ("DejaVuSans.ttf", "regular", "normal"), ("DejaVuSans-Bold.ttf", "bold", "normal"),
        ("DejaVuSansCondensed.ttf", "regular", "condensed"), ("DejaVuSansCondensed-Bold.ttf", "bold", "condensed"),
        ("DejaVuSansMono-Bold.ttf", "bold", "mono"),
    ))
    + _faces("truetype/liberation", "Liberation Sans", "fonts-liberation", (
        ("LiberationSans-Regular.ttf", "regular", "normal"), ("LiberationSans-Bold.ttf", "bold", "normal"),
        ("LiberationSansNarrow-Regular.ttf", "regular", "condensed"),
        ("LiberationSansNarrow-Bold.ttf", "bold", "condensed"),
    ))
    + _faces("truetype/freefont", "FreeSans", "fonts-freefont-ttf", (
        ("FreeSans.ttf", "regular", "normal"), ("FreeSansBold.ttf", "bold", "normal"),
    ))
    + _faces("truetype/roboto/unhinted/RobotoTTF", "Roboto", "fonts-roboto-unhinted", (
        ("Roboto-Light.ttf", "light", "normal"), ("Roboto-Regular.ttf", "regular", "normal"),
        ("Roboto-Medium.ttf", "medium", "normal"), ("Roboto-Bold.ttf", "bold", "normal"),
        ("Roboto-Black.ttf", "black", "normal"),
    ))
    + _faces("truetype/roboto/unhinted", "Roboto Condensed", "fonts-roboto-unhinted", (
        ("RobotoCondensed-Regular.ttf", "regular", "condensed"), ("RobotoCondensed-Medium.ttf", "medium", "condensed"),
        ("RobotoCondensed-Bold.ttf", "bold", "condensed"),
    ))
    + _faces("truetype/open-sans", "Open Sans", "fonts-open-sans", (
        ("OpenSans-Regular.ttf", "regular", "normal"), ("OpenSans-Semibold.ttf", "medium", "normal"),
        ("OpenSans-Bold.ttf", "bold", "normal"), ("OpenSans-ExtraBold.ttf", "black", "normal"),
        ("OpenSans-CondBold.ttf", "bold", "condensed"),
    ))
    + _faces("truetype/lato", "Lato", "fonts-lato", (
        ("Lato-Regular.ttf", "regular", "normal"), ("Lato-Medium.ttf", "medium", "normal"),
        ("Lato-Bold.ttf", "bold", "normal"), ("Lato-Heavy.ttf", "black", "normal"),
        ("Lato-Black.ttf", "black", "normal"),
    ))
    + _faces("opentype/cantarell", "Cantarell", "fonts-cantarell", (
        ("Cantarell-Regular.otf", "regular", "normal"), ("Cantarell-Bold.otf", "bold", "normal"),
        ("Cantarell-ExtraBold.otf", "black", "normal"),
    ))
    + _faces("truetype/croscore", "Arimo", "fonts-croscore", (
        ("Arimo-Regular.ttf", "regular", "normal"), ("Arimo-Bold.ttf", "bold", "normal"),
    ))
    + _faces("truetype/crosextra", "Carlito", "fonts-crosextra-carlito", (
        ("Carlito-Regular.ttf", "regular", "normal"), ("Carlito-Bold.ttf", "bold", "normal"),
    ))
    + _faces("opentype/b612", "B612", "fonts-b612", (
        ("B612-Regular.otf", "regular", "normal"), ("B612-Bold.otf", "bold", "normal"),
    ))
    + _faces("opentype/bebas-neue", "Bebas Neue", "fonts-bebas-neue", (
        ("BebasNeue-Regular.otf", "regular", "condensed"), ("BebasNeue-Bold.otf", "bold", "condensed"),
    ))
    + _faces("opentype/inter", "Inter", "fonts-inter", (
        ("Inter-Regular.otf", "regular", "normal"), ("Inter-Medium.otf", "medium", "normal"),
        ("Inter-SemiBold.otf", "medium", "normal"), ("Inter-Bold.otf", "bold", "normal"),
        ("Inter-ExtraBold.otf", "black", "normal"), ("Inter-Black.otf", "black", "normal"),
    ))
    + _faces("truetype/noto", "Noto Sans", "fonts-noto-core", (
        ("NotoSans-Regular.ttf", "regular", "normal"), ("NotoSans-Bold.ttf", "bold", "normal"),
        ("NotoSansDisplay-Bold.ttf", "bold", "normal"),
    ))
)  # fmt: skip
MORE_FONTS: tuple[CatalogueFont, ...] = tuple(
    _faces("truetype/lato", "Lato", "fonts-lato", (
        ("Lato-Light.ttf", "light", "normal"), ("Lato-Semibold.ttf", "medium", "normal"),
    ))
    + _faces("truetype/open-sans", "Open Sans", "fonts-open-sans", (
        ("OpenSans-Light.ttf", "light", "normal"), ("OpenSans-CondLight.ttf", "light", "condensed"),
    ))
    + _faces("opentype/inter", "Inter", "fonts-inter", (
        ("Inter-Light.otf", "light", "normal"), ("InterDisplay-Medium.otf", "medium", "normal"),
        ("InterDisplay-Bold.otf", "bold", "normal"),
    ))
    + _faces("truetype/roboto/unhinted", "Roboto Condensed", "fonts-roboto-unhinted", (
        ("RobotoCondensed-Light.ttf", "light", "condensed"),
    ))
    + _faces("truetype/croscore", "Cousine", "fonts-croscore", (("Cousine-Bold.ttf", "bold", "mono"),))
    + _faces("truetype/roboto/unhinted/RobotoTTF", "Roboto", "fonts-roboto-unhinted", (
        ("Roboto-BoldItalic.ttf", "bold", "normal"), ("Roboto-LightItalic.ttf", "light", "normal"),
    ), italic=True)
    + _faces("opentype/inter", "Inter", "fonts-inter", (
        ("Inter-BoldItalic.otf", "bold", "normal"), ("Inter-MediumItalic.otf", "medium", "normal"),
    ), italic=True)
    + _faces("truetype/roboto/unhinted", "Roboto Condensed", "fonts-roboto-unhinted", (
        ("RobotoCondensed-BoldItalic.ttf", "bold", "condensed"),
    ), italic=True)
    + _faces("truetype/lato", "Lato", "fonts-lato", (("Lato-BlackItalic.ttf", "black", "normal"),), italic=True)
)  # fmt: skip
"""Light, condensed-light, mono and true italic faces the first catalogue lacked (weak dimensions on the
blind suite: light type, condensed or italic type), from the same Debian packages. Drawn by
:func:`more_of_the_hard_looks` from its own random stream, so the first catalogue's draws stand."""
VARIED_FONT_PACKAGES = tuple(dict.fromkeys(font.package for font in VARIED_FONTS + MORE_FONTS))


def catalogue_font(path: str) -> CatalogueFont | None:
    """The catalogue entry of an absolute font path, if it is one."""
    return next((font for font in VARIED_FONTS + MORE_FONTS if str(font.full_path) == path), None)


def missing_varied_fonts() -> list[CatalogueFont]:
    return [font for font in VARIED_FONTS + MORE_FONTS if not font.full_path.is_file()]


SEPARATORS: dict[str, tuple[str, ...]] = {
    "dash": ("-",),
    "spaced-dash": (" - ", "  -  "),
    "en-dash": ("–", " – "),
    "colon": (":", " : "),
    "bar": (" | ", "|"),
}
"""Score separators by name; ``none-split`` (each number in its own box) is the sixth value."""
PLACEMENTS: tuple[Placement, ...] = (
    "top-left",
    "top-centre",
    "top-right",
    "bottom-left",
    "bottom-centre",
    "bottom-right",
)
PLACEMENT_WEIGHTS = (34, 30, 16, 7, 7, 6)
VARIED_RESOLUTIONS: tuple[Resolution, ...] = ("720p", "768p", "864p", "900p", "1080p")
RESOLUTION_WEIGHTS = (40, 8, 8, 18, 26)
BITRATE_RANGE_KBPS = (600, 8000)
ACCENTS: tuple[Bgr, ...] = (
    (60, 200, 30),  # EA FC green
    (180, 140, 20),  # teal
    (140, 30, 120),  # purple
    (30, 170, 230),  # gold
    (40, 40, 200),  # red
    (200, 90, 20),  # blue
    (90, 20, 150),  # magenta
)
EXTRA_KITS: tuple[Bgr, ...] = ((180, 105, 255), (130, 160, 0), (30, 20, 110), (0, 215, 255), (90, 90, 90))


def _dark(rng: random.Random) -> Bgr:
    if rng.random() < 0.4:
        level = rng.randint(8, 30)
        return (level, level, level)
    return (rng.randint(10, 80), rng.randint(10, 70), rng.randint(10, 80))


def _light(rng: random.Random) -> Bgr:
    if rng.random() < 0.5:
        level = rng.randint(200, 245)
        return (level, level, level)
    return (rng.randint(190, 250), rng.randint(190, 250), rng.randint(190, 250))


def _ink_for(rng: random.Random, dark_cells: bool) -> Bgr:
    if dark_cells:
        return rng.choice(((255, 255, 255), (240, 240, 240), (235, 240, 245), (200, 235, 250), (120, 230, 255)))
    return rng.choice(((10, 10, 10), (30, 30, 30), (60, 30, 20), (70, 20, 20), (40, 20, 60)))


def _shade(bgr: Bgr, delta: int) -> Bgr:
    return (
        max(0, min(255, bgr[0] + delta)),
        max(0, min(255, bgr[1] + delta)),
        max(0, min(255, bgr[2] + delta)),
    )


def _luma(bgr: Bgr) -> float:
    return 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2]


def _ink_on(background: Bgr) -> Bgr:
    return (20, 20, 20) if _luma(background) > 150 else (255, 255, 255)


def _pick_font(rng: random.Random) -> CatalogueFont:
    return _installed(rng.choice(VARIED_FONTS))


def _installed(font: CatalogueFont) -> CatalogueFont:
    if not font.full_path.is_file():
        packages = " ".join(VARIED_FONT_PACKAGES)
        raise FontsMissingError(
            f"The varied broadcasts need the font {font.full_path}; install the fonts with "
            f"`apt-get install {packages}` (or run scripts/ensure-system-packages.sh) and run again."
        )
    return font


def varied_hud_style(rng: random.Random) -> HudStyle:
    """A scoreboard drawn along every dimension; see the module docstring."""
    font = _pick_font(rng)
    dark_cells = rng.random() < 0.6
    box = _dark(rng) if dark_cells else _light(rng)
    text = _ink_for(rng, dark_cells)
    score_cell: ScoreCell = rng.choice(("same", "lighter", "darker", "inverted", "accent", "team"))
    delta = rng.randint(22, 55)
    if score_cell == "lighter":
        score_box = _shade(box, delta)
        score_text = text
    elif score_cell == "darker":
        score_box = _shade(box, -delta)
        score_text = text
    elif score_cell == "inverted":
        score_box = _light(rng) if dark_cells else _dark(rng)
        score_text = _ink_for(rng, not dark_cells)
    elif score_cell == "accent":
        score_box = rng.choice(ACCENTS)
        score_text = _ink_on(score_box)
    else:  # "same", or "team" whose colours come from the kits when drawn
        score_box, score_text = box, text
    clock_kind = rng.choice(("same", "same", "inverted", "accent"))
    if clock_kind == "inverted":
        clock_box, clock_text = (_light(rng) if dark_cells else _dark(rng)), _ink_for(rng, not dark_cells)
    elif clock_kind == "accent":
        clock_box = rng.choice(ACCENTS)
        clock_text = _ink_on(clock_box)
    else:
        clock_box, clock_text = box, text
    split = rng.random() < 0.3
    separator_name = rng.choice(tuple(SEPARATORS))
    home_kit, away_kit = rng.sample(KIT_COLOURS + EXTRA_KITS, 2)
    clock_joined = rng.random() < 0.5
    marker: CodeMarker = rng.choices(("strip", "crest", "none"), (40, 42, 18))[0]
    italic = rng.random() < 0.25
    placement: Placement = rng.choices(PLACEMENTS, PLACEMENT_WEIGHTS)[0]
    gradient = rng.random() < 0.35
    return HudStyle(
        font_path=str(font.full_path),
        text_height_frac=round(rng.uniform(0.018, 0.045), 4),
        offset_x_frac=round(rng.uniform(0.008, 0.07), 4),
        offset_y_frac=round(rng.uniform(0.008, 0.07), 4),
        box_bgr=box,
        text_bgr=text,
        clock_box_bgr=clock_box,
        clock_text_bgr=clock_text,
        score_box_bgr=score_box,
        score_text_bgr=score_text,
        home_strip_bgr=home_kit,
        away_strip_bgr=away_kit,
        box_opacity=round(rng.choice((1.0, 1.0, rng.uniform(0.55, 0.95))), 2),
        padding_frac=round(rng.uniform(0.15, 0.7), 2),
        clock_gap_frac=0.0 if clock_joined else round(rng.uniform(0.12, 0.9), 2),
        score_separator="" if split else rng.choice(SEPARATORS[separator_name]),
        strip_layout=rng.choice(("outer", "inner", "under")),
        strip_width_frac=round(rng.uniform(0.08, 0.45), 2),
        placement=placement,
        clock_position=rng.choice(("left", "right")),
        clock_divider=clock_joined and rng.random() < 0.4,
        score_layout="split" if split else "single",
        split_gap_frac=round(rng.choice((0.0, rng.uniform(0.05, 0.4))), 2) if split else 0.0,
        score_cell=score_cell,
        cell_gap_frac=round(rng.choice((0.0, 0.0, rng.uniform(0.08, 0.5))), 2),
        code_marker=marker,
        crest_shape=rng.choice(("shield", "circle", "roundel")),
        crest_height_frac=round(rng.uniform(1.25, 1.95), 2),
        team_code_length=rng.choices((2, 3, 4), (20, 50, 30))[0],
        added_time_box=rng.random() < 0.4,
        added_time_bgr=rng.choice(ACCENTS),
        cell_fill="gradient" if gradient else "flat",
        gradient_strength=round(rng.uniform(0.1, 0.35), 2) if gradient else 0.0,
        text_effect=rng.choices(("none", "shadow", "outline"), (55, 30, 15))[0],
        italic_shear=round(rng.uniform(0.12, 0.25), 3) if italic else 0.0,
        score_animation=rng.choice(("none", "flash", "slide", "banner")),
        font_weight=font.weight,
        font_width=font.width,
    )


BOTTOM_MOVE_SHARE = 0.2
OTHER_FONT_SHARE = 0.3
TEAM_SCORE_CELL_SHARE = 0.1
BAR_SEPARATOR_SHARE = 0.1
"""Shares of styles :func:`more_of_the_hard_looks` changes: HUDs moved to the bottom of the frame, faces
from :data:`MORE_FONTS`, a score cell in the teams' colours, a bar between the numbers."""


def more_of_the_hard_looks(hud: HudStyle, rng: random.Random) -> HudStyle:
    """``hud`` moved further along the dimensions a blind run found weak: bottom placements, light,
    condensed-light and true italic faces, team-coloured score cells, a bar separator.

    Drawn from a random stream of its own (always the same number of draws), so a style it leaves
    alone is exactly the one :func:`varied_hud_style` drew.
    """
    to_bottom, other_font, team_cell, bar = (rng.random() for _ in range(4))
    bottom: Placement = rng.choice(("bottom-left", "bottom-centre", "bottom-right"))
    font = rng.choice(MORE_FONTS)
    bar_spelling = rng.choice(SEPARATORS["bar"])
    changes: dict[str, object] = {}
    if to_bottom < BOTTOM_MOVE_SHARE and hud.placement.startswith("top"):
        changes["placement"] = bottom
    if other_font < OTHER_FONT_SHARE:
        _installed(font)
        changes.update(font_path=str(font.full_path), font_weight=font.weight, font_width=font.width)
        if font.italic:
            changes["italic_shear"] = 0.0  # the face's own slant, not a shear on top of it
    if team_cell < TEAM_SCORE_CELL_SHARE:
        changes["score_cell"] = "team"
    if bar < BAR_SEPARATOR_SHARE and hud.score_layout == "single":
        changes["score_separator"] = bar_spelling
    return replace(hud, **changes) if changes else hud  # type: ignore[arg-type]


def _overlay_places(rng: random.Random, placement: str) -> tuple[ChatPosition | None, WebcamPosition]:
    """Chat and webcam places that leave the HUD visible (``None``: no room for chat)."""
    webcam: WebcamPosition = "bottom-left" if placement in ("top-right",) else "top-right"
    if placement not in ("top-right", "bottom-left", "bottom-centre", "bottom-right"):
        webcam = rng.choice(("bottom-left", "top-right"))
    chat: ChatPosition | None
    if placement == "bottom-right":
        chat = None
    elif placement == "top-right":
        chat = "bottom"
    elif placement in ("bottom-left", "bottom-centre"):
        chat = "right"
    else:
        chat = rng.choice(("right", "bottom"))
    return chat, webcam


def varied_style(seed: int, *, resolution: Resolution | None = None, fps: int | None = None) -> BroadcastStyle:
    """A whole broadcast look drawn from ``seed`` along every dimension (resolution and fps too, unless given)."""
    rng = random.Random(f"varied-style:{seed}")
    chosen_resolution = rng.choices(VARIED_RESOLUTIONS, RESOLUTION_WEIGHTS)[0]
    chosen_fps = rng.choices((30, 60), (65, 35))[0]
    resolution = resolution or chosen_resolution
    fps = fps or chosen_fps
    if resolution not in RESOLUTIONS:
        raise ValueError(f"Unknown resolution {resolution!r}; use one of {', '.join(RESOLUTIONS)}.")
    if fps not in (30, 60):
        raise ValueError(f"fps must be 30 or 60 like Twitch sources, not {fps}.")
    width, height = RESOLUTIONS[resolution]
    hud = more_of_the_hard_looks(varied_hud_style(rng), random.Random(f"varied-style-more:{seed}"))
    capped = rng.random() < 0.75
    low, high = BITRATE_RANGE_KBPS
    bitrate = round(math.exp(rng.uniform(math.log(low), math.log(high))) / 50) * 50 if capped else 0
    chat, webcam = rng.random() < 0.5, rng.random() < 0.4
    chat_position, webcam_position = _overlay_places(rng, hud.placement)
    return BroadcastStyle(
        width=width,
        height=height,
        fps=fps,
        crf=rng.randint(20, 32),
        hud=hud,
        chat_overlay=chat and chat_position is not None,
        webcam_overlay=webcam,
        chat_position=chat_position or "right",
        webcam_position=webcam_position,
        scenery_seed=rng.randrange(2**31),
        rate_control="capped" if capped else "crf",
        bitrate_kbps=bitrate,
        near_hud_widget=rng.random() < 0.35,
        x264_preset=rng.choices(("veryfast", "superfast", "ultrafast"), (45, 35, 20))[0],
    )


def varied_script(
    seed: int,
    duration_s: int,
    *,
    code_length: int = 3,
    added_time: bool = False,
    n_goals: int | None = None,
    half_time: bool | None = None,
    new_match: bool | None = None,
    mid_match_start: bool | None = None,
    blackouts: int | None = None,
) -> MatchScript:
    """A match with FIFA's rhythm: 2–5 s of celebration, then a 7.5–10 s replay hides the HUD.

    ``None`` lets the seed decide; ``added_time`` puts 45:00 or 90:00 inside the stream so the
    ``+N`` box shows; ``mid_match_start`` joins a match already at a score like 1-2.
    """
    rng = random.Random(f"varied-script:{seed}")
    codes = {2: TEAM_CODES_2, 3: TEAM_CODES, 4: TEAM_CODES_4}.get(code_length)
    if codes is None:
        raise ValueError(f"Team codes have 2, 3 or 4 letters, not {code_length}.")
    if blackouts is None:
        blackouts = rng.choices((0, 1, 2), (55, 35, 10))[0]
    if mid_match_start is None:
        mid_match_start = rng.random() < 0.3
    # Long replays fill a short stream fast: extras the seed chose (not the caller) give way first.
    attempts = [(blackouts, half_time, new_match)]
    if blackouts:
        attempts.append((0, half_time, new_match))
    if half_time is None:
        attempts.append((0, False, new_match))
    if new_match is None:
        attempts.append((0, False if half_time is None else half_time, False))
    for attempt, (dark, ht, nm) in enumerate(attempts):
        try:
            script = random_script(
                seed, duration_s, n_goals=n_goals, half_time=ht, new_match=nm, team_codes=codes,
                celebration_range_s=(2.0, 5.0), replay_range_s=(7.5, 10.0), blackouts=dark,
            )  # fmt: skip
            break
        except InvalidScriptError:
            if attempt == len(attempts) - 1:
                raise
    if mid_match_start:
        home, away = rng.randint(0, 3), rng.randint(0, 3)
        if home == away == 0:
            home, away = 1, 2
        script = replace(script, start_score=(home, away), start_clock_s=max(script.start_clock_s, 15 * 60))
    if added_time:
        minutes = rng.randint(1, 9)
        if script.half_time:
            start = HALF_TIME_CLOCK_S + minutes * 60 - int(script.half_time.start_s * GAME_CLOCK_RATE)
            start -= rng.randint(0, 40)
        else:
            start = FULL_TIME_CLOCK_S - int(rng.uniform(0.1, 0.5) * duration_s * GAME_CLOCK_RATE)
        script = replace(script, added_time_min=minutes, start_clock_s=max(0, start))
    return script


def _bucket(value: float, edges: tuple[float, ...], names: tuple[str, ...]) -> str:
    for edge, name in zip(edges, names, strict=False):
        if value < edge:
            return name
    return names[-1]


def dimensions(script: MatchScript, style: BroadcastStyle) -> dict[str, str]:
    """Each named dimension's value for one broadcast, to group benchmark results by.

    Works for the FIFA-20 looks too (their extra dimensions take their default values).
    """
    hud = style.hud
    separator = "none-split" if hud.score_layout == "split" else next(
        (name for name, spellings in SEPARATORS.items() if hud.score_separator in spellings),
        repr(hud.score_separator),
    )  # fmt: skip
    dark_cells = _luma(hud.box_bgr) < 128
    marker: str = hud.code_marker
    if marker == "strip":
        marker = f"strip-{hud.strip_layout}"
    elif marker == "crest":
        marker = f"crest-{hud.crest_shape}"
    font = catalogue_font(hud.font_path)
    shows_added_time = hud.added_time_box and script.added_time_min > 0
    rate = "crf"
    if style.rate_control == "capped":
        rate = _bucket(style.bitrate_kbps, (1000, 2500, 5000), ("<1", "1-2.5", "2.5-5", "5-8")) + " Mbit/s"
    return {
        "separator": separator,
        "cells": "dark" if dark_cells else "light",
        "score_cell": hud.score_cell,
        "cell_gaps": "separate" if hud.cell_gap_frac > 0 else "one-bar",
        "code_marker": marker,
        "placement": hud.placement,
        "clock": f"{hud.clock_position}-{'box' if hud.clock_gap_frac > 0 else 'joined'}"
        + ("-bar" if hud.clock_divider else ""),
        "code_length": str(len(script.home)),
        "added_time": "shown" if shows_added_time else "no",
        "text_height": _bucket(hud.text_height_frac, (0.025, 0.035), ("small", "medium", "large")),
        "font_family": font.family if font else Path(hud.font_path).stem,
        "font_weight": hud.font_weight,
        "font_width": hud.font_width,
        "italic": "face" if font is not None and font.italic else ("yes" if hud.italic_shear else "no"),
        "cell_fill": hud.cell_fill + ("-translucent" if hud.box_opacity < 0.9 else ""),
        "text_effect": hud.text_effect,
        "score_animation": hud.score_animation,
        "resolution": f"{style.height}p",
        "fps": str(style.fps),
        "rate_control": rate,
        "x264_preset": style.x264_preset,
        "overlays_near_hud": "widget" if style.near_hud_widget else "no",
        "chat_webcam": ("chat" if style.chat_overlay else "") + ("+webcam" if style.webcam_overlay else "") or "none",
        "start": "mid-match" if script.start_score != (0, 0) else "0-0",
        "blackouts": str(len(script.blackouts)),
        "half_time": "yes" if script.half_time else "no",
        "new_match": "yes" if script.new_match else "no",
    }
