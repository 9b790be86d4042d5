"""What the person running the demo sees: a live status line, then a summary table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from capture_task.capture import CaptureStats


@dataclass
class PipelineStatus:
    """Everything the live view shows; the pipeline's threads update it."""

    channel: str
    source: str
    capture: CaptureStats | None = None
    clips: list[str] = field(default_factory=list)
    hook_results: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def live_view(status: PipelineStatus) -> Group:
    capture = status.capture
    reading = capture.last_reading if capture else None
    score = (
        f"{reading.teams.home} {reading.score.home}-{reading.score.away} {reading.teams.away}  ({reading.clock})"
        if reading
        else "no scoreboard yet"
    )
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("channel", f"{status.channel}  [dim]{status.source}[/dim]")
    table.add_row("stream time", f"{capture.stream_seconds:.0f} s" if capture else "-")
    table.add_row("score as read", score)
    table.add_row("goals found", str(len(capture.goals)) if capture else "0")
    table.add_row("clips made", str(len(status.clips)))
    table.add_row("hook results", ", ".join(status.hook_results[-4:]) or "-")
    parts: list[Table | Text] = [table]
    parts += [Text(f"! {error}", style="red") for error in status.errors[-3:]]
    return Group(*parts)


@dataclass(frozen=True)
class GoalRow:
    """One line of the summary: a goal found, and how it compares with the sample's truth."""

    at: str
    title: str
    clip: str
    truth_error_s: float | None


def print_summary(console: Console, status: PipelineStatus, rows: Sequence[GoalRow], expected: int | None) -> None:
    table = Table(title=f"highlight-bot: {status.channel}", show_lines=False)
    table.add_column("goal at (UTC)")
    table.add_column("goal")
    table.add_column("clip")
    if expected is not None:
        table.add_column("vs truth", justify="right")
    for row in rows:
        cells = [row.at, row.title, row.clip]
        if expected is not None:
            cells.append("missing" if row.truth_error_s is None else f"{row.truth_error_s:+.2f} s")
        table.add_row(*cells)
    console.print(table)
    capture = status.capture
    if capture is not None:
        console.print(
            f"{capture.segments} segments ({capture.stream_seconds:.0f} s of stream), "
            f"{capture.cpu_s:.1f} CPU s for capture (realtime factor {capture.realtime_factor:.1f}x)"
        )
