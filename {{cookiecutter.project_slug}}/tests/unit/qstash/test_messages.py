"""The shapes QStash sends: delivery headers, callback bodies and their base64 fields."""

import base64

import pytest
from pydantic import ValidationError
from starlette.datastructures import Headers

from {{ cookiecutter.package_name }}.errors import InvalidHeaderError
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


def test_empty_retried_count_is_the_first_attempt() -> None:
    assert DeliveryMetadata.from_headers({"upstash-retried": ""}).retried == 0


@pytest.mark.parametrize("value", ["0", "3", "0042", "9999"])
def test_retried_count_up_to_four_digits_is_read(value: str) -> None:
    assert DeliveryMetadata.from_headers({"upstash-retried": value}).retried == int(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("-1", id="negative"),
        pytest.param("two", id="word"),
        pytest.param("1.5", id="fraction"),
        pytest.param(" 1", id="space"),
        pytest.param("\u00b2", id="superscript-two"),
        pytest.param("10000", id="five-digits"),
        pytest.param("9" * 5000, id="5000-digits"),
    ],
)
def test_malformed_retried_count_is_refused(value: str) -> None:
    with pytest.raises(InvalidHeaderError) as raised:
        DeliveryMetadata.from_headers({"upstash-message-id": "m", "upstash-retried": value})
    assert raised.value.details["header"] == "Upstash-Retried"


@pytest.mark.parametrize(
    "value",
    [
        "msg_26hZCxZCuWyyTWPmSVBrNC1RADwpgWxPcak2rQD51EMjFMuzcW7qYXpPiZyDG8T",
        "msg_" + "a" * 252,
        "1725323658779-0",
    ],
    ids=["qstash-shaped", "256-characters", "dlq-shaped"],
)
def test_well_formed_message_id_is_read(value: str) -> None:
    assert DeliveryMetadata.from_headers({"upstash-message-id": value}).message_id == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("m" * 5000, id="5000-characters"),
        pytest.param("m" * 257, id="257-characters"),
        pytest.param("msg 1", id="space"),
        pytest.param("msg/1", id="slash"),
        pytest.param("msg#1", id="hash"),
        pytest.param("msg\t1", id="tab"),
        pytest.param("msg_é", id="non-ascii"),
    ],
)
def test_malformed_message_id_is_refused(value: str) -> None:
    with pytest.raises(InvalidHeaderError) as raised:
        DeliveryMetadata.from_headers({"upstash-message-id": value})
    assert raised.value.details["header"] == "Upstash-Message-Id"


@pytest.mark.parametrize("value", ["scd_4Yb9Wd2f", "nightly-report.v2", "my_schedule"])
def test_well_formed_schedule_id_is_read(value: str) -> None:
    assert DeliveryMetadata.from_headers({"upstash-schedule-id": value}).schedule_id == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("s" * 257, id="257-characters"),
        pytest.param("nightly report", id="space"),
        pytest.param("a:b", id="colon"),
        pytest.param("scd/1", id="slash"),
        pytest.param("plan\u00fc", id="non-ascii"),
    ],
)
def test_malformed_schedule_id_is_refused(value: str) -> None:
    # QStash itself refuses such ids when a schedule is created.
    with pytest.raises(InvalidHeaderError) as raised:
        DeliveryMetadata.from_headers({"upstash-schedule-id": value})
    assert raised.value.details["header"] == "Upstash-Schedule-Id"


def test_refusal_shows_at_most_64_characters_of_the_value() -> None:
    with pytest.raises(InvalidHeaderError) as raised:
        DeliveryMetadata.from_headers({"upstash-message-id": "m" * 5000})
    assert raised.value.details["length"] == 5000
    assert len(raised.value.details["value"]) == 65


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
