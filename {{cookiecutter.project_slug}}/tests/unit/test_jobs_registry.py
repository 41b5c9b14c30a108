"""The job registry: three kinds of payload, one rule each; schedules and URL groups."""

import json

import pytest
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.errors import InvalidPayloadError, UnknownJobError
from {{ cookiecutter.package_name }}.jobs import (
    Job,
    JobContext,
    JobRegistry,
    Schedule,
    UrlGroup,
    job,
    registry,
)
from {{ cookiecutter.package_name }}.jobs.examples import (
    WelcomeEmail,
    nightly_report,
    send_welcome_email,
)
from {{ cookiecutter.package_name }}.jobs.job import RawPayload

CONTEXT = JobContext(message_id="msg_direct")


class Digest(BaseModel):
    """Payload of the optional-payload test job."""

    since_days: int = 1


#: What each test job was called with, in order.
calls: list[object] = []


@job("registry-test-optional", payload=Digest, optional=True)
def optional_digest(payload: Digest | None, context: JobContext) -> None:
    """Record the payload it got."""
    calls.append(payload)


@job("registry-test-no-payload")
def no_payload(context: JobContext) -> None:
    """Record the message id it ran for."""
    calls.append(context.message_id)


@pytest.fixture(autouse=True)
def no_calls_left_over() -> None:
    calls.clear()


# --- declaring and calling --------------------------------------------------------------


def test_a_declared_job_can_be_called_directly() -> None:
    payload = WelcomeEmail(user_id="u-1", email="ada@example.com")
    send_welcome_email(payload, CONTEXT)


def test_a_job_without_payload_is_called_with_the_context_alone() -> None:
    no_payload(CONTEXT)
    assert calls == ["msg_direct"]


def test_a_job_without_payload_runs_from_the_uniform_call_too() -> None:
    # The worker calls every job as run(payload, context).
    no_payload.run(None, CONTEXT)
    assert calls == ["msg_direct"]


def test_the_example_cron_job_takes_no_payload() -> None:
    assert nightly_report.payload_model is None
    assert not nightly_report.payload_required
    nightly_report(JobContext(message_id="msg_tick", schedule_id="scd_nightly"))


@pytest.mark.parametrize(
    ("declared", "required"),
    [(send_welcome_email, True), (optional_digest, False), (no_payload, False)],
    ids=["model", "optional-model", "none"],
)
def test_only_a_plain_model_requires_a_payload(declared: Job[object], required: bool) -> None:
    assert declared.payload_required is required


def test_optional_without_a_model_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="needs a payload model"):
        job("registry-test-bad", optional=True)  # mypy refuses this call too


def test_job_description_defaults_to_the_docstring_first_line() -> None:
    assert send_welcome_email.description == "Send the welcome e-mail to a new user (here: log it)."


def test_unknown_job_name_is_echoed_at_most_64_characters() -> None:
    with pytest.raises(UnknownJobError) as raised:
        registry.get("x" * 5000)
    assert len(raised.value.details["job"]) <= 65
    assert len(raised.value.message) < 100


# --- a job without a payload ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"  \n", b"null", b"{}", b" { } ", None, {}],
    ids=["empty", "blank", "null", "empty-object", "spaced-object", "none", "empty-mapping"],
)
def test_a_job_without_payload_accepts_a_body_that_carries_nothing(raw: RawPayload) -> None:
    assert no_payload.parse(raw) is None


@pytest.mark.parametrize(
    "raw",
    [b'{"report": "weekly"}', b"[]", b"0", b"not json", b"\xff\xfe", {"report": "weekly"}],
    ids=["object", "array", "number", "not-json", "not-utf8", "mapping"],
)
def test_a_job_without_payload_refuses_a_body_that_carries_data(raw: RawPayload) -> None:
    # Decision: refuse rather than ignore, so data published to the wrong job is not lost.
    with pytest.raises(InvalidPayloadError, match="takes no payload"):
        no_payload.parse(raw)


# --- an optional payload ----------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"", b" ", b"null", None], ids=["empty", "blank", "null", "none"])
def test_an_absent_optional_payload_is_none(raw: bytes | None) -> None:
    assert optional_digest.parse(raw) is None


def test_a_present_optional_payload_is_validated() -> None:
    assert optional_digest.parse(json.dumps({"since_days": 7}).encode()) == Digest(since_days=7)
    assert optional_digest.parse({"since_days": 7}) == Digest(since_days=7)


def test_an_empty_object_is_a_present_optional_payload() -> None:
    assert optional_digest.parse(b"{}") == Digest()


def test_an_invalid_optional_payload_is_refused_field_by_field() -> None:
    with pytest.raises(InvalidPayloadError) as raised:
        optional_digest.parse(b'{"since_days": "a week"}')
    assert [error["loc"] for error in raised.value.details["errors"]] == [("since_days",)]


# --- a required payload -----------------------------------------------------------------


def test_an_empty_body_is_refused_for_a_job_that_needs_a_payload() -> None:
    with pytest.raises(InvalidPayloadError, match="invalid payload"):
        send_welcome_email.parse(b"")


def test_a_missing_handed_off_payload_is_refused_for_a_job_that_needs_one() -> None:
    with pytest.raises(InvalidPayloadError, match="invalid payload"):
        send_welcome_email.parse(None)


# --- schedules and URL groups -----------------------------------------------------------


def _run(context: JobContext) -> None:
    """Do nothing."""


def test_schedules_declared_on_a_job_are_kept_in_order() -> None:
    first, second = Schedule("0 3 * * *", name="nightly"), Schedule("*/5 * * * *", name="often")
    declared = Job("registry-test-scheduled", None, _run, schedules=(first, second))
    assert declared.schedules == (first, second)


def test_the_example_cron_job_declares_its_nightly_schedule() -> None:
    assert [schedule.name for schedule in nightly_report.schedules] == ["nightly"]


def test_a_job_declares_no_schedule_by_default() -> None:
    assert send_welcome_email.schedules == ()


def test_two_schedules_with_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="share a name"):
        Job("registry-test-twice", None, _run, schedules=(Schedule("0 3 * * *"),) * 2)


@pytest.mark.parametrize("name", ["Nightly", "night.ly", "", "-x", "x" * 64])
def test_a_schedule_name_outside_the_id_charset_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="schedule name"):
        Schedule("0 3 * * *", name=name)


def test_a_url_group_keeps_its_endpoints_in_order() -> None:
    group = UrlGroup("signups", ("send-welcome-email", "https://crm.example.com/hook"))
    assert group.endpoints == ("send-welcome-email", "https://crm.example.com/hook")


@pytest.mark.parametrize("name", ["sign ups", "", "signups/1", "x" * 65])
def test_a_url_group_name_qstash_refuses_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="url group name"):
        UrlGroup(name, ("send-welcome-email",))


def test_a_url_group_without_endpoints_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one endpoint"):
        UrlGroup("signups", ())


def test_a_url_group_listing_an_endpoint_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        UrlGroup("signups", ("send-welcome-email", "send-welcome-email"))


def test_a_url_group_is_declared_once_per_registry() -> None:
    registry_ = JobRegistry()
    registry_.add_url_group(UrlGroup("signups", ("a",)))
    with pytest.raises(ValueError, match="already declared"):
        registry_.add_url_group(UrlGroup("signups", ("b",)))


def test_the_example_url_group_fans_out_to_the_welcome_email() -> None:
    groups = {group.name: group.endpoints for group in registry.url_groups}
    assert groups["user-signed-up"] == ("send-welcome-email",)
