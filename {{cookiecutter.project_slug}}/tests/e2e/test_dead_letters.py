"""Messages that cannot be done end in a dead-letter queue, and come back from it by replay.

A payload the app refuses (489, non-retryable): QStash's DLQ at once, the failure callback
stores the dead letter, and `dlq replay` delivers it again. (A job that keeps raising:
`test_sqs_dead_letters.py` on AWS, `test_worker_route.py` on Google Cloud.)
"""

import json

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.jobs import Job, JobRegistry
from {{ cookiecutter.package_name }}_devkit.qstash_double import DeadLetter

from .conftest import LocalSystem
from .jobs import REFUSED_LABELS, RUNS, Note


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
    assert run.message_id == replayed != letter.message.message_id
    assert letter.dlq_id not in {dead.dlq_id for dead in system.qstash.double.dead_letters()}
