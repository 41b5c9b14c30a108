"""The shapes QStash sends: delivery headers, callback bodies and their base64 fields."""

import base64

import pytest
from pydantic import ValidationError
from starlette.datastructures import Headers

from {{ cookiecutter.package_name }}.qstash import CallbackBody, DeliveryMetadata
from {{ cookiecutter.package_name }}.qstash.messages import decode_base64_text

# --- DeliveryMetadata -------------------------------------------------------------------


def test_metadata_is_read_from_qstash_headers_whatever_their_case() -> None:
    headers = Headers(
        {
            "Upstash-Message-Id": "msg_1",
            "UPSTASH-RETRIED": "2",
            "upstash-schedule-id": "scd_daily",
            "Upstash-Caller-Ip": "203.0.113.9",
            "Upstash-Topic-Name": "signups",
        }
    )
    assert DeliveryMetadata.from_headers(headers) == DeliveryMetadata(
        message_id="msg_1",
        retried=2,
        schedule_id="scd_daily",
        caller_ip="203.0.113.9",
        topic_name="signups",
    )


def test_metadata_of_a_first_unscheduled_attempt_has_defaults() -> None:
    metadata = DeliveryMetadata.from_headers(Headers({"Upstash-Message-Id": "msg_1"}))
    assert metadata == DeliveryMetadata(message_id="msg_1")


def test_missing_message_id_becomes_empty() -> None:
    assert DeliveryMetadata.from_headers(Headers({})).message_id == ""


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("-1", id="negative"),
        pytest.param("two", id="word"),
        pytest.param("1.5", id="fraction"),
        pytest.param("\u00b2", id="superscript-two"),
        pytest.param("9" * 5000, id="5000-digits"),
    ],
)
def test_malformed_retried_count_becomes_zero(value: str) -> None:
    metadata = DeliveryMetadata.from_headers({"upstash-message-id": "m", "upstash-retried": value})
    assert metadata.retried == 0


def test_empty_schedule_id_becomes_none() -> None:
    metadata = DeliveryMetadata.from_headers({"upstash-schedule-id": ""})
    assert metadata.schedule_id is None


# --- CallbackBody -----------------------------------------------------------------------


def test_callback_fields_are_read_by_their_qstash_names() -> None:
    callback = CallbackBody.model_validate(
        {
            "status": 500,
            "sourceMessageId": "msg_1",
            "maxRetries": 3,
            "sourceBody": "aGk=",
            "sourceHeader": {"Content-Type": ["text/plain"]},
            "scheduleId": "scd_1",
            "topicName": "signups",
            "dlqId": "1725323658779-0",
            "createdAt": 1725323658779,
        }
    )
    assert callback.source_message_id == "msg_1"
    assert callback.max_retries == 3
    assert callback.source_body == "aGk="
    assert callback.source_header == {"Content-Type": ["text/plain"]}
    assert (callback.schedule_id, callback.topic_name) == ("scd_1", "signups")
    assert callback.dlq_id == "1725323658779-0"
    assert callback.created_at == 1725323658779


def test_callback_fields_can_be_given_by_python_name() -> None:
    callback = CallbackBody(status=200, source_message_id="msg_1", max_retries=3)
    assert (callback.source_message_id, callback.max_retries) == ("msg_1", 3)


def test_callback_keeps_unknown_fields() -> None:
    callback = CallbackBody.model_validate(
        {"status": 200, "sourceMessageId": "msg_1", "callerIP": "203.0.113.9"}
    )
    assert callback.model_extra == {"callerIP": "203.0.113.9"}


def test_callback_created_at_sent_as_a_numeric_string_is_accepted() -> None:
    # The docs' callback page shows the millisecond timestamps as JSON strings.
    body = b'{"status": 200, "sourceMessageId": "msg_1", "createdAt": "1725323658779"}'
    assert CallbackBody.model_validate_json(body).created_at == 1725323658779


@pytest.mark.parametrize(
    "created_at",
    [
        pytest.param("2024-09-03T00:34:18.779Z", id="utc-z"),
        pytest.param("2024-09-03T02:34:18.779+02:00", id="offset"),
        pytest.param("2024-09-03T00:34:18.779", id="no-offset-is-utc"),
    ],
)
def test_callback_created_at_sent_as_an_iso_date_is_unix_milliseconds(created_at: str) -> None:
    callback = CallbackBody.model_validate(
        {"status": 200, "sourceMessageId": "msg_1", "createdAt": created_at}
    )
    assert callback.created_at == 1725323658779


def test_callback_not_before_is_read_like_created_at() -> None:
    callback = CallbackBody.model_validate(
        {"status": 200, "sourceMessageId": "msg_1", "notBefore": "2024-09-03T00:34:18.779Z"}
    )
    assert callback.not_before == 1725323658779


@pytest.mark.parametrize("created_at", ["yesterday", "-1", -1])
def test_callback_created_at_that_is_no_timestamp_is_refused(created_at: object) -> None:
    with pytest.raises(ValidationError, match="createdAt"):
        CallbackBody.model_validate(
            {"status": 200, "sourceMessageId": "msg_1", "createdAt": created_at}
        )


def test_callback_body_that_is_not_base64_is_kept_as_sent() -> None:
    callback = CallbackBody(status=502, source_message_id="msg_1", body="Bad Gateway!")
    assert callback.response_text == "Bad Gateway!"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"status": 200}, id="missing"),
        pytest.param({"status": 200, "sourceMessageId": ""}, id="empty"),
    ],
)
def test_callback_without_source_message_id_is_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CallbackBody.model_validate(body)


def test_callback_texts_are_decoded_from_base64() -> None:
    callback = CallbackBody(
        status=200,
        source_message_id="msg_1",
        body=base64.b64encode(b"done").decode(),
        source_body=base64.b64encode(b'{"a":1}').decode(),
    )
    assert (callback.response_text, callback.source_text) == ("done", '{"a":1}')


# --- decode_base64_text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param("Y2hpbmVzZeWNjuivrQ==", "chinese华语", id="standard"),
        pytest.param("fn5-", "~~~", id="url-safe"),
        pytest.param("fn5+", "~~~", id="standard-plus"),
        pytest.param("aGVsbG8", "hello", id="unpadded"),
        pytest.param("", "", id="empty"),
    ],
)
def test_base64_text_is_decoded_as_utf8(value: str, text: str) -> None:
    assert decode_base64_text(value) == text


def test_base64_of_non_utf8_bytes_is_returned_unchanged() -> None:
    value = base64.b64encode(b"\xff\xfe\x00binary").decode()
    assert decode_base64_text(value) == value


def test_value_that_is_not_base64_is_returned_unchanged() -> None:
    assert decode_base64_text("not base64!") == "not base64!"
