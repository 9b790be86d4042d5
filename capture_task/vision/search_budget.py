"""How much CPU the searches for the scoreboard may use: a share of stream time, held like a leaky bucket.

Why: a search of both bands of a 1080p frame costs ~0.05-1.5 CPU s; reading a HUD once found costs ~0.02 CPU s
per second of stream. A stream whose HUD is never found while overlays full of text fill the frame (dev-168: a
chat overlay, white codes on light-grey cells) spent 14 of its 18 CPU s for 54 s of stream in searches: 0.33 CPU s
per stream second, more than the Fargate task's quarter vCPU, so the capture would fall ever further behind the
live edge for as long as the HUD was not found, and late goals are goals lost when the fetch-ahead buffer fills.
The search schedules (every other keyframe, ever more rarely after failures) count keyframes, not CPU; this
bounds the CPU whatever they ask for.

A search is charged the CPU its work would take on the reference core (``work.modelled_cpu_s``: tesseract's
reads and the blobs labelled, by the searching thread only), not the CPU it took here, so the same searches fit on
every machine and a stream's goals do not depend on the core it runs on (``capture_task.vision.work`` says why).
On a core slower than the reference the searches take more of it than the share says; a live capture that falls
behind anyway holds its searches back by its lag (``hold_while``). A search is never cut short: the one that
overdraws the budget finishes, and the next waits until stream time has paid it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from capture_task.vision.work import modelled_cpu_s

logger = logging.getLogger("highlight_bot.capture")

SEARCH_CPU_SHARE = 0.1
"""CPU seconds of searching allowed per second of stream, in the long run. With reading at ~0.02 (bench: ~50x
realtime at 1080p), a capture that searches all the time stays under ~0.12 CPU s per stream second: half the
task's quarter vCPU, headroom for a core slower than the one measured on."""
SEARCH_CPU_BURST_S = 6.0
"""CPU seconds of searching that may run ahead of that share: the first searches of a stream, and those after
a replay or a new match, run at once. On a quarter vCPU that is ~24 s of lag at most, caught up afterwards.
Measured on the dev, blind and fresh suites (bench/README.md): no stream showing a HUD that reads came near it."""
DEFERRED_WARNING_EVERY_S = 300.0
"""Stream seconds between two warnings that searches are being deferred (the first deferral is said at once)."""


@dataclass
class SearchSpending:
    """What the budget allowed and deferred; the benchmark reports these."""

    searches: int = 0
    cpu_s: float = 0.0
    deferred: int = 0
    held_far_behind: int = 0
    """Of those, deferred because the capture was falling ever further behind a live stream (``hold_while``)."""
    lowest_balance_s: float = SEARCH_CPU_BURST_S
    """The least CPU the budget held after a search: how near a stream came to deferring one."""


class SearchBudget:
    """CPU seconds left for searches, paid in by stream time and spent by searches.

    Example:
        >>> budget = SearchBudget()
        >>> budget.advance_to(keyframe.stream_time)   # on every keyframe
        >>> if budget.allows("no HUD found yet"):
        ...     with budget.spending():
        ...         locate_hud(frame)
    """

    def __init__(
        self,
        *,
        share: float = SEARCH_CPU_SHARE,
        burst_s: float = SEARCH_CPU_BURST_S,
        clock: Callable[[], float] = modelled_cpu_s,
    ) -> None:
        self._share = share
        self._burst_s = burst_s
        self._clock = clock
        self._balance_s = burst_s
        self._stream_time: float | None = None
        self._warned_at: float | None = None
        self._far_behind: Callable[[], bool] | None = None
        self._held = False
        """Whether the last deferral said was for the capture's lag (a change of cause is said at once)."""
        self.spending_so_far = SearchSpending(lowest_balance_s=burst_s)

    def advance_to(self, stream_time: float) -> None:
        """Pay in the share of the stream time gone by since the last call (up to the burst)."""
        previous = self._stream_time
        if previous is not None and stream_time <= previous:
            return
        if previous is not None:
            self._balance_s = min(self._balance_s + (stream_time - previous) * self._share, self._burst_s)
        self._stream_time = stream_time

    def hold_while(self, far_behind: Callable[[], bool]) -> None:
        """Defer every search while ``far_behind()`` says the capture is falling ever further behind a live stream
        (``LiveEdge.far_behind``). Why: the share is counted in reference-core seconds; on a slower core, or one
        shared, searching at the share's pace can keep the analysis from ever catching up, and every goal comes
        later (the fetch-ahead buffer spills to disk, and drops segments only hours behind). Reading the HUD found
        goes on; the searches resume once the backlog shrinks."""
        self._far_behind = far_behind

    def allows(self, why: str) -> bool:
        """Whether a search may run now; a refused one is counted and said (at most every few minutes). A budget
        never told the stream time (a reader given loose frames, not a stream) has no share to hold to: it allows."""
        now = self._stream_time
        if now is None:
            return True
        held_back = self._far_behind is not None and self._far_behind()
        if self._balance_s > 0 and not held_back:
            return True
        spent = self.spending_so_far
        spent.deferred += 1
        spent.held_far_behind += held_back
        if self._warned_at is None or now - self._warned_at >= DEFERRED_WARNING_EVERY_S or held_back != self._held:
            self._warned_at, self._held = now, held_back
            logger.warning(
                "%s: the search due now (%s) waits, so that the capture keeps up with the live edge (%d searches "
                "deferred so far); a HUD shown meanwhile is found later",
                "the capture is falling ever further behind the live edge"
                if held_back
                else f"searches for the scoreboard have used {spent.cpu_s:.1f} CPU s by {now:.0f} s of stream, all "
                f"of their share ({self._burst_s:.1f} CPU s at once, then {self._share:.0%} of stream time)",
                why,
                spent.deferred,
            )
        return False

    @contextmanager
    def spending(self) -> Iterator[None]:
        """Charge the block's work (its reference-core CPU seconds, ``clock``) to the budget."""
        start = self._clock()
        try:
            yield
        finally:
            used = max(self._clock() - start, 0.0)
            self._balance_s -= used
            spent = self.spending_so_far
            spent.searches += 1
            spent.cpu_s += used
            spent.lowest_balance_s = min(spent.lowest_balance_s, self._balance_s)
