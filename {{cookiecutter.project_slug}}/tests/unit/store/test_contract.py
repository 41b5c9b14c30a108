"""The store contract: what the receiver and the worker rely on, the same for every backend."""

import pytest

from {{ cookiecutter.package_name }}.store import (
    DeadLetter,
    DeliveryOutcome,
    DeliveryStore,
    HandOffMark,
    JobRunLedger,
)

from .conftest import EXPIRY_SECONDS, Clock

LEASE_SECONDS = 60


def outcome(retried: int, status: int = 500, message_id: str = "msg_1") -> DeliveryOutcome:
    return DeliveryOutcome(
        source_message_id=message_id,
        retried=retried,
        status=status,
        response_body=f"attempt {retried}",
        url="https://example.com/qstash/jobs/tally",
        max_retries=3,
        callback_message_id=f"msg_callback_{retried}",
        recorded_at=1_767_225_600 + retried,
    )


def dead_letter(dlq_id: str, **changes: object) -> DeadLetter:
    fields: dict[str, object] = {
        "dlq_id": dlq_id,
        "source_message_id": "msg_1",
        "url": "https://example.com/qstash/jobs/tally",
        "method": "POST",
        "source_body": '{"label":"a"}',
        "source_body_encoding": "utf-8",
        "response_status": 500,
        "response_body": "boom",
        "retried": 3,
        "schedule_id": None,
        "recorded_at": 1_767_225_600,
    }
    return DeadLetter(**(fields | changes))  # type: ignore[arg-type]


# Tokens ---------------------------------------------------------------------------------


def test_token_is_claimed_on_first_use(delivery_store: DeliveryStore) -> None:
    assert delivery_store.claim_token("jwt_1", 1_767_225_900)


def test_token_used_before_is_refused(delivery_store: DeliveryStore) -> None:
    delivery_store.claim_token("jwt_1", 1_767_225_900)
    assert not delivery_store.claim_token("jwt_1", 1_767_225_900)


def test_tokens_are_claimed_independently(delivery_store: DeliveryStore) -> None:
    delivery_store.claim_token("jwt_1", 1_767_225_900)
    assert delivery_store.claim_token("jwt_2", 1_767_225_900)


# Delivery claims (token + hand-off mark, the call every delivery waits on) ------------


def test_first_delivery_claim_is_new(delivery_store: DeliveryStore) -> None:
    assert delivery_store.claim_delivery("jwt_1", 1_767_225_900, "msg_1") == "new"


def test_claim_of_a_message_id_handed_off_before_says_so(delivery_store: DeliveryStore) -> None:
    delivery_store.mark_handed_off("msg_1", "tally")
    assert delivery_store.claim_delivery("jwt_2", 1_767_225_900, "msg_1") == "handed off"


def test_token_of_a_duplicate_cannot_be_replayed_under_another_message_id(
    delivery_store: DeliveryStore,
) -> None:
    delivery_store.mark_handed_off("msg_1", "tally")
    delivery_store.claim_delivery("jwt_2", 1_767_225_900, "msg_1")
    assert delivery_store.claim_delivery("jwt_2", 1_767_225_900, "msg_other") == "replay"


def test_token_claimed_before_is_a_replay(delivery_store: DeliveryStore) -> None:
    delivery_store.claim_delivery("jwt_1", 1_767_225_900, "msg_1")
    assert delivery_store.claim_delivery("jwt_1", 1_767_225_900, "msg_2") == "replay"


def test_claim_uses_up_the_same_token_as_claim_token(delivery_store: DeliveryStore) -> None:
    delivery_store.claim_delivery("jwt_1", 1_767_225_900, "msg_1")
    assert not delivery_store.claim_token("jwt_1", 1_767_225_900)


def test_mark_that_cannot_be_read_counts_as_absent_and_the_token_is_used(
    delivery_store: DeliveryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Handing off twice is safe (the worker runs a message id once); dropping work is not.
    def outage(message_id: str) -> bool:
        raise ConnectionError("store outage")

    delivery_store.mark_handed_off("msg_1", "tally")
    monkeypatch.setattr(delivery_store, "is_handed_off", outage)
    assert delivery_store.claim_delivery("jwt_1", 1_767_225_900, "msg_1") == "new"
    assert not delivery_store.claim_token("jwt_1", 1_767_225_900)


def test_claim_without_a_message_id_is_new(delivery_store: DeliveryStore) -> None:
    assert delivery_store.claim_delivery("jwt_1", 1_767_225_900, "") == "new"


# Hand-off marks -------------------------------------------------------------------------


def test_message_never_handed_off_has_no_mark(delivery_store: DeliveryStore) -> None:
    assert not delivery_store.is_handed_off("msg_1")
    assert delivery_store.hand_off_mark("msg_1") is None


def test_hand_off_mark_records_job_and_time(delivery_store: DeliveryStore, clock: Clock) -> None:
    delivery_store.mark_handed_off("msg_1", "tally")
    assert delivery_store.is_handed_off("msg_1")
    assert delivery_store.hand_off_mark("msg_1") == HandOffMark("msg_1", "tally", int(clock.now))


def test_hand_off_mark_is_per_message_id(delivery_store: DeliveryStore) -> None:
    delivery_store.mark_handed_off("msg_1", "tally")
    assert not delivery_store.is_handed_off("msg_2")


# Outcomes -------------------------------------------------------------------------------


def test_outcomes_come_back_oldest_first(delivery_store: DeliveryStore) -> None:
    for retried in (2, 0, 1):
        delivery_store.record_outcome(outcome(retried))
    assert [o.retried for o in delivery_store.outcomes("msg_1")] == [0, 1, 2]


def test_outcome_comes_back_whole(delivery_store: DeliveryStore) -> None:
    delivery_store.record_outcome(outcome(0, status=200))
    assert delivery_store.outcomes("msg_1") == [outcome(0, status=200)]


def test_outcome_without_max_retries_comes_back_without_it(delivery_store: DeliveryStore) -> None:
    recorded = DeliveryOutcome("msg_1", 0, 200, "", "https://example.com/", None, "msg_cb", 1)
    delivery_store.record_outcome(recorded)
    assert delivery_store.outcomes("msg_1") == [recorded]


def test_same_attempt_recorded_twice_keeps_one_record(delivery_store: DeliveryStore) -> None:
    delivery_store.record_outcome(outcome(0))
    delivery_store.record_outcome(outcome(0))
    assert len(delivery_store.outcomes("msg_1")) == 1


def test_outcomes_of_other_messages_are_not_returned(delivery_store: DeliveryStore) -> None:
    delivery_store.record_outcome(outcome(0, message_id="msg_other"))
    assert delivery_store.outcomes("msg_1") == []


# Dead letters ---------------------------------------------------------------------------


def test_dead_letter_is_stored_once(delivery_store: DeliveryStore) -> None:
    assert delivery_store.save_dead_letter(dead_letter("1725323658779-0"))
    assert not delivery_store.save_dead_letter(dead_letter("1725323658779-0"))
    assert len(delivery_store.dead_letters()) == 1


def test_dead_letter_comes_back_whole(delivery_store: DeliveryStore) -> None:
    stored = dead_letter(
        "1725323658779-0",
        schedule_id="scd_1",
        source_body="AAEC",
        source_body_encoding="base64",
        truncated=True,
    )
    delivery_store.save_dead_letter(stored)
    assert delivery_store.dead_letters() == [stored]


def test_every_dead_letter_is_listed(delivery_store: DeliveryStore) -> None:
    delivery_store.save_dead_letter(dead_letter("1725323658779-0"))
    delivery_store.save_dead_letter(dead_letter("1725323658780-0"))
    ids = {letter.dlq_id for letter in delivery_store.dead_letters()}
    assert ids == {"1725323658779-0", "1725323658780-0"}


# Job runs -------------------------------------------------------------------------------


def test_job_that_never_ran_has_no_record(job_runs: JobRunLedger) -> None:
    assert job_runs.job_run("msg_1") is None


def test_first_start_claims_the_run(job_runs: JobRunLedger, clock: Clock) -> None:
    claim = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    assert claim.outcome == "started"
    assert claim.run_id
    run = job_runs.job_run("msg_1")
    assert run is not None
    assert (run.status, run.recorded_at) == ("in progress", int(clock.now))


def test_started_run_keeps_others_off_while_its_lease_holds(
    job_runs: JobRunLedger, clock: Clock
) -> None:
    job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    clock.now += LEASE_SECONDS - 1
    assert job_runs.start("msg_1", lease_seconds=LEASE_SECONDS).outcome == "running"


def test_run_whose_lease_lapsed_is_claimed_again(job_runs: JobRunLedger, clock: Clock) -> None:
    first = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    clock.now += LEASE_SECONDS
    second = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    assert second.outcome == "started"
    assert second.run_id != first.run_id


def test_completed_run_is_never_started_again(job_runs: JobRunLedger, clock: Clock) -> None:
    claim = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    job_runs.complete("msg_1", claim.run_id)
    clock.now += EXPIRY_SECONDS - 1
    assert job_runs.start("msg_1", lease_seconds=LEASE_SECONDS).outcome == "completed"


def test_completed_run_reads_back_as_completed(job_runs: JobRunLedger, clock: Clock) -> None:
    claim = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    clock.now += 5
    job_runs.complete("msg_1", claim.run_id)
    run = job_runs.job_run("msg_1")
    assert run is not None
    assert (run.status, run.recorded_at) == ("completed", int(clock.now))
    assert run.expires_at == int(clock.now) + EXPIRY_SECONDS


def test_completed_run_past_its_expiry_runs_again(job_runs: JobRunLedger, clock: Clock) -> None:
    claim = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    job_runs.complete("msg_1", claim.run_id)
    clock.now += EXPIRY_SECONDS
    assert job_runs.start("msg_1", lease_seconds=LEASE_SECONDS).outcome == "started"


def test_released_run_starts_again_at_once(job_runs: JobRunLedger) -> None:
    claim = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    job_runs.release("msg_1", claim.run_id)
    assert job_runs.job_run("msg_1") is None
    assert job_runs.start("msg_1", lease_seconds=LEASE_SECONDS).outcome == "started"


def test_release_by_a_run_that_lost_its_lease_keeps_the_new_claim(
    job_runs: JobRunLedger, clock: Clock
) -> None:
    stale = job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    clock.now += LEASE_SECONDS
    job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    job_runs.release("msg_1", stale.run_id)
    assert job_runs.start("msg_1", lease_seconds=LEASE_SECONDS).outcome == "running"


def test_runs_are_per_message_id(job_runs: JobRunLedger) -> None:
    job_runs.start("msg_1", lease_seconds=LEASE_SECONDS)
    assert job_runs.start("msg_2", lease_seconds=LEASE_SECONDS).outcome == "started"
