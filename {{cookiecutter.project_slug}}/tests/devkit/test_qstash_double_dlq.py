"""The double's dead-letter queue API: list, filters, cursor, get, delete, bulk delete, retry."""

from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import CapturingReceiver

from .helpers import call


def _dead_letters(qstash: RunningDouble, receiver: CapturingReceiver, path: str, n: int) -> None:
    receiver.script(path, 500)
    for i in range(n):
        call(
            qstash,
            "POST",
            f"/v2/publish/{receiver.url(path)}?i={i}",
            content=f"body-{i}".encode(),
            headers={"Upstash-Retries": "0"},
        )
    qstash.double.fast_forward()


def test_the_dlq_lists_pages_with_a_cursor_and_filters(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 3)

    first = call(qstash, "GET", "/v2/dlq", params={"count": 2}).json()
    rest = call(qstash, "GET", "/v2/dlq", params={"count": 2, "cursor": first["cursor"]}).json()
    filtered = call(qstash, "GET", "/v2/dlq", params={"url": receiver.url(path) + "?i=1"}).json()

    assert len(first["messages"]) == 2
    assert len(rest["messages"]) == 1
    assert "cursor" not in rest
    (entry,) = filtered["messages"]
    assert entry["body"] == "body-1"
    assert entry["responseStatus"] == 500
    assert entry["maxRetries"] == 0
    assert set(entry) >= {"dlqId", "messageId", "url", "method", "header", "createdAt", "notBefore"}


def test_the_dlq_lists_latest_first_across_pages_when_asked(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 4)
    earliest = [entry["dlqId"] for entry in call(qstash, "GET", "/v2/dlq").json()["messages"]]

    first = call(qstash, "GET", "/v2/dlq", params={"count": 2, "order": "latestFirst"}).json()
    more = {"count": 2, "order": "latestFirst", "cursor": first["cursor"]}
    rest = call(qstash, "GET", "/v2/dlq", params=more).json()

    latest = [entry["dlqId"] for entry in first["messages"] + rest["messages"]]
    assert latest == earliest[::-1]
    assert "cursor" not in rest


def test_the_dlq_refuses_an_order_qstash_does_not_document(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    answer = call(qstash, "GET", "/v2/dlq", params={"order": "newest"})
    assert answer.status_code == 400
    assert "earliestFirst" in answer.json()["error"]


def test_a_dlq_message_can_be_read_deleted_and_retried(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 2)
    first, second = (entry["dlqId"] for entry in call(qstash, "GET", "/v2/dlq").json()["messages"])
    receiver.script(path, 200)

    assert call(qstash, "GET", f"/v2/dlq/{first}").json()["dlqId"] == first
    assert call(qstash, "DELETE", f"/v2/dlq/{first}").status_code == 200
    assert call(qstash, "GET", f"/v2/dlq/{first}").status_code == 404
    retried = call(qstash, "POST", f"/v2/dlq/retry/{second}", headers={"Upstash-Retries": "1"})

    assert retried.status_code == 201
    new_id = retried.json()["messageId"]
    qstash.double.fast_forward()
    assert qstash.double.message(new_id).state == "delivered"
    assert qstash.double.message(new_id).options.retries == 1
    assert call(qstash, "GET", "/v2/dlq").json()["messages"] == []


def test_dlq_bulk_delete_takes_ids_in_the_query_and_refuses_no_selection(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 3)
    ids = [entry["dlqId"] for entry in call(qstash, "GET", "/v2/dlq").json()["messages"]]

    nothing = call(qstash, "DELETE", "/v2/dlq")
    deleted = call(qstash, "DELETE", "/v2/dlq", params={"dlqIds": ",".join(ids[:2])})

    assert nothing.status_code == 400
    assert deleted.json() == {"deleted": 2}
    assert [e["dlqId"] for e in call(qstash, "GET", "/v2/dlq").json()["messages"]] == ids[2:]


def dlq_ids(qstash: RunningDouble) -> list[str]:
    return [entry["dlqId"] for entry in call(qstash, "GET", "/v2/dlq").json()["messages"]]


def test_dlq_bulk_delete_with_only_a_count_deletes_everything_a_page_at_a_time(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 3)

    first = call(qstash, "DELETE", "/v2/dlq", params={"count": 2}).json()
    second = call(qstash, "DELETE", "/v2/dlq", params={"count": 2, "cursor": first["cursor"]})

    assert first["deleted"] == 2
    assert second.json() == {"deleted": 1}  # no cursor: the end
    assert dlq_ids(qstash) == []


def test_dlq_ids_select_on_their_own_and_filters_are_ignored(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 2)
    first, second = dlq_ids(qstash)

    response = call(
        qstash, "DELETE", "/v2/dlq", params={"dlqIds": first, "url": "https://elsewhere.test"}
    )

    assert response.json() == {"deleted": 1}
    assert dlq_ids(qstash) == [second]


def test_a_dlq_cursor_stays_valid_when_entries_before_it_are_deleted(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 3)
    first, second, third = dlq_ids(qstash)
    page = call(qstash, "GET", "/v2/dlq", params={"count": 1}).json()

    call(qstash, "DELETE", f"/v2/dlq/{first}")
    rest = call(qstash, "GET", "/v2/dlq", params={"cursor": page["cursor"]}).json()

    assert [entry["dlqId"] for entry in rest["messages"]] == [second, third]


def test_dlq_bulk_retry_by_ids_publishes_each_again(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 2)
    receiver.script(path, 200)
    ids = dlq_ids(qstash)

    response = call(qstash, "POST", "/v2/dlq/retry", params={"dlqIds": ids})

    assert response.status_code == 201
    responses = response.json()["responses"]
    assert "cursor" not in response.json()
    qstash.double.fast_forward()
    assert [qstash.double.message(r["messageId"]).state for r in responses] == ["delivered"] * 2
    assert dlq_ids(qstash) == []


def test_dlq_bulk_retry_with_only_a_cursor_retries_from_there(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 3)
    receiver.script(path, 200)
    first, *_ = dlq_ids(qstash)
    cursor = call(qstash, "GET", "/v2/dlq", params={"count": 1}).json()["cursor"]

    response = call(qstash, "POST", "/v2/dlq/retry", params={"cursor": cursor})

    assert len(response.json()["responses"]) == 2
    qstash.double.fast_forward()
    assert dlq_ids(qstash) == [first]


def test_dlq_bulk_retry_naming_nothing_is_refused(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    _dead_letters(qstash, receiver, path, 1)

    response = call(qstash, "POST", "/v2/dlq/retry")

    assert response.status_code == 400
    assert "dlqIds, a filter, or count" in response.json()["error"]
    assert len(dlq_ids(qstash)) == 1
