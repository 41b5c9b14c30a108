"""The whole system on 127.0.0.1 (moto, the QStash double, the app, the SQS worker) per module.

Test-only jobs record what ran, so a test sees the worker's side effects directly.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pydantic import BaseModel, field_validator

from {{ cookiecutter.package_name }}.jobs import JobContext, job
from {{ cookiecutter.package_name }}_devkit.qstash_double import DoubleSettings
from {{ cookiecutter.package_name }}_devkit.stack import LocalSystem, local_system


class Note(BaseModel):
    """Payload of the test job `e2e-note`: a label, and whether the run should raise."""

    label: str
    fail: bool = False


#: Labels the app refuses for `e2e-strict` (489, invalid payload) until a test "deploys a fix".
REFUSED_LABELS: set[str] = set()


class StrictNote(BaseModel):
    """Payload of the test job `e2e-strict`: a label the app may refuse."""

    label: str

    @field_validator("label")
    @classmethod
    def _not_refused(cls, label: str) -> str:
        if label in REFUSED_LABELS:
            raise ValueError(f"label {label!r} is refused")
        return label


@dataclass(frozen=True)
class Run:
    """One successful run of a test job."""

    job: str
    label: str
    context: JobContext


class Runs:
    """What the test jobs did, in order; each entry is one successful run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: list[Run] = []
        self.failures = 0

    def add(self, run: Run) -> None:
        with self._lock:
            self._runs.append(run)

    def failed(self) -> None:
        with self._lock:
            self.failures += 1

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()
            self.failures = 0

    def labels(self) -> list[str]:
        with self._lock:
            return sorted(run.label for run in self._runs)

    def of(self, label: str) -> list[Run]:
        with self._lock:
            return [run for run in self._runs if run.label == label]


RUNS = Runs()


@job("e2e-note", payload=Note)
def note(payload: Note, context: JobContext) -> None:
    """Record the run; raise when the payload asks for it."""
    if payload.fail:
        RUNS.failed()
        raise RuntimeError(f"note {payload.label} failed on purpose")
    RUNS.add(Run("e2e-note", payload.label, context))


@job("e2e-strict", payload=StrictNote)
def strict(payload: StrictNote, context: JobContext) -> None:
    """Record the run (the app validated the label on the way in)."""
    RUNS.add(Run("e2e-strict", payload.label, context))


@pytest.fixture(scope="module")
def running_system() -> Iterator[LocalSystem]:
    """One system per test module (a fresh double, fresh queues and tables).

    QStash's clock is manual: it moves only when a test advances it, or when
    `system.wait_until_settled()` jumps over a back-off, so no wait depends on machine speed.
    """
    with local_system(DoubleSettings(time_scale=None)) as system:
        yield system


@pytest.fixture
def system(running_system: LocalSystem, monkeypatch: pytest.MonkeyPatch) -> LocalSystem:
    """The module's system, its environment set (for the CLI), and the job records cleared."""
    for name, value in running_system.environment().items():
        monkeypatch.setenv(name, value)
    RUNS.clear()
    REFUSED_LABELS.clear()
    return running_system
