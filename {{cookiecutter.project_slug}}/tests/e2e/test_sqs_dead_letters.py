"""AWS: a job that keeps raising is retried by SQS, then its redrive policy dead-letters it."""

import time

from .conftest import LocalSystem
from .jobs import RUNS


def test_job_that_keeps_failing_is_retried_by_sqs_then_dead_lettered(
    system: LocalSystem,
) -> None:
    with system.publisher() as publisher:
        result = publisher.publish("e2e-note", {"label": "doomed", "fail": True})
    system.wait_until_settled()

    # Ran, raised, came back. Not always once per receive: the visibility timeout is one real
    # second, and on a loaded machine a receive can find the previous run still in progress
    # (the worker's idempotency record refuses it without running the job), so count the runs
    # within the bounds SQS sets rather than exactly.
    # SQS moves the message to the dead-letter queue on the receive after its last failure, so
    # look until it is there; the deadline only guards a hang.
    deadline = time.monotonic() + 30
    found = [e for e in system.sqs_dead_letters() if e.message_id == result.message_id]
    while not found and time.monotonic() < deadline:
        time.sleep(0.2)
        found = [e for e in system.sqs_dead_letters() if e.message_id == result.message_id]
    assert 2 <= RUNS.failures <= system.resources.max_receive_count
    (envelope,) = found
    assert envelope.payload == {"label": "doomed", "fail": True}
    (attempt,) = system.qstash.double.attempts(result.message_id)
    assert attempt.status == 202  # for QStash the hand-off was the success
