"""The double delivers like QStash: headers, signature, retries, DLQ, callbacks, faults.

Real servers on 127.0.0.1 only: the double and a capturing receiver, each under uvicorn.
"""

import base64
import itertools
import math
import time

import jwt
import pytest

from {{ cookiecutter.package_name }}.qstash import body_hash, verify_signature
from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import (
    CapturingReceiver,
    Reply,
)

from .helpers import publish


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
    qstash.double.advance(86400)  # the protocol clock is not the one `iat` reads
    before = int(time.time())
    publish(qstash, receiver.url(path), b'{"hello":"world"}')

    (delivered,) = receiver.wait_for(1, path)
    after = time.time()
    token = delivered.headers["upstash-signature"]
    claims = jwt.decode(token, qstash.keys.current.encode(), algorithms=["HS256"], issuer="Upstash")
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert claims["sub"] == receiver.url(path)
    assert claims["nbf"] == 0
    assert before <= claims["iat"] <= after  # whole seconds of the wall clock
    assert claims["exp"] - claims["iat"] == 300
    assert claims["body"] == "k6I5cakU5erL8KjSUVTNownDwccvu5kU1Hxg88toFYg="
    assert claims["jti"]
    verify_signature(token, body=delivered.body, url=receiver.url(path), keys=qstash.keys, leeway=0)


def test_every_attempt_is_signed_afresh_under_the_same_message_id(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500, 502, 200)
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]

    qstash.double.fast_forward()
    attempts = receiver.received(path)
    assert [a.headers["upstash-message-id"] for a in attempts] == [message_id] * 3
    assert [a.headers["upstash-retried"] for a in attempts] == ["0", "1", "2"]
    tokens = {a.headers["upstash-signature"] for a in attempts}
    assert len(tokens) == 3
    assert qstash.double.message(message_id).state == "delivered"


def test_retries_wait_the_documented_backoff_then_dead_letter(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    double = qstash.double
    message_id = publish(qstash, receiver.url(path), **{"Upstash-Retries": "3"}).json()["messageId"]
    waits = []
    for _ in range(3):
        double.wait_until_idle()  # the attempt failed; the clock stands at its start
        waits.append(double.message(message_id).due_at - double.now())
        double.advance(waits[-1])
    double.wait_until_idle()

    expected = [math.exp(2.5 * n) for n in (1, 2, 3)]  # 12 s, 2 m 28 s, 30 m 8 s
    assert waits == pytest.approx(expected)
    attempts = double.attempts(message_id)
    assert [a.retried for a in attempts] == [0, 1, 2, 3]
    assert [b.at - a.at for a, b in itertools.pairwise(attempts)] == pytest.approx(expected)
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

    qstash.double.fast_forward()
    assert [a.status for a in qstash.double.attempts(message_id)] == [489, 200]


@pytest.mark.parametrize(
    ("reply", "expected_wait"),
    [
        (Reply(503, {"Retry-After": "42"}), 42.0),
        (Reply(429, {"X-RateLimit-Reset": "1m30s"}), 90.0),
    ],
)
def test_retry_after_from_the_destination_sets_the_next_attempt(
    qstash: RunningDouble,
    receiver: CapturingReceiver,
    path: str,
    reply: Reply,
    expected_wait: float,
) -> None:
    receiver.script(path, reply)
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]
    qstash.double.wait_until_idle()

    message = qstash.double.message(message_id)
    assert message.retried == 1
    assert message.due_at - qstash.double.attempts(message_id)[0].at == pytest.approx(expected_wait)


def test_retry_delay_expression_replaces_the_backoff(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    headers = {"Upstash-Retry-Delay": "1000 * (retried + 5)"}
    message_id = publish(qstash, receiver.url(path), **headers).json()["messageId"]
    qstash.double.wait_until_idle()

    message = qstash.double.message(message_id)
    assert message.retried == 1
    assert message.due_at - qstash.double.attempts(message_id)[0].at == pytest.approx(5)


def test_a_timeout_counts_as_a_failed_attempt(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    # The first answer comes 3 s late, far past the 0.5 s timeout; the answers after it come
    # at once. More retries than needed, so a slow machine cannot turn them into a failure.
    receiver.script(path, Reply(200, delay=3.0), Reply(200))
    with host.run(DoubleSettings(time_scale=None, default_timeout=0.5)) as qstash:
        headers = {"Upstash-Retries": "10"}
        message_id = publish(qstash, receiver.url(path), **headers).json()["messageId"]
        qstash.double.fast_forward()

        first, *later = qstash.double.attempts(message_id)
        assert first.status is None
        assert first.error is not None
        assert "timed out" in first.error
        assert later[-1].status == 200
        assert qstash.double.message(message_id).state == "delivered"


def test_duplicate_delivery_fault_sends_the_same_attempt_twice(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=None, duplicate_delivery_probability=1.0)) as qstash:
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
    settings = DoubleSettings(time_scale=None, lost_response_probability=1.0, seed=3)
    with host.run(settings) as qstash:
        message_id = publish(qstash, receiver.url(path), **{"Upstash-Retries": "1"}).json()[
            "messageId"
        ]
        qstash.double.fast_forward()

        assert [a.status for a in qstash.double.attempts(message_id)] == [200, 200]
        assert all(a.lost for a in qstash.double.attempts(message_id))
        assert len(receiver.received(path)) == 2
        assert qstash.double.message(message_id).state == "dead"


def test_wait_until_settled_names_what_is_still_pending(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    publish(qstash, receiver.url(path), **{"Upstash-Delay": "1h"})

    with pytest.raises(TimeoutError, match="1 message"):
        qstash.double.wait_until_settled(timeout=0.05)
    qstash.double.advance(3600)
    qstash.double.wait_until_settled()
    assert len(receiver.received(path)) == 1


def test_fast_forward_jumps_the_clock_to_each_due_attempt(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500, 200)
    start = qstash.double.now()
    message_id = publish(qstash, receiver.url(path), **{"Upstash-Delay": "1h"}).json()["messageId"]

    jumped = qstash.double.fast_forward()

    first, second = qstash.double.attempts(message_id)
    assert (first.at, second.at) == pytest.approx((start + 3600, start + 3600 + math.exp(2.5)))
    assert jumped == pytest.approx(3600 + math.exp(2.5))
    assert qstash.double.now() == second.at


def test_a_manual_clock_stands_still_until_it_is_advanced(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]
    qstash.double.wait_until_idle()
    before = qstash.double.now()

    time.sleep(0.05)  # real time passes; protocol time does not

    assert qstash.double.now() == before
    assert len(qstash.double.attempts(message_id)) == 1
    qstash.double.advance(math.exp(2.5))
    qstash.double.wait_until_idle()
    assert len(qstash.double.attempts(message_id)) == 2


def test_not_before_wins_over_delay(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
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
