"""Schedules on the double: cron ticks when the clock passes a cron minute, upsert, pause.

The module's double has a manual clock (see conftest): ticks happen only when a test moves it.
"""

import re

import httpx
import pytest

from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import CapturingReceiver

from .helpers import call


def create(running: RunningDouble, destination: str, cron: str, **headers: str) -> httpx.Response:
    return call(
        running,
        "POST",
        "/v2/schedules/" + destination,
        content=b'{"report":"daily"}',
        headers={"Upstash-Cron": cron, "Content-Type": "application/json", **headers},
    )


def test_a_schedule_tick_delivers_with_upstash_schedule_id(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    schedule_id = create(
        qstash, receiver.url(path), "*/5 * * * *", **{"Upstash-Forward-X-Job": "report"}
    ).json()["scheduleId"]

    qstash.double.advance(300)

    (delivered,) = receiver.wait_for(1, path)
    assert delivered.headers["upstash-schedule-id"] == schedule_id
    assert delivered.headers["x-job"] == "report"
    assert delivered.body == b'{"report":"daily"}'
    view = call(qstash, "GET", f"/v2/schedules/{schedule_id}").json()
    assert view["lastScheduleTime"] < view["nextScheduleTime"]
    assert view["nextScheduleTime"] % 300_000 == 0


def test_schedules_fire_repeatedly_on_the_scaled_clock(
    host: DoubleHost, receiver: CapturingReceiver, path: str
) -> None:
    with host.run(DoubleSettings(time_scale=0.001)) as fast:  # a cron minute lasts 60 ms
        create(fast, receiver.url(path), "* * * * *")

        ticks = receiver.wait_for(3, path)

        assert len({t.headers["upstash-message-id"] for t in ticks}) == len(ticks)


def test_the_same_schedule_id_overwrites_instead_of_duplicating(
    qstash: RunningDouble, receiver: CapturingReceiver
) -> None:
    first = create(qstash, receiver.url("/a"), "0 * * * *", **{"Upstash-Schedule-Id": "nightly"})
    second = create(qstash, receiver.url("/b"), "0 4 * * *", **{"Upstash-Schedule-Id": "nightly"})

    (schedule,) = call(qstash, "GET", "/v2/schedules").json()
    assert first.json() == second.json() == {"scheduleId": "nightly"}
    assert (schedule["cron"], schedule["destination"]) == ("0 4 * * *", receiver.url("/b"))


def test_schedules_without_an_id_are_all_kept(
    qstash: RunningDouble, receiver: CapturingReceiver
) -> None:
    ids = {create(qstash, receiver.url("/c"), "0 * * * *").json()["scheduleId"] for _ in range(2)}

    assert len(ids) == 2
    assert all(re.fullmatch(r"scd_\w+", schedule_id) for schedule_id in ids)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_pause_and_resume_accept_post_and_patch(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str, method: str
) -> None:
    schedule_id = create(qstash, receiver.url(path), "* * * * *").json()["scheduleId"]

    paused = call(qstash, method, f"/v2/schedules/{schedule_id}/pause")
    qstash.double.advance(180)
    qstash.double.wait_until_idle()  # an unpaused schedule would be due: not idle before its tick
    is_paused = call(qstash, "GET", f"/v2/schedules/{schedule_id}").json()["isPaused"]
    assert receiver.received(path) == []
    resumed = call(qstash, method, f"/v2/schedules/{schedule_id}/resume")
    qstash.double.advance(60)

    assert (paused.status_code, resumed.status_code, is_paused) == (200, 200, True)
    receiver.wait_for(1, path)
    assert call(qstash, "GET", f"/v2/schedules/{schedule_id}").json()["isPaused"] is False


def test_a_deleted_schedule_is_gone(qstash: RunningDouble, receiver: CapturingReceiver) -> None:
    schedule_id = create(qstash, receiver.url("/d"), "0 * * * *").json()["scheduleId"]

    assert call(qstash, "DELETE", f"/v2/schedules/{schedule_id}").status_code == 200
    assert call(qstash, "GET", f"/v2/schedules/{schedule_id}").status_code == 404
    assert call(qstash, "DELETE", f"/v2/schedules/{schedule_id}").status_code == 404


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Upstash-Cron": "every day"}, "invalid cron"),
        ({"Upstash-Cron": "0 * * * *", "Upstash-Schedule-Id": "no spaces!"}, "Schedule-Id"),
    ],
)
def test_a_bad_cron_or_schedule_id_gets_400(
    qstash: RunningDouble, receiver: CapturingReceiver, headers: dict[str, str], message: str
) -> None:
    response = call(qstash, "POST", "/v2/schedules/" + receiver.url("/e"), headers=headers)

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_missing_cron_header_gets_400(qstash: RunningDouble, receiver: CapturingReceiver) -> None:
    response = call(qstash, "POST", "/v2/schedules/" + receiver.url("/f"))

    assert response.status_code == 400
    assert "Upstash-Cron" in response.json()["error"]


def test_a_schedule_can_be_fired_now_from_python(
    qstash: RunningDouble, receiver: CapturingReceiver, path: str
) -> None:
    schedule_id = create(qstash, receiver.url(path), "0 0 1 1 *").json()["scheduleId"]

    qstash.double.fire_schedule(schedule_id)

    (delivered,) = receiver.wait_for(1, path)
    assert delivered.headers["upstash-schedule-id"] == schedule_id
