"""Where the capture task's events go: a Kinesis stream in AWS, a JSON-lines file on a laptop.

The seed project copied its Kafka setup into six services; here the capture task
writes every event through one small `EventSink`, and `sink_for` picks the
destination from the command line.

Example:
    >>> with sink_for(args.out, kinesis_stream=os.environ.get("EVENTS_STREAM")) as sink:
    ...     sink.put(segment_event)   # may linger up to a second to share a PutRecords call
    ...     sink.put(goal_event)      # sent at once, with everything queued before it
"""

from __future__ import annotations

import logging
import random
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

from capture_task.exceptions import CaptureError
from contracts import Event, GoalEvent

logger = logging.getLogger(__name__)

MAX_RECORDS_PER_CALL = 500
MAX_RECORD_BYTES = 1024 * 1024
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
FIRST_BACKOFF_S = 0.1

# Whole-call error codes that mean "too fast" or "not right now": retried without limit.
_RETRYABLE_CALL_ERRORS = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "KMSThrottlingException",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)
# The per-record error codes Kinesis documents for PutRecords; both are transient.
_RETRYABLE_RECORD_ERRORS = frozenset({"ProvisionedThroughputExceededException", "InternalFailure"})


class PublishError(CaptureError):
    """Kinesis refused events for a reason retrying will not fix (missing stream, no permission).

    The events are not dropped: they stay queued in the sink, and the next
    `flush()` tries them again, so a caller may log this, fix the cause and go on.
    """


class EventSink(Protocol):
    """Anything the capture task can hand its events to, in the order they happened."""

    def put(self, event: Event) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class _ClosedOnExit:
    """`with sink:` closes the sink, which sends whatever is still queued."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class JsonLinesSink(_ClosedOnExit):
    """One event per line, flushed at once, so `tail -f` and the detection benchmark see it live.

    A path is truncated on open, like a shell's `>`, because each run of
    `python -m capture_task detect SOURCE --out events.jsonl` is one measurement;
    pass ``append=True`` to keep earlier lines. An open stream (such as
    ``sys.stdout``) is flushed but left open on `close()`: the caller owns it.
    """

    def __init__(self, target: Path | TextIO, *, append: bool = False) -> None:
        self._lock = threading.Lock()
        if isinstance(target, Path):
            target.parent.mkdir(parents=True, exist_ok=True)
            self._file: TextIO = target.open("a" if append else "w", encoding="utf-8")
            self._owns_file = True
        else:
            self._file = target
            self._owns_file = False
        self._closed = False

    def put(self, event: Event) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"cannot write event {event.id}: this JSON-lines sink is closed")
            self._file.write(event.to_json() + "\n")
            self._file.flush()

    def flush(self) -> None:
        with self._lock:
            if not self._closed:
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._file.flush()
            if self._owns_file:
                self._file.close()


@dataclass(frozen=True, slots=True)
class _Record:
    event_id: str
    partition_key: str
    data: bytes

    @property
    def size(self) -> int:
        # Kinesis counts the partition key towards both the record and the call limit.
        return len(self.data) + len(self.partition_key.encode())

    def entry(self) -> dict[str, Any]:
        return {"Data": self.data, "PartitionKey": self.partition_key}


class KinesisSink(_ClosedOnExit):
    """Publishes events to a Kinesis stream with PutRecords, and never drops one.

    The partition key is the event's channel, so one channel's events land on
    one shard in the order they were sent. Goal events are sent at once
    together with everything queued before them; segment events may wait up to
    ``linger_s`` (or until a batch is full) to share a call. A background thread
    sends lingering events when their time is up; without it (``flush_in_background
    =False``) they go with the next `put`, `flush` or `close`.

    Retries: throttling and transient failures are retried without limit, with
    exponential backoff and jitter capped at ``max_backoff_s``; a `put` waits
    meanwhile, which is the back-pressure a live capture wants. Errors that a
    retry cannot fix (missing stream, no permission) raise `PublishError` and
    leave the events queued for the next `flush`.

    Ordering across a retry: PutRecords is not all-or-nothing. When some records
    of a call fail, the ones after them in the same call may already be stored,
    and only the failed ones are sent again — so they land *after* later events
    of the same channel. The PutRecords API reference says as much: a failed
    record does not stop the ones after it, so PutRecords does not guarantee
    order; strict order would take one PutRecord call at a time with
    SequenceNumberForOrdering, far too slow here. A whole call retried after a
    timeout may also store some events twice. Consumers must therefore not rely
    on strict order across a retry: order segments by ``sequence``/``start``,
    goals by ``at``, and deduplicate by event ``id``. Batches never overtake each
    other: the next call starts only when the previous batch is fully stored.
    """

    def __init__(
        self,
        client: Any,
        stream_name: str,
        *,
        max_batch_records: int = MAX_RECORDS_PER_CALL,
        max_batch_bytes: int = MAX_BYTES_PER_CALL,
        linger_s: float = 1.0,
        max_backoff_s: float = 10.0,
        flush_in_background: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= max_batch_records <= MAX_RECORDS_PER_CALL:
            raise ValueError(f"max_batch_records must be 1..{MAX_RECORDS_PER_CALL}, got {max_batch_records}")
        if not 1 <= max_batch_bytes <= MAX_BYTES_PER_CALL:
            raise ValueError(f"max_batch_bytes must be 1..{MAX_BYTES_PER_CALL}, got {max_batch_bytes}")
        if linger_s < 0 or max_backoff_s < 0:
            raise ValueError("linger_s and max_backoff_s must not be negative")
        self._client = client
        self.stream_name = stream_name
        # PutRecords takes either a name or an ARN; accept whichever the deployment hands us.
        self._stream_param = {"StreamARN" if stream_name.startswith("arn:") else "StreamName": stream_name}
        self._max_batch_records = max_batch_records
        self._max_batch_bytes = max_batch_bytes
        self._linger_s = linger_s
        self._max_backoff_s = max_backoff_s
        self._flush_in_background = flush_in_background
        self._sleep = sleep
        self._clock = clock
        self._jitter = random.Random()

        # One condition guards the queue, the counters and the client call, so
        # events leave in the order they were put, whichever thread sends them.
        self._cond = threading.Condition()
        self._queue: deque[_Record] = deque()
        self._deadline: float | None = None
        self._closed = False
        self._background_error: PublishError | None = None
        self._linger_thread: threading.Thread | None = None

        self.records_sent = 0
        """Records Kinesis accepted."""
        self.records_retried = 0
        """Records sent again after a throttled or failed attempt (each resend counts)."""
        self.calls = 0
        """PutRecords calls made, including failed ones."""

    @property
    def pending(self) -> int:
        """Events queued and not yet accepted by Kinesis."""
        with self._cond:
            return len(self._queue)

    def put(self, event: Event) -> None:
        """Queue an event; send now if it is a goal, a batch is full or the oldest has lingered enough."""
        record = _Record(event_id=event.id, partition_key=event.channel, data=event.to_bytes())
        if record.size > MAX_RECORD_BYTES:
            raise ValueError(
                f"{event.type} event {event.id} encodes to {record.size} bytes with its partition key; "
                f"a Kinesis record holds at most {MAX_RECORD_BYTES} bytes — events must carry "
                "locations of media, never the media itself"
            )
        with self._cond:
            if self._closed:
                raise RuntimeError(f"cannot publish event {event.id}: this Kinesis sink is closed")
            if self._background_error is not None:
                error, self._background_error = self._background_error, None
                raise error
            self._queue.append(record)
            if self._deadline is None:
                self._deadline = self._clock() + self._linger_s
            if isinstance(event, GoalEvent) or self._clock() >= self._deadline:
                self._send_queued()
                return
            while self._batch_full():
                # Only full batches leave early; the remainder keeps lingering.
                self._send_batch(self._take_batch())
            if not self._queue:
                self._deadline = None
            elif self._flush_in_background:
                self._ensure_linger_thread()
                self._cond.notify_all()

    def flush(self) -> None:
        """Send everything queued, retrying until Kinesis has accepted it all."""
        with self._cond:
            self._background_error = None
            self._send_queued()

    def close(self) -> None:
        """Send everything queued, then stop the linger thread; later `put` calls raise."""
        try:
            self.flush()
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            if self._linger_thread is not None:
                self._linger_thread.join()

    def _batch_full(self) -> bool:
        queued_bytes = sum(record.size for record in self._queue)
        return len(self._queue) >= self._max_batch_records or queued_bytes >= self._max_batch_bytes

    def _ensure_linger_thread(self) -> None:
        if self._linger_thread is None:
            # A daemon, so a sink someone forgot to close cannot hang the process at exit.
            self._linger_thread = threading.Thread(
                target=self._send_lingering, name=f"kinesis-linger-{self.stream_name}", daemon=True
            )
            self._linger_thread.start()

    def _send_lingering(self) -> None:
        with self._cond:
            while not self._closed:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                remaining_s = self._deadline - self._clock()
                if remaining_s > 0:
                    self._cond.wait(remaining_s)
                    continue
                try:
                    self._send_queued()
                except PublishError as error:
                    # Handed to the caller's next put(); the events stay queued.
                    logger.error("background send to Kinesis failed: %s", error)
                    self._background_error = error

    def _send_queued(self) -> None:
        while self._queue:
            self._send_batch(self._take_batch())
        self._deadline = None

    def _take_batch(self) -> list[_Record]:
        batch: list[_Record] = []
        batch_bytes = 0
        while self._queue and len(batch) < self._max_batch_records:
            size = self._queue[0].size
            if batch and batch_bytes + size > self._max_batch_bytes:
                break
            batch.append(self._queue.popleft())
            batch_bytes += size
        return batch

    def _send_batch(self, batch: list[_Record]) -> None:
        pending = batch
        attempt = 0
        try:
            while pending:
                if attempt:
                    self._sleep(self._backoff_s(attempt))
                    self.records_retried += len(pending)
                pending = self._attempt(pending)
                attempt += 1
        except BaseException:
            # Back to the front of the queue, in order: the sink never drops an event.
            self._queue.extendleft(reversed(pending))
            self._deadline = None
            raise

    def _attempt(self, pending: list[_Record]) -> list[_Record]:
        """One PutRecords call; returns the records still to send, raises when retrying is pointless."""
        self.calls += 1
        try:
            response = self._client.put_records(Records=[r.entry() for r in pending], **self._stream_param)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in _RETRYABLE_CALL_ERRORS or status >= 500:
                logger.warning("PutRecords of %d records failed with %s; retrying", len(pending), code)
                return pending
            raise PublishError(self._explain(code, error)) from error
        except (ConnectionError, HTTPClientError) as error:
            # A timeout may hide a call that did store the records: duplicates are possible.
            logger.warning("PutRecords of %d records failed (%s); retrying", len(pending), error)
            return pending
        except BotoCoreError as error:
            raise PublishError(f"cannot publish to the Kinesis stream {self.stream_name}: {error}") from error

        results = response["Records"]
        failed = [record for record, result in zip(pending, results, strict=True) if result.get("ErrorCode")]
        self.records_sent += len(pending) - len(failed)
        codes = {result["ErrorCode"] for result in results if result.get("ErrorCode")}
        unexpected = codes - _RETRYABLE_RECORD_ERRORS
        if unexpected:
            raise PublishError(
                f"the Kinesis stream {self.stream_name} rejected {len(failed)} records with "
                f"{', '.join(sorted(unexpected))}; they stay queued for the next flush"
            )
        if failed:
            logger.warning(
                "PutRecords stored %d of %d records (%s); resending the rest",
                len(pending) - len(failed),
                len(pending),
                ", ".join(sorted(codes)),
            )
        return failed

    def _backoff_s(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so it grows every attempt."""
        ceiling_s = min(self._max_backoff_s, FIRST_BACKOFF_S * 2 ** (attempt - 1))
        return ceiling_s / 2 + self._jitter.uniform(0, ceiling_s / 2)

    def _explain(self, code: str, error: ClientError) -> str:
        if code == "ResourceNotFoundException":
            return (
                f"the Kinesis stream {self.stream_name} does not exist; deploy the stack "
                "or pass --out FILE to write events to a file"
            )
        if code in ("AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"):
            return (
                f"not allowed to publish to the Kinesis stream {self.stream_name} ({code}); "
                "check the task role's kinesis:PutRecords grant or your AWS credentials"
            )
        return f"the Kinesis stream {self.stream_name} refused PutRecords: {error}"


def sink_for(
    out: str | None,
    *,
    kinesis_stream: str | None,
    session: boto3.session.Session | None = None,
) -> EventSink:
    """The sink the command line asks for: ``--out FILE`` (``-`` is stdout) wins over a stream name.

    Example:
        >>> sink_for("events.jsonl", kinesis_stream=None)          # a laptop run
        >>> sink_for(None, kinesis_stream="highlight-bot-events")  # the Fargate task
    """
    if out == "-":
        return JsonLinesSink(sys.stdout)
    if out:
        return JsonLinesSink(Path(out))
    if kinesis_stream:
        session = session or boto3.session.Session()
        # Our own loop retries throttling without limit; boto3's retries just smooth blips.
        client = session.client("kinesis", config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
        return KinesisSink(client, kinesis_stream)
    raise ValueError(
        "nowhere to publish events: pass --out FILE (or --out - for standard output) "
        "to write JSON lines, or --kinesis-stream NAME with the stream the stack deployed"
    )
