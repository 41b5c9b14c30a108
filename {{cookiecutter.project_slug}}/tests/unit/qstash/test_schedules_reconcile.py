"""The reconcile against the local QStash double over HTTP: create, update, prune, stay put."""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse, Response

from {{ cookiecutter.package_name }}.errors import PublishTimeoutError
from {{ cookiecutter.package_name }}.qstash.ownership import Owner, Target, target
from {{ cookiecutter.package_name }}.qstash.reconcile import (
    ReconcileError,
    plan_changes,
    reconcile,
)
from {{ cookiecutter.package_name }}.qstash.rest import QStashApi, Timeouts
from {{ cookiecutter.package_name }}.qstash.retrying import TransientRetryPolicy
from {{ cookiecutter.package_name }}.qstash.schedule_api import ScheduleApi
from {{ cookiecutter.package_name }}.qstash.schedules import (
    Declarations,
    EndpointSpec,
    GroupSpec,
    ScheduleSpec,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
    serve_doubles,
)

from ...fake_qstash import TOKEN, FakeQStash

# Port 9 (discard) refuses connections: a schedule that fires reaches nothing, and nothing
# leaves the machine.
BASE_URL = "http://127.0.0.1:9"
OTHER_BASE_URL = "http://127.0.0.2:9"
GROUP = "user-signed-up"


def spec(
    name: str = "default", cron: str = "0 3 * * *", *, job: str = "tick", **fields: Any
) -> ScheduleSpec:
    values: dict[str, Any] = {"body": "", "retries": 3, "delay_seconds": 0} | fields
    return ScheduleSpec(job, name, cron, f"/qstash/jobs/{job}", **values)


def group(name: str = GROUP, *jobs: str) -> GroupSpec:
    return GroupSpec(name, tuple(EndpointSpec(job=job, path=f"/qstash/jobs/{job}") for job in jobs))


def declared(
    *schedules: ScheduleSpec,
    groups: tuple[GroupSpec, ...] = (),
    owner: str = "app",
    base_url: str = BASE_URL,
    qstash_url: str = "http://127.0.0.1:8080",
) -> Target:
    return target(
        Declarations(schedules, groups),
        owner=Owner(owner),
        public_base_url=base_url,
        qstash_url=qstash_url,
    )


class Sent(list[httpx.Request]):
    """Every request the client sent."""

    def __call__(self, request: httpx.Request) -> None:
        self.append(request)


@pytest.fixture(scope="module")
def host() -> Iterator[DoubleHost]:
    with serve_doubles() as serving:
        yield serving


@pytest.fixture
def double_settings() -> DoubleSettings:
    """A manual clock: no schedule fires unless a test moves the clock."""
    return DoubleSettings(time_scale=None)


@pytest.fixture
def qstash(host: DoubleHost, double_settings: DoubleSettings) -> Iterator[RunningDouble]:
    with host.run(double_settings) as running:
        yield running


@pytest.fixture
def sent() -> Sent:
    return Sent()


class Clients:
    """Makes clients of the double; closes their HTTP pools when the test ends."""

    def __init__(self, qstash: RunningDouble, sent: Sent) -> None:
        self.qstash, self.sent = qstash, sent
        self.pools: list[httpx.Client] = []

    def __call__(self, **options: Any) -> ScheduleApi:
        """A client whose requests are recorded and whose waits are skipped (by default)."""
        pool = httpx.Client(event_hooks={"request": [self.sent]})
        self.pools.append(pool)
        options.setdefault("sleep", lambda seconds: None)
        return ScheduleApi(
            QStashApi(
                base_url=self.qstash.base_url, token=self.qstash.token, http_client=pool, **options
            )
        )


@pytest.fixture
def client_for(qstash: RunningDouble, sent: Sent) -> Iterator[Clients]:
    clients = Clients(qstash, sent)
    yield clients
    for pool in clients.pools:
        pool.close()


@pytest.fixture
def api(client_for: Clients) -> ScheduleApi:
    return client_for()


def schedules_of(qstash: RunningDouble) -> dict[str, Any]:
    return {schedule.schedule_id: schedule for schedule in qstash.double.schedules()}


def endpoints_of(qstash: RunningDouble, name: str = GROUP) -> set[tuple[str | None, str]]:
    found = qstash.double.state.groups.get(name)
    return {(e.name, e.url) for e in found.endpoints} if found else set()


def add_foreign_schedule(api: ScheduleApi, schedule_id: str | None) -> None:
    headers = {"Upstash-Cron": "* * * * *"} | (
        {"Upstash-Schedule-Id": schedule_id} if schedule_id else {}
    )
    api.api.request("POST", f"/v2/schedules/{OTHER_BASE_URL}/x", headers=headers)


def add_foreign_endpoint(api: ScheduleApi, endpoint: dict[str, str]) -> None:
    body = json.dumps({"endpoints": [endpoint]}).encode()
    api.api.request("POST", f"/v2/topics/{GROUP}/endpoints", content=body)


# --- schedules --------------------------------------------------------------------------


def test_a_first_run_creates_every_declared_schedule(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(spec("a"), spec("b")))
    assert set(schedules_of(qstash)) == {"app.tick.a", "app.tick.b"}


def test_a_created_schedule_targets_the_jobs_route_with_the_apps_callbacks(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(spec(retries=5, delay_seconds=30, body='{"days":1}')))
    schedule = schedules_of(qstash)["app.tick.default"]
    assert schedule.destination == f"{BASE_URL}/qstash/jobs/tick"
    assert (schedule.cron, schedule.body) == ("0 3 * * *", b'{"days":1}')
    assert (schedule.options.retries, schedule.options.delay) == (5, 30.0)
    assert schedule.options.callback.url == f"{BASE_URL}/qstash/callback"
    assert schedule.options.failure_callback.url == f"{BASE_URL}/qstash/failure"


def test_running_twice_leaves_exactly_one_schedule_per_declaration(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    wanted = declared(spec("a"), spec("b"), spec(job="report"))
    reconcile(api, wanted)
    reconcile(api, wanted)
    assert len(qstash.double.schedules()) == 3


def test_a_second_run_has_nothing_to_change(api: ScheduleApi) -> None:
    wanted = declared(spec("a"), groups=(group(GROUP, "tick"),))
    reconcile(api, wanted)
    plan = plan_changes(api, wanted)
    assert plan.changes == ()
    assert set(plan.unchanged) == {"app.tick.a", f"{GROUP}/app.tick"}


def test_a_changed_cron_updates_that_schedule_in_place(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(spec(cron="0 3 * * *")))
    plan = reconcile(api, declared(spec(cron="30 4 * * *")))
    assert [(c.action, c.subject) for c in plan.changes] == [("update", "app.tick.default")]
    assert plan.changes[0].reasons == ("cron '0 3 * * *' -> '30 4 * * *'",)
    assert {i: s.cron for i, s in schedules_of(qstash).items()} == {
        "app.tick.default": "30 4 * * *"
    }


def test_a_removed_declaration_deletes_its_schedule(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(spec("a"), spec("b")))
    reconcile(api, declared(spec("a")))
    assert set(schedules_of(qstash)) == {"app.tick.a"}


def test_schedules_this_owner_does_not_own_are_left_alone(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    add_foreign_schedule(api, "other.tick.default")
    add_foreign_schedule(api, "app-staging.tick.default")
    add_foreign_schedule(api, None)  # a `scd_...` id from the console
    reconcile(api, declared(spec()))
    reconcile(api, declared())
    assert len(schedules_of(qstash)) == 3
    assert "app.tick.default" not in schedules_of(qstash)


def test_an_unchanged_schedule_someone_paused_stays_paused(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(spec()))
    api.api.request("PATCH", "/v2/schedules/app.tick.default/pause")
    plan = reconcile(api, declared(spec()))
    assert plan.paused == ("app.tick.default",)
    assert schedules_of(qstash)["app.tick.default"].paused


def test_a_stack_delete_removes_every_owned_schedule_and_endpoint(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(spec("a"), spec("b"), groups=(group(GROUP, "tick", "report"),)))
    reconcile(api, declared())
    assert schedules_of(qstash) == {}
    assert GROUP not in qstash.double.state.groups


def test_the_longest_owner_gives_ids_qstash_accepts(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    owner = "S" * 128
    reconcile(api, declared(spec("n" * 63, job="j" * 63), owner=owner))
    (schedule_id,) = schedules_of(qstash)
    assert Owner(owner).owns(schedule_id)


def test_no_request_ever_carries_a_deduplication_id(api: ScheduleApi, sent: Sent) -> None:
    reconcile(api, declared(spec("a"), spec("b")))
    reconcile(api, declared(spec("a", cron="5 3 * * *")))
    reconcile(api, declared())
    assert sent
    assert not [r for r in sent if "upstash-deduplication-id" in r.headers]
    assert not [r for r in sent if "upstash-content-based-deduplication" in r.headers]


# --- URL groups -------------------------------------------------------------------------


def test_declared_endpoints_are_added_under_the_owners_names(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(groups=(group(GROUP, "tick", "report"),)))
    assert endpoints_of(qstash) == {
        ("app.tick", f"{BASE_URL}/qstash/jobs/tick"),
        ("app.report", f"{BASE_URL}/qstash/jobs/report"),
    }


def test_an_endpoint_no_longer_declared_is_removed(qstash: RunningDouble, api: ScheduleApi) -> None:
    reconcile(api, declared(groups=(group(GROUP, "tick", "report"),)))
    reconcile(api, declared(groups=(group(GROUP, "tick"),)))
    assert endpoints_of(qstash) == {("app.tick", f"{BASE_URL}/qstash/jobs/tick")}


def test_a_group_no_longer_declared_loses_this_owners_endpoints(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(groups=(group("old-group", "tick"), group(GROUP, "tick"))))
    reconcile(api, declared(groups=(group(GROUP, "tick"),)))
    assert "old-group" not in qstash.double.state.groups
    assert endpoints_of(qstash) == {("app.tick", f"{BASE_URL}/qstash/jobs/tick")}


def test_a_moved_base_url_replaces_the_outdated_endpoint(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    reconcile(api, declared(groups=(group(GROUP, "tick"),)))
    reconcile(api, declared(groups=(group(GROUP, "tick"),), base_url=OTHER_BASE_URL))
    assert endpoints_of(qstash) == {("app.tick", f"{OTHER_BASE_URL}/qstash/jobs/tick")}


def test_endpoints_others_added_to_the_same_group_are_left_alone(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    add_foreign_endpoint(api, {"url": f"{OTHER_BASE_URL}/unnamed"})
    add_foreign_endpoint(api, {"url": f"{OTHER_BASE_URL}/named", "name": "other.tick"})
    reconcile(api, declared(groups=(group(GROUP, "tick"),)))
    reconcile(api, declared())
    assert endpoints_of(qstash) == {
        (None, f"{OTHER_BASE_URL}/unnamed"),
        ("other.tick", f"{OTHER_BASE_URL}/named"),
    }


# --- failures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "double_settings",
    [DoubleSettings(time_scale=None, rate_limit_per_second=2, rate_limit_scope="all")],
    ids=["2-per-second"],
)
def test_a_429_is_waited_out_and_the_run_completes(
    qstash: RunningDouble, client_for: Clients
) -> None:
    # The double's burst window runs on its manual clock; the client's waits move it.
    api = client_for(clock=qstash.double.now, sleep=qstash.double.advance)
    reconcile(api, declared(spec("a"), spec("b"), spec("c")))
    assert qstash.double.counters()["rate_limited"] >= 1
    assert len(qstash.double.schedules()) == 3


def test_server_errors_until_retries_run_out_fail_naming_the_change(fake: FakeQStash) -> None:
    def answer(request: Any) -> Response:
        if request.method == "GET":
            return JSONResponse([])
        return JSONResponse({"error": "unavailable"}, status_code=503)

    fake.responder = answer
    rest = QStashApi(base_url=fake.base_url, token=TOKEN, sleep=lambda seconds: None)
    with rest, pytest.raises(ReconcileError) as caught:
        reconcile(ScheduleApi(rest), declared(spec(), qstash_url=fake.base_url))
    message = caught.value.message
    assert message.startswith("create schedule app.tick.default: 0 3 * * * -> ")
    assert "failed after 0 of 1 changes for owner app: QStash answered 503" in message
    assert "gave up after 4 attempt(s)" in message
    assert "Run it again" in message
    assert caught.value.details["status"] == 503


@pytest.mark.parametrize(
    "double_settings", [DoubleSettings(time_scale=None, hang=True)], ids=["hang"]
)
def test_a_qstash_that_never_answers_is_bounded_by_the_timeout(client_for: Clients) -> None:
    api = client_for(
        timeouts=Timeouts(connect=1.0, read=0.2, write=1.0, pool=1.0),
        transient_retry=TransientRetryPolicy(max_attempts=2),
    )
    with pytest.raises(
        PublishTimeoutError, match=r"did not answer GET /v2/schedules within 0\.2 s"
    ):
        plan_changes(api, declared(spec()))


@pytest.mark.parametrize(
    "double_settings", [DoubleSettings(time_scale=None, max_retries=5)], ids=["max-5-retries"]
)
def test_a_refusal_half_way_is_finished_by_the_next_run(
    qstash: RunningDouble, api: ScheduleApi
) -> None:
    with pytest.raises(ReconcileError) as caught:
        reconcile(api, declared(spec("a"), spec("b", retries=10)))
    assert caught.value.details["applied"] == [
        f"create schedule app.tick.a: 0 3 * * * -> {BASE_URL}/qstash/jobs/tick"
    ]
    assert caught.value.details["status"] == 400
    plan = reconcile(api, declared(spec("a"), spec("b", retries=5)))
    assert [(c.action, c.subject) for c in plan.changes] == [("create", "app.tick.b")]
    assert set(schedules_of(qstash)) == {"app.tick.a", "app.tick.b"}
