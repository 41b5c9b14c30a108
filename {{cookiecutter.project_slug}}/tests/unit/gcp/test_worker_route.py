"""The worker route: verified like the job route, runs each job once per ORIGINAL message id."""

from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.store.firestore import FirestoreJobRuns

from .conftest import FUNCTION_URL, TALLY, FunctionClient, signed_headers

WORKER_PATH = "/qstash/worker/tally"


def run(
    client: FunctionClient,
    keys: SigningKeys,
    envelope: JobEnvelope,
    *,
    delivery_id: str = "msg_worker_1",
    path: str = WORKER_PATH,
    key: str | None = None,
) -> tuple[int, dict[str, str], dict[str, str]]:
    """Deliver `envelope` to the worker route as QStash delivers the re-published message:
    its own message id (`delivery_id`), the original one inside the envelope."""
    body = envelope.to_json().encode()
    headers = signed_headers(body, FUNCTION_URL + path, key or keys.current, delivery_id)
    response = client.post(path, content=body, headers=headers)
    return response.status_code, dict(response.headers), response.json()


def envelope(
    label: str = "a", *, fail: bool = False, message_id: str = "msg_original"
) -> JobEnvelope:
    return JobEnvelope(job="tally", payload={"label": label, "fail": fail}, message_id=message_id)


def test_handed_off_job_runs(client: FunctionClient, keys: SigningKeys) -> None:
    status, _, answer = run(client, keys, envelope())
    assert (status, answer) == (
        200,
        {"status": "completed", "job": "tally", "messageId": "msg_original"},
    )
    assert TALLY == ["a"]


def test_run_is_recorded_under_the_original_message_id(
    client: FunctionClient, keys: SigningKeys, firestore_runs: FirestoreJobRuns
) -> None:
    run(client, keys, envelope(), delivery_id="msg_worker_1")
    recorded = firestore_runs.job_run("msg_original")
    assert recorded is not None
    assert recorded.status == "completed"
    assert firestore_runs.job_run("msg_worker_1") is None


def test_second_message_carrying_the_same_original_id_does_not_run_again(
    client: FunctionClient, keys: SigningKeys
) -> None:
    run(client, keys, envelope(), delivery_id="msg_worker_1")
    status, _, answer = run(client, keys, envelope(), delivery_id="msg_worker_2")
    assert (status, answer["status"]) == (200, "duplicate")
    assert TALLY == ["a"]


def test_other_original_message_ids_run_their_own_job(
    client: FunctionClient, keys: SigningKeys
) -> None:
    run(client, keys, envelope("a", message_id="msg_1"), delivery_id="msg_worker_1")
    run(client, keys, envelope("b", message_id="msg_2"), delivery_id="msg_worker_2")
    assert TALLY == ["a", "b"]


def test_failing_job_answers_500_so_qstash_retries(
    client: FunctionClient, keys: SigningKeys
) -> None:
    status, headers, _ = run(client, keys, envelope(fail=True))
    assert status == 500
    assert "upstash-nonretryable-error" not in headers


def test_failed_job_runs_again_on_the_retry(client: FunctionClient, keys: SigningKeys) -> None:
    run(client, keys, envelope("retry", fail=True), delivery_id="msg_worker_1")
    # QStash retries the same message with the same id; the job now succeeds.
    status, _, _ = run(client, keys, envelope("retry"), delivery_id="msg_worker_1")
    assert status == 200
    assert TALLY == ["retry"]


def test_job_running_elsewhere_answers_409_and_does_not_run(
    client: FunctionClient, keys: SigningKeys, firestore_runs: FirestoreJobRuns
) -> None:
    firestore_runs.start("msg_original", lease_seconds=900)
    status, _, answer = run(client, keys, envelope())
    assert (status, answer["status"]) == (409, "running")
    assert TALLY == []


def test_token_signed_with_next_key_is_accepted(client: FunctionClient, keys: SigningKeys) -> None:
    status, _, _ = run(client, keys, envelope(), key=keys.next)
    assert status == 200


def test_unsigned_delivery_is_refused_and_runs_nothing(client: FunctionClient) -> None:
    response = client.post(WORKER_PATH, content=envelope().to_json().encode())
    assert response.status_code == 401
    assert TALLY == []


def test_token_for_the_job_route_is_refused_at_the_worker_route(
    client: FunctionClient, keys: SigningKeys
) -> None:
    body = envelope().to_json().encode()
    headers = signed_headers(body, FUNCTION_URL + "/qstash/jobs/tally", keys.current, "msg_w")
    assert client.post(WORKER_PATH, content=body, headers=headers).status_code == 401
    assert TALLY == []


def test_body_that_is_not_an_envelope_is_permanent(
    client: FunctionClient, keys: SigningKeys
) -> None:
    body = b'{"label": "a"}'
    headers = signed_headers(body, FUNCTION_URL + WORKER_PATH, keys.current, "msg_w")
    response = client.post(WORKER_PATH, content=body, headers=headers)
    assert response.status_code == 489
    assert response.headers["upstash-nonretryable-error"] == "true"


def test_envelope_for_another_job_is_permanent(client: FunctionClient, keys: SigningKeys) -> None:
    other = JobEnvelope(job="send-welcome-email", payload=None, message_id="msg_original")
    status, headers, _ = run(client, keys, other)
    assert status == 489
    assert headers["upstash-nonretryable-error"] == "true"
    assert TALLY == []
