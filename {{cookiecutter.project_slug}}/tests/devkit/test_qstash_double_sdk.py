"""Cross-check: the official qstash SDK (3.4.0) against the double, and its Receiver.

Where the SDK and the protocol notes disagree, the double follows the notes and a test here
says so: PATCH vs POST for pause/resume (both accepted), the bulk cancel and DLQ bulk-delete
body vs query, `cancel_all`'s bare request, `Upstash-Content-Based-Deduplication: True`, and
`callback_headers` prefixes.
"""

from collections.abc import Iterator

import pytest
from qstash import QStash, Receiver
from qstash.errors import QStashError, RateLimitExceededError, SignatureError

from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import CapturingReceiver


@pytest.fixture
def sdk(qstash: RunningDouble) -> Iterator[QStash]:
    client = QStash(qstash.token, base_url=qstash.base_url, retry=False)
    yield client
    client.http._client.close()  # the SDK has no close(); avoid an unclosed-socket warning


def test_sdk_publish_is_delivered_and_the_official_receiver_accepts_it(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    url = receiver.url(path) + "?tenant=t-1"

    published = sdk.message.publish_json(url=url, body={"h\u00e9llo": "w\u00f6rld"}, retries=1)

    (delivered,) = receiver.wait_for(1, path)
    assert delivered.headers["upstash-message-id"] == published.message_id  # type: ignore[union-attr]
    Receiver(qstash.keys.current, qstash.keys.next).verify(
        signature=delivered.headers["upstash-signature"], body=delivered.body.decode(), url=url
    )


def test_the_official_receiver_rejects_a_tampered_body(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    sdk.message.publish(url=receiver.url(path), body="original")

    (delivered,) = receiver.wait_for(1, path)
    with pytest.raises(SignatureError):
        Receiver(qstash.keys.current, qstash.keys.next).verify(
            signature=delivered.headers["upstash-signature"], body="tampered"
        )


def test_the_official_receiver_accepts_deliveries_after_a_key_roll(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    before = sdk.signing_key.get()
    rolled = sdk.signing_key.rotate()
    sdk.message.publish(url=receiver.url(path), body="after roll")

    (delivered,) = receiver.wait_for(1, path)
    assert (rolled.current, qstash.keys.next) == (before.next, rolled.next)
    Receiver(before.current, before.next).verify(
        signature=delivered.headers["upstash-signature"], body="after roll"
    )


def test_sdk_publish_to_a_url_group_gets_one_response_per_endpoint(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    endpoints = [{"url": receiver.url(path + "/1")}, {"url": receiver.url(path + "/2")}]
    sdk.url_group.upsert_endpoints(url_group="fanout", endpoints=endpoints)  # type: ignore[typeddict-item]

    responses = sdk.message.publish(url_group="fanout", body="x")

    assert isinstance(responses, list)
    assert [r.url for r in responses] == [e["url"] for e in endpoints]
    assert [g.name for g in sdk.url_group.list()] == ["fanout"]


def test_sdk_schedules_are_created_listed_read_and_deleted(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver
) -> None:
    schedule_id = sdk.schedule.create_json(
        destination=receiver.url("/s"), cron="*/10 * * * *", body={"a": 1}, retries=2
    )

    (listed,) = sdk.schedule.list()
    read = sdk.schedule.get(schedule_id)
    sdk.schedule.delete(schedule_id)

    assert listed.schedule_id == read.schedule_id == schedule_id
    assert (read.cron, read.retries, read.body, read.paused) == (
        "*/10 * * * *",
        2,
        '{"a": 1}',
        False,
    )
    assert sdk.schedule.list() == []


def test_sdk_pause_and_resume_use_patch_which_the_double_accepts_beside_post(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver
) -> None:
    # Notes section 5: the OpenAPI document says POST, both SDKs send PATCH; accept both.
    schedule_id = sdk.schedule.create(destination=receiver.url("/p"), cron="0 * * * *")

    sdk.schedule.pause(schedule_id)
    paused = sdk.schedule.get(schedule_id).paused
    sdk.schedule.resume(schedule_id)

    assert (paused, sdk.schedule.get(schedule_id).paused) == (True, False)


def test_sdk_lists_and_reads_the_dlq(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    published = sdk.message.publish(url=receiver.url(path), body="doomed", retries=0)
    qstash.double.wait_until_settled()

    listing = sdk.dlq.list()
    (message,) = listing.messages
    read = sdk.dlq.get(message.dlq_id)

    assert listing.cursor is None
    assert message.message_id == published.message_id  # type: ignore[union-attr]
    assert (read.body, read.response_status, read.max_retries) == ("doomed", 500, 0)


def test_sdk_dlq_bulk_delete_sends_a_json_body_but_the_notes_document_a_query(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    # Notes section 6: `DELETE /v2/dlq` takes `dlqIds` in the query (OpenAPI, JS SDK);
    # qstash-py sends `{"dlqIds": [...]}` as the body. The double follows the notes and
    # reads the body only when `bulk_json_body` is on.
    receiver.script(path, 500)
    sdk.message.publish(url=receiver.url(path), body="a", retries=0)
    qstash.double.wait_until_settled()
    (entry,) = sdk.dlq.list().messages

    with pytest.raises(QStashError, match="400"):
        sdk.dlq.delete_many([entry.dlq_id])
    qstash.double.configure(bulk_json_body=True)

    assert sdk.dlq.delete_many([entry.dlq_id]) == 1


def test_sdk_pages_through_the_dlq_with_count_and_cursor(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    ids = [
        sdk.message.publish(url=receiver.url(path), body=str(n), retries=0).message_id  # type: ignore[union-attr]
        for n in range(3)
    ]
    qstash.double.fast_forward()

    first = sdk.dlq.list(count=2)
    rest = sdk.dlq.list(count=2, cursor=first.cursor)
    filtered = sdk.dlq.list(filter={"message_id": ids[1], "response_status": 500})

    # Dead-lettered in whatever order the parallel attempts failed: compare as sets.
    assert (len(first.messages), len(rest.messages)) == (2, 1)
    assert {m.message_id for m in first.messages + rest.messages} == set(ids)
    assert rest.cursor is None
    assert [m.message_id for m in filtered.messages] == [ids[1]]


def test_sdk_cancels_a_pending_message(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    message_id = sdk.message.publish(url=receiver.url(path), body="later", delay="1h").message_id  # type: ignore[union-attr]

    sdk.message.cancel(message_id)

    assert qstash.double.message(message_id).state == "cancelled"


def test_sdk_cancel_many_sends_a_json_body_which_counts_only_when_switched_on(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    # qstash-py 3.4 sends `{"messageIds": [...]}` as the body, the form the API reference
    # documented until December 2025; the current OpenAPI document takes a query parameter.
    ids = [
        sdk.message.publish(url=receiver.url(path), body=str(n), delay="1h").message_id  # type: ignore[union-attr]
        for n in range(2)
    ]

    with pytest.raises(QStashError, match="400"):
        sdk.message.cancel_many(ids)
    qstash.double.configure(bulk_json_body=True)

    assert sdk.message.cancel_many(ids) == 2
    assert [qstash.double.message(i).state for i in ids] == ["cancelled", "cancelled"]


def test_sdk_cancel_all_sends_a_bare_request_which_the_double_refuses_by_default(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    # QStash cancels every message on a bare `DELETE /v2/messages`; the double refuses one
    # (nothing is emptied by accident) unless `bare_bulk_selects_all` is on.
    message_id = sdk.message.publish(url=receiver.url(path), body="later", delay="1h").message_id  # type: ignore[union-attr]

    with pytest.raises(QStashError, match="400"):
        sdk.message.cancel_all()
    assert qstash.double.message(message_id).state == "pending"
    qstash.double.configure(bare_bulk_selects_all=True)

    assert sdk.message.cancel_all() == 1
    assert qstash.double.message(message_id).state == "cancelled"


def test_sdk_content_based_dedup_sends_capital_true_which_the_docs_do_not_define(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    # Notes section 8 / open question 4: qstash-py sends `True`, the docs say `true`.
    # By default only the documented `true` is honoured.
    def twice() -> list[bool]:
        return [
            sdk.message.publish(  # type: ignore[union-attr]
                url=receiver.url(path), body="same", content_based_deduplication=True
            ).deduplicated
            for _ in range(2)
        ]

    assert twice() == [False, False]
    qstash.double.configure(strict_boolean_headers=False)
    assert twice() == [False, True]


def test_sdk_callback_headers_lack_the_forward_prefix_and_are_not_forwarded_by_default(
    qstash: RunningDouble, sdk: QStash, receiver: CapturingReceiver, path: str
) -> None:
    # Notes section 4 / open question 5: `callback_headers={"X-Key": ...}` is sent as
    # `Upstash-Callback-X-Key`, not `Upstash-Callback-Forward-X-Key`.
    for value in ("strict", "lenient"):
        sdk.message.publish(
            url=receiver.url(path),
            body=value,
            callback=receiver.url(path + "/cb"),
            callback_headers={"X-Key": value, "Upstash-Callback-Forward-X-Always": "yes"},
        )
        qstash.double.wait_until_settled()
        qstash.double.configure(forward_unprefixed_callback_headers=True)

    strict, lenient = receiver.received(path + "/cb")
    assert "x-key" not in strict.headers
    assert strict.headers["x-always"] == "yes"
    assert lenient.headers["x-key"] == "lenient"


def test_sdk_surfaces_the_burst_limit_as_rate_limit_exceeded(
    sdk: QStash, qstash: RunningDouble, receiver: CapturingReceiver
) -> None:
    qstash.double.configure(rate_limit_per_second=1)

    sdk.message.publish(url=receiver.url("/limited"), body="x")

    with pytest.raises(RateLimitExceededError) as raised:  # the manual clock holds the second
        sdk.message.publish(url=receiver.url("/limited"), body="again")

    assert (raised.value.limit, raised.value.remaining) == ("1", "0")
    assert raised.value.reset is not None
