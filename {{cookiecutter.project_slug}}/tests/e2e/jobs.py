"""The end-to-end tests' own jobs, and what their runs leave behind.

The worker runs them in the tests' process (AWS: the SQS poller calls the worker handler
here) or in the functions-framework process (Google Cloud: it imports this module before the
app). So what they did, and which labels they refuse, is kept in files of one folder,
`E2E_STATE_DIR`, that every process of the system reads and writes.
"""

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from pydantic import BaseModel, field_validator

from {{ cookiecutter.package_name }}.jobs import JobContext, job

STATE_DIR_VARIABLE = "E2E_STATE_DIR"
_lock = threading.Lock()


def _state_file(name: str) -> Path:
    return Path(os.environ[STATE_DIR_VARIABLE]) / name


@dataclass(frozen=True)
class Run:
    """One run of a test job, as the job saw it."""

    job: str
    label: str
    message_id: str
    schedule_id: str | None
    failed: bool = False


class Runs:
    """The runs of the test jobs, one JSON line each, in the order they happened."""

    FILE = "runs.jsonl"

    def add(self, run: Run) -> None:
        line = json.dumps(asdict(run)) + "\n"
        with _lock, _state_file(self.FILE).open("a", encoding="utf-8") as runs:
            runs.write(line)  # one append per run: whole lines, also across processes

    def all(self) -> list[Run]:
        path = _state_file(self.FILE)
        if not path.exists():
            return []
        return [Run(**json.loads(line)) for line in path.read_text("utf-8").splitlines()]

    def clear(self) -> None:
        _state_file(self.FILE).unlink(missing_ok=True)

    @property
    def failures(self) -> int:
        return sum(run.failed for run in self.all())

    def labels(self) -> list[str]:
        """The labels of the successful runs, sorted."""
        return sorted(run.label for run in self.all() if not run.failed)

    def of(self, label: str) -> list[Run]:
        """The successful runs with this label."""
        return [run for run in self.all() if run.label == label and not run.failed]


class RefusedLabels:
    """Labels the app refuses for `e2e-strict` (489, invalid payload) until a test allows them."""

    FILE = "refused-labels.json"

    def _read(self) -> set[str]:
        path = _state_file(self.FILE)
        return set(json.loads(path.read_text("utf-8"))) if path.exists() else set()

    def _write(self, labels: set[str]) -> None:
        _state_file(self.FILE).write_text(json.dumps(sorted(labels)), "utf-8")

    def __contains__(self, label: object) -> bool:
        return label in self._read()

    def add(self, label: str) -> None:
        self._write(self._read() | {label})

    def discard(self, label: str) -> None:
        self._write(self._read() - {label})

    def clear(self) -> None:
        _state_file(self.FILE).unlink(missing_ok=True)


RUNS = Runs()
REFUSED_LABELS = RefusedLabels()


class Note(BaseModel):
    """Payload of the test job `e2e-note`: a label, and whether the run should raise."""

    label: str
    fail: bool = False


class StrictNote(BaseModel):
    """Payload of the test job `e2e-strict`: a label the app may refuse."""

    label: str

    @field_validator("label")
    @classmethod
    def _not_refused(cls, label: str) -> str:
        if label in REFUSED_LABELS:
            raise ValueError(f"label {label!r} is refused")
        return label


@job("e2e-note", payload=Note)
def note(payload: Note, context: JobContext) -> None:
    """Record the run; raise when the payload asks for it."""
    RUNS.add(Run("e2e-note", payload.label, context.message_id, context.schedule_id, payload.fail))
    if payload.fail:
        raise RuntimeError(f"note {payload.label} failed on purpose")


@job("e2e-strict", payload=StrictNote)
def strict(payload: StrictNote, context: JobContext) -> None:
    """Record the run (the app validated the label on the way in)."""
    RUNS.add(Run("e2e-strict", payload.label, context.message_id, context.schedule_id))
