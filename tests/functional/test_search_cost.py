"""A search's cost is counted from its work, so the same search costs the same on every core.

Why: the search budget charges ``work.modelled_cpu_s``; if its counts missed a search's tesseract reads or blobs,
the budget would let searches run unbounded, and if they depended on timing, detection would again depend on
the machine.
"""

from __future__ import annotations

import random
import threading

import numpy as np

from capture_task.vision.locate import LocateReport, _read_pixels, locate_hud
from capture_task.vision.work import WorkDone, modelled_cpu_s, work_done
from tests.functional.hud_drawing import HudText, paint, random_look


def _searched_on_a_fresh_thread(frame: np.ndarray) -> tuple[WorkDone, float, bool]:
    """The work one search of ``frame`` counted, on a thread of its own (its own engine and kept readings), with
    no token reading kept from before (a repeated search reads none again: a kept reading is no work)."""
    _read_pixels.cache_clear()
    results: list[tuple[WorkDone, float, bool]] = []

    def search() -> None:
        found = locate_hud(frame, LocateReport()) is not None
        results.append((work_done(), modelled_cpu_s(), found))

    worker = threading.Thread(target=search)
    worker.start()
    worker.join()
    (result,) = results
    return result


def test_the_same_search_counts_the_same_work_and_a_search_that_reads_counts_its_reads() -> None:
    frame = paint(random_look(random.Random(11)), HudText("LIV", "MCI", 2, 1, "61:05"), seed=3)
    first, first_cost_s, found = _searched_on_a_fresh_thread(frame)
    again, again_cost_s, _ = _searched_on_a_fresh_thread(frame)
    assert found
    assert first.ocr_reads > 0 and first.blobs_labelled > 0
    assert (again, again_cost_s) == (first, first_cost_s)
    empty, empty_cost_s, found_in_empty = _searched_on_a_fresh_thread(np.full_like(frame, 60))
    assert not found_in_empty and empty.ocr_reads == 0 and 0 < empty_cost_s < first_cost_s
