import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from {{ cookiecutter.package_name }}.aws.clients import dynamodb_client
from {{ cookiecutter.package_name }}.store import DeadLetter, DeliveryOutcome, HandOffMark
from {{ cookiecutter.package_name }}.store.dynamodb import DynamoDBDeliveryStore
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources

OUTCOME = DeliveryOutcome(
    source_message_id="msg_1",
    retried=0,
    status=503,
    response_body="busy",
    url="https://example.com/qstash/jobs/tally",
    max_retries=3,
    callback_message_id="msg_cb_1",
    recorded_at=1_700_000_000,
)
DEAD_LETTER = DeadLetter(
    dlq_id="1725323658779-0",
    source_message_id="msg_1",
    url="https://example.com/qstash/jobs/tally",
    method="POST",
    source_body='{"label": "华语"}',
    source_body_encoding="utf-8",
    response_status=489,
    response_body='{"error": "invalid payload"}',
    retried=0,
    schedule_id=None,
    recorded_at=1_700_000_000,
)


def _store(aws: LocalResources) -> DynamoDBDeliveryStore:
    return DynamoDBDeliveryStore(
        dynamodb_client(), aws.app_table_name, handoff_mark_ttl_seconds=3600
    )


def test_claim_puts_the_token_while_the_mark_is_read(aws: LocalResources) -> None:
    # The token put waits here until the mark read has started: done one after the other,
    # the put would wait the whole timeout and the test fail.
    store = _store(aws)
    read_started = threading.Event()
    waited: list[bool] = []

    def before_call(model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            read_started.set()
        elif model.name == "PutItem":
            waited.append(read_started.wait(timeout=30))

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb", before_call)
    try:
        assert store.claim_delivery("jwt_1", 1_900_000_000, "msg_1") == "new"
    finally:
        events.unregister("before-call.dynamodb", before_call)
    assert waited == [True]


def fail_mark_reads() -> Callable[[], None]:
    """Make every GetItem of the container's DynamoDB client fail; returns the undo."""

    def before_call(model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            raise EndpointConnectionError(endpoint_url="http://dynamodb.test")

    events = dynamodb_client().meta.events
    events.register("before-call.dynamodb", before_call)
    return lambda: events.unregister("before-call.dynamodb", before_call)


def test_mark_read_that_fails_counts_as_not_handed_off(aws: LocalResources) -> None:
    store = _store(aws)
    store.mark_handed_off("msg_1", "tally")
    undo = fail_mark_reads()
    try:
        assert store.claim_delivery("jwt_1", 1_900_000_000, "msg_1") == "new"
    finally:
        undo()
    assert not store.claim_token("jwt_1", 1_900_000_000)


def test_replayed_token_is_a_replay_even_when_the_mark_read_fails(aws: LocalResources) -> None:
    store = _store(aws)
    store.claim_token("jwt_1", 1_900_000_000)
    undo = fail_mark_reads()
    try:
        assert store.claim_delivery("jwt_1", 1_900_000_000, "msg_1") == "replay"
    finally:
        undo()


def test_claim_of_a_duplicate_uses_up_its_token(aws: LocalResources) -> None:
    store = _store(aws)
    store.mark_handed_off("msg_1", "tally")
    assert store.claim_delivery("jwt_2", 1_900_000_000, "msg_1") == "handed off"
    assert store.claim_delivery("jwt_2", 1_900_000_000, "msg_9") == "replay"


def test_claim_with_a_token_used_before_is_a_replay(aws: LocalResources) -> None:
    store = _store(aws)
    store.claim_delivery("jwt_1", 1_900_000_000, "msg_1")
    assert store.claim_delivery("jwt_1", 1_900_000_000, "msg_2") == "replay"
    assert store.claim_delivery("jwt_3", 1_900_000_000, "msg_2") == "new"


def test_claim_of_a_new_delivery_leaves_the_message_unmarked(aws: LocalResources) -> None:
    store = _store(aws)
    store.claim_delivery("jwt_1", 1_900_000_000, "msg_1")
    assert not store.is_handed_off("msg_1")


def test_hand_off_mark_is_remembered_per_message_id(aws: LocalResources) -> None:
    store = _store(aws)
    assert not store.is_handed_off("msg_1")
    store.mark_handed_off("msg_1", "tally")
    assert store.is_handed_off("msg_1")
    assert not store.is_handed_off("msg_2")


def test_hand_off_mark_names_the_job_and_when(
    aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("time.time", lambda: 1_800_000_000.5)
    store = _store(aws)
    store.mark_handed_off("msg_1", "tally")
    assert store.hand_off_mark("msg_1") == HandOffMark("msg_1", "tally", 1_800_000_000)
    assert store.hand_off_mark("msg_2") is None


def test_outcomes_are_kept_per_attempt_oldest_first(aws: LocalResources) -> None:
    store = _store(aws)
    second = replace(OUTCOME, retried=1, status=202, response_body="", max_retries=None)
    store.record_outcome(second)
    store.record_outcome(OUTCOME)
    assert store.outcomes("msg_1") == [OUTCOME, second]


def test_the_same_attempt_recorded_twice_is_one_record(aws: LocalResources) -> None:
    store = _store(aws)
    store.record_outcome(OUTCOME)
    store.record_outcome(OUTCOME)
    assert store.outcomes("msg_1") == [OUTCOME]


def test_dead_letter_is_stored_once(aws: LocalResources) -> None:
    store = _store(aws)
    assert store.save_dead_letter(DEAD_LETTER) is True
    assert store.save_dead_letter(replace(DEAD_LETTER, recorded_at=1_800_000_000)) is False
    assert store.dead_letters() == [DEAD_LETTER]


def test_dead_letter_keeps_its_schedule_id(aws: LocalResources) -> None:
    store = _store(aws)
    scheduled = replace(DEAD_LETTER, dlq_id="2-0", schedule_id="scd_1")
    store.save_dead_letter(scheduled)
    assert store.dead_letters() == [scheduled]


def test_token_is_claimed_once(aws: LocalResources) -> None:
    store = _store(aws)
    assert store.claim_token("jwt_1", expires_at=1_900_000_000) is True
    assert store.claim_token("jwt_1", expires_at=1_900_000_000) is False
    assert store.claim_token("jwt_2", expires_at=1_900_000_000) is True


def test_hand_off_mark_expires_after_the_configured_time(aws: LocalResources) -> None:
    _store(aws).mark_handed_off("msg_ttl", "tally")
    item = dynamodb_client().get_item(
        TableName=aws.app_table_name, Key={"pk": {"S": "MSG#msg_ttl"}, "sk": {"S": "HANDOFF"}}
    )["Item"]
    assert int(item["expires_at"]["N"]) - int(item["handed_off_at"]["N"]) == 3600
