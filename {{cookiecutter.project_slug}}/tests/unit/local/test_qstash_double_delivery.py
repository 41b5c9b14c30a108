"""The double delivers like QStash: headers, signature, retries, DLQ, callbacks, faults.

Real servers on 127.0.0.1 only: the double and a capturing receiver, each under uvicorn.
"""

import base64
import math
import time

import jwt
import pytest

from {{ cookiecutter.package_name }}.local.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
)
from {{ cookiecutter.package_name }}.local.qstash_double.receiver import (
    CapturingReceiver,
    Reply,
)
from {{ cookiecutter.package_name }}.qstash import body_hash, verify_signature

from .helpers import publish, wait_until


def test_delivery_carries_the_documented_headers_and_the_exact_body(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    body = bytes(range(256))  # not UTF-8: passed through byte for byte
    message_id = publish(
        qstash,
        receiver.url(path),
        body,
        **{"Content-Type": "application/octet-stream", "Upstash-Forward-X-Tenant": "t-1"},
    ).json()["messageId"]

    (delivered,) = receiver.wait_for(1, path)
    assert delivered.body == body
    assert delivered.method == "POST"
    assert delivered.headers["user-agent"] == "Upstash-QStash"
    assert delivered.headers["content-type"] == "application/octet-stream"
    assert delivered.headers["upstash-message-id"] == message_id
    assert delivered.headers["upstash-retried"] == "0"
    assert delivered.headers["upstash-caller-ip"] == "127.0.0.1"
    assert delivered.headers["x-tenant"] == "t-1"
    assert not any(name.startswith("upstash-forward-") for name in delivered.headers)
    assert "upstash-schedule-id" not in delivered.headers


def test_signature_has_the_documented_claims_on_the_real_clock(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    publish(qstash, receiver.url(path), b'{"hello":"world"}')

    (delivered,) = receiver.wait_for(1, path)
    token = delivered.headers["upstash-signature"]
    claims = jwt.decode(token, qstash.keys.current.encode(), algorithms=["HS256"], issuer="Upstash")
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert claims["sub"] == receiver.url(path)
    assert claims["nbf"] == 0
    assert claims["iat"] == pytest.approx(time.time(), abs=5)  # wall clock, not the scaled one
    assert claims["exp"] - claims["iat"] == 300
    assert claims["body"] == "k6I5cakU5erL8KjSUVTNownDwccvu5kU1Hxg88toFYg="
    assert claims["jti"]
    verify_signature(token, body=delivered.body, url=receiver.url(path), keys=qstash.keys, leeway=0)


def test_every_attempt_is_signed_afresh_under_the_same_message_id(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500, 502, 200)
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]

    attempts = receiver.wait_for(3, path)
    qstash.double.wait_until_settled()
    assert [a.headers["upstash-message-id"] for a in attempts] == [message_id] * 3
    assert [a.headers["upstash-retried"] for a in attempts] == ["0", "1", "2"]
    tokens = {a.headers["upstash-signature"] for a in attempts}
    assert len(tokens) == 3
    assert qstash.double.message(message_id).state == "delivered"


def test_retries_wait_the_documented_backoff_then_dead_letter(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    with host.run(DoubleSettings(time_scale=1.0)) as qstash:  # real time; jump the clock
        double = qstash.double
        message_id = publish(qstash, receiver.url(path), **{"Upstash-Retries": "3"}).json()[
            "messageId"
        ]
        waits = []
        for attempt in range(4):
            wait_until(lambda n=attempt: len(double.attempts(message_id)) == n + 1)
            wait_until(lambda: not double.message(message_id).in_flight)
            message = double.message(message_id)
            if message.state == "pending":
                waits.append(message.due_at - double.attempts(message_id)[-1].at)
                double.advance(message.due_at - double.now())

        assert [round(w) for w in waits] == [12, 148, 1808]  # e^2.5, e^5, e^7.5 seconds
        assert waits[0] == pytest.approx(math.exp(2.5), abs=0.5)
        assert double.message(message_id).state == "dead"
        (dead,) = double.dead_letters()
        assert (dead.message.message_id, dead.response.status) == (message_id, 500)


def test_nonretryable_489_goes_straight_to_the_dlq(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, Reply(489, {"Upstash-NonRetryable-Error": "true"}, b"bad payload"))
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]

    qstash.double.wait_until_settled()
    assert len(qstash.double.attempts(message_id)) == 1
    (dead,) = qstash.double.dead_letters()
    assert (dead.response.status, dead.response.body) == (489, b"bad payload")


def test_489_without_the_nonretryable_header_is_retried(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 489, 200)
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]

    qstash.double.wait_until_settled()
    assert [a.status for a in qstash.double.attempts(message_id)] == [489, 200]


@pytest.mark.parametrize(
    ("reply", "expected_wait"),
    [
        (Reply(503, {"Retry-After": "42"}), 42.0),
        (Reply(429, {"X-RateLimit-Reset": "1m30s"}), 90.0),
    ],
)
def test_retry_after_from_the_destination_sets_the_next_attempt(
    host: DoubleHost, receiver: CapturingReceiver, path: str, reply: Reply, expected_wait: float
) -> None:
    receiver.script(path, reply, 200)
    with host.run(DoubleSettings(time_scale=1.0)) as qstash:
        message_id = publish(qstash, receiver.url(path)).json()["messageId"]
        wait_until(lambda: qstash.double.message(message_id).retried == 1)

        message = qstash.double.message(message_id)
        wait = message.due_at - qstash.double.attempts(message_id)[0].at
        assert wait == pytest.approx(expected_wait, abs=0.5)


def test_retry_delay_expression_replaces_the_backoff(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    with host.run(DoubleSettings(time_scale=1.0)) as qstash:
        headers = {"Upstash-Retry-Delay": "1000 * (retried + 5)"}
        message_id = publish(qstash, receiver.url(path), **headers).json()["messageId"]
        wait_until(lambda: qstash.double.message(message_id).retried == 1)

        message = qstash.double.message(message_id)
        assert message.due_at - qstash.double.attempts(message_id)[0].at == pytest.approx(
            5, abs=0.5
        )


def test_a_timeout_counts_as_a_failed_attempt(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, Reply(200, delay=1.0), Reply(200))
    with host.run(DoubleSettings(time_scale=0.0001, default_timeout=0.2)) as qstash:
        message_id = publish(qstash, receiver.url(path)).json()["messageId"]
        qstash.double.wait_until_settled()

        first, second = qstash.double.attempts(message_id)
        assert first.status is None
        assert first.error is not None
        assert "timed out" in first.error
        assert second.status == 200


def test_duplicate_delivery_fault_sends_the_same_attempt_twice(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=0.0001, duplicate_delivery_probability=1.0)) as qstash:
        message_id = publish(qstash, receiver.url(path)).json()["messageId"]
        qstash.double.wait_until_settled()

        first, second = receiver.received(path)
        assert first.headers == second.headers
        assert first.headers["upstash-message-id"] == message_id
        assert [a.duplicate for a in qstash.double.attempts(message_id)] == [False, True]
        assert qstash.double.counters()["duplicate_attempts"] == 1


def test_lost_response_fault_retries_work_the_destination_already_did(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    settings = DoubleSettings(time_scale=0.0001, lost_response_probability=1.0, seed=3)
    with host.run(settings) as qstash:
        message_id = publish(qstash, receiver.url(path), **{"Upstash-Retries": "1"}).json()[
            "messageId"
        ]
        qstash.double.wait_until_settled()

        assert [a.status for a in qstash.double.attempts(message_id)] == [200, 200]
        assert all(a.lost for a in qstash.double.attempts(message_id))
        assert len(receiver.received(path)) == 2
        assert qstash.double.message(message_id).state == "dead"


def test_wait_until_settled_names_what_is_still_pending(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=1.0)) as qstash:
        publish(qstash, receiver.url(path), **{"Upstash-Delay": "1h"})

        with pytest.raises(TimeoutError, match="1 message"):
            qstash.double.wait_until_settled(timeout=0.05)
        qstash.double.advance(3600)
        qstash.double.wait_until_settled()
        assert len(receiver.received(path)) == 1


def test_not_before_wins_over_delay(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=1.0)) as qstash:
        not_before = int(qstash.double.now()) + 600
        message_id = publish(
            qstash,
            receiver.url(path),
            **{"Upstash-Delay": "10s", "Upstash-Not-Before": str(not_before)},
        ).json()["messageId"]

        assert qstash.double.message(message_id).due_at == not_before
        assert receiver.received(path) == []


def test_body_hash_of_what_arrives_matches_the_signed_claim(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    body = "h\u00e9llo \U0001f600".encode()
    publish(qstash, receiver.url(path), body, **{"Content-Type": "text/plain; charset=utf-8"})

    (delivered,) = receiver.wait_for(1, path)
    claims = jwt.decode(delivered.headers["upstash-signature"], options={"verify_signature": False})
    assert claims["body"] == body_hash(body)
    assert base64.urlsafe_b64decode(claims["body"])  # url-safe alphabet, padded
