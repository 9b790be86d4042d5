"""The records one logger emits, caught by a handler on that logger itself.

Why not caplog: caplog sees records only through the root logger, and in an xdist worker an earlier
test's logging setup (a Powertools logger, propagation turned off) can hide them from it. A handler
on the logger the code writes to sees them whatever the rest of logging looks like.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class LoggerRecords(logging.Handler):
    """Every record of one logger (and its children) while installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int | None = None) -> list[str]:
        """The messages, of one level only when ``level`` is given."""
        return [record.getMessage() for record in self.records if level is None or record.levelno == level]


@contextmanager
def records_of(logger_name: str) -> Iterator[LoggerRecords]:
    """Catch the records of ``logger_name`` for the block's duration."""
    handler = LoggerRecords()
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
