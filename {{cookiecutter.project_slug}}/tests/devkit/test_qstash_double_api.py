"""The double's REST API: auth, publish variants, URL groups, dedup, batch, limits, keys."""

import re
import time

import httpx
import pytest

from {{ cookiecutter.package_name }}.qstash import SigningKeys, verify_signature
from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import CapturingReceiver

from .helpers import call


@pytest.mark.parametrize("token", ["", "wrong"])
def test_a_missing_or_wrong_token_gets_401_with_a_json_error(
    qstash: RunningDouble, token: str
) -> None:
    response = call(qstash, "GET", "/v2/keys", token=token)

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_the_token_may_come_as_a_query_parameter(qstash: RunningDouble) -> None:
    response = httpx.get(f"{qstash.base_url}/v2/keys", params={"qstash_token": qstash.token})

    assert response.status_code == 200


def test_unknown_routes_answer_a_json_error(qstash: RunningDouble) -> None:
    response = call(qstash, "GET", "/v2/nothing-here")

    assert response.status_code == 404
    assert "error" in response.json()


def test_publish_answers_the_message_id_with_200(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    response = call(qstash, "POST", "/v2/publish/" + receiver.url(path), content=b"x")

    assert response.status_code == 200
    assert re.fullmatch(r"msg_\w+", response.json()["messageId"])
    assert "deduplicated" not in response.json()


def test_the_publish_status_is_a_switch(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(publish_status=201)) as qstash:
        response = call(qstash, "POST", "/v2/publish/" + receiver.url(path))

        assert response.status_code == 201


def test_the_destination_keeps_its_query_but_loses_qstash_parameters(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    url = receiver.url(path) + "?a=1&b=two%20words"
    query = f"&qstash_token={qstash.token}&upstash-retries=0"
    response = httpx.post(f"{qstash.base_url}/v2/publish/{url}{query}", timeout=5)

    (delivered,) = receiver.wait_for(1, path)
    assert delivered.query == "a=1&b=two%20words"
    assert qstash.double.message(response.json()["messageId"]).options.retries == 0
    verify_signature(
        delivered.headers["upstash-signature"], body=b"", url=url, keys=qstash.keys, leeway=0
    )


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Upstash-Delay", "soon"),
        ("Upstash-Retries", "many"),
        ("Upstash-Method", "TRACE"),
        ("Upstash-Retry-Delay", "__import__('os')"),
        ("Upstash-Not-Before", "tomorrow"),
        ("Upstash-Callback", "not-a-url"),
    ],
)
def test_malformed_configuration_headers_get_400_naming_the_header(
    qstash: RunningDouble, receiver: CapturingReceiver, header: str, value: str
) -> None:
    response = call(qstash, "POST", "/v2/publish/" + receiver.url("/x"), headers={header: value})

    assert response.status_code == 400
    assert header in response.json()["error"]


def test_a_body_over_the_size_limit_gets_413(host: DoubleHost, receiver: CapturingReceiver) -> None:
    with host.run(DoubleSettings(max_message_size=10)) as qstash:
        too_big = call(qstash, "POST", "/v2/publish/" + receiver.url("/big"), content=b"x" * 11)
        just_fits = call(qstash, "POST", "/v2/publish/" + receiver.url("/big"), content=b"x" * 10)

        assert too_big.status_code == 413
        assert "10 bytes" in too_big.json()["error"]
        assert just_fits.status_code == 200


def test_the_burst_limit_answers_429_with_burst_headers_on_publish_only(
    host: DoubleHost, receiver: CapturingReceiver
) -> None:
    # A manual clock holds the one-second window: the five calls share it however slow.
    with host.run(DoubleSettings(time_scale=None, rate_limit_per_second=3)) as qstash:
        statuses = [call(qstash, "POST", "/v2/publish/" + receiver.url("/burst")) for _ in range(5)]

        assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
        limited = statuses[-1]
        assert limited.headers["Burst-RateLimit-Limit"] == "3"
        assert limited.headers["Burst-RateLimit-Remaining"] == "0"
        assert limited.headers["Burst-RateLimit-Reset"] == str(int(qstash.double.now()) + 1)
        assert "RateLimit-Limit" not in limited.headers  # not the daily limit
        assert call(qstash, "GET", "/v2/keys").status_code == 200


def test_the_burst_limit_allows_publishes_again_in_the_next_second(
    host: DoubleHost, receiver: CapturingReceiver
) -> None:
    with host.run(DoubleSettings(time_scale=None, rate_limit_per_second=1)) as qstash:
        first = call(qstash, "POST", "/v2/publish/" + receiver.url("/burst"))
        refused = call(qstash, "POST", "/v2/publish/" + receiver.url("/burst"))
        qstash.double.advance(1)
        next_second = call(qstash, "POST", "/v2/publish/" + receiver.url("/burst"))

        assert [first.status_code, refused.status_code, next_second.status_code] == [200, 429, 200]


def test_the_hang_switch_accepts_and_never_answers(qstash: RunningDouble) -> None:
    qstash.double.configure(hang=True)

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{qstash.base_url}/v2/keys",
            headers={"Authorization": f"Bearer {qstash.token}"},
            timeout=httpx.Timeout(0.3, connect=2),
        )
    qstash.double.configure(hang=False)
    assert call(qstash, "GET", "/v2/keys").status_code == 200


def test_publishes_to_a_refused_destination_get_500_and_queue_nothing(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    qstash.double.configure(refuse_publish_to=receiver.url(path + "/worker/"))

    refused = call(qstash, "POST", f"/v2/publish/{receiver.url(path + '/worker/x')}")
    accepted = call(qstash, "POST", f"/v2/publish/{receiver.url(path + '/jobs/x')}")

    assert refused.status_code == 500
    assert "refuse_publish_to" in refused.json()["error"]
    assert accepted.is_success
    queued = [message.url for message in qstash.double.messages()]
    assert queued == [receiver.url(path + "/jobs/x")]


def test_a_url_group_gets_one_message_per_endpoint(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    endpoints = [
        {"url": receiver.url(path + "/a"), "name": "a"},
        {"url": receiver.url(path + "/b")},
    ]
    assert call(
        qstash, "POST", "/v2/topics/orders/endpoints", json={"endpoints": endpoints}
    ).is_success

    response = call(qstash, "POST", "/v2/publish/orders", content=b"o-1")

    items = response.json()
    assert [item["url"] for item in items] == [e["url"] for e in endpoints]
    assert len({item["messageId"] for item in items}) == 2
    for suffix in ("/a", "/b"):
        (delivered,) = receiver.wait_for(1, path + suffix)
        assert delivered.headers["upstash-topic-name"] == "orders"
        assert delivered.body == b"o-1"
    group = call(qstash, "GET", "/v2/topics/orders").json()
    assert group["endpoints"] == endpoints


def test_removing_the_last_endpoint_deletes_the_url_group(
    qstash: RunningDouble, receiver: CapturingReceiver
) -> None:
    endpoints = {"endpoints": [{"url": receiver.url("/only")}]}
    call(qstash, "POST", "/v2/topics/solo/endpoints", json=endpoints)

    call(qstash, "DELETE", "/v2/topics/solo/endpoints", json=endpoints)

    assert call(qstash, "GET", "/v2/topics/solo").status_code == 404
    assert call(qstash, "POST", "/v2/publish/solo").status_code == 404


def test_a_repeated_deduplication_id_gets_202_and_the_original_id_within_the_window(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=None, dedup_window=60)) as qstash:
        headers = {"Upstash-Deduplication-Id": "order-7"}
        first = call(qstash, "POST", "/v2/publish/" + receiver.url(path), headers=headers)
        again = call(qstash, "POST", "/v2/publish/" + receiver.url(path), headers=headers)
        qstash.double.advance(61)
        later = call(qstash, "POST", "/v2/publish/" + receiver.url(path), headers=headers)

        assert again.status_code == 202
        assert again.json() == {"messageId": first.json()["messageId"], "deduplicated": True}
        assert later.status_code == 200
        assert later.json()["messageId"] != first.json()["messageId"]


def test_content_based_deduplication_keys_on_the_body(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    headers = {"Upstash-Content-Based-Deduplication": "true"}
    url = "/v2/publish/" + receiver.url(path)

    first = call(qstash, "POST", url, content=b"same", headers=headers)
    same = call(qstash, "POST", url, content=b"same", headers=headers)
    other = call(qstash, "POST", url, content=b"other", headers=headers)

    assert same.json() == {"messageId": first.json()["messageId"], "deduplicated": True}
    assert other.json()["messageId"] != first.json()["messageId"]


def test_the_dedup_window_does_not_pass_while_a_manual_clock_stands_still(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    headers = {"Upstash-Deduplication-Id": "slow-machine"}
    url = "/v2/publish/" + receiver.url(path)

    first = call(qstash, "POST", url, headers=headers)
    time.sleep(0.1)  # a loaded machine between two calls; 1,000 protocol seconds at 0.0001
    again = call(qstash, "POST", url, headers=headers)

    assert again.json() == {"messageId": first.json()["messageId"], "deduplicated": True}


def test_batch_publishes_each_item_and_reports_bad_ones_in_place(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    items = [
        {"destination": receiver.url(path), "headers": {"Upstash-Retries": "0"}, "body": "one"},
        {"destination": "no-such-group", "body": "two"},
        {"destination": receiver.url(path), "headers": {"Upstash-Delay": "never"}},
    ]

    response = call(qstash, "POST", "/v2/batch", json=items)

    ok, missing, malformed = response.json()
    assert response.status_code == 200
    assert ok["messageId"].startswith("msg_")
    assert "not found" in missing["error"]
    assert "Upstash-Delay" in malformed["error"]
    (delivered,) = receiver.wait_for(1, path)
    assert delivered.body == b"one"


def test_keys_roll_current_from_next_and_receivers_with_the_old_pair_still_accept(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    before = call(qstash, "GET", "/v2/keys").json()

    after = call(qstash, "POST", "/v2/keys/rotate").json()
    call(qstash, "POST", "/v2/publish/" + receiver.url(path))

    assert after["current"] == before["next"]
    assert after["next"] not in (before["current"], before["next"])
    assert call(qstash, "GET", "/v2/keys").json() == after
    (delivered,) = receiver.wait_for(1, path)
    token = delivered.headers["upstash-signature"]
    not_yet_updated = SigningKeys(current=before["current"], next=before["next"])
    assert verify_signature(token, body=b"", url=None, keys=not_yet_updated, leeway=0).key == "next"
    assert verify_signature(token, body=b"", url=None, keys=qstash.keys, leeway=0).key == "current"


def test_rotating_from_python_rolls_the_same_way(qstash: RunningDouble) -> None:
    before = qstash.keys

    after = qstash.double.rotate_keys()

    assert after.current == before.next
    assert call(qstash, "GET", "/v2/keys").json() == {"current": after.current, "next": after.next}


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_upstash_method_sets_the_delivery_method(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str, method: str
) -> None:
    headers = {"Upstash-Method": method.lower()}
    call(qstash, "POST", "/v2/publish/" + receiver.url(path), content=b"m", headers=headers)

    (delivered,) = receiver.wait_for(1, path)
    assert (delivered.method, delivered.body) == (method, b"m")


def test_header_forward_true_forwards_plain_headers_but_not_the_token(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    headers = {"Upstash-Header-Forward": "true", "X-Webhook-Id": "w-1"}
    call(qstash, "POST", "/v2/publish/" + receiver.url(path), headers=headers)

    (delivered,) = receiver.wait_for(1, path)
    assert delivered.headers["x-webhook-id"] == "w-1"
    assert "authorization" not in delivered.headers
