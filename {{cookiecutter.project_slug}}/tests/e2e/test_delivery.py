"""A message's life on the whole local system: publish, deliver, hand off, run, call back.

Everything is real HTTP on 127.0.0.1: the publisher calls the QStash double, the double
delivers signed requests to the app, the app hands the job off (AWS: to SQS on moto server,
where a poller runs the worker Lambda's handler; Google Cloud: re-published through the
double to the function's worker route) and the worker runs it.
"""

from {{ cookiecutter.package_name }}.qstash.rest import QStashApi

from .conftest import LocalSystem
from .jobs import RUNS


def test_published_job_is_accepted_and_run_once_by_the_worker(system: LocalSystem) -> None:
    with system.publisher() as publisher:
        result = publisher.publish("e2e-note", {"label": "hello"})
    system.wait_until_settled()

    (attempt,) = system.qstash.double.attempts(result.message_id)
    assert attempt.status == 202
    (run,) = RUNS.of("hello")
    assert run.message_id == result.message_id


def test_callback_of_the_delivery_is_recorded_in_the_store(system: LocalSystem) -> None:
    with system.publisher() as publisher:
        result = publisher.publish("e2e-note", {"label": "called back"})
    system.wait_until_settled()

    (outcome,) = system.services.store.outcomes(result.message_id)
    assert (outcome.retried, outcome.status, outcome.succeeded) == (0, 202, True)
    assert '"accepted"' in outcome.response_body
    assert outcome.url == f"{system.base_url}/qstash/jobs/e2e-note"


def test_duplicate_deliveries_run_each_job_once(system: LocalSystem) -> None:
    labels = [f"dup-{n}" for n in range(5)]
    system.qstash.double.configure(duplicate_delivery_probability=1.0)
    try:
        with system.publisher() as publisher:
            results = [publisher.publish("e2e-note", {"label": label}) for label in labels]
        system.wait_until_settled()
    finally:
        system.qstash.double.configure(duplicate_delivery_probability=0.0)

    for result in results:
        copies = system.qstash.double.attempts(result.message_id)
        assert any(attempt.duplicate for attempt in copies), "every attempt went out twice"
    assert RUNS.labels() == labels


def test_key_roll_in_the_middle_of_a_stream_rejects_nothing(system: LocalSystem) -> None:
    double = system.qstash.double
    before_roll = double.keys
    seen = len(double.attempts())
    with system.publisher() as publisher:
        results = [publisher.publish("e2e-note", {"label": f"a-{n:02d}"}) for n in range(10)]
        double.rotate_keys()  # while those are still being delivered
        results += [publisher.publish("e2e-note", {"label": f"b-{n:02d}"}) for n in range(10)]
    system.wait_until_settled()

    assert double.keys.current == before_roll.next
    statuses = {attempt.status for attempt in double.attempts()[seen:]}  # callbacks included
    assert statuses <= {200, 202}
    assert len(RUNS.labels()) == len(set(RUNS.labels())) == len(results)


def test_schedule_tick_carries_its_schedule_id_to_the_job(system: LocalSystem) -> None:
    schedule_id = "e2e-every-minute"
    destination = f"{system.base_url}/qstash/jobs/e2e-note"
    with QStashApi(base_url=system.qstash.base_url, token=system.qstash.token) as api:
        api.request(
            "POST",
            f"/v2/schedules/{destination}",
            headers={
                "Upstash-Cron": "* * * * *",
                "Upstash-Schedule-Id": schedule_id,
                "Content-Type": "application/json",
            },
            content=b'{"label": "tick"}',
        )
        system.qstash.double.advance(60)  # past the next cron minute: exactly one tick
        system.qstash.double.wait_until_idle()  # the tick is published
        api.request("DELETE", f"/v2/schedules/{schedule_id}")
    system.wait_until_settled()

    (run,) = RUNS.of("tick")
    assert run.schedule_id == schedule_id
    (attempt, *_) = system.qstash.double.attempts(run.message_id)
    assert attempt.schedule_id == schedule_id
