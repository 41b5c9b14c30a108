"""The job route: validate, hand off, then acknowledge; permanent failures answer 489."""

import json

import pytest

from {{ cookiecutter.package_name }}.handoff import JobEnvelope, MemoryHandoff
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore

from ...conftest import JOB_PATH, VALID_PAYLOAD, Invoke
from .conftest import OPTIONAL_JOB

PAYLOAD = json.dumps(VALID_PAYLOAD).encode()
NON_RETRYABLE = 489


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def assert_non_retryable(status: int, headers: dict[str, str]) -> None:
    assert status == NON_RETRYABLE
    assert lower(headers)["upstash-nonretryable-error"] == "true"


def test_valid_job_is_handed_off_and_answers_202(invoke: Invoke, handoff: MemoryHandoff) -> None:
    status, _, body = invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_1")
    assert status == 202
    assert body == {"status": "accepted", "job": "send-welcome-email", "messageId": "msg_1"}
    assert len(handoff.sent) == 1


def test_envelope_carries_job_payload_and_delivery_metadata(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    invoke.signed(
        JOB_PATH,
        PAYLOAD,
        message_id="msg_1",
        extra_headers={"upstash-retried": "2", "upstash-schedule-id": "scd_daily"},
    )
    assert handoff.sent == [
        JobEnvelope(
            job="send-welcome-email",
            payload=VALID_PAYLOAD,
            message_id="msg_1",
            retried=2,
            schedule_id="scd_daily",
        )
    ]


def test_hand_off_is_remembered_by_message_id(invoke: Invoke, store: MemoryDeliveryStore) -> None:
    invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_1")
    assert store.handed_off == {"msg_1": "send-welcome-email"}


def test_same_message_delivered_twice_is_handed_off_once(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    first, _, _ = invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_1")
    second, _, body = invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_1")
    assert (first, second) == (202, 200)
    assert body == {"status": "duplicate", "job": "send-welcome-email", "messageId": "msg_1"}
    assert len(handoff.sent) == 1


def test_unknown_job_answers_489_non_retryable_with_a_json_error(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    status, headers, body = invoke.signed("/qstash/jobs/no-such-job", PAYLOAD)
    assert_non_retryable(status, headers)
    assert body == {"error": "unknown job 'no-such-job'", "job": "no-such-job"}
    assert not handoff.sent


def test_invalid_payload_answers_489_listing_each_field_error(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    bad = json.dumps({"user_id": "", "email": "not-an-email"}).encode()
    status, headers, body = invoke.signed(JOB_PATH, bad)
    assert_non_retryable(status, headers)
    assert body["error"] == "invalid payload for job 'send-welcome-email'"
    assert sorted(tuple(error["loc"]) for error in body["errors"]) == [("email",), ("user_id",)]
    assert not handoff.sent


def test_invalid_payload_error_does_not_echo_the_input(invoke: Invoke) -> None:
    bad = json.dumps({"user_id": "u-1", "email": "secret-not-an-email"}).encode()
    _, _, body = invoke.signed(JOB_PATH, bad)
    assert "secret-not-an-email" not in json.dumps(body)


def test_body_that_is_not_json_answers_489(invoke: Invoke, handoff: MemoryHandoff) -> None:
    status, headers, body = invoke.signed(JOB_PATH, b"user_id=u-1&email=ada@example.com")
    assert_non_retryable(status, headers)
    assert [error["type"] for error in body["errors"]] == ["json_invalid"]
    assert not handoff.sent


def test_signed_empty_body_answers_489_invalid_payload(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    # 489 and not 401: the empty body verified, then failed validation.
    status, headers, body = invoke.signed(JOB_PATH, b"")
    assert_non_retryable(status, headers)
    assert body["error"] == "invalid payload for job 'send-welcome-email'"
    assert not handoff.sent


# --- jobs without a payload, and with an optional one ------------------------------------

CRON_JOB_PATH = "/qstash/jobs/nightly-report"


def test_job_without_payload_accepts_an_empty_body(invoke: Invoke, handoff: MemoryHandoff) -> None:
    # A QStash schedule created without a body sends exactly this.
    status, _, body = invoke.signed(
        CRON_JOB_PATH, b"", message_id="msg_tick", extra_headers={"upstash-schedule-id": "nightly"}
    )
    assert status == 202, body
    [envelope] = handoff.sent
    assert (envelope.job, envelope.payload) == ("nightly-report", None)
    assert envelope.schedule_id == "nightly"


def test_job_without_payload_refuses_a_body_with_data(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    status, headers, body = invoke.signed(CRON_JOB_PATH, b'{"date": "2026-12-01"}')
    assert_non_retryable(status, headers)
    assert body == {
        "error": "job 'nightly-report' takes no payload: send an empty body",
        "job": "nightly-report",
    }
    assert not handoff.sent


def test_absent_optional_payload_is_handed_off_as_none(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    status, _, body = invoke.signed(f"/qstash/jobs/{OPTIONAL_JOB}", b"")
    assert status == 202, body
    assert handoff.sent[0].payload is None


def test_present_optional_payload_is_validated_and_handed_off(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    status, _, body = invoke.signed(f"/qstash/jobs/{OPTIONAL_JOB}", b'{"since_days": 7}')
    assert status == 202, body
    assert handoff.sent[0].payload == {"since_days": 7}


def test_invalid_optional_payload_answers_489(invoke: Invoke, handoff: MemoryHandoff) -> None:
    status, headers, _ = invoke.signed(f"/qstash/jobs/{OPTIONAL_JOB}", b'{"since_days": "x"}')
    assert_non_retryable(status, headers)
    assert not handoff.sent


def test_delivery_without_message_id_answers_489(invoke: Invoke, handoff: MemoryHandoff) -> None:
    status, headers, body = invoke.signed(JOB_PATH, PAYLOAD, message_id="")
    assert_non_retryable(status, headers)
    assert "Upstash-Message-Id" in body["error"]
    assert not handoff.sent


def test_failed_hand_off_answers_503_with_retry_after_and_is_not_remembered(
    invoke: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    handoff.failing = True
    status, headers, body = invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_1")
    assert status == 503
    assert lower(headers)["retry-after"] == "10"
    assert body == {"error": "hand-off failed, retry later"}
    assert not store.handed_off


def test_retry_after_a_failed_hand_off_is_handed_off(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    handoff.failing = True
    invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_1")
    handoff.failing = False
    status, _, _ = invoke.signed(
        JOB_PATH, PAYLOAD, message_id="msg_1", extra_headers={"upstash-retried": "1"}
    )
    assert status == 202
    assert [envelope.retried for envelope in handoff.sent] == [1]


{% if cookiecutter.cloud == "aws-lambda" -%}
def test_base64_encoded_function_url_body_is_accepted(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    status, _, body = invoke.signed(JOB_PATH, PAYLOAD, base64_body=True)
    assert status == 202, body
    assert handoff.sent[0].payload == VALID_PAYLOAD


{% endif -%}
def test_trailing_slash_is_not_redirected_before_verification(invoke: Invoke) -> None:
    status, _, body = invoke.signed(JOB_PATH + "/", b"{}")
    assert status == 404
    assert body == {"error": "Not Found"}


def test_wrong_method_answers_json_405(invoke: Invoke) -> None:
    status, _, body = invoke.request(JOB_PATH, method="GET")
    assert (status, body) == (405, {"error": "Method Not Allowed"})


def test_unexpected_error_answers_503_json_so_qstash_retries(
    invoke: Invoke, store: MemoryDeliveryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(token_id: str, expires_at: int, message_id: str) -> str:
        raise RuntimeError("store outage")

    monkeypatch.setattr(store, "claim_delivery", broken)
    status, _, body = invoke.signed(JOB_PATH, json.dumps(VALID_PAYLOAD).encode())
    assert (status, body) == (503, {"error": "unexpected error, retry later"})
