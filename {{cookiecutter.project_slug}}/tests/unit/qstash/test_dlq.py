"""The dead-letter queue helpers against a fake QStash on 127.0.0.1."""

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.responses import JSONResponse, Response

from {{ cookiecutter.package_name }}.errors import DeadLetterNotFoundError, PublishError
from {{ cookiecutter.package_name }}.qstash.dlq import DeadLetterQueue
from {{ cookiecutter.package_name }}.qstash.rest import QStashApi

from ...fake_qstash import TOKEN, FakeQStash, Recorded


def dead_letter(dlq_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "dlqId": dlq_id,
        "messageId": f"msg_{dlq_id}",
        "url": "https://jobs.example.com/qstash/jobs/send-welcome-email",
        "method": "POST",
        "body": '{"user_id": "u-1"}',
        "responseStatus": 489,
        "createdAt": 1_800_000_000_000,
        **fields,
    }


@pytest.fixture
def dlq(fake: FakeQStash) -> Iterator[DeadLetterQueue]:
    with QStashApi(base_url=fake.base_url, token=TOKEN) as api:
        yield DeadLetterQueue(api)


def answer(document: Any, status: int = 200) -> Any:
    return lambda request: JSONResponse(document, status_code=status)


def test_list_returns_the_page_and_its_cursor(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messages": [dead_letter("1-0"), dead_letter("2-0")], "cursor": "c2"})
    page = dlq.list()
    assert [message.dlq_id for message in page.messages] == ["1-0", "2-0"]
    assert page.messages[0].response_status == 489
    assert page.cursor == "c2"
    assert (fake.requests[0].method, fake.requests[0].path) == ("GET", "/v2/dlq")


def test_list_sends_cursor_count_and_filters(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messages": []})
    dlq.list(cursor="c2", count=10, filters={"responseStatus": "489"})
    assert fake.requests[0].query == {"cursor": "c2", "count": "10", "responseStatus": "489"}


def test_last_page_has_no_cursor(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messages": [dead_letter("1-0")]})
    assert dlq.list().cursor is None


@pytest.mark.parametrize("count", [0, 101])
def test_page_size_out_of_range_is_refused(dlq: DeadLetterQueue, count: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 100"):
        dlq.list(count=count)


def test_iterate_follows_the_cursor_to_the_end(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    pages = {
        None: {"messages": [dead_letter("1-0")], "cursor": "c2"},
        "c2": {"messages": [dead_letter("2-0")], "cursor": "c3"},
        "c3": {"messages": [dead_letter("3-0")]},
    }

    def by_cursor(request: Recorded) -> Response:
        return JSONResponse(pages[request.query.get("cursor")])

    fake.responder = by_cursor
    assert [message.dlq_id for message in dlq.iterate()] == ["1-0", "2-0", "3-0"]
    assert len(fake.requests) == 3


def test_iterate_stops_when_a_cursor_repeats(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messages": [dead_letter("1-0")], "cursor": "same"})
    with pytest.raises(PublishError, match="same DLQ cursor twice"):
        list(dlq.iterate())


def test_get_reads_one_dead_letter(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer(dead_letter("1-0", responseBody="boom"))
    message = dlq.get("1-0")
    assert (message.dlq_id, message.response_body) == ("1-0", "boom")
    assert (fake.requests[0].method, fake.requests[0].path) == ("GET", "/v2/dlq/1-0")


def test_delete_sends_delete_for_the_dead_letter(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = lambda request: Response(status_code=200)
    dlq.delete("1-0")
    assert (fake.requests[0].method, fake.requests[0].path) == ("DELETE", "/v2/dlq/1-0")


def test_replay_posts_to_the_dlq_retry_endpoint(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messageId": "msg_new"}, status=201)
    result = dlq.replay("1725323658779-0")
    assert (fake.requests[0].method, fake.requests[0].path) == (
        "POST",
        "/v2/dlq/retry/1725323658779-0",
    )
    assert (result.dlq_id, result.message_id) == ("1725323658779-0", "msg_new")


def test_replay_can_override_the_retries(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messageId": "msg_new"}, status=201)
    dlq.replay("1-0", retries=0)
    assert fake.requests[0].headers["upstash-retries"] == "0"


def test_replay_with_more_retries_than_qstash_allows_is_refused_before_sending(
    fake: FakeQStash, dlq: DeadLetterQueue
) -> None:
    with pytest.raises(ValueError, match="from 0 to 100"):
        dlq.replay("1-0", retries=101)
    assert fake.requests == []


def test_replay_keeps_the_original_retries_by_default(
    fake: FakeQStash, dlq: DeadLetterQueue
) -> None:
    fake.responder = answer({"messageId": "msg_new"}, status=201)
    dlq.replay("1-0")
    assert "upstash-retries" not in fake.requests[0].headers


def test_dead_letter_id_is_escaped_in_the_path(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"messageId": "msg_new"}, status=201)
    dlq.replay("a/../b")
    assert fake.requests[0].path == "/v2/dlq/retry/a%2F..%2Fb"


@pytest.mark.parametrize("action", ["get", "delete", "replay"])
def test_missing_dead_letter_raises_not_found(
    fake: FakeQStash, dlq: DeadLetterQueue, action: str
) -> None:
    fake.responder = answer({"error": "Not found"}, status=404)
    with pytest.raises(DeadLetterNotFoundError, match="no dead letter '9-9'") as caught:
        getattr(dlq, action)("9-9")
    assert caught.value.details["status"] == 404
    assert caught.value.details["dlq_id"] == "9-9"


def test_other_errors_surface_status_and_body(fake: FakeQStash, dlq: DeadLetterQueue) -> None:
    fake.responder = answer({"error": "unauthorized"}, status=401)
    with pytest.raises(PublishError) as caught:
        dlq.list()
    assert caught.value.details["status"] == 401
    assert "unauthorized" in caught.value.details["body"]
