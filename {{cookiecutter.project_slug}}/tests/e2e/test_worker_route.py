"""Google Cloud: the hand-off is a re-publish through QStash to the function's worker route.

What only this target does: the job route answers 202 once QStash accepted the re-publish
(503 with `Retry-After` when it refused), QStash delivers the job to the worker route, which
answers 500 while the job raises, until QStash gives up and the failure callback stores the
dead letter; both deliveries report to the callback, and everything lands in Firestore.
"""

from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.paths import worker_path
from {{ cookiecutter.package_name }}_devkit.qstash_double import Message

from .conftest import LocalSystem
from .jobs import RUNS


def publish(system: LocalSystem, label: str, *, fail: bool = False) -> str:
    with system.publisher() as publisher:
        return publisher.publish("e2e-note", {"label": label, "fail": fail}).message_id


def statuses(system: LocalSystem, message_id: str) -> list[int | None]:
    return [attempt.status for attempt in system.qstash.double.attempts(message_id)]


def worker_message(system: LocalSystem, original_id: str) -> Message:
    """The message the function re-published to its worker route for the original message."""
    (message,) = [
        message
        for message in system.qstash.double.messages(kind="message")
        if message.url.startswith(system.base_url + worker_path(""))
        and JobEnvelope.from_json(message.body.decode()).message_id == original_id
    ]
    return message


def test_job_is_re_published_to_the_worker_route_and_run_there(system: LocalSystem) -> None:
    original = publish(system, "handed off")
    system.wait_until_settled()
    worker = worker_message(system, original)

    assert statuses(system, original) == [202]
    assert worker.url == system.base_url + worker_path("e2e-note")
    assert worker.options.deduplication_id == original
    assert statuses(system, worker.message_id) == [200]
    (run,) = RUNS.of("handed off")
    assert run.message_id == original


def test_callbacks_of_both_deliveries_are_recorded_in_firestore(system: LocalSystem) -> None:
    original = publish(system, "called back")
    system.wait_until_settled()
    worker = worker_message(system, original)

    (accepted,) = system.services.store.outcomes(original)
    (ran,) = system.services.store.outcomes(worker.message_id)
    assert (accepted.status, accepted.url) == (202, f"{system.base_url}/qstash/jobs/e2e-note")
    assert (ran.status, ran.url) == (200, worker.url)


def test_refused_re_publish_answers_503_and_qstash_retries_after_retry_after(
    system: LocalSystem,
) -> None:
    with system.handoff_down():
        original = publish(system, "outage")
        system.qstash.double.wait_until_idle()  # the first attempt is over, the retry waits
        assert statuses(system, original) == [503]
        assert RUNS.labels() == []
    system.wait_until_settled()

    first, second = system.qstash.double.attempts(original)
    assert (first.status, second.status) == (503, 202)
    assert second.at - first.at == system.services.settings.handoff_retry_after_seconds
    assert RUNS.labels() == ["outage"]


def test_job_that_keeps_failing_is_dead_lettered_and_the_failure_callback_stores_it(
    system: LocalSystem,
) -> None:
    original = publish(system, "doomed", fail=True)
    system.wait_until_settled()
    worker = worker_message(system, original)

    assert statuses(system, original) == [202]  # for QStash, the hand-off succeeded
    worker_statuses = statuses(system, worker.message_id)
    assert worker_statuses == [500] * (1 + worker.options.retries)
    assert RUNS.failures == len(worker_statuses)
    (letter,) = [
        letter
        for letter in system.qstash.double.dead_letters()
        if letter.message.message_id == worker.message_id
    ]
    stored = [
        dead
        for dead in system.services.store.dead_letters()
        if dead.source_message_id == worker.message_id
    ]
    assert [(dead.dlq_id, dead.response_status) for dead in stored] == [(letter.dlq_id, 500)]
