"""What the Lambda service does in the cloud, done by threads on this machine.

Each trigger polls an emulated resource the way the real event source mapping
or subscription does, builds the exact event AWS would deliver, calls the real
handler in-process and treats its answer as AWS would: partial batch failures
are retried a bounded number of times, then given up on (logged and counted,
like an on-failure destination); nothing here ever stops the other stages.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local_pipeline.lambda_events import LocalLambdaContext, kinesis_event, sns_envelope, sns_event, sqs_event

logger = logging.getLogger("highlight_bot.local")

Handler = Callable[[dict[str, Any], Any], Any]
IDLE_POLL_S = 0.2
RETRY_ATTEMPTS = 3
"""As the stack configures: three retries, then the batch goes to the on-failure destination."""


@dataclass
class TriggerStats:
    """Counts the live view and the summary show."""

    invocations: int = 0
    records: int = 0
    failures: list[str] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)
    """When a handler call last began or ended (``time.monotonic``)."""
    busy: bool = False
    """A handler call is running now: a slow one (a vertical re-encode on a loaded laptop) is progress, not a stall."""


class Trigger(threading.Thread):
    """A polling loop around one handler; `stop()` ends it after the current call."""

    def __init__(self, name: str, handler: Handler) -> None:
        super().__init__(name=name, daemon=True)
        self.handler = handler
        self.stats = TriggerStats()
        self.context = LocalLambdaContext(function_name=name)
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                worked = self.poll_once()
            except Exception as error:
                self._fail(f"{self.name}: {error}")
                worked = False
            if not worked:
                self._stopped.wait(IDLE_POLL_S)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def invoke(self, event: dict[str, Any]) -> Any:
        self.stats.invocations += 1
        self.stats.records += len(event["Records"])
        self.stats.last_activity = time.monotonic()
        self.stats.busy = True
        try:
            return self.handler(event, self.context)
        finally:
            self.stats.busy = False
            self.stats.last_activity = time.monotonic()

    def _fail(self, message: str) -> None:
        logger.error(message)
        self.stats.failures.append(message)


class KinesisTrigger(Trigger):
    """The enrich function's Kinesis event source mapping (one shard, in order, partial batch responses)."""

    def __init__(self, name: str, handler: Handler, kinesis: Any, stream_name: str, batch_size: int = 100) -> None:
        super().__init__(name, handler)
        self._kinesis = kinesis
        description = kinesis.describe_stream(StreamName=stream_name)["StreamDescription"]
        self._stream_arn = description["StreamARN"]
        self._stream_name = stream_name
        self._shard_id = description["Shards"][0]["ShardId"]
        self._batch_size = batch_size
        self._iterator = self._iterator_at(None)
        self._attempts: dict[str, int] = {}
        self.empty_polls = 0
        """Polls that found no new record: once one follows the capture's end, enrich has taken every event."""

    def _iterator_at(self, sequence: str | None) -> str:
        position = {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": sequence}
        arguments = position if sequence else {"ShardIteratorType": "TRIM_HORIZON"}
        iterator: str = self._kinesis.get_shard_iterator(
            StreamName=self._stream_name, ShardId=self._shard_id, **arguments
        )["ShardIterator"]
        return iterator

    def poll_once(self) -> bool:
        page = self._kinesis.get_records(ShardIterator=self._iterator, Limit=self._batch_size)
        records = page["Records"]
        next_iterator = page["NextShardIterator"]
        if not records:
            self._iterator = next_iterator
            self.empty_polls += 1
            return False
        try:
            response = self.invoke(kinesis_event(self._stream_arn, self._shard_id, records)) or {}
            failed = [item["itemIdentifier"] for item in response.get("batchItemFailures", [])]
        except Exception as error:
            logger.warning("enrich raised %s; the batch is retried", error)
            failed = [records[0]["SequenceNumber"]]
        if not failed:
            self._iterator = next_iterator
            return True
        first = min(failed, key=int)
        attempts = self._attempts[first] = self._attempts.get(first, 0) + 1
        if attempts > RETRY_ATTEMPTS:
            self._fail(f"enrich gave up on records from sequence {first} after {RETRY_ATTEMPTS} retries")
            self._iterator = next_iterator
        else:
            time.sleep(0.5 * attempts)
            self._iterator = self._iterator_at(first)
        return True


class QueueTrigger(Trigger):
    """An SQS event source mapping (batch size 1, partial batch responses), as clip and vertical have.

    One trigger is one invocation at a time; several on one queue (vertical's) take its messages side by side, as
    the mapping's maximum concurrency lets Lambda do. A received message stays invisible to the others for the
    queue's visibility timeout, so it must exceed the longest call.
    """

    def __init__(self, name: str, handler: Handler, sqs: Any, queue_url: str) -> None:
        super().__init__(name, handler)
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def poll_once(self) -> bool:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=1,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return False
        try:
            response = self.invoke(sqs_event(self._queue_arn, messages)) or {}
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        except Exception as error:
            self._fail(f"{self.name} raised: {error}")
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] not in failed:
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
            else:
                # Lambda leaves it for the visibility timeout; locally, make it visible again soon.
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=2
                )
        return True


class TopicSubscription(Trigger):
    """A hook subscribed to the highlights topic: SNS delivers to it through its own queue, with its filter."""

    def __init__(
        self, name: str, handler: Handler, sns: Any, sqs: Any, topic_arn: str, filter_policy: dict[str, Any]
    ) -> None:
        super().__init__(name, handler)
        self._sqs = sqs
        self._queue_url = sqs.create_queue(QueueName=f"highlight-bot-local-hook-{name}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.subscription_arn = sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"FilterPolicy": json.dumps(filter_policy)} if filter_policy else {},
        )["SubscriptionArn"]
        self.delivered: list[tuple[float, dict[str, Any]]] = []
        """(wall time, SNS envelope) of every highlight this hook handled."""

    def poll_once(self) -> bool:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return False
        message = messages[0]
        envelope = sns_envelope(message["Body"])
        received = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        try:
            self.invoke(sns_event(self.subscription_arn, envelope))
            self.delivered.append((time.time(), envelope))
        except Exception as error:
            if received < RETRY_ATTEMPTS:
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=1
                )
                return True
            self._fail(f"hook {self.name} failed: {error}")
        self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True
