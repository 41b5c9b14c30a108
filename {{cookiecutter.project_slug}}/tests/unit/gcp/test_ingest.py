"""The job route on Cloud Functions: verify, re-publish to the worker route through QStash, 202.

Includes the two public reports of issue 8: a deployed function sees the path without its
name (and http), and a form-encoded body is verified on its raw bytes.
"""

import json

import pytest
from pydantic import ValidationError
from starlette.responses import JSONResponse

from {{ cookiecutter.package_name }}.config import Settings, get_settings
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.store.firestore import FirestoreDeliveryStore

from ...fake_qstash import FakeQStash
from .conftest import FUNCTION_URL, FunctionClient, signed_headers

JOB_PATH = "/qstash/jobs/tally"
BODY = json.dumps({"label": "a"}).encode()


def deliver(
    client: FunctionClient,
    keys: SigningKeys,
    body: bytes = BODY,
    *,
    signed_url: str = FUNCTION_URL + JOB_PATH,
    message_id: str = "msg_original",
    **headers: str,
) -> tuple[int, dict[str, str], object]:
    response = client.post(
        JOB_PATH,
        content=body,
        headers=signed_headers(body, signed_url, keys.current, message_id, **headers),
    )
    return response.status_code, dict(response.headers), response.json()


def test_signed_job_is_accepted_once_republished(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    status, _, answer = deliver(client, keys)
    assert (status, answer) == (
        202,
        {"status": "accepted", "job": "tally", "messageId": "msg_original"},
    )
    assert len(fake.requests) == 1


def test_job_is_republished_to_the_worker_route(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    deliver(client, keys)
    (published,) = fake.requests
    assert published.path == f"/v2/publish/{FUNCTION_URL}/qstash/worker/tally"
    assert published.json() == {
        "job": "tally",
        "message_id": "msg_original",
        "payload": {"fail": False, "label": "a"},
        "retried": 0,
        "schedule_id": None,
    }


def test_republish_deduplicates_on_the_original_message_id(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    deliver(client, keys)
    assert fake.requests[0].headers["upstash-deduplication-id"] == "msg_original"


def test_republish_wires_the_callback_and_the_failure_callback(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    deliver(client, keys)
    headers = fake.requests[0].headers
    assert headers["upstash-callback"] == FUNCTION_URL + "/qstash/callback"
    assert headers["upstash-failure-callback"] == FUNCTION_URL + "/qstash/failure"


def test_republish_asks_for_three_worker_retries_by_default(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    deliver(client, keys)
    assert fake.requests[0].headers["upstash-retries"] == "3"


@pytest.fixture
def seven_worker_retries(gcp_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_RETRIES", "7")
    get_settings.cache_clear()


def test_worker_retries_setting_is_the_republish_retries(
    seven_worker_retries: None, client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    deliver(client, keys)
    assert fake.requests[0].headers["upstash-retries"] == "7"


@pytest.mark.parametrize("retries", [-1, 101])
def test_worker_retries_outside_0_to_100_is_refused(retries: int) -> None:
    with pytest.raises(ValidationError, match="worker_retries"):
        Settings(worker_retries=retries)


def test_accepted_job_is_marked_handed_off(
    client: FunctionClient, keys: SigningKeys, firestore_store: FirestoreDeliveryStore
) -> None:
    deliver(client, keys)
    mark = firestore_store.hand_off_mark("msg_original")
    assert mark is not None
    assert mark.job == "tally"


def test_refused_republish_answers_503_with_retry_after(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    fake.responder = lambda request: JSONResponse({"error": "not today"}, status_code=500)
    status, headers, _ = deliver(client, keys)
    assert status == 503
    assert headers["retry-after"] == "10"


def test_refused_republish_marks_nothing(
    client: FunctionClient,
    keys: SigningKeys,
    fake: FakeQStash,
    firestore_store: FirestoreDeliveryStore,
) -> None:
    fake.responder = lambda request: JSONResponse({"error": "not today"}, status_code=400)
    deliver(client, keys)
    assert not firestore_store.is_handed_off("msg_original")


def test_delivery_handed_off_before_is_not_republished(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    deliver(client, keys)
    status, _, answer = deliver(client, keys)
    assert status == 200
    assert answer == {"status": "duplicate", "job": "tally", "messageId": "msg_original"}
    assert len(fake.requests) == 1


# Public report 1: the function sees /qstash/jobs/x, QStash signed <function URL>/qstash/jobs/x.


def test_token_for_the_function_url_is_accepted_on_the_path_without_the_function_name(
    client: FunctionClient, keys: SigningKeys
) -> None:
    # The request arrives over http at /qstash/jobs/tally; QStash signed the https URL
    # with the function's name in the path.
    status, _, _ = deliver(client, keys, signed_url=FUNCTION_URL + JOB_PATH)
    assert status == 202


def test_token_for_another_host_is_refused(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    other = "https://europe-west1-someone-else.cloudfunctions.net/jobs-function" + JOB_PATH
    status, _, _ = deliver(client, keys, signed_url=other)
    assert status == 401
    assert fake.requests == []


def test_token_for_the_path_without_the_function_name_is_refused(
    client: FunctionClient, keys: SigningKeys, fake: FakeQStash
) -> None:
    # What a receiver building the URL from the request would expect: not what QStash signed.
    status, _, _ = deliver(
        client, keys, signed_url="https://europe-west1-demo-qstash.cloudfunctions.net" + JOB_PATH
    )
    assert status == 401
    assert fake.requests == []


def test_token_for_the_http_url_is_refused(client: FunctionClient, keys: SigningKeys) -> None:
    status, _, _ = deliver(
        client, keys, signed_url=FUNCTION_URL.replace("https", "http") + JOB_PATH
    )
    assert status == 401


# Public report 2: a form-encoded body is hashed as the raw bytes, never as a parsed form.

FORM = b"a=1&b=2"
FORM_TYPE = {"content-type": "application/x-www-form-urlencoded"}


def test_form_body_signed_over_its_raw_bytes_verifies(
    client: FunctionClient, keys: SigningKeys
) -> None:
    status, headers, _ = deliver(client, keys, FORM, **FORM_TYPE)
    # Verified, then refused as a payload: the job takes JSON (489, not 401).
    assert status == 489
    assert headers["upstash-nonretryable-error"] == "true"


def test_form_body_signed_over_its_parsed_fields_is_refused(
    client: FunctionClient, keys: SigningKeys
) -> None:
    # The same form, as a parser would hand it back: other bytes, another body hash.
    reencoded = json.dumps({"a": "1", "b": "2"}).encode()
    response = client.post(
        JOB_PATH,
        content=FORM,
        headers=signed_headers(reencoded, FUNCTION_URL + JOB_PATH, keys.current, "msg_form")
        | FORM_TYPE,
    )
    assert response.status_code == 401
