"""How a broadcast looks: HUD font, size, offsets and colours, resolution, compression, overlays.

Why: the goal detector is measured on broadcasts nobody on the team has seen, so every
visual choice that a real streamer or game version could change is drawn from a seed
here instead of being fixed in the renderer.

Example:
    >>> style = random_style(7, resolution="1080p", fps=60)
    >>> style.hud.font_path, style.crf
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sample_broadcast.exceptions import FontsMissingError

Bgr = tuple[int, int, int]
Resolution = Literal["720p", "768p", "864p", "900p", "1080p"]
StripLayout = Literal["outer", "inner", "under"]
ChatPosition = Literal["right", "bottom"]
WebcamPosition = Literal["bottom-left", "top-right"]
Placement = Literal["top-left", "top-centre", "top-right", "bottom-left", "bottom-centre", "bottom-right"]
ClockPosition = Literal["left", "right"]
ScoreLayout = Literal["single", "split"]
"""``split``: each number in its own box, no separator between them (EA SPORTS FC style)."""
ScoreCell = Literal["same", "lighter", "darker", "inverted", "accent", "team"]
"""How the score cell differs from the team cells; ``team`` paints it in the kit colours."""
CodeMarker = Literal["strip", "crest", "none"]
CrestShape = Literal["shield", "circle", "roundel"]
CellFill = Literal["flat", "gradient"]
TextEffect = Literal["none", "shadow", "outline"]
ScoreAnimation = Literal["none", "flash", "slide", "banner"]
"""What the HUD does when a goal is scored; the new score is whole from the goal frame on."""
RateControl = Literal["crf", "capped"]

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/freefont"),
)
# Sans faces a broadcast HUD plausibly uses; serif and oblique faces are left out on purpose.
HUD_FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansMono-Bold.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSansNarrow-Regular.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "LiberationMono-Bold.ttf",
    "FreeSans.ttf",
    "FreeSansBold.ttf",
)
FONT_PACKAGES = "fonts-dejavu-core fonts-liberation fonts-freefont-ttf"

RESOLUTIONS: dict[str, tuple[int, int]] = {
    "720p": (1280, 720),
    "768p": (1366, 768),
    "864p": (1536, 864),
    "900p": (1600, 900),
    "1080p": (1920, 1080),
}
TEXT_HEIGHT_RANGE_FRAC = (0.022, 0.035)
HUD_OFFSET_RANGE_FRAC = (0.01, 0.06)
CRF_RANGE = (20, 32)

DARK_BOXES: tuple[Bgr, ...] = ((18, 18, 18), (60, 30, 20), (40, 25, 45), (35, 45, 25), (70, 50, 40))
LIGHT_BOXES: tuple[Bgr, ...] = ((240, 240, 240), (225, 230, 235), (210, 235, 245), (235, 235, 220))
# Kit colours avoid pitch greens so players and strips stay visible against the grass.
KIT_COLOURS: tuple[Bgr, ...] = (
    (40, 30, 200),  # red
    (200, 120, 30),  # blue
    (245, 245, 245),  # white
    (30, 30, 30),  # black
    (30, 200, 240),  # yellow
    (200, 180, 90),  # sky blue
    (120, 30, 110),  # purple
    (20, 120, 240),  # orange
    (90, 30, 120),  # claret
    (120, 60, 20),  # navy
)


@dataclass(frozen=True)
class HudStyle:
    """The scoreboard's look; every field varies between games and streamers."""

    font_path: str
    text_height_frac: float
    offset_x_frac: float
    offset_y_frac: float
    box_bgr: Bgr
    text_bgr: Bgr
    clock_box_bgr: Bgr
    clock_text_bgr: Bgr
    score_box_bgr: Bgr
    score_text_bgr: Bgr
    home_strip_bgr: Bgr
    away_strip_bgr: Bgr
    box_opacity: float
    padding_frac: float
    """Space around text, as a fraction of the text height."""
    clock_gap_frac: float
    """Gap between the clock box and the teams box, as a fraction of the text height (0 = joined)."""
    score_separator: str
    strip_layout: StripLayout
    strip_width_frac: float
    """Colour strip thickness, as a fraction of the text height."""
    # Everything below defaults to the FIFA-20 look of :func:`random_style`, whose seeds the
    # team's pinned samples use; :func:`sample_broadcast.varied.varied_style` draws all of it.
    placement: Placement = "top-left"
    clock_position: ClockPosition = "left"
    clock_divider: bool = False
    """A ``|`` between a joined clock and the team codes, as in ``27:10 | LIV 1 - 0 MCI``."""
    score_layout: ScoreLayout = "single"
    split_gap_frac: float = 0.0
    """Gap between split score boxes, as a fraction of the text height."""
    score_cell: ScoreCell = "same"
    """Named for grouping results; the colours themselves are ``score_box_bgr`` (or the kits)."""
    cell_gap_frac: float = 0.0
    """Gap between the team cells and the score cell (0 = one bar), fraction of the text height."""
    code_marker: CodeMarker = "strip"
    crest_shape: CrestShape = "shield"
    crest_height_frac: float = 1.5
    """Crest height as a multiple of the text height: taller than the codes, as in EA SPORTS FC."""
    team_code_length: int = 3
    added_time_box: bool = False
    """Show ``+N`` beside the clock once the clock passes 45:00 or 90:00 (when the match has added time)."""
    added_time_bgr: Bgr = (40, 40, 200)
    cell_fill: CellFill = "flat"
    gradient_strength: float = 0.0
    """How much lighter the top (and darker the bottom) of a gradient cell is, 0..1."""
    text_effect: TextEffect = "none"
    italic_shear: float = 0.0
    """Horizontal shear of every HUD string (0 = upright; 0.2 = strongly slanted)."""
    score_animation: ScoreAnimation = "none"
    font_weight: str = "classic"
    font_width: str = "classic"
    """Weight and width of ``font_path`` as named in the font catalogue, for grouping results."""


@dataclass(frozen=True)
class BroadcastStyle:
    """Everything about a broadcast that is not the match itself."""

    width: int
    height: int
    fps: int
    crf: int
    hud: HudStyle
    chat_overlay: bool
    webcam_overlay: bool
    chat_position: ChatPosition = "right"
    webcam_position: WebcamPosition = "bottom-left"
    scenery_seed: int = 0
    """Seeds crowd, grass texture, player motion and chat text, so the picture varies too."""
    audio: bool = True
    """Twitch segments carry audio; clients must cope with the second stream."""
    rate_control: RateControl = "crf"
    bitrate_kbps: int = 0
    """With ``rate_control="capped"``: the x264 average and maximum bitrate, as a streamer's OBS sets."""
    x264_preset: str = "veryfast"
    """OBS's default; streamers on weak PCs choose superfast or ultrafast (blockier at the same bitrate)."""
    near_hud_widget: bool = False
    """A streamer widget with digits (sub goal, uptime, a bet) just beside or below the HUD."""


def installed_hud_fonts() -> list[Path]:
    """The classic HUD fonts present on this machine, in a stable order (the FIFA-20 looks draw from these)."""
    found = [folder / name for folder in FONT_DIRS for name in HUD_FONT_FILES if (folder / name).is_file()]
    if not found:
        raise FontsMissingError(
            "No HUD font found under /usr/share/fonts/truetype; install one with "
            f"`apt-get install {FONT_PACKAGES}` and run again."
        )
    return found


def _contrasting_text(rng: random.Random, box: Bgr, light_text: bool) -> Bgr:
    if light_text:
        return rng.choice(((255, 255, 255), (235, 240, 245), (200, 235, 250)))
    return rng.choice(((15, 15, 15), (40, 30, 20), (60, 20, 20)))


def random_hud_style(rng: random.Random) -> HudStyle:
    """A plausible FIFA-like HUD; about half light-on-dark and half dark-on-light."""
    light_text = rng.random() < 0.55
    box = rng.choice(DARK_BOXES if light_text else LIGHT_BOXES)
    text = _contrasting_text(rng, box, light_text)
    clock_inverted = rng.random() < 0.3
    clock_box = rng.choice(LIGHT_BOXES if light_text else DARK_BOXES) if clock_inverted else box
    clock_text = _contrasting_text(rng, clock_box, not light_text) if clock_inverted else text
    score_inverted = rng.random() < 0.35
    score_box = rng.choice(LIGHT_BOXES if light_text else DARK_BOXES) if score_inverted else box
    score_text = _contrasting_text(rng, score_box, not light_text) if score_inverted else text
    home_strip, away_strip = rng.sample(KIT_COLOURS, 2)
    return HudStyle(
        font_path=str(rng.choice(installed_hud_fonts())),
        text_height_frac=round(rng.uniform(*TEXT_HEIGHT_RANGE_FRAC), 4),
        offset_x_frac=round(rng.uniform(*HUD_OFFSET_RANGE_FRAC), 4),
        offset_y_frac=round(rng.uniform(*HUD_OFFSET_RANGE_FRAC), 4),
        box_bgr=box,
        text_bgr=text,
        clock_box_bgr=clock_box,
        clock_text_bgr=clock_text,
        score_box_bgr=score_box,
        score_text_bgr=score_text,
        home_strip_bgr=home_strip,
        away_strip_bgr=away_strip,
        box_opacity=round(rng.uniform(0.7, 1.0), 2),
        padding_frac=round(rng.uniform(0.25, 0.6), 2),
        clock_gap_frac=rng.choice((0.0, 0.0, round(rng.uniform(0.1, 0.6), 2))),
        score_separator=rng.choice(("-", " - ", "  -  ", " : ")),
        strip_layout=rng.choice(("outer", "inner", "under")),
        strip_width_frac=round(rng.uniform(0.15, 0.45), 2),
    )


def random_style(seed: int, resolution: Resolution = "720p", fps: int = 30) -> BroadcastStyle:
    """A whole broadcast look drawn from ``seed``; the same seed always gives the same style."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"Unknown resolution {resolution!r}; use one of {', '.join(RESOLUTIONS)}.")
    if fps not in (30, 60):
        raise ValueError(f"fps must be 30 or 60 like Twitch sources, not {fps}.")
    rng = random.Random(f"style:{seed}")
    width, height = RESOLUTIONS[resolution]
    return BroadcastStyle(
        width=width,
        height=height,
        fps=fps,
        crf=rng.randint(*CRF_RANGE),
        hud=random_hud_style(rng),
        chat_overlay=rng.random() < 0.5,
        webcam_overlay=rng.random() < 0.5,
        chat_position=rng.choice(("right", "bottom")),
        webcam_position=rng.choice(("bottom-left", "top-right")),
        scenery_seed=rng.randrange(2**31),
    )
