"""A Kinesis batch processor that stops at the first failed record, keeping a shard's records in order.

Lambda retries a Kinesis batch from the lowest failed sequence number, so every
record after a failure is delivered again anyway. Powertools' BatchProcessor
would still process those later records first, which lets a post-roll segment
be indexed before the segment that failed — and a clip be cut without it.
Failing them unprocessed keeps the index in stream order, which the clip
window rules in ``functions.enrich.index`` rely on.
"""

from __future__ import annotations

import sys
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType


class EarlierRecordFailedError(RuntimeError):
    """This record was not processed because an earlier record of the same shard failed; Lambda retries both."""


class InOrderKinesisProcessor(BatchProcessor):
    """``BatchProcessor(event_type=EventType.KinesisDataStreams)`` that skips (and reports) records after a failure.

    Example:
        >>> process_partial_response(event=event, record_handler=handle, processor=InOrderKinesisProcessor())
        {'batchItemFailures': [{'itemIdentifier': '49590338271490256608559692538361571095921575989136588898'}]}
    """

    def __init__(self) -> None:
        super().__init__(event_type=EventType.KinesisDataStreams)

    def _process_record(self, record: dict[str, Any]) -> Any:
        if not self.fail_messages:
            return super()._process_record(record)
        try:
            raise EarlierRecordFailedError("an earlier record of this shard failed; retrying from there, in order")
        except EarlierRecordFailedError:
            return self.failure_handler(record=self._to_batch_type(record, self.event_type), exception=sys.exc_info())
