"""Ownership: stable ids in QStash's charset, a prefix per owner, full URLs and callbacks."""

import re

import pytest

from {{ cookiecutter.package_name }}.errors import (
    ConfigurationError,
    UnsafeDestinationError,
)
from {{ cookiecutter.package_name }}.qstash.ownership import (
    MAX_SCHEDULE_ID_CHARS,
    Owner,
    target,
)
from {{ cookiecutter.package_name }}.qstash.schedules import (
    Declarations,
    EndpointSpec,
    GroupSpec,
    ScheduleSpec,
)

#: What QStash accepts in `Upstash-Schedule-Id` (https://upstash.com/docs/qstash/features/schedules).
QSTASH_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
BASE_URL = "https://jobs.example.com"
QSTASH_URL = "https://qstash.upstash.io"
NIGHTLY = ScheduleSpec(
    "nightly-report", "nightly", "0 3 * * *", "/qstash/jobs/nightly-report", "", 3, 0
)


def test_a_schedule_id_names_owner_job_and_schedule() -> None:
    assert Owner("MyStack").schedule_id("nightly-report", "nightly") == (
        "MyStack.nightly-report.nightly"
    )


def test_the_same_declaration_always_gets_the_same_id() -> None:
    assert Owner("app").schedule_id("a", "b") == Owner("app").schedule_id("a", "b")


@pytest.mark.parametrize("owner", ["My.Stack", "", "stack name", "stäck", "a/b"])
def test_an_owner_outside_letters_digits_hyphen_underscore_is_refused(owner: str) -> None:
    with pytest.raises(ConfigurationError, match="must be letters, digits"):
        Owner(owner)


def test_the_longest_names_give_an_id_in_qstash_charset_within_the_bound() -> None:
    owner = Owner("S" * 128)  # CloudFormation allows stack names of 128 characters
    schedule_id = owner.schedule_id("j" * 63, "n" * 63)
    assert QSTASH_ID.fullmatch(schedule_id)
    assert len(schedule_id) <= MAX_SCHEDULE_ID_CHARS


def test_shortened_ids_of_different_declarations_differ() -> None:
    owner = Owner("S" * 128)
    assert owner.schedule_id("j" * 63, "a" + "n" * 62) != owner.schedule_id(
        "j" * 63, "b" + "n" * 62
    )


def test_a_shortened_owner_still_owns_its_ids() -> None:
    owner = Owner("S" * 128)
    assert owner.owns(owner.schedule_id("job", "name"))


def test_an_owner_does_not_own_ids_of_an_owner_whose_name_it_begins() -> None:
    assert not Owner("app").owns(Owner("app-staging").schedule_id("job", "name"))


def test_an_owner_does_not_own_generated_schedule_ids() -> None:
    assert not Owner("scd").owns("scd_2XrkLKZ9nDsPwPvFmAgZ1a")


def test_endpoint_names_carry_the_owner_prefix() -> None:
    owner = Owner("app")
    assert owner.endpoint_name(EndpointSpec(job="tick", path="/qstash/jobs/tick")) == "app.tick"
    assert owner.owns(owner.endpoint_name(EndpointSpec(url="https://crm.example.com/hook")))


def test_a_schedule_is_delivered_to_the_base_url_plus_the_jobs_route() -> None:
    (schedule,) = target(
        Declarations((NIGHTLY,)),
        owner=Owner("app"),
        public_base_url=BASE_URL + "/",
        qstash_url=QSTASH_URL,
    ).schedules
    assert schedule.destination == "https://jobs.example.com/qstash/jobs/nightly-report"


def test_a_schedule_carries_the_apps_callback_and_failure_callback() -> None:
    (schedule,) = target(
        Declarations((NIGHTLY,)),
        owner=Owner("app"),
        public_base_url=BASE_URL,
        qstash_url=QSTASH_URL,
    ).schedules
    headers = schedule.headers()
    assert headers["Upstash-Callback"] == "https://jobs.example.com/qstash/callback"
    assert headers["Upstash-Failure-Callback"] == "https://jobs.example.com/qstash/failure"


def test_a_schedule_is_upserted_by_its_id_and_never_deduplicated() -> None:
    (schedule,) = target(
        Declarations((NIGHTLY,)),
        owner=Owner("app"),
        public_base_url=BASE_URL,
        qstash_url=QSTASH_URL,
    ).schedules
    headers = {name.lower(): value for name, value in schedule.headers().items()}
    assert headers["upstash-schedule-id"] == "app.nightly-report.nightly"
    assert "upstash-deduplication-id" not in headers
    assert "upstash-content-based-deduplication" not in headers


def test_a_url_group_endpoint_is_the_jobs_route_under_the_owners_name() -> None:
    group = GroupSpec("signups", (EndpointSpec(job="tick", path="/qstash/jobs/tick"),))
    (endpoint,) = target(
        Declarations(url_groups=(group,)),
        owner=Owner("app"),
        public_base_url=BASE_URL,
        qstash_url=QSTASH_URL,
    ).endpoints
    assert (endpoint.group, endpoint.name, endpoint.url) == (
        "signups",
        "app.tick",
        "https://jobs.example.com/qstash/jobs/tick",
    )


@pytest.mark.parametrize("base_url", ["http://jobs.example.com", "https://127.0.0.1:8000"])
def test_a_base_url_qstash_cannot_reach_is_refused(base_url: str) -> None:
    with pytest.raises(UnsafeDestinationError):
        target(
            Declarations((NIGHTLY,)),
            owner=Owner("app"),
            public_base_url=base_url,
            qstash_url=QSTASH_URL,
        )


def test_local_destinations_are_fine_against_a_local_qstash() -> None:
    (schedule,) = target(
        Declarations((NIGHTLY,)),
        owner=Owner("app"),
        public_base_url="http://127.0.0.1:8000",
        qstash_url="http://127.0.0.1:8080",
    ).schedules
    assert schedule.destination == "http://127.0.0.1:8000/qstash/jobs/nightly-report"
