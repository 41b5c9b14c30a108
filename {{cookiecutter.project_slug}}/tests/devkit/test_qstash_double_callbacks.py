"""Callbacks and failure callbacks: documented bodies, signed, new messages, retried."""

import json
import re

from {{ cookiecutter.package_name }}.qstash import CallbackBody, verify_signature
from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import (
    CapturingReceiver,
    Reply,
)

from .helpers import publish


def test_a_callback_follows_every_attempt_with_the_documented_body(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, Reply(500, body=b"try again"), Reply(200, body="d\u00f6ne".encode()))
    message_id = publish(
        qstash,
        receiver.url(path) + "?q=1",
        b'{"n":1}',
        **{
            "Content-Type": "application/json",
            "Upstash-Forward-X-Tenant": "t-1",
            "Upstash-Callback": receiver.url(path + "/cb"),
            "Upstash-Callback-Forward-X-Callback-Key": "k",
        },
    ).json()["messageId"]

    qstash.double.fast_forward()
    callbacks = receiver.received(path + "/cb")
    bodies = sorted(
        (CallbackBody.model_validate_json(c.body) for c in callbacks), key=lambda b: b.retried
    )
    assert [(b.status, b.retried, b.response_text) for b in bodies] == [
        (500, 0, "try again"),
        (200, 1, "d\u00f6ne"),
    ]
    first = bodies[0]
    assert first.source_message_id == message_id
    assert (first.url, first.method, first.max_retries) == (receiver.url(path) + "?q=1", "POST", 3)
    assert first.source_text == '{"n":1}'
    assert first.source_header == {"Content-Type": "application/json", "X-Tenant": "t-1"}
    assert first.dlq_id is None
    raw = json.loads(callbacks[0].body)
    assert isinstance(raw["createdAt"], str)  # unix ms as a string, as the callbacks page shows
    assert isinstance(raw["notBefore"], str)
    assert raw["callerIP"] == "127.0.0.1"
    for callback in callbacks:
        assert callback.headers["x-callback-key"] == "k"
        assert callback.headers["upstash-message-id"] != message_id  # a new message
        verify_signature(
            callback.headers["upstash-signature"],
            body=callback.body,
            url=receiver.url(path + "/cb"),
            keys=qstash.keys,
            leeway=0,
        )


def test_the_failure_callback_comes_once_after_retries_run_out(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, Reply(500, body=b"broken"))
    message_id = publish(
        qstash,
        receiver.url(path),
        **{"Upstash-Retries": "2", "Upstash-Failure-Callback": receiver.url(path + "/failed")},
    ).json()["messageId"]

    qstash.double.fast_forward()
    (failure,) = receiver.received(path + "/failed")
    body = CallbackBody.model_validate_json(failure.body)
    (dead,) = qstash.double.dead_letters()
    assert body.dlq_id == dead.dlq_id
    assert re.fullmatch(r"\d{13}-\d+", body.dlq_id)
    assert (body.source_message_id, body.status, body.response_text) == (message_id, 500, "broken")
    assert body.retried == body.max_retries == 2


def test_a_failing_failure_callback_is_retried_with_the_same_message_and_body(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    receiver.script(path, 500)
    receiver.script(path + "/failed", 500, 200)
    publish(
        qstash,
        receiver.url(path),
        **{
            "Upstash-Retries": "0",
            "Upstash-Failure-Callback": receiver.url(path + "/failed"),
            "Upstash-Failure-Callback-Retries": "3",
        },
    )

    qstash.double.fast_forward()
    first, second = receiver.received(path + "/failed")
    assert first.body == second.body
    assert first.headers["upstash-message-id"] == second.headers["upstash-message-id"]
    assert (first.headers["upstash-retried"], second.headers["upstash-retried"]) == ("0", "1")
