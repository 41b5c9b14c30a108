"""Callback and failure-callback routes: outcomes per attempt, dead letters stored once."""

import base64
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from {{ cookiecutter.package_name }} import outcomes
from {{ cookiecutter.package_name }}.api.routes.callbacks import (
    CALLBACK_PATH,
    FAILURE_CALLBACK_PATH,
)
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore

from ...conftest import PUBLIC_BASE_URL, Invoke

SOURCE_ID = "msg_source_1"
DLQ_ID = "1725323658779-0"
NON_RETRYABLE = 489


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def callback(**fields: Any) -> bytes:
    """A callback body shaped like QStash's (https://upstash.com/docs/qstash/features/callbacks)."""
    body: dict[str, Any] = {
        "status": 200,
        "header": {"Content-Type": ["application/json"]},
        "body": b64(b'{"ok":true}'),
        "retried": 0,
        "maxRetries": 3,
        "sourceMessageId": SOURCE_ID,
        "url": PUBLIC_BASE_URL + "/qstash/jobs/send-welcome-email",
        "method": "POST",
        "sourceHeader": {"Content-Type": ["application/json"]},
        "sourceBody": b64(b'{"user_id":"u-1","email":"ada@example.com"}'),
        "createdAt": 1725323658779,
    }
    body.update(fields)
    return json.dumps(body).encode()


def failure_callback(**fields: Any) -> bytes:
    defaults: dict[str, Any] = {
        "status": 500,
        "body": b64(b"database unavailable"),
        "retried": 3,
        "dlqId": DLQ_ID,
    }
    return callback(**{**defaults, **fields})


@pytest.fixture
def outcome_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[pytest.LogCaptureFixture]:
    """Capture `outcomes` records at the module logger itself, once each.

    caplog listens on the root logger, but `configure_logging` (run when a Lambda entry
    point is imported, possibly by another test) stops the package logger propagating there.
    """
    logger = logging.getLogger(outcomes.__name__)
    monkeypatch.setattr(logger, "propagate", False)
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


# --- callbacks --------------------------------------------------------------------------


def test_callback_records_the_outcome_of_the_attempt(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    status, _, body = invoke.signed(CALLBACK_PATH, callback(), message_id="msg_cb_1")
    assert status == 200
    assert body == {"status": "recorded", "sourceMessageId": SOURCE_ID}
    [outcome] = store.outcomes(SOURCE_ID)
    assert (outcome.status, outcome.retried, outcome.max_retries) == (200, 0, 3)
    assert outcome.response_body == '{"ok":true}'
    assert outcome.callback_message_id == "msg_cb_1"
    assert outcome.succeeded


@pytest.mark.parametrize("path", [CALLBACK_PATH, FAILURE_CALLBACK_PATH])
def test_callbacks_do_not_read_a_hand_off_mark(
    invoke: Invoke, store: MemoryDeliveryStore, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    # A callback's message is never handed off: only the job route reads marks.
    def unexpected(message_id: str) -> bool:
        raise AssertionError(f"read the hand-off mark of {message_id}")

    monkeypatch.setattr(store, "is_handed_off", unexpected)
    body = callback() if path == CALLBACK_PATH else failure_callback()
    status, _, _ = invoke.signed(path, body, message_id="msg_cb_1")
    assert status == 200


def test_each_attempt_of_a_message_is_recorded_separately(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    invoke.signed(CALLBACK_PATH, callback(status=500, retried=0), message_id="msg_cb_1")
    invoke.signed(CALLBACK_PATH, callback(status=200, retried=1), message_id="msg_cb_2")
    assert [(o.retried, o.status) for o in store.outcomes(SOURCE_ID)] == [(0, 500), (1, 200)]


def test_same_callback_delivered_twice_is_recorded_once(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    first, _, _ = invoke.signed(CALLBACK_PATH, callback(), message_id="msg_cb_1")
    second, _, _ = invoke.signed(CALLBACK_PATH, callback(), message_id="msg_cb_1")
    assert (first, second) == (200, 200)
    assert len(store.outcomes(SOURCE_ID)) == 1


# Public report #7: `body` is base64 of UTF-8 text; decoding it as latin-1 garbles it.
def test_callback_response_body_is_decoded_as_utf8(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    body = callback(body=b64("chinese华语".encode()))
    invoke.signed(CALLBACK_PATH, body, message_id="msg_cb_1")
    assert store.outcomes(SOURCE_ID)[0].response_body == "chinese华语"


# The docs' callbacks page shows `createdAt` as a string; an ISO date must not be a 489.
@pytest.mark.parametrize("path", [CALLBACK_PATH, FAILURE_CALLBACK_PATH])
def test_callback_with_an_iso_date_created_at_is_recorded(invoke: Invoke, path: str) -> None:
    body = failure_callback(createdAt="2024-09-03T00:34:18.779Z")
    status, _, answer = invoke.signed(path, body, message_id="msg_cb_iso")
    assert status == 200, answer


# Decision: a `body` that is not base64 is kept as sent, not refused; a 489 would lose the
# outcome it reports.
def test_callback_body_that_is_not_base64_is_recorded_as_sent(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    status, _, _ = invoke.signed(CALLBACK_PATH, callback(status=502, body="Bad Gateway!"))
    assert status == 200
    assert store.outcomes(SOURCE_ID)[0].response_body == "Bad Gateway!"


def test_failure_callback_body_that_is_not_base64_is_stored_as_sent(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    status, _, _ = invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(body="Bad Gateway!"))
    assert status == 200
    assert store.dead_letters()[0].response_body == "Bad Gateway!"


@pytest.mark.parametrize("path", [CALLBACK_PATH, FAILURE_CALLBACK_PATH])
def test_malformed_callback_json_answers_489(
    invoke: Invoke, store: MemoryDeliveryStore, path: str
) -> None:
    status, headers, body = invoke.signed(path, b'{"status": 200, "sourceMessageId": ')
    assert status == NON_RETRYABLE
    assert headers["upstash-nonretryable-error"] == "true"
    assert body["error"] == "not a QStash callback body"
    assert not store.dead_letters()


def test_callback_without_source_message_id_answers_489(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    status, _, body = invoke.signed(CALLBACK_PATH, json.dumps({"status": 200}).encode())
    assert status == NON_RETRYABLE
    assert [error["loc"] for error in body["errors"]] == [["sourceMessageId"]]


# --- failure callbacks ------------------------------------------------------------------


def test_failure_callback_stores_the_dead_letter(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    status, _, body = invoke.signed(FAILURE_CALLBACK_PATH, failure_callback())
    assert status == 200
    assert body == {"status": "stored", "dlqId": DLQ_ID}
    [dead_letter] = store.dead_letters()
    assert dead_letter.dlq_id == DLQ_ID
    assert dead_letter.source_message_id == SOURCE_ID
    assert dead_letter.url == PUBLIC_BASE_URL + "/qstash/jobs/send-welcome-email"
    assert dead_letter.source_body == '{"user_id":"u-1","email":"ada@example.com"}'
    assert (dead_letter.response_status, dead_letter.response_body) == (
        500,
        "database unavailable",
    )
    assert dead_letter.retried == 3


def test_failure_callback_delivered_twice_is_stored_once(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(), message_id="msg_fcb_1")
    status, _, body = invoke.signed(
        FAILURE_CALLBACK_PATH, failure_callback(), message_id="msg_fcb_1"
    )
    assert status == 200
    assert body == {"status": "duplicate", "dlqId": DLQ_ID}
    assert len(store.dead_letters()) == 1


def test_failure_callback_without_dlq_id_is_keyed_by_source_message_id(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(dlqId=None))
    _, _, body = invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(dlqId=None))
    assert body["status"] == "duplicate"
    assert [d.source_message_id for d in store.dead_letters()] == [SOURCE_ID]


def test_failure_callback_logs_an_error_naming_the_source_message_id(
    invoke: Invoke, outcome_log: pytest.LogCaptureFixture
) -> None:
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback())
    errors = [r for r in outcome_log.records if r.levelno == logging.ERROR]
    assert [getattr(r, "source_message_id", None) for r in errors] == [SOURCE_ID]


def test_repeated_failure_callback_logs_no_second_error(
    invoke: Invoke, outcome_log: pytest.LogCaptureFixture
) -> None:
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback())
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback())
    assert len([r for r in outcome_log.records if r.levelno == logging.ERROR]) == 1


def test_binary_source_body_is_kept_as_base64(invoke: Invoke, store: MemoryDeliveryStore) -> None:
    binary = b64(b"\xff\xfe\x00binary")
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(sourceBody=binary))
    [dead_letter] = store.dead_letters()
    assert dead_letter.source_body == binary
    assert dead_letter.source_body_encoding == "base64"


def test_text_source_body_is_kept_as_text(invoke: Invoke, store: MemoryDeliveryStore) -> None:
    invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(sourceBody=b64("héllo".encode())))
    [dead_letter] = store.dead_letters()
    assert (dead_letter.source_body, dead_letter.source_body_encoding) == ("héllo", "utf-8")
    assert dead_letter.truncated is False


def test_huge_source_body_is_truncated_and_flagged(
    invoke: Invoke, store: MemoryDeliveryStore
) -> None:
    huge = "é" * (300 * 1024)
    status, _, _ = invoke.signed(
        FAILURE_CALLBACK_PATH, failure_callback(sourceBody=b64(huge.encode()))
    )
    [dead_letter] = store.dead_letters()
    assert status == 200
    assert dead_letter.truncated is True
    assert len(dead_letter.source_body.encode()) <= 256 * 1024
    assert huge.startswith(dead_letter.source_body)


@pytest.mark.parametrize(
    "override",
    [
        {"sourceMessageId": "m" * 3000},
        {"dlqId": "d" * 3000},
        {"status": -1},
        {"retried": -1},
    ],
    ids=["long-source-message-id", "long-dlq-id", "negative-status", "negative-retried"],
)
def test_out_of_range_callback_fields_are_permanent_errors(
    invoke: Invoke, store: MemoryDeliveryStore, override: dict[str, object]
) -> None:
    status, headers, _ = invoke.signed(FAILURE_CALLBACK_PATH, failure_callback(**override))
    assert status == 489
    assert headers["upstash-nonretryable-error"] == "true"
    assert store.dead_letters() == []
