"""Messages that cannot be done end in a dead-letter queue, and come back from it by replay.

A job that keeps raising: SQS retries it, then its redrive policy moves it to the SQS
dead-letter queue. A payload the app refuses (489, non-retryable): QStash's DLQ at once, the
failure callback stores the dead letter, and `dlq replay` delivers it again.
"""

import json
import time

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.jobs import Job, JobRegistry
from {{ cookiecutter.package_name }}_devkit.qstash_double import DeadLetter
from {{ cookiecutter.package_name }}_devkit.stack import LocalSystem

from .conftest import REFUSED_LABELS, RUNS, Note


def publish_refused(system: LocalSystem, label: str) -> DeadLetter:
    """Publish a payload the app refuses, as a producer with an outdated model would."""
    REFUSED_LABELS.add(label)
    outdated = JobRegistry()
    outdated.register(Job("e2e-strict", Note, run=lambda payload, context: None))
    with system.publisher(jobs=outdated) as publisher:
        result = publisher.publish("e2e-strict", {"label": label})
    system.wait_until_settled()
    (letter,) = [
        letter
        for letter in system.qstash.double.dead_letters()
        if letter.message.message_id == result.message_id
    ]
    return letter


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


def test_refused_payload_goes_to_the_qstash_dlq_without_retries(system: LocalSystem) -> None:
    letter = publish_refused(system, "poison")

    attempts = system.qstash.double.attempts(letter.message.message_id)
    assert [attempt.status for attempt in attempts] == [489]
    assert letter.response.header("Upstash-NonRetryable-Error") == "true"
    assert RUNS.labels() == []


def test_failure_callback_stores_the_dead_letter_once(system: LocalSystem) -> None:
    letter = publish_refused(system, "stored")

    stored = [
        dead
        for dead in system.services.store.dead_letters()
        if dead.source_message_id == letter.message.message_id
    ]
    assert [(dead.dlq_id, dead.response_status) for dead in stored] == [(letter.dlq_id, 489)]
    assert json.loads(stored[0].source_body) == {"label": "stored"}


def test_dlq_replay_delivers_the_dead_letter_again(
    system: LocalSystem, capsys: pytest.CaptureFixture[str]
) -> None:
    letter = publish_refused(system, "replayed")
    REFUSED_LABELS.discard("replayed")  # the fix is deployed
    capsys.readouterr()

    assert main(["dlq", "replay", letter.dlq_id, "--json"]) == 0
    replayed = json.loads(capsys.readouterr().out)["messageId"]
    system.wait_until_settled()

    (run,) = RUNS.of("replayed")
    assert run.context.message_id == replayed != letter.message.message_id
    assert letter.dlq_id not in {dead.dlq_id for dead in system.qstash.double.dead_letters()}
