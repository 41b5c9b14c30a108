"""A local stand-in for the Lambda SQS event source mapping: poll, invoke, delete successes.

What AWS does for a function with an SQS trigger and `ReportBatchItemFailures`
(https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): receive up to
a batch of messages, invoke the function with them as one SQS event, delete the records the
function did not report in `batchItemFailures`, and leave the reported ones (every record, when
the invocation itself raised) to reappear after the queue's visibility timeout. The queue's
redrive policy, not the poller, moves a message that keeps failing to the dead-letter queue.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from .lambda_context import LocalLambdaContext
from .sqs import sqs_event

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import DeleteMessageBatchRequestEntryTypeDef, MessageTypeDef

logger = logging.getLogger(__name__)

WorkerHandler = Callable[[dict[str, Any], LocalLambdaContext], Mapping[str, Any]]
"""The worker Lambda's handler: `(event, context) -> {"batchItemFailures": [...]}`."""

MAX_BATCH_SIZE = 10
"""The most messages one `ReceiveMessage` call returns."""


@dataclass
class EventSourceStats:
    """What the poller did so far.

    Attributes:
        invocations: Handler invocations (one per non-empty batch).
        records: Records handed to the handler, retries included.
        failed_records: Records the handler reported as failed.
        failed_invocations: Invocations that raised (every record of the batch failed).
        deleted: Messages deleted after their record succeeded.
    """

    invocations: int = 0
    records: int = 0
    failed_records: int = 0
    failed_invocations: int = 0
    deleted: int = 0


class SqsEventSource:
    """Polls one SQS queue in a thread and feeds its messages to a worker handler.

    Args:
        client: The SQS client to poll with (thread-safe once created).
        queue_url: The queue's URL.
        handler: The worker handler, called with a real-shaped SQS event and a
            `LocalLambdaContext`.
        queue_arn: The queue's ARN, put in each record's `eventSourceARN` (default: asked
            from SQS).
        batch_size: Messages per invocation, 1 to 10 (the mapping's `BatchSize`).
        wait_seconds: Long-poll wait of each receive, in whole seconds.
        function_timeout: The simulated function timeout, in seconds (the context's
            `get_remaining_time_in_millis` counts down from it).

    Raises:
        ValueError: `batch_size` is not between 1 and 10.
    """

    def __init__(
        self,
        client: "SQSClient",
        queue_url: str,
        handler: WorkerHandler,
        *,
        queue_arn: str | None = None,
        batch_size: int = MAX_BATCH_SIZE,
        wait_seconds: int = 1,
        function_timeout: float = 60.0,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH_SIZE}")
        self._client = client
        self.queue_url = queue_url
        self._handler = handler
        if queue_arn is None:
            attributes = client.get_queue_attributes(
                QueueUrl=queue_url, AttributeNames=["QueueArn"]
            )
            queue_arn = attributes["Attributes"]["QueueArn"]
        self.queue_arn = queue_arn
        self._batch_size = batch_size
        self._wait_seconds = wait_seconds
        self._function_timeout = function_timeout
        self._stopping = threading.Event()
        self._state = threading.Condition()
        self._handling = False
        self._thread: threading.Thread | None = None
        self.stats = EventSourceStats()

    # Lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        """Start polling in a daemon thread."""
        self._stopping = stopping = threading.Event()  # its own: an old poller may linger
        self._thread = threading.Thread(
            target=self._run, args=(stopping,), name="sqs-event-source", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop polling; wait for the batch in hand, if any, to be handled and deleted.

        A receive still waiting in its long poll is not waited for: whatever it returns is
        left in the queue, visible again after the visibility timeout (as when a real event
        source mapping is disabled).

        Args:
            timeout: Real seconds to wait for the batch in hand.
        """
        with self._state:
            self._stopping.set()
            self._state.wait_for(lambda: not self._handling, timeout=timeout)
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self._poll(stopping)
            except Exception:  # e.g. SQS unreachable: keep polling, like the real mapping
                if stopping.is_set():
                    return
                logger.exception("polling %s failed", self.queue_url)
                stopping.wait(0.5)

    # Work -----------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Receive one batch, invoke the handler with it, delete the records that succeeded.

        Returns:
            How many records the batch had (0 when the queue was empty).
        """
        return self._poll(self._stopping)

    def _poll(self, stopping: threading.Event) -> int:
        messages = self._client.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=self._wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        with self._state:
            if stopping.is_set():
                return 0  # stopped during the long poll: leave them to the next poller
            self._handling = True
        try:
            self._handle(messages)
        finally:
            with self._state:
                self._handling = False
                self._state.notify_all()
        return len(messages)

    def _handle(self, messages: list["MessageTypeDef"]) -> None:
        self.stats.invocations += 1
        self.stats.records += len(messages)
        context = LocalLambdaContext(
            function_name="worker",
            aws_request_id=str(uuid.uuid4()),
            timeout_seconds=self._function_timeout,
        )
        try:
            response = self._handler(sqs_event(messages, self.queue_arn), context)
        except Exception:
            # A raising invocation fails the whole batch: nothing is deleted.
            logger.exception("the worker raised; %d record(s) will be retried", len(messages))
            self.stats.failed_invocations += 1
            self.stats.failed_records += len(messages)
            return
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        self.stats.failed_records += len(failed)
        done: list[DeleteMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages)
            if message["MessageId"] not in failed
        ]
        if done:
            result = self._client.delete_message_batch(QueueUrl=self.queue_url, Entries=done)
            self.stats.deleted += len(result.get("Successful", []))

    def pending(self) -> int:
        """Messages still in the queue: visible, in flight (received, not deleted) or delayed."""
        attributes = self._client.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(
            int(value)
            for name, value in attributes.items()
            if name.startswith("ApproximateNumberOfMessages")
        )

    def wait_until_drained(self, timeout: float = 30.0, poll_seconds: float = 0.05) -> None:
        """Block until the queue is empty: every job ran and was deleted, or was dead-lettered.

        A job whose run failed stays in the queue (in flight, then visible again) until it
        succeeds or the redrive policy moves it to the dead-letter queue, so an empty queue
        means every side effect that will happen has happened.

        Args:
            timeout: Real seconds to wait.
            poll_seconds: Real seconds between looks at the queue's counters.

        Raises:
            TimeoutError: Messages are still in the queue; the message says how many.
        """
        deadline = time.monotonic() + timeout
        while (left := self.pending()) > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{left} message(s) still in {self.queue_url} after {timeout}s")
            time.sleep(poll_seconds)
