"""Calls safe to repeat: 5xx, timeouts and dropped connections retried, bounded by a deadline."""

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.responses import JSONResponse, Response

from {{ cookiecutter.package_name }}.errors import PublishError, PublishTimeoutError
from {{ cookiecutter.package_name }}.qstash.ratelimit import RateLimitPolicy
from {{ cookiecutter.package_name }}.qstash.rest import QStashApi, Timeouts
from {{ cookiecutter.package_name }}.qstash.retrying import (
    Deadline,
    DeadlineExceededError,
    TransientRetryPolicy,
)

from ...fake_qstash import TOKEN, FakeQStash, free_port, serve_silently


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_api(
    base_url: str,
    *,
    time: FakeTime | None = None,
    attempts: int = 4,
    deadline_seconds: float | None = None,
    timeouts: Timeouts | None = None,
) -> QStashApi:
    """A client whose waits move a fake clock; jitter off, so the waits are exact."""
    time = time or FakeTime()
    return QStashApi(
        base_url=base_url,
        token=TOKEN,
        timeouts=timeouts,
        rate_limit=RateLimitPolicy(max_attempts=10, jitter_seconds=0.0),
        transient_retry=TransientRetryPolicy(max_attempts=attempts),
        deadline=None if deadline_seconds is None else Deadline.after(deadline_seconds, clock=time),
        sleep=time.sleep,
        rng=lambda low, high: low,
    )


def answers(*responses: Response) -> Any:
    """A responder answering `responses` in turn, then 200 `{}` for good."""
    queue = deque(responses)
    return lambda request: queue.popleft() if queue else JSONResponse({})


def server_error(status: int = 503) -> Response:
    return JSONResponse({"error": "try later"}, status_code=status)


def test_idempotent_call_is_retried_after_a_server_error(fake: FakeQStash) -> None:
    fake.responder = answers(server_error(), server_error(502))
    with make_api(fake.base_url) as api:
        response = api.request("DELETE", "/v2/schedules/s", idempotent=True)
    assert response.status_code == 200
    assert len(fake.requests) == 3


def test_waits_between_transient_retries_double(fake: FakeQStash) -> None:
    time = FakeTime()
    fake.responder = answers(server_error(), server_error(), server_error())
    with make_api(fake.base_url, time=time) as api:
        api.request("GET", "/v2/schedules", idempotent=True)
    assert time.sleeps == [1.0, 2.0, 4.0]


def test_server_errors_until_the_attempts_run_out_fail_with_a_clear_error(
    fake: FakeQStash,
) -> None:
    fake.responder = lambda request: server_error(500)
    with (
        make_api(fake.base_url, attempts=3) as api,
        pytest.raises(PublishError) as caught,
    ):
        api.request("GET", "/v2/schedules", idempotent=True)
    assert len(fake.requests) == 3
    assert caught.value.details["status"] == 500
    assert "QStash answered 500 to GET /v2/schedules: try later" in caught.value.message
    assert "gave up after 3 attempt(s)" in caught.value.message


def test_client_error_is_not_retried(fake: FakeQStash) -> None:
    fake.responder = lambda request: JSONResponse({"error": "bad cron"}, status_code=400)
    with make_api(fake.base_url) as api, pytest.raises(PublishError, match="bad cron"):
        api.request("POST", "/v2/schedules/https://x", idempotent=True)
    assert len(fake.requests) == 1


def test_call_not_marked_idempotent_is_not_retried_after_a_server_error(
    fake: FakeQStash,
) -> None:
    fake.responder = lambda request: server_error()
    with make_api(fake.base_url) as api, pytest.raises(PublishError):
        api.request("POST", "/v2/publish/https://x")
    assert len(fake.requests) == 1


def test_unreachable_qstash_is_retried_then_reported() -> None:
    with (
        make_api(f"http://127.0.0.1:{free_port()}", attempts=2) as api,
        pytest.raises(PublishError, match="could not reach QStash") as caught,
    ):
        api.request("GET", "/v2/topics", idempotent=True)
    assert caught.value.details["attempts"] == 2


@contextmanager
def silent_api(**options: Any) -> Iterator[tuple[Any, QStashApi]]:
    with serve_silently() as silent, make_api(silent.base_url, **options) as api:
        yield silent, api


def test_a_hang_is_bounded_by_the_read_timeout_and_the_attempts() -> None:
    timeouts = Timeouts(connect=1.0, read=0.2, write=1.0, pool=1.0)
    with silent_api(timeouts=timeouts, attempts=2) as (silent, api):
        with pytest.raises(PublishTimeoutError) as caught:
            api.request("GET", "/v2/schedules", idempotent=True)
        assert len(silent.connections) == 2
    assert "did not answer GET /v2/schedules within 0.2 s (read timeout)" in caught.value.message
    assert "safe to repeat" in caught.value.message
    assert "gave up after 2 attempt(s)" in caught.value.message


def test_no_call_starts_once_the_deadline_is_spent(fake: FakeQStash) -> None:
    with (
        make_api(fake.base_url, deadline_seconds=0.5) as api,
        pytest.raises(DeadlineExceededError, match=r"0\.5 s of the time limit left"),
    ):
        api.request("GET", "/v2/schedules", idempotent=True)
    assert fake.requests == []


def test_back_off_stops_before_it_would_pass_the_deadline(fake: FakeQStash) -> None:
    time = FakeTime()
    fake.responder = lambda request: server_error()
    with (
        make_api(fake.base_url, time=time, attempts=10, deadline_seconds=5.0) as api,
        pytest.raises(PublishError, match="gave up after 3 attempt"),
    ):
        api.request("GET", "/v2/schedules", idempotent=True)
    # Waits of 1 s and 2 s fit in 5 s with a second to spare for a call; 4 s more would not.
    assert time.sleeps == [1.0, 2.0]
    assert len(fake.requests) == 3


def test_timeouts_are_cut_to_the_time_left_before_the_deadline() -> None:
    timeouts = Timeouts(connect=30.0, read=30.0, write=30.0, pool=30.0)
    with serve_silently() as silent:
        api = QStashApi(
            base_url=silent.base_url,
            token=TOKEN,
            timeouts=timeouts,
            transient_retry=TransientRetryPolicy(max_attempts=1),
            deadline=Deadline.after(1.5),
        )
        with api, pytest.raises(PublishTimeoutError) as caught:
            api.request("GET", "/v2/schedules", idempotent=True)
    assert caught.value.details["timeout_seconds"] <= 1.5
