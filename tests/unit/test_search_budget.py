"""The search budget: CPU for searches paid in by stream time, spent by searches, up to a burst.

Its clock is a counter, so a search costs exactly what the test says whatever the machine's speed; so is the
product's own (the work done, ``capture_task.vision.work``).
"""

from __future__ import annotations

import logging
import threading

import pytest

from capture_task.vision.search_budget import DEFERRED_WARNING_EVERY_S, SearchBudget
from capture_task.vision.work import BLOB_CPU_S, OCR_READ_CPU_S, count_blobs, count_ocr_read, modelled_cpu_s


class Ticks:
    """A CPU clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def search(budget: SearchBudget, ticks: Ticks, cost_s: float) -> None:
    with budget.spending():
        ticks.now += cost_s


def test_a_search_that_overdraws_the_budget_makes_the_next_wait_until_stream_time_paid_it_back() -> None:
    ticks = Ticks()
    budget = SearchBudget(share=0.1, burst_s=1.0, clock=ticks)
    budget.advance_to(0.0)
    assert budget.allows("first")
    search(budget, ticks, 1.5)  # a search is never cut short: the balance goes to -0.5
    budget.advance_to(4.0)  # +0.4: still -0.1
    assert not budget.allows("second")
    budget.advance_to(6.0)  # +0.2: 0.1
    assert budget.allows("second")
    spent = budget.spending_so_far
    assert (spent.searches, spent.cpu_s, spent.deferred) == (1, 1.5, 1)
    assert spent.lowest_balance_s == pytest.approx(-0.5)


def test_stream_time_without_searches_banks_no_more_than_the_burst() -> None:
    ticks = Ticks()
    budget = SearchBudget(share=0.1, burst_s=1.0, clock=ticks)
    budget.advance_to(0.0)
    budget.advance_to(3600.0)  # an hour with the HUD in view: 360 s earned, 1 kept
    search(budget, ticks, 1.2)
    assert not budget.allows("after the burst")


def test_stream_time_going_back_pays_nothing_in() -> None:
    """A resumed capture or a replayed segment may bring an earlier stream time: it earns nothing twice."""
    ticks = Ticks()
    budget = SearchBudget(share=0.1, burst_s=1.0, clock=ticks)
    budget.advance_to(100.0)
    search(budget, ticks, 1.1)
    budget.advance_to(50.0)
    budget.advance_to(100.0)
    assert not budget.allows("nothing earned")
    budget.advance_to(102.0)
    assert budget.allows("0.2 earned")


def test_a_budget_never_told_the_stream_time_allows_every_search() -> None:
    """A reader given loose frames (not a stream) has no share of stream time to hold to."""
    ticks = Ticks()
    budget = SearchBudget(share=0.1, burst_s=1.0, clock=ticks)
    search(budget, ticks, 5.0)
    assert budget.allows("loose frames")
    assert budget.spending_so_far.deferred == 0


def test_deferrals_are_said_at_once_then_every_few_minutes_with_their_count(caplog: pytest.LogCaptureFixture) -> None:
    ticks = Ticks()
    budget = SearchBudget(share=0.0, burst_s=1.0, clock=ticks)  # nothing is ever paid back
    budget.advance_to(0.0)
    search(budget, ticks, 2.0)
    with caplog.at_level(logging.WARNING, logger="highlight_bot.capture"):
        for second in range(0, int(DEFERRED_WARNING_EVERY_S) + 1, 2):
            budget.advance_to(float(second))
            assert not budget.allows("no scoreboard in view")
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 2
    assert said[0].startswith("searches for the scoreboard have used 2.0 CPU s by 0 s of stream")
    assert "the search due now (no scoreboard in view) waits" in said[0] and "(1 searches deferred" in said[0]
    deferred = int(DEFERRED_WARNING_EVERY_S) // 2 + 1
    assert f"by {DEFERRED_WARNING_EVERY_S:.0f} s of stream" in said[1] and f"({deferred} searches" in said[1]


def test_falling_behind_a_live_edge_every_search_waits_until_the_backlog_shrinks_and_a_change_of_cause_is_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ticks, behind = Ticks(), [True]
    budget = SearchBudget(share=0.1, burst_s=1.0, clock=ticks)
    budget.hold_while(lambda: behind[0])
    budget.advance_to(0.0)
    with caplog.at_level(logging.WARNING, logger="highlight_bot.capture"):
        assert not budget.allows("no scoreboard in view"), "the balance is full, but the capture falls behind"
        behind[0] = False
        assert budget.allows("no scoreboard in view")
        search(budget, ticks, 1.5)
        budget.advance_to(2.0)
        assert not budget.allows("no scoreboard in view"), "the budget spent"
        behind[0] = True
        budget.advance_to(4.0)
        assert not budget.allows("no scoreboard in view")
    spent = budget.spending_so_far
    assert (spent.deferred, spent.held_far_behind) == (3, 2)
    said = [record.getMessage() for record in caplog.records]
    assert len(said) == 3, "each change of cause is said at once, within the few minutes between two warnings"
    assert said[0].startswith("the capture is falling ever further behind the live edge: the search due now")
    assert said[1].startswith("searches for the scoreboard have used 1.5 CPU s") and said[2] == said[0].replace(
        "(1 searches", "(3 searches"
    )


def test_by_default_a_search_is_charged_the_reference_cpu_of_its_work_not_the_time_it_took() -> None:
    """Three tesseract reads and 1000 blobs cost the same on any core, however long this one spends."""

    def charged() -> tuple[float, float]:
        budget = SearchBudget(share=0.1, burst_s=1.0)
        budget.advance_to(0.0)
        with budget.spending():
            for _ in range(3):
                count_ocr_read()
            count_blobs(1000)
            sum(range(200_000))  # CPU spent that is not counted work
        return budget.spending_so_far.cpu_s, modelled_cpu_s()

    cost_s, so_far_s = charged()
    assert cost_s == pytest.approx(3 * OCR_READ_CPU_S + 1000 * BLOB_CPU_S)
    results: list[tuple[float, float]] = []
    worker = threading.Thread(target=lambda: results.append(charged()))
    worker.start()
    worker.join()
    ((thread_cost_s, thread_so_far_s),) = results
    # Each thread's work is its own: this one's reads are not charged there (its clock starts at nothing).
    assert thread_cost_s == pytest.approx(cost_s) and thread_so_far_s == pytest.approx(cost_s)
    assert so_far_s >= cost_s
