"""`/v2/messages` on the double: read a pending message, cancel one, cancel in bulk.

Every message here waits an hour (`Upstash-Delay`) on the manual clock, so it stays pending
until a test cancels it or moves the clock.
"""

import pytest

from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import CapturingReceiver

from .helpers import call, publish


def delayed(running: RunningDouble, url: str, **headers: str) -> str:
    """Publish a message due in an hour; return its id."""
    response = publish(running, url, **{"Upstash-Delay": "1h", **headers})
    message_id: str = response.json()["messageId"]
    return message_id


def states(running: RunningDouble, *message_ids: str) -> list[str]:
    return [running.double.message(message_id).state for message_id in message_ids]


def test_a_pending_message_can_be_read_and_cancelled(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    message_id = delayed(qstash, receiver.url(path))

    view = call(qstash, "GET", f"/v2/messages/{message_id}").json()
    cancelled = call(qstash, "DELETE", f"/v2/messages/{message_id}")

    assert (view["messageId"], view["url"]) == (message_id, receiver.url(path))
    assert (cancelled.status_code, cancelled.json()) == (200, {"cancelled": 1})
    assert call(qstash, "GET", f"/v2/messages/{message_id}").status_code == 404
    qstash.double.advance(3600)
    qstash.double.wait_until_idle()
    assert receiver.received(path) == []


def test_a_delivered_message_cannot_be_cancelled(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    message_id = publish(qstash, receiver.url(path)).json()["messageId"]
    qstash.double.wait_until_settled()

    response = call(qstash, "DELETE", f"/v2/messages/{message_id}")

    assert response.status_code == 404
    assert "error" in response.json()


@pytest.mark.parametrize("repeated", [True, False], ids=["repeated", "comma-separated"])
def test_bulk_cancel_cancels_only_the_message_ids_given(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str, repeated: bool
) -> None:
    first, second, kept = (delayed(qstash, receiver.url(path)) for _ in range(3))
    ids = [first, second] if repeated else [f"{first},{second}"]

    response = call(qstash, "DELETE", "/v2/messages", params={"messageIds": ids})

    assert (response.status_code, response.json()) == (200, {"cancelled": 2})
    assert states(qstash, first, second, kept) == ["cancelled", "cancelled", "pending"]


def test_bulk_cancel_by_filters_ors_values_and_ands_filters(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    a = delayed(qstash, receiver.url(path + "/a"), **{"Upstash-Label": "nightly"})
    b = delayed(qstash, receiver.url(path + "/b"), **{"Upstash-Label": "nightly"})
    other_label = delayed(qstash, receiver.url(path + "/a"), **{"Upstash-Label": "hourly"})
    other_path = delayed(qstash, receiver.url(path + "/c"), **{"Upstash-Label": "nightly"})

    response = call(
        qstash,
        "DELETE",
        "/v2/messages",
        params={"label": "nightly", "path": f"{path}/a,{path}/b", "host": "127.0.0.1"},
    )

    assert response.json() == {"cancelled": 2}
    assert states(qstash, a, b, other_label, other_path) == [
        "cancelled",
        "cancelled",
        "pending",
        "pending",
    ]


def test_bulk_cancel_by_creation_time_takes_inclusive_unix_milliseconds(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    early = delayed(qstash, receiver.url(path))
    qstash.double.advance(60)
    late = delayed(qstash, receiver.url(path))
    created = qstash.double.message(late).created_at

    response = call(qstash, "DELETE", "/v2/messages", params={"fromDate": int(created * 1000)})

    assert response.json() == {"cancelled": 1}
    assert states(qstash, early, late) == ["pending", "cancelled"]


def test_bulk_cancel_with_only_a_count_cancels_everything_count_at_a_time(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    ids = [delayed(qstash, receiver.url(path)) for _ in range(3)]

    first = call(qstash, "DELETE", "/v2/messages", params={"count": 2}).json()
    second = call(qstash, "DELETE", "/v2/messages", params={"count": 2}).json()
    third = call(qstash, "DELETE", "/v2/messages", params={"count": 2}).json()

    assert [first, second, third] == [{"cancelled": 2}, {"cancelled": 1}, {"cancelled": 0}]
    assert states(qstash, *ids) == ["cancelled"] * 3
    assert qstash.double.counters()["cancelled_message"] == 3


def test_bulk_cancel_naming_nothing_is_refused_and_cancels_nothing(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    message_id = delayed(qstash, receiver.url(path))

    response = call(qstash, "DELETE", "/v2/messages")

    assert response.status_code == 400
    assert "messageIds, a filter, or count" in response.json()["error"]
    assert states(qstash, message_id) == ["pending"]


def test_bulk_cancel_naming_nothing_cancels_everything_when_switched_on(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=None, bare_bulk_selects_all=True)) as qstash:
        ids = [delayed(qstash, receiver.url(path)) for _ in range(2)]

        response = call(qstash, "DELETE", "/v2/messages")

        assert response.json() == {"cancelled": 2}
        assert states(qstash, *ids) == ["cancelled", "cancelled"]


def test_bulk_cancel_reads_ids_from_a_json_body_only_when_switched_on(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    message_id = delayed(qstash, receiver.url(path))
    body = {"messageIds": [message_id]}

    ignored = call(qstash, "DELETE", "/v2/messages", json=body)
    qstash.double.configure(bulk_json_body=True)
    read = call(qstash, "DELETE", "/v2/messages", json=body)

    assert ignored.status_code == 400  # the body ignored, the call names nothing
    assert read.json() == {"cancelled": 1}
    assert states(qstash, message_id) == ["cancelled"]


@pytest.mark.parametrize("parameter", ["count", "fromDate", "toDate"])
def test_bulk_cancel_refuses_a_number_that_is_not_one(
    qstash: RunningDouble, parameter: str
) -> None:
    response = call(qstash, "DELETE", "/v2/messages", params={parameter: "soon"})

    assert response.status_code == 400
    assert parameter in response.json()["error"]
