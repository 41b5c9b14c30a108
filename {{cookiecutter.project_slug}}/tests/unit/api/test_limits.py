"""What every QStash route accepts: a bounded body, read before it is hashed, and well-formed
delivery headers, checked before anything is recorded. Both refusals are permanent (489)."""

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from starlette.types import Message

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.api.routes.callbacks import (
    CALLBACK_PATH,
    FAILURE_CALLBACK_PATH,
)
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.handoff import MemoryHandoff
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign

from ...conftest import JOB_PATH, PUBLIC_BASE_URL, VALID_PAYLOAD, Invoke
from .test_callbacks_route import SOURCE_ID, callback, failure_callback

LIMIT = 2048
TOO_LARGE = {
    "error": "the request body is over the receiver's limit of 2,048 bytes (MAX_BODY_BYTES): "
    "publish a reference to the data (e.g. {% if cookiecutter.cloud == "aws-lambda" %}an S3 key{% else %}a gs:// URI{% endif %}) instead",
    "max_bytes": LIMIT,
}


def padded(body: bytes, size: int) -> bytes:
    """`body` (JSON) followed by spaces up to `size` bytes: still the same JSON."""
    return body + b" " * (size - len(body))


#: Each QStash route with a body it accepts.
ROUTES = {
    "job": (JOB_PATH, json.dumps(VALID_PAYLOAD).encode()),
    "callback": (CALLBACK_PATH, callback()),
    "failure-callback": (FAILURE_CALLBACK_PATH, failure_callback()),
}


@pytest.fixture
def limited(services: Services) -> Services:
    """Services whose body limit is LIMIT bytes."""
    settings = Settings(public_base_url=PUBLIC_BASE_URL, max_body_bytes=LIMIT)
    return replace(services, settings=settings)


@pytest.fixture
def invoke_limited(limited: Services, keys: SigningKeys) -> Invoke:
    """The app whose body limit is LIMIT bytes, behind its platform's edge."""
    return Invoke(create_app(limited), keys)


def nothing_recorded(handoff: MemoryHandoff, store: MemoryDeliveryStore) -> bool:
    """No token claim, hand-off, hand-off mark, outcome or dead letter."""
    return not (
        store.tokens
        or handoff.sent
        or store.handed_off
        or store.outcomes(SOURCE_ID)
        or store.dead_letters()
    )


def non_retryable(status: int, headers: dict[str, str]) -> bool:
    return status == 489 and headers.get("upstash-nonretryable-error") == "true"


# --- the body ---------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_body_over_the_limit_answers_489_naming_the_limit_and_records_nothing(
    invoke_limited: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore, route: str
) -> None:
    path, body = ROUTES[route]
    status, headers, answer = invoke_limited.signed(path, padded(body, LIMIT + 1))
    assert non_retryable(status, headers)
    assert answer == TOO_LARGE
    assert nothing_recorded(handoff, store)


@pytest.mark.parametrize("route", ROUTES)
def test_body_exactly_at_the_limit_is_accepted(invoke_limited: Invoke, route: str) -> None:
    path, body = ROUTES[route]
    status, _, answer = invoke_limited.signed(path, padded(body, LIMIT))
    assert status in (200, 202), answer


def test_body_at_the_default_limit_of_3_mb_is_accepted(invoke: Invoke) -> None:
    # A failure callback for a 1 MB message (the Free plan's largest) and a 1 MB answer.
    large = failure_callback(body="QQ==" * 330_000, sourceBody="QQ==" * 330_000)
    assert len(large) < Settings().max_body_bytes == 3_000_000
    status, _, answer = invoke.signed(FAILURE_CALLBACK_PATH, large)
    assert status == 200, answer


def test_declared_content_length_over_the_limit_is_refused(
    invoke_limited: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    path, body = ROUTES["job"]
    extra = {"content-length": str(LIMIT + 1)}
    status, headers, answer = invoke_limited.signed(path, body, extra_headers=extra)
    assert non_retryable(status, headers)
    assert answer == TOO_LARGE
    assert nothing_recorded(handoff, store)


def test_absurd_content_length_is_refused_489_not_a_crash(invoke_limited: Invoke) -> None:
    # int() refuses more than 4,300 digits: a naive parse would answer 503.
    path, body = ROUTES["job"]
    extra = {"content-length": "9" * 5000}
    status, headers, answer = invoke_limited.signed(path, body, extra_headers=extra)
    assert non_retryable(status, headers)
    assert answer == TOO_LARGE


def test_body_longer_than_its_content_length_is_counted_all_the_same(
    invoke_limited: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    path, body = ROUTES["job"]
    extra = {"content-length": "10"}
    status, headers, _ = invoke_limited.signed(path, padded(body, LIMIT + 1), extra_headers=extra)
    assert non_retryable(status, headers)
    assert nothing_recorded(handoff, store)


{% if cookiecutter.cloud == "aws-lambda" -%}
def test_base64_event_body_is_counted_after_decoding(invoke_limited: Invoke) -> None:
    # Lambda puts binary bodies into the event as base64 (4/3 of the size); QStash signed
    # the bytes, and the limit counts those.
    path, body = ROUTES["job"]
    status, _, answer = invoke_limited.signed(path, padded(body, LIMIT), base64_body=True)
    assert status == 202, answer


def test_base64_event_body_over_the_limit_after_decoding_is_refused(
    invoke_limited: Invoke,
) -> None:
    path, body = ROUTES["job"]
    status, headers, _ = invoke_limited.signed(path, padded(body, LIMIT + 1), base64_body=True)
    assert non_retryable(status, headers)


{% endif -%}
def test_oversize_body_is_refused_before_its_signature_is_checked(
    invoke_limited: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    # The body is bounded before it is hashed, so a forged token gets the same 489.
    path, body = ROUTES["job"]
    oversize = padded(body, LIMIT + 1)
    forged = sign(oversize, PUBLIC_BASE_URL + path, new_signing_key())
    status, headers, _ = invoke_limited.request(path, oversize, {"upstash-signature": forged})
    assert non_retryable(status, headers)
    assert nothing_recorded(handoff, store)


def test_oversize_body_without_a_signature_header_is_refused_489_too(
    invoke_limited: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    path, body = ROUTES["job"]
    status, headers, _ = invoke_limited.request(path, padded(body, LIMIT + 1))
    assert non_retryable(status, headers)
    assert nothing_recorded(handoff, store)


def test_reading_stops_once_the_body_is_over_the_limit(limited: Services) -> None:
    # A sender with 100 times the limit to send: the receiver must stop reading early,
    # not buffer it all and refuse it afterwards.
    chunk, chunks = b" " * 512, 400
    reads = 0

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": chunk, "more_body": reads < chunks}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": JOB_PATH,
        "raw_path": JOB_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "scheme": "https",
        "server": ("testserver", 443),
        "headers": [(b"upstash-signature", b"a.b.c")],
    }
    # A loop of its own: asyncio.run would unset the loop Mangum reuses in other tests.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(create_app(limited)(scope, receive, send))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    assert sent[0]["status"] == 489
    assert reads == LIMIT // len(chunk) + 1


# --- the delivery headers ---------------------------------------------------------------

#: One malformed value of each header the receiver relies on.
MALFORMED = {
    "message-id": ("upstash-message-id", "m" * 5000),
    "retried": ("upstash-retried", "two"),
    "schedule-id": ("upstash-schedule-id", "nightly report"),
}


@pytest.mark.parametrize("header", MALFORMED)
@pytest.mark.parametrize("route", ROUTES)
def test_malformed_delivery_header_answers_489_and_records_nothing(
    invoke: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore, route: str, header: str
) -> None:
    path, body = ROUTES[route]
    name, value = MALFORMED[header]
    status, headers, answer = invoke.signed(path, body, extra_headers={name: value})
    assert non_retryable(status, headers)
    assert answer["error"].startswith("malformed ")
    assert answer["header"].lower() == name
    assert nothing_recorded(handoff, store)


def test_malformed_header_on_a_forged_request_answers_401(
    invoke: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    # Headers are checked after the signature: an unsigned caller learns nothing but 401.
    path, body = ROUTES["job"]
    forged = sign(body, PUBLIC_BASE_URL + path, new_signing_key())
    headers = {"upstash-signature": forged, "upstash-message-id": "m" * 5000}
    status, _, _ = invoke.request(path, body, headers)
    assert status == 401
    assert nothing_recorded(handoff, store)


def test_well_formed_headers_at_their_limits_are_accepted(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    path, body = ROUTES["job"]
    extra = {"upstash-retried": "9999", "upstash-schedule-id": "s" * 256}
    status, _, answer = invoke.signed(path, body, message_id="m" * 256, extra_headers=extra)
    assert status == 202, answer
    assert (handoff.sent[0].retried, handoff.sent[0].message_id) == (9999, "m" * 256)
