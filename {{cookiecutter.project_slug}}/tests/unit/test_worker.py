"""The platform-neutral worker: a handed-off envelope runs its job, whatever its payload kind."""

import pytest

from {{ cookiecutter.package_name }}.errors import InvalidPayloadError
from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.jobs import Job, JobContext, JobRegistry
from {{ cookiecutter.package_name }}.worker import run_envelope

from .test_jobs_registry import Digest, calls, no_payload, optional_digest


@pytest.fixture
def jobs() -> JobRegistry:
    """A registry of the registry tests' jobs (they record their calls in calls)."""
    registry = JobRegistry()
    for declared in (no_payload, optional_digest):
        registry.register(declared)
    calls.clear()
    return registry


def test_job_without_payload_runs_from_an_envelope_without_one(jobs: JobRegistry) -> None:
    run_envelope(JobEnvelope(job=no_payload.name, payload=None, message_id="msg_1"), jobs)
    assert calls == ["msg_1"]


def test_job_without_payload_refuses_an_envelope_with_one(jobs: JobRegistry) -> None:
    envelope = JobEnvelope(job=no_payload.name, payload={"stale": True}, message_id="msg_1")
    with pytest.raises(InvalidPayloadError, match="takes no payload"):
        run_envelope(envelope, jobs)
    assert calls == []


def test_absent_optional_payload_runs_the_job_with_none(jobs: JobRegistry) -> None:
    run_envelope(JobEnvelope(job=optional_digest.name, payload=None, message_id="msg_1"), jobs)
    assert calls == [None]


def test_present_optional_payload_runs_the_job_with_the_model(jobs: JobRegistry) -> None:
    envelope = JobEnvelope(job=optional_digest.name, payload={"since_days": 7}, message_id="m")
    run_envelope(envelope, jobs)
    assert calls == [Digest(since_days=7)]


def test_envelope_without_payload_is_refused_by_a_job_that_needs_one() -> None:
    strict = JobRegistry()
    strict.register(Job(name="strict", payload_model=Digest, run=lambda payload, context: None))
    with pytest.raises(InvalidPayloadError):
        run_envelope(JobEnvelope(job="strict", payload=None, message_id="m"), strict)


def test_envelope_without_payload_survives_the_queue() -> None:
    envelope = JobEnvelope(job="tick", payload=None, message_id="msg_1", schedule_id="nightly")
    assert JobEnvelope.from_json(envelope.to_json()) == envelope


def test_context_carries_the_delivery_metadata(jobs: JobRegistry) -> None:
    seen: list[JobContext] = []
    jobs.register(Job(name="ctx", payload_model=None, run=lambda _, context: seen.append(context)))
    run_envelope(JobEnvelope("ctx", None, "msg_9", retried=2, schedule_id="nightly"), jobs)
    assert seen == [JobContext(message_id="msg_9", retried=2, schedule_id="nightly")]
