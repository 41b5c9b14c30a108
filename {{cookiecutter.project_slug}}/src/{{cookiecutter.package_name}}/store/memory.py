"""In-memory delivery store and job runs, for tests."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from .base import (
    DeadLetter,
    DeliveryClaim,
    DeliveryOutcome,
    HandOffMark,
    JobRun,
    JobRunClaim,
    claim_delivery_in_two_calls,
)

DEFAULT_EXPIRY_SECONDS = 7 * 24 * 3600


@dataclass
class MemoryDeliveryStore:
    """A `DeliveryStore` kept in dictionaries.

    Attributes:
        handed_off: Message id -> job, for every message handed off.
        tokens: Signature token id -> expiry (unix seconds).
        clock: Unix seconds now; hand-off marks carry its time.
    """

    handed_off: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    _handed_off_at: dict[str, int] = field(default_factory=dict)
    _outcomes: dict[tuple[str, int], DeliveryOutcome] = field(default_factory=dict)
    _dead_letters: dict[str, DeadLetter] = field(default_factory=dict)

    def claim_delivery(self, token_id: str, expires_at: int, message_id: str) -> DeliveryClaim:
        """Use up the token and say whether the message id was handed off."""
        return claim_delivery_in_two_calls(self, token_id, expires_at, message_id)

    def claim_token(self, token_id: str, expires_at: int) -> bool:
        """Record the token as used; False when it was used before."""
        if token_id in self.tokens:
            return False
        self.tokens[token_id] = expires_at
        return True

    def is_handed_off(self, message_id: str) -> bool:
        """Whether this message id was already handed off."""
        return message_id in self.handed_off

    def mark_handed_off(self, message_id: str, job: str) -> None:
        """Remember the hand-off (the first one, like a conditional put)."""
        self.handed_off.setdefault(message_id, job)
        self._handed_off_at.setdefault(message_id, int(self.clock()))

    def hand_off_mark(self, message_id: str) -> HandOffMark | None:
        """Return the hand-off mark of this message id, or None."""
        if message_id not in self.handed_off:
            return None
        return HandOffMark(message_id, self.handed_off[message_id], self._handed_off_at[message_id])

    def record_outcome(self, outcome: DeliveryOutcome) -> None:
        """Record a delivery attempt, keyed by message id and attempt."""
        self._outcomes[(outcome.source_message_id, outcome.retried)] = outcome

    def outcomes(self, source_message_id: str) -> list[DeliveryOutcome]:
        """Return the attempts of a message, oldest first."""
        found = [o for (mid, _), o in self._outcomes.items() if mid == source_message_id]
        return sorted(found, key=lambda outcome: outcome.retried)

    def save_dead_letter(self, dead_letter: DeadLetter) -> bool:
        """Store a dead letter unless one with the same id is there."""
        if dead_letter.dlq_id in self._dead_letters:
            return False
        self._dead_letters[dead_letter.dlq_id] = dead_letter
        return True

    def dead_letters(self) -> list[DeadLetter]:
        """Return every dead letter."""
        return list(self._dead_letters.values())


@dataclass
class MemoryJobRuns:
    """`JobRuns` and `JobRunLedger` kept in dictionaries.

    Attributes:
        runs: Message id -> the worker's record (`record` writes one directly, for tests).
        clock: Unix seconds now.
        expiry_seconds: How long a run is remembered after it started or finished.
    """

    runs: dict[str, JobRun] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    expiry_seconds: int = DEFAULT_EXPIRY_SECONDS
    _leases: dict[str, tuple[str, int]] = field(default_factory=dict)

    def record(self, run: JobRun) -> None:
        """Store the worker's record of a message id (the last one wins)."""
        self.runs[run.message_id] = run

    def job_run(self, message_id: str) -> JobRun | None:
        """Return the record of this message id, or None."""
        return self.runs.get(message_id)

    def start(self, message_id: str, *, lease_seconds: int) -> JobRunClaim:
        """Claim the run unless it completed or another run's lease holds (see the protocol)."""
        now = int(self.clock())
        run = self.runs.get(message_id)
        if run is not None and run.expires_at > now:
            if run.status == "completed":
                return JobRunClaim("completed")
            lease = self._leases.get(message_id)
            if lease is not None and lease[1] > now:
                return JobRunClaim("running")
        run_id = uuid.uuid4().hex
        self.runs[message_id] = JobRun(message_id, "in progress", now, now + self.expiry_seconds)
        self._leases[message_id] = (run_id, now + lease_seconds)
        return JobRunClaim("started", run_id)

    def complete(self, message_id: str, run_id: str) -> None:
        """Record the run as finished now."""
        now = int(self.clock())
        self.runs[message_id] = JobRun(message_id, "completed", now, now + self.expiry_seconds)
        self._leases.pop(message_id, None)

    def release(self, message_id: str, run_id: str) -> None:
        """Forget a failed run, if the claim is still this run's."""
        lease = self._leases.get(message_id)
        if lease is not None and lease[0] == run_id:
            del self._leases[message_id]
            self.runs.pop(message_id, None)
