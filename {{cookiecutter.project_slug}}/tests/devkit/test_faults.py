"""The chaos scenario's seeded fault injectors: a flaky hand-off, a job that sometimes raises."""

import pytest

from {{ cookiecutter.package_name }}.errors import HandoffError
from {{ cookiecutter.package_name }}.handoff import JobEnvelope, MemoryHandoff
from {{ cookiecutter.package_name }}.jobs import JobContext
from {{ cookiecutter.package_name }}_devkit.faults import ChaosPayload, FlakyHandoff, Tally

ENVELOPE = JobEnvelope(job="chaos-tally", payload={"key": "k"}, message_id="msg_1")


def outcomes(handoff: FlakyHandoff, sends: int) -> list[bool]:
    results = []
    for _ in range(sends):
        try:
            handoff.send(ENVELOPE)
        except HandoffError:
            results.append(False)
        else:
            results.append(True)
    return results


def test_flaky_handoff_fails_before_sending() -> None:
    inner = MemoryHandoff()
    with pytest.raises(HandoffError):
        FlakyHandoff(inner, 1.0, seed=1).send(ENVELOPE)
    assert inner.sent == []


def test_flaky_handoff_sends_when_it_does_not_fail() -> None:
    inner = MemoryHandoff()
    FlakyHandoff(inner, 0.0, seed=1).send(ENVELOPE)
    assert inner.sent == [ENVELOPE]


def test_flaky_handoff_with_the_same_seed_fails_the_same_sends() -> None:
    first = outcomes(FlakyHandoff(MemoryHandoff(), 0.3, seed=7), 50)
    again = outcomes(FlakyHandoff(MemoryHandoff(), 0.3, seed=7), 50)
    assert first == again
    assert 0 < first.count(False) < 50


def test_tally_counts_only_runs_that_did_not_raise() -> None:
    tally = Tally(failure=0.5, seed=3)
    raised = 0
    for _ in range(20):
        try:
            tally.run(ChaosPayload(key="k"), JobContext(message_id="msg_1"))
        except RuntimeError:
            raised += 1
    assert tally.runs["k"] == 20 - raised
    assert tally.failures == raised > 0


def test_tally_failures_depend_on_seed_key_and_run_number_only() -> None:
    def pattern(seed: int) -> list[bool]:
        tally, failed = Tally(failure=0.5, seed=seed), []
        for _ in range(10):
            try:
                tally.run(ChaosPayload(key="k"), JobContext(message_id="msg_1"))
                failed.append(False)
            except RuntimeError:
                failed.append(True)
        return failed

    assert pattern(11) == pattern(11)
