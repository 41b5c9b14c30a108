"""The replay guard on in-memory records: refuse when the message reached the worker."""

import pytest

from {{ cookiecutter.package_name }}.replay import ReplayGuard, ReplayRefusedError
from {{ cookiecutter.package_name }}.store import (
    JobRun,
    MemoryDeliveryStore,
    MemoryJobRuns,
)

HANDED_OFF_AT = 1_800_000_000  # 2027-01-15T08:00:00Z
FINISHED_AT = HANDED_OFF_AT + 2


@pytest.fixture
def store() -> MemoryDeliveryStore:
    return MemoryDeliveryStore(clock=lambda: HANDED_OFF_AT)


@pytest.fixture
def runs() -> MemoryJobRuns:
    return MemoryJobRuns()


@pytest.fixture
def guard(store: MemoryDeliveryStore, runs: MemoryJobRuns) -> ReplayGuard:
    return ReplayGuard(store, runs)


def refusal(guard: ReplayGuard, message_id: str) -> ReplayRefusedError:
    with pytest.raises(ReplayRefusedError) as raised:
        guard.check(message_id)
    return raised.value


def test_message_that_never_reached_the_worker_may_be_replayed(
    guard: ReplayGuard, store: MemoryDeliveryStore
) -> None:
    store.mark_handed_off("msg_other", "send-welcome-email")
    guard.check("msg_1")  # no exception


def test_handed_off_message_is_refused_naming_the_job_and_when(
    guard: ReplayGuard, store: MemoryDeliveryStore
) -> None:
    store.mark_handed_off("msg_1", "send-welcome-email")
    error = refusal(guard, "msg_1")
    assert "handed off as send-welcome-email at 2027-01-15T08:00:00Z" in error.message
    assert "would run its job again" in error.message
    assert error.details["handed_off"] == {
        "job": "send-welcome-email",
        "at": "2027-01-15T08:00:00Z",
    }


def test_message_whose_job_finished_is_refused_with_the_finish_time(
    guard: ReplayGuard, store: MemoryDeliveryStore, runs: MemoryJobRuns
) -> None:
    store.mark_handed_off("msg_1", "send-welcome-email")
    runs.record(JobRun("msg_1", "completed", FINISHED_AT, FINISHED_AT + 3600))
    error = refusal(guard, "msg_1")
    assert "job finished at 2027-01-15T08:00:02Z" in error.message
    assert error.details["job_run"]["status"] == "completed"


def test_job_run_alone_is_enough_to_refuse(guard: ReplayGuard, runs: MemoryJobRuns) -> None:
    # The hand-off mark may have expired or been lost; the worker's record still counts.
    runs.record(JobRun("msg_1", "completed", FINISHED_AT, FINISHED_AT + 3600))
    assert "job finished at" in refusal(guard, "msg_1").message


def test_job_still_in_progress_is_refused(guard: ReplayGuard, runs: MemoryJobRuns) -> None:
    runs.record(JobRun("msg_1", "in progress", HANDED_OFF_AT, HANDED_OFF_AT + 3600))
    assert "no end recorded" in refusal(guard, "msg_1").message


def test_dead_letter_without_a_message_id_is_refused(guard: ReplayGuard) -> None:
    assert "carries no messageId" in refusal(guard, "").message


def test_unreadable_record_refuses_rather_than_guesses(store: MemoryDeliveryStore) -> None:
    class Unreachable:
        def job_run(self, message_id: str) -> JobRun | None:
            raise ConnectionError("DynamoDB is unreachable")

    error = refusal(ReplayGuard(store, Unreachable()), "msg_1")
    assert "could not check whether message msg_1 already ran" in error.message
    assert "DynamoDB is unreachable" in error.message
