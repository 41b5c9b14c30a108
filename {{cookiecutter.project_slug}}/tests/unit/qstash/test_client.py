"""The publisher against a fake QStash on 127.0.0.1: headers, refusals, errors, 429s, timeouts."""

import math
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse, Response

from {{ cookiecutter.package_name }}.api.routes import callbacks, jobs
from {{ cookiecutter.package_name }}.config import Settings, get_settings
from {{ cookiecutter.package_name }}.errors import (
    ConfigurationError,
    InvalidPayloadError,
    MessageTooLargeError,
    PublishError,
    PublishTimeoutError,
    RateLimitedError,
    UnknownJobError,
    UnsafeDestinationError,
)
from {{ cookiecutter.package_name }}.jobs.examples import WelcomeEmail
from {{ cookiecutter.package_name }}.qstash.client import (
    Publisher,
    PublishRequest,
    default_publisher,
    publish,
    publish_batch,
)
from {{ cookiecutter.package_name }}.qstash.ratelimit import RateLimitPolicy
from {{ cookiecutter.package_name }}.qstash.rest import QStashApi, Timeouts

from ...fake_qstash import (
    TOKEN,
    FakeQStash,
    Recorded,
    SilentServer,
    free_port,
    publish_response,
    serve_silently,
)

BASE_URL = "https://jobs.example.com"
JOB = "send-welcome-email"
PAYLOAD = {"user_id": "u-1", "email": "ada@example.com"}
NOW = 1_800_000_000.0


class Sleeps(list[float]):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_publisher(
    base_url: str,
    *,
    sleeps: Sleeps | None = None,
    policy: RateLimitPolicy | None = None,
    timeouts: Timeouts | None = None,
    max_message_bytes: int = 1_000_000,
) -> Publisher:
    """A publisher whose waits are recorded (not slept) when `sleeps` is given."""
    options: dict[str, Any] = {}
    if sleeps is not None:
        # Deterministic: the clock stands still and jitter is always its upper bound.
        options.update(sleep=sleeps, clock=lambda: NOW, rng=lambda low, high: high)
    api = QStashApi(
        base_url=base_url,
        token=TOKEN,
        timeouts=timeouts,
        rate_limit=policy or RateLimitPolicy(max_attempts=5, max_wait_seconds=60),
        **options,
    )
    return Publisher(api, public_base_url=BASE_URL, max_message_bytes=max_message_bytes)


@pytest.fixture
def publisher(fake: FakeQStash) -> Iterator[Publisher]:
    with make_publisher(fake.base_url) as publisher:
        yield publisher


def only_request(fake: FakeQStash) -> Recorded:
    assert len(fake.requests) == 1, fake.requests
    return fake.requests[0]


def rate_limited(**headers: str) -> Response:
    return JSONResponse({"error": "Too many requests"}, status_code=429, headers=headers)


def limited_then_accepted(*first: Response) -> Any:
    """A responder answering `first` in turn, then accepting."""
    answers = deque(first)
    return lambda request: answers.popleft() if answers else publish_response("msg_ok")


# --- what a publish sends --------------------------------------------------------------------


def test_publish_posts_to_the_jobs_public_route(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, PAYLOAD)
    request = only_request(fake)
    assert request.method == "POST"
    assert request.path == f"/v2/publish/{BASE_URL}/qstash/jobs/{JOB}"


def test_publish_sends_the_bearer_token(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, PAYLOAD)
    assert only_request(fake).headers["authorization"] == f"Bearer {TOKEN}"


def test_callback_and_failure_callback_point_at_the_apps_own_routes(
    fake: FakeQStash, publisher: Publisher
) -> None:
    publisher.publish(JOB, PAYLOAD)
    headers = only_request(fake).headers
    assert headers["upstash-callback"] == f"{BASE_URL}/qstash/callback"
    assert headers["upstash-failure-callback"] == f"{BASE_URL}/qstash/failure"


def test_payload_is_sent_as_json(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, PAYLOAD)
    request = only_request(fake)
    assert request.headers["content-type"] == "application/json"
    assert request.json() == PAYLOAD


def test_payload_bytes_are_sent_unchanged(fake: FakeQStash, publisher: Publisher) -> None:
    body = b'{ "email": "ada@example.com", "user_id": "u-1" }'
    publisher.publish(JOB, body)
    assert only_request(fake).body == body


def test_payload_model_instance_is_sent_as_its_json(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, WelcomeEmail(**PAYLOAD))
    assert only_request(fake).json() == PAYLOAD


@pytest.mark.parametrize(
    ("delay", "header"),
    [
        (10, "10s"),
        (1.2, "2s"),
        (timedelta(minutes=2), "120s"),
        ("1d10h30m", "1d10h30m"),
    ],
    ids=["int", "float-rounds-up", "timedelta", "notation"],
)
def test_delay_is_sent_as_upstash_delay(
    fake: FakeQStash, publisher: Publisher, delay: Any, header: str
) -> None:
    publisher.publish(JOB, PAYLOAD, delay=delay)
    assert only_request(fake).headers["upstash-delay"] == header


@pytest.mark.parametrize(
    "not_before",
    [1_900_000_000, datetime.fromtimestamp(1_900_000_000, UTC)],
    ids=["unix", "aware-datetime"],
)
def test_not_before_is_sent_as_unix_seconds(
    fake: FakeQStash, publisher: Publisher, not_before: Any
) -> None:
    publisher.publish(JOB, PAYLOAD, not_before=not_before)
    assert only_request(fake).headers["upstash-not-before"] == "1900000000"


def test_deduplication_id_is_sent(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, PAYLOAD, deduplication_id="signup-u-1")
    assert only_request(fake).headers["upstash-deduplication-id"] == "signup-u-1"


def test_retries_is_sent(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, PAYLOAD, retries=0)
    assert only_request(fake).headers["upstash-retries"] == "0"


def test_options_left_out_send_no_headers(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish(JOB, PAYLOAD)
    headers = only_request(fake).headers
    for name in ("delay", "not-before", "deduplication-id", "retries"):
        assert f"upstash-{name}" not in headers


def test_publish_returns_qstash_message_id(fake: FakeQStash, publisher: Publisher) -> None:
    fake.responder = lambda request: publish_response("msg_abc")
    result = publisher.publish(JOB, PAYLOAD)
    assert (result.job, result.message_id, result.deduplicated) == (JOB, "msg_abc", False)


def test_duplicate_answer_is_reported_as_deduplicated(
    fake: FakeQStash, publisher: Publisher
) -> None:
    fake.responder = lambda request: publish_response("msg_old", status=202, deduplicated=True)
    result = publisher.publish(JOB, PAYLOAD, deduplication_id="same")
    assert (result.message_id, result.deduplicated) == ("msg_old", True)


# --- refused before sending ------------------------------------------------------------------


def test_invalid_payload_never_leaves_the_process(fake: FakeQStash, publisher: Publisher) -> None:
    with pytest.raises(InvalidPayloadError) as caught:
        publisher.publish(JOB, {"user_id": "u-1", "email": "not-an-email"})
    assert caught.value.details["errors"][0]["loc"] == ("email",)
    assert fake.requests == []


def test_payload_that_is_not_json_never_leaves_the_process(
    fake: FakeQStash, publisher: Publisher
) -> None:
    with pytest.raises(InvalidPayloadError):
        publisher.publish(JOB, b"{not json")
    assert fake.requests == []


def test_unknown_job_is_refused_before_sending(fake: FakeQStash, publisher: Publisher) -> None:
    with pytest.raises(UnknownJobError):
        publisher.publish("no-such-job", PAYLOAD)
    assert fake.requests == []


def test_payload_over_the_size_limit_fails_before_sending(fake: FakeQStash) -> None:
    with make_publisher(fake.base_url, max_message_bytes=40) as publisher:
        body = b'{"user_id": "u-1", "email": "ada@example.com"}'
        with pytest.raises(MessageTooLargeError) as caught:
            publisher.publish(JOB, body)
    assert fake.requests == []
    assert caught.value.details == {"job": JOB, "size_bytes": len(body), "max_bytes": 40}


def test_size_error_says_to_send_a_reference_instead(fake: FakeQStash) -> None:
    with (
        make_publisher(fake.base_url, max_message_bytes=10) as publisher,
        pytest.raises(MessageTooLargeError, match="send a reference") as caught,
    ):
        publisher.publish(JOB, PAYLOAD)
    assert "{% if cookiecutter.cloud == "aws-lambda" %}S3{% else %}Cloud Storage{% endif %}" in caught.value.message
    assert "QSTASH_MAX_MESSAGE_BYTES" in caught.value.message


def test_payload_exactly_at_the_size_limit_is_sent(fake: FakeQStash) -> None:
    body = b'{"user_id": "u-1", "email": "ada@example.com"}'
    with make_publisher(fake.base_url, max_message_bytes=len(body)) as publisher:
        publisher.publish(JOB, body)
    assert only_request(fake).body == body


@pytest.mark.parametrize(
    "options",
    [
        {"delay": -1},
        {"delay": "10 seconds"},
        {"not_before": datetime(2030, 1, 1)},  # naive on purpose
        {"retries": -1},
        {"retries": 101},
        {"deduplication_id": "two\nlines"},
        {"deduplication_id": ""},
    ],
    ids=[
        "negative-delay",
        "delay-words",
        "naive-not-before",
        "negative-retries",
        "retries-over-qstash-maximum",
        "dedup-newline",
        "dedup-empty",
    ],
)
def test_malformed_option_is_refused_before_sending(
    fake: FakeQStash, publisher: Publisher, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="must be"):
        publisher.publish(JOB, PAYLOAD, **options)
    assert fake.requests == []


# --- where messages may go ------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url", ["http://jobs.example.com", "https://localhost", "https://10.0.0.5:8000"]
)
def test_publisher_refuses_a_base_url_qstash_cannot_reach(base_url: str) -> None:
    with (
        QStashApi(base_url="https://qstash.upstash.io", token=TOKEN) as api,
        pytest.raises(UnsafeDestinationError, match="set PUBLIC_BASE_URL"),
    ):
        Publisher(api, public_base_url=base_url)


def test_local_destinations_are_used_against_a_local_qstash(fake: FakeQStash) -> None:
    api = QStashApi(base_url=fake.base_url, token=TOKEN)
    with Publisher(api, public_base_url="http://127.0.0.1:8000") as publisher:
        publisher.publish(JOB, PAYLOAD)
    request = only_request(fake)
    assert request.path == f"/v2/publish/http://127.0.0.1:8000/qstash/jobs/{JOB}"
    assert request.headers["upstash-callback"] == "http://127.0.0.1:8000/qstash/callback"


# --- answers QStash gives --------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
def test_error_answer_surfaces_status_and_body(
    fake: FakeQStash, publisher: Publisher, status: int
) -> None:
    fake.responder = lambda request: JSONResponse({"error": "nope"}, status_code=status)
    with pytest.raises(PublishError) as caught:
        publisher.publish(JOB, PAYLOAD)
    assert caught.value.details["status"] == status
    assert caught.value.details["body"] == '{"error":"nope"}'
    assert f"QStash answered {status}" in caught.value.message
    assert "nope" in caught.value.message


def test_server_error_is_not_retried(fake: FakeQStash, publisher: Publisher) -> None:
    fake.responder = lambda request: JSONResponse({"error": "boom"}, status_code=500)
    with pytest.raises(PublishError):
        publisher.publish(JOB, PAYLOAD)
    assert len(fake.requests) == 1


def test_error_never_carries_the_token(fake: FakeQStash, publisher: Publisher) -> None:
    fake.responder = lambda request: JSONResponse({"error": "bad"}, status_code=400)
    with pytest.raises(PublishError) as caught:
        publisher.publish(JOB, PAYLOAD)
    assert TOKEN not in repr((caught.value.message, caught.value.details))


def test_unreachable_qstash_raises_publish_error() -> None:
    with (
        make_publisher(f"http://127.0.0.1:{free_port()}") as publisher,
        pytest.raises(PublishError, match="could not reach QStash"),
    ):
        publisher.publish(JOB, PAYLOAD)


# --- 429: wait for the reset, with bounded jitter --------------------------------------------


def test_burst_limit_waits_until_burst_reset(fake: FakeQStash) -> None:
    sleeps = Sleeps()
    fake.responder = limited_then_accepted(
        rate_limited(**{"Burst-RateLimit-Limit": "100", "Burst-RateLimit-Reset": str(NOW + 1)})
    )
    with make_publisher(fake.base_url, sleeps=sleeps) as publisher:
        assert publisher.publish(JOB, PAYLOAD).message_id == "msg_ok"
    assert sleeps == [1.0 + RateLimitPolicy().jitter_seconds]
    assert len(fake.requests) == 2


def test_daily_limit_waits_until_ratelimit_reset(fake: FakeQStash) -> None:
    sleeps = Sleeps()
    fake.responder = limited_then_accepted(
        rate_limited(**{"RateLimit-Limit": "1000", "RateLimit-Reset": str(int(NOW) + 3)})
    )
    with make_publisher(fake.base_url, sleeps=sleeps) as publisher:
        publisher.publish(JOB, PAYLOAD)
    assert sleeps == [3.0 + RateLimitPolicy().jitter_seconds]


def test_retry_after_is_honoured(fake: FakeQStash) -> None:
    sleeps = Sleeps()
    fake.responder = limited_then_accepted(rate_limited(**{"Retry-After": "2"}))
    with make_publisher(fake.base_url, sleeps=sleeps) as publisher:
        publisher.publish(JOB, PAYLOAD)
    assert sleeps == [2.0 + RateLimitPolicy().jitter_seconds]


def test_429_without_reset_headers_backs_off_exponentially(fake: FakeQStash) -> None:
    sleeps = Sleeps()
    fake.responder = limited_then_accepted(rate_limited(), rate_limited(), rate_limited())
    policy = RateLimitPolicy(max_attempts=5, jitter_seconds=0.0)
    with make_publisher(fake.base_url, sleeps=sleeps, policy=policy) as publisher:
        publisher.publish(JOB, PAYLOAD)
    assert sleeps == [0.25, 0.5, 1.0]


def test_reset_beyond_the_wait_budget_fails_at_once(fake: FakeQStash) -> None:
    sleeps = Sleeps()
    reset = str(int(NOW) + 3600)
    fake.responder = lambda request: rate_limited(
        **{"RateLimit-Limit": "1000", "RateLimit-Remaining": "0", "RateLimit-Reset": reset}
    )
    with (
        make_publisher(fake.base_url, sleeps=sleeps) as publisher,
        pytest.raises(RateLimitedError) as caught,
    ):
        publisher.publish(JOB, PAYLOAD)
    assert sleeps == []
    assert len(fake.requests) == 1
    assert caught.value.details["limit"] == "daily"
    assert caught.value.details["retry_after_seconds"] == 3600


def test_persistent_429_gives_up_after_max_attempts(fake: FakeQStash) -> None:
    sleeps = Sleeps()
    fake.responder = lambda request: rate_limited(**{"Burst-RateLimit-Reset": str(int(NOW) + 1)})
    policy = RateLimitPolicy(max_attempts=3)
    with (
        make_publisher(fake.base_url, sleeps=sleeps, policy=policy) as publisher,
        pytest.raises(RateLimitedError, match="gave up after 3 attempt") as caught,
    ):
        publisher.publish(JOB, PAYLOAD)
    assert len(fake.requests) == 3
    assert len(sleeps) == 2
    assert caught.value.details["status"] == 429
    assert caught.value.details["limit"] == "burst"
    assert "Too many requests" in caught.value.details["body"]


def test_150_publishes_in_one_second_against_a_100_per_second_burst_limit_all_land(
    fake: FakeQStash,
) -> None:
    """Public report: a burst over the per-second limit must back off, never drop messages."""
    # Time moves only when a publisher sleeps: all 150 start inside one second, whatever the
    # machine's speed, so the 101st is refused for sure.
    virtual = VirtualTime(NOW)
    limit = SlidingWindowBurstLimit(fake, per_second=100, clock=virtual.clock)
    fake.responder = limit
    api = QStashApi(
        base_url=fake.base_url,
        token=TOKEN,
        rate_limit=RateLimitPolicy(max_attempts=5, max_wait_seconds=60),
        sleep=virtual.sleep,
        clock=virtual.clock,
    )
    with (
        Publisher(api, public_base_url=BASE_URL) as publisher,
        ThreadPoolExecutor(50) as pool,
    ):
        results = list(pool.map(lambda n: publisher.publish(JOB, PAYLOAD), range(150)))
    assert len({result.message_id for result in results}) == 150
    assert limit.accepted == 150
    assert limit.refused > 0, "the burst never hit the limit: the test proves nothing"
    assert virtual.clock() >= NOW + 1  # the refused ones waited for the window to move on


class VirtualTime:
    """Unix seconds that move only when a caller sleeps (shared by every thread)."""

    def __init__(self, start: float) -> None:
        self._now = start
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)


class SlidingWindowBurstLimit:
    """Accepts at most `per_second` publishes in any one-second window; 429s the rest."""

    def __init__(self, fake: FakeQStash, per_second: int, clock: Callable[[], float]) -> None:
        self.fake = fake
        self.per_second = per_second
        self.clock = clock
        self.accepted_at: deque[float] = deque()
        self.accepted = 0
        self.refused = 0
        self.lock = threading.Lock()

    def __call__(self, request: Recorded) -> Response:
        with self.lock:
            now = self.clock()
            while self.accepted_at and self.accepted_at[0] <= now - 1:
                self.accepted_at.popleft()
            if len(self.accepted_at) >= self.per_second:
                self.refused += 1
                return rate_limited(
                    **{
                        "Burst-RateLimit-Limit": str(self.per_second),
                        "Burst-RateLimit-Remaining": "0",
                        "Burst-RateLimit-Reset": str(math.ceil(self.accepted_at[0] + 1)),
                    }
                )
            self.accepted_at.append(now)
            self.accepted += 1
        return publish_response(self.fake.next_message_id())


# --- timeouts --------------------------------------------------------------------------------


@contextmanager
def silent_qstash(read_timeout: float) -> Iterator[tuple[SilentServer, Publisher]]:
    """A QStash that accepts connections and never answers, and a publisher pointed at it."""
    timeouts = Timeouts(connect=1.0, read=read_timeout, write=1.0, pool=1.0)
    with (
        serve_silently() as silent,
        make_publisher(silent.base_url, timeouts=timeouts) as publisher,
    ):
        yield silent, publisher


def test_qstash_that_never_answers_fails_within_the_read_timeout() -> None:
    """Public report: a QStash that accepts the connection and never answers."""
    with silent_qstash(read_timeout=0.3) as (_, publisher):
        started = time.monotonic()
        with pytest.raises(PublishTimeoutError) as caught:
            publisher.publish(JOB, PAYLOAD)
        elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 5.0  # the configured 0.3 s, not the 10 s default; slack for load
    assert "did not answer" in caught.value.message
    assert "0.3 s (read timeout)" in caught.value.message
    assert caught.value.details["timeout"] == "read"


def test_timeout_is_not_retried() -> None:
    with silent_qstash(read_timeout=0.2) as (silent, publisher):
        with pytest.raises(PublishTimeoutError):
            publisher.publish(JOB, PAYLOAD)
        assert len(silent.connections) == 1


def test_timeout_error_says_to_publish_again_with_the_same_deduplication_id() -> None:
    with (
        silent_qstash(read_timeout=0.2) as (_, publisher),
        pytest.raises(PublishTimeoutError, match="same deduplication id"),
    ):
        publisher.publish(JOB, PAYLOAD)


# --- batch -----------------------------------------------------------------------------------


def test_batch_sends_every_message_in_one_call(fake: FakeQStash, publisher: Publisher) -> None:
    publisher.publish_batch(
        [
            PublishRequest(JOB, PAYLOAD, delay=5),
            PublishRequest(JOB, {"user_id": "u-2", "email": "bob@example.com"}, retries=1),
        ]
    )
    request = only_request(fake)
    assert request.path == "/v2/batch"
    entries = request.json()
    assert [entry["destination"] for entry in entries] == [f"{BASE_URL}/qstash/jobs/{JOB}"] * 2
    assert [entry["body"] for entry in entries][1] == '{"user_id":"u-2","email":"bob@example.com"}'
    assert entries[0]["headers"]["Upstash-Delay"] == "5s"
    assert entries[1]["headers"]["Upstash-Retries"] == "1"
    for entry in entries:
        assert entry["headers"]["Upstash-Callback"] == f"{BASE_URL}/qstash/callback"
        assert entry["headers"]["Upstash-Failure-Callback"] == f"{BASE_URL}/qstash/failure"


def test_batch_returns_one_result_per_message_in_order(
    fake: FakeQStash, publisher: Publisher
) -> None:
    fake.responder = lambda request: JSONResponse([{"messageId": "msg_a"}, {"messageId": "msg_b"}])
    results = publisher.publish_batch([PublishRequest(JOB, PAYLOAD), PublishRequest(JOB, PAYLOAD)])
    assert [result.message_id for result in results] == ["msg_a", "msg_b"]


def test_batch_with_one_invalid_message_sends_nothing(
    fake: FakeQStash, publisher: Publisher
) -> None:
    with pytest.raises(InvalidPayloadError):
        publisher.publish_batch([PublishRequest(JOB, PAYLOAD), PublishRequest(JOB, {})])
    assert fake.requests == []


def test_batch_reports_refused_messages_and_the_accepted_ids(
    fake: FakeQStash, publisher: Publisher
) -> None:
    fake.responder = lambda request: JSONResponse([{"messageId": "msg_a"}, {"error": "bad url"}])
    with pytest.raises(PublishError, match="refused 1 of 2") as caught:
        publisher.publish_batch([PublishRequest(JOB, PAYLOAD), PublishRequest(JOB, PAYLOAD)])
    assert caught.value.details["accepted"] == {0: "msg_a"}
    assert caught.value.details["errors"] == {1: "bad url"}


def test_empty_batch_sends_nothing(fake: FakeQStash, publisher: Publisher) -> None:
    assert publisher.publish_batch([]) == []
    assert fake.requests == []


# --- configuration ---------------------------------------------------------------------------


def dev_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "development",
        "public_base_url": BASE_URL,
        "qstash_url": "http://127.0.0.1:9",
        "qstash_token": TOKEN,
        **overrides,
    }
    return Settings(**values)


def test_settings_timeouts_reach_the_client() -> None:
    settings = dev_settings(
        qstash_connect_timeout_seconds=1,
        qstash_read_timeout_seconds=2,
        qstash_write_timeout_seconds=3,
        qstash_pool_timeout_seconds=4,
    )
    with Publisher.from_settings(settings) as publisher:
        assert publisher.api.timeouts == Timeouts(connect=1, read=2, write=3, pool=4)


def test_settings_size_limit_reaches_the_publisher() -> None:
    with Publisher.from_settings(dev_settings(qstash_max_message_bytes=123)) as publisher:
        assert publisher.max_message_bytes == 123


def test_missing_token_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="QSTASH_TOKEN is not set"):
        Publisher.from_settings(dev_settings(qstash_token=None))


def test_missing_public_base_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL is not set"):
        Publisher.from_settings(dev_settings(public_base_url=None))


def test_injected_http_client_is_used_and_left_open(fake: FakeQStash) -> None:
    with httpx.Client() as client:
        with Publisher.from_settings(
            dev_settings(qstash_url=fake.base_url), http_client=client
        ) as publisher:
            publisher.publish(JOB, PAYLOAD)
        assert not client.is_closed
    assert len(fake.requests) == 1


def test_destinations_are_routes_the_app_serves() -> None:
    served = {
        getattr(route, "path", None) for route in jobs.router.routes + callbacks.router.routes
    }
    with make_publisher("http://127.0.0.1:9") as publisher:
        urls = [
            publisher.destination("{job_name}"),
            publisher.callback_url,
            publisher.failure_callback_url,
        ]
    assert {url.removeprefix(BASE_URL) for url in urls} <= served


@pytest.fixture
def environment_publisher(fake: FakeQStash, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the settings at the fake; start and end with fresh cached settings and publisher."""
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("QSTASH_URL", fake.base_url)
    monkeypatch.setenv("QSTASH_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
    get_settings.cache_clear()
    default_publisher.cache_clear()
    yield
    if default_publisher.cache_info().currsize:
        default_publisher().close()
    default_publisher.cache_clear()
    get_settings.cache_clear()


@pytest.mark.usefixtures("environment_publisher")
def test_module_level_publish_uses_the_environment(fake: FakeQStash) -> None:
    publish(JOB, PAYLOAD, retries=1)
    request = only_request(fake)
    assert request.path == f"/v2/publish/{BASE_URL}/qstash/jobs/{JOB}"
    assert request.headers["upstash-retries"] == "1"


@pytest.mark.usefixtures("environment_publisher")
def test_module_level_publish_batch_uses_the_environment(fake: FakeQStash) -> None:
    results = publish_batch([PublishRequest(JOB, PAYLOAD)])
    assert len(results) == 1
    assert only_request(fake).path == "/v2/batch"


def test_receiver_modules_do_not_load_the_publishers_dependencies() -> None:
    """The ingest path imports these; httpx and tenacity would cost cold-start time."""
    package = "{{ cookiecutter.package_name }}"
    code = (
        f"import {package}.qstash, {package}.api, {package}.ingest, sys; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'tenacity'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
