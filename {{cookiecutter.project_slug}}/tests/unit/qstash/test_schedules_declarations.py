"""Declarations: checked at synth time with one clear line each, written as a stable document."""

import json
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.jobs import Job, JobRegistry, Schedule, UrlGroup
from {{ cookiecutter.package_name }}.jobs import registry as app_registry
from {{ cookiecutter.package_name }}.qstash.schedules import (
    Declarations,
    ScheduleDeclarationError,
    check_cron,
    declarations_document,
)


class Report(BaseModel):
    """Payload of the test job `report`."""

    days: int


def _run(*args: Any) -> None:
    """Do nothing."""


def registry_of(*jobs: Job[Any], groups: tuple[UrlGroup, ...] = ()) -> JobRegistry:
    """A registry of its own, so the app's registry is never changed by a test."""
    registry = JobRegistry()
    for declared in jobs:
        registry.register(declared)
    for group in groups:
        registry.add_url_group(group)
    return registry


def tick(*schedules: Schedule) -> Job[None]:
    """A job without a payload, with these schedules."""
    return Job("tick", None, _run, schedules=schedules)


def report(*schedules: Schedule) -> Job[Report]:
    """A job whose payload is `Report`, with these schedules."""
    return Job("report", Report, _run, schedules=schedules)


def document_of(registry: JobRegistry) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(declarations_document(registry))
    return parsed


def refusal(registry: JobRegistry) -> str:
    with pytest.raises(ScheduleDeclarationError) as caught:
        declarations_document(registry)
    return caught.value.message


# --- what the document says -------------------------------------------------------------


def test_a_schedule_is_written_with_its_jobs_route_path() -> None:
    (schedule,) = document_of(registry_of(tick(Schedule("0 3 * * *"))))["schedules"]
    assert schedule["path"] == "/qstash/jobs/tick"
    assert (schedule["job"], schedule["name"], schedule["cron"]) == ("tick", "default", "0 3 * * *")


def test_a_schedule_without_payload_sends_an_empty_body() -> None:
    (schedule,) = document_of(registry_of(tick(Schedule("0 3 * * *"))))["schedules"]
    assert schedule["body"] == ""


def test_a_schedules_payload_is_written_as_json() -> None:
    job = report(Schedule("0 3 * * *", payload=Report(days=7)))
    (schedule,) = document_of(registry_of(job))["schedules"]
    assert json.loads(schedule["body"]) == {"days": 7}


def test_a_payload_is_written_the_same_whatever_its_key_order() -> None:
    class Window(BaseModel):
        days: int
        weeks: int = 0

    def body(payload: dict[str, int]) -> str:
        job = Job("window", Window, _run, schedules=(Schedule("0 3 * * *", payload=payload),))
        return str(document_of(registry_of(job))["schedules"][0]["body"])

    assert body({"days": 1, "weeks": 2}) == body({"weeks": 2, "days": 1})


def test_retries_default_to_qstash_default_of_three() -> None:
    (schedule,) = document_of(registry_of(tick(Schedule("0 3 * * *"))))["schedules"]
    assert schedule["retries"] == 3


def test_a_delay_is_written_in_seconds() -> None:
    job = tick(
        Schedule("0 3 * * *", "notation", delay="1h30m"),
        Schedule("0 4 * * *", "timedelta", delay=timedelta(seconds=90)),
    )
    delays = {s["name"]: s["delaySeconds"] for s in document_of(registry_of(job))["schedules"]}
    assert delays == {"notation": 5400, "timedelta": 90}


def test_the_callbacks_are_written_as_the_apps_routes() -> None:
    document = document_of(registry_of())
    assert (document["callbackPath"], document["failureCallbackPath"]) == (
        "/qstash/callback",
        "/qstash/failure",
    )


def test_a_url_group_lists_job_routes_and_other_urls() -> None:
    group = UrlGroup("signups", ("tick", "https://crm.example.com/hook"))
    (written,) = document_of(registry_of(tick(), groups=(group,)))["urlGroups"]
    assert written == {
        "name": "signups",
        "endpoints": [
            {"job": "tick", "path": "/qstash/jobs/tick"},
            {"url": "https://crm.example.com/hook"},
        ],
    }


def test_the_document_does_not_depend_on_declaration_order() -> None:
    a, b = Schedule("0 3 * * *", "a"), Schedule("0 4 * * *", "b")
    g, h = UrlGroup("g", ("tick",)), UrlGroup("h", ("tick",))
    first = declarations_document(registry_of(tick(a, b), report(), groups=(g, h)))
    second = declarations_document(registry_of(report(), tick(b, a), groups=(h, g)))
    assert first == second


def test_the_document_reads_back_as_the_same_declarations() -> None:
    job = report(Schedule("CRON_TZ=Europe/Berlin 0 3 * * *", payload={"days": 1}, retries=5))
    group = UrlGroup("g", ("report", "https://x.example.com"))
    declarations = Declarations.from_registry(registry_of(job, groups=(group,)))
    assert Declarations.from_document(declarations.to_document()) == declarations


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"version": 2}',
        '{"version": 1, "schedules": [{}]}',
        '{"version": 1, "schedules": [{"job": "j", "name": "n", "cron": "* * * * *", '
        '"path": "/p", "body": null, "retries": 3, "delaySeconds": 0}]}',
    ],
    ids=["not-json", "array", "other-version", "missing-fields", "body-not-a-string"],
)
def test_something_else_than_a_document_is_refused(text: str) -> None:
    with pytest.raises(ScheduleDeclarationError, match="not a declarations document"):
        Declarations.from_document(text)


def test_the_apps_own_declarations_pass() -> None:
    names = {(s["job"], s["name"]) for s in document_of(app_registry)["schedules"]}
    assert ("nightly-report", "nightly") in names


# --- what is refused, in one line --------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("0 3 * *", "has 4 fields, want 5"),
        ("0 3 * * * *", "has 6 fields, want 5"),
        ("0 25 * * *", "invalid cron"),
        ("every day", "has 2 fields"),
    ],
    ids=["four-fields", "six-fields", "hour-out-of-range", "words"],
)
def test_a_bad_cron_is_refused_naming_job_and_schedule(cron: str, problem: str) -> None:
    message = refusal(registry_of(tick(Schedule(cron, "nightly"))))
    assert message.startswith("schedule 'nightly' of job 'tick': ")
    assert problem in message
    assert "\n" not in message


def test_an_unknown_time_zone_is_refused() -> None:
    message = refusal(registry_of(tick(Schedule("CRON_TZ=Mars/Olympus 0 3 * * *"))))
    assert "unknown time zone 'Mars/Olympus'" in message


def test_a_time_zone_path_trick_is_refused() -> None:
    message = refusal(registry_of(tick(Schedule("CRON_TZ=../../etc/passwd 0 3 * * *"))))
    assert "unknown time zone" in message


def test_a_url_group_endpoint_that_is_no_job_is_refused() -> None:
    message = refusal(registry_of(tick(), groups=(UrlGroup("signups", ("tock",)),)))
    assert message == (
        "url group 'signups': 'tock' is no job of this app (see `jobs`), nor an https URL"
    )


@pytest.mark.parametrize(
    "url", ["http://crm.example.com/hook", "ftp://crm.example.com", "https://", "https:// x"]
)
def test_a_url_group_endpoint_that_is_not_https_is_refused(url: str) -> None:
    message = refusal(registry_of(tick(), groups=(UrlGroup("signups", (url,)),)))
    assert "is not an https URL" in message


def test_a_payload_that_does_not_fit_the_job_is_refused_field_by_field() -> None:
    message = refusal(registry_of(report(Schedule("0 3 * * *", payload={"days": "many"}))))
    assert message.startswith("schedule 'default' of job 'report': payload does not fit the job")
    assert "days:" in message


def test_a_job_that_needs_a_payload_needs_one_on_its_schedule() -> None:
    message = refusal(registry_of(report(Schedule("0 3 * * *"))))
    assert "the job needs a payload" in message


def test_a_payload_on_a_job_that_takes_none_is_refused() -> None:
    message = refusal(registry_of(tick(Schedule("0 3 * * *", payload={"days": 1}))))
    assert "the job takes no payload" in message


def test_retries_beyond_what_any_plan_allows_are_refused() -> None:
    message = refusal(registry_of(tick(Schedule("0 3 * * *", retries=1000))))
    assert "retries must be a whole number from 0 to 100" in message


def test_a_malformed_delay_is_refused() -> None:
    message = refusal(registry_of(tick(Schedule("0 3 * * *", delay="soon"))))
    assert "delay 'soon'" in message


# --- cron expressions -------------------------------------------------------------------


def test_a_cron_is_returned_single_spaced() -> None:
    assert check_cron("  CRON_TZ=America/New_York   0  4 * * 1-5 ") == (
        "CRON_TZ=America/New_York 0 4 * * 1-5"
    )


@pytest.mark.parametrize("cron", ["*/5 * * * *", "0 0 1 1 *", "30 8 * * 1-5", "0 9,17 * * *"])
def test_five_field_crons_pass(cron: str) -> None:
    assert check_cron(cron) == cron
