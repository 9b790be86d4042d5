"""The work a thread has done on the scoreboard, in counts that are the same on every machine, and the CPU it
would cost on the reference core.

Why: the search budget (``search_budget``) used to charge searches the CPU they took (``time.thread_time``). On
a slower or busier core fewer searches fit, so on a stream whose searches spend the budget, *when* its HUD was
found depended on the machine: dev-715's three goals were found on a quiet run and lost on a rerun with a second
job beside it; the held-back broadcasts are scored on a machine we never see. Charged by the work done instead
(tesseract's reads and the blobs labelled, which explain a search's CPU to within ~15 % per stream on the dev,
blind and fresh suites: bench/README.md), a search costs the same everywhere, and a capture detects the same
goals on any core. What keeps a slow core's live capture from falling behind is then its lag behind the live
edge, which the capture sees (``capture_task.capture``), not a CPU figure.

Example:
    >>> before = modelled_cpu_s()
    >>> locate_hud(frame, report)
    >>> modelled_cpu_s() - before   # the search's cost on the reference core
    0.42
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

OCR_READ_CPU_S = 0.0025
"""Reference-core CPU seconds of one tesseract read of a canvas (~32 px text, a few glyphs): the bulk of a
search's cost, which tries a row's glyphs in several ways (fit on the searches of seven dev streams, idle)."""
BLOB_CPU_S = 0.000018
"""Reference-core CPU seconds per blob that a threshold labelled: each is sized and sorted in Python, and a
frame full of crowd, chat or a webcam has tens of thousands (same fit)."""


@dataclass
class WorkDone:
    """What this thread has done so far."""

    ocr_reads: int = 0
    blobs_labelled: int = 0


_local = threading.local()


def work_done() -> WorkDone:
    """This thread's counts (each thread its own: the fetcher and a local pipeline's handlers are not charged)."""
    work: WorkDone | None = getattr(_local, "work", None)
    if work is None:
        work = _local.work = WorkDone()
    return work


def count_ocr_read() -> None:
    """One tesseract read done (a kept reading, not read again, costs nothing and is not counted)."""
    work_done().ocr_reads += 1


def count_blobs(blobs: int) -> None:
    """Blobs labelled by one threshold."""
    work_done().blobs_labelled += blobs


def modelled_cpu_s() -> float:
    """The CPU this thread's work so far would take on the reference core: a clock for ``SearchBudget``."""
    work = work_done()
    return work.ocr_reads * OCR_READ_CPU_S + work.blobs_labelled * BLOB_CPU_S
