"""What the person running the demo sees: a live status panel, then a summary table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from contracts import highlight_title
from local_pipeline.pipeline import LocalRun

TRUTH_TOLERANCE_S = 1.0


def live_view(run: LocalRun) -> Group:
    stats = run.capture_stats[-1] if run.capture_stats else None
    reading = stats.last_reading if stats else None
    score = (
        f"{reading.teams.home} {reading.score.home}-{reading.score.away} {reading.teams.away}  ({reading.clock})"
        if reading
        else "looking for the scoreboard…"
    )
    hooks = [t for t in run.triggers if t.name in ("gallery", "webhook")]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("channel", f"{run.channel}  [dim]{run.source}[/dim]")
    table.add_row("emulated AWS", f"[dim]{run.endpoint_url or 'starting…'}[/dim]")
    table.add_row("stream time", f"{sum(s.stream_seconds for s in run.capture_stats):.0f} s")
    table.add_row("segments stored", _segments_stored(run))
    table.add_row("score as read", score)
    table.add_row("goals found", str(len(run.goals)))
    table.add_row("goal alerts", str(len(run.alerts)))
    table.add_row("clips made", str(len(run.highlights)))
    table.add_row("match reels", str(len(run.reels)))
    table.add_row(
        "hook results", "  ".join(f"{t.name}: {t.stats.invocations - len(t.stats.failures)} ok" for t in hooks)
    )
    parts: list[Table | Text] = [table]
    parts += [Text(f"! {failure}", style="red") for failure in run.failures[-3:]]
    return Group(*parts)


def _segments_stored(run: LocalRun) -> str:
    """Kept / read: the capture task stores only the segments around goals (capture_task.publish.keeper)."""
    kept = sum(s.segments_kept - s.segments_unstored for s in run.capture_stats)
    read = sum(s.segments for s in run.capture_stats)
    return f"{kept} of {read} segments"


def truth_errors(run: LocalRun) -> dict[str, float | None]:
    """For the sample stream: each goal's time error against the generator's truth (None: not in it)."""
    if run.truth is None:
        return {}
    errors: dict[str, float | None] = {}
    for goal in run.goals:
        candidates = [
            (goal.at - datetime.fromisoformat(want["at"].replace("Z", "+00:00"))).total_seconds()
            for want in run.truth["goals"]
            if want["score"] == goal.score.model_dump()
        ]
        errors[goal.id] = min(candidates, key=abs) if candidates else None
    return errors


def print_summary(console: Console, run: LocalRun) -> None:
    errors = truth_errors(run)
    entries = {entry.goal_id: entry for entry in run.entries}
    table = Table(title=f"highlight-bot, local run: {run.channel}")
    table.add_column("goal at (UTC)")
    table.add_column("goal", no_wrap=True)
    table.add_column("clip", no_wrap=True)
    table.add_column("length", justify="right")
    table.add_column("alert", justify="right")
    table.add_column("latency", justify="right")
    if run.truth is not None:
        table.add_column("vs truth", justify="right")
    for goal in sorted(run.goals, key=lambda g: g.at):
        entry = entries.get(goal.id)
        latency = run.latencies_s.get(goal.id)
        alert = run.alert_latencies_s.get(goal.id)
        cells = [
            goal.at.strftime("%H:%M:%S.%f")[:-3],
            highlight_title(goal),
            Path(entry.clip.href).name[:10] + "….mp4" if entry and entry.clip else "[red]none[/red]",
            _length(run, goal.id, entry.clip.duration_s if entry and entry.clip else None),
            f"{alert:.1f} s" if alert is not None else "-",
            f"{latency:.1f} s" if latency is not None else "-",
        ]
        if run.truth is not None:
            error = errors.get(goal.id)
            cells.append("not in truth" if error is None else f"{error:+.2f} s")
        table.add_row(*cells)
    console.print(table)
    for highlight in run.highlights:
        if highlight.partial:
            console.print(f"[yellow]{highlight.title}: {highlight.partial.summary}[/yellow]")
    for goal in sorted(run.goals, key=lambda g: g.at):
        if goal.id in run.goals_without_clip:
            console.print(f"[red]{highlight_title(goal)} has no clip: {run.goals_without_clip[goal.id]}[/red]")
    for reel in run.reels:
        for missing in reel.goals_without_clip:
            console.print(f"[red]{reel.title} goes without {missing.title}: {missing.reason}[/red]")
    capture_cpu = sum(s.cpu_s for s in run.capture_stats)
    stream_s = sum(s.stream_seconds for s in run.capture_stats)
    console.print(
        f"{stream_s:.0f} s of stream read with {capture_cpu:.1f} CPU s, {_segments_stored(run)} in S3; "
        f"{len(run.highlights)} highlight(s) and {len(run.reels)} match reel(s) delivered; webhook messages: "
        f"{len(run.chat.messages) if run.chat else 0} ({len(run.alerts)} posted as goal alerts, then edited)"
    )


def _length(run: LocalRun, goal_id: str, duration_s: float | None) -> str:
    """The clip's length, and the seconds it lacks (``−8.9``) when part of its window was missing."""
    if duration_s is None:
        return "[red]no clip[/red]" if goal_id in run.goals_without_clip else "-"
    highlight = next((h for h in run.highlights if h.goal.id == goal_id), None)
    if highlight is None or highlight.partial is None:
        return f"{duration_s:.1f} s"
    return f"{duration_s:.1f} s [yellow]−{highlight.partial.missing_s:.1f}[/yellow]"  # explained below the table


def verdict(run: LocalRun) -> tuple[bool, str]:
    """Did the run succeed? One sentence either way."""
    if run.failures:
        return False, f"The run hit {len(run.failures)} error(s); the first: {run.failures[0]}"
    clipped = {h.goal.id for h in run.highlights}
    unclipped = [g for g in run.goals if g.id not in clipped]
    if unclipped:
        reasons = [run.goals_without_clip[g.id] for g in unclipped if g.id in run.goals_without_clip]
        why = f" The first had no clip because {reasons[0]}" if reasons else ""
        return False, f"{len(unclipped)} goal(s) were found but never became a clip.{why}"
    if run.truth is None:
        return True, f"{len(run.goals)} goal(s) found, each clipped and delivered to the hooks."
    expected = len(run.truth["goals"])
    on_time = [e for e in truth_errors(run).values() if e is not None and abs(e) <= TRUTH_TOLERANCE_S]
    if len(on_time) != expected or len(run.goals) != expected:
        return False, (
            f"The sample has {expected} goals; {len(on_time)} were found within 1 s "
            f"and {len(run.goals) - len(on_time)} others were reported."
        )
    return True, f"All {expected} goals of the sample found within 1 s, clipped, and delivered to the hooks."
