"""What the receiver records (hand-off marks, outcomes, dead letters); the worker's job runs."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandOffMark:
    """The receiver's record that it handed a message off to the worker.

    Attributes:
        message_id: The QStash message id.
        job: The job it was handed off as.
        handed_off_at: Unix seconds of the hand-off.
    """

    message_id: str
    job: str
    handed_off_at: int


JobRunStatus = Literal["completed", "in progress", "expired"]


@dataclass(frozen=True)
class JobRun:
    """The worker's idempotency record of a message id: its job started, or finished.

    Attributes:
        message_id: The QStash message id.
        status: "completed": the job finished. "in progress": it started and has not
            finished (still running, or its worker died; the worker runs it again once the
            in-progress record lapses). "expired": the record outlived its expiry, so the
            worker no longer remembers it, though the job did start.
        recorded_at: Unix seconds when the worker recorded the status (the job's end for
            "completed", its start otherwise).
        expires_at: Unix seconds after which the worker forgets the message id.
    """

    message_id: str
    status: JobRunStatus
    recorded_at: int
    expires_at: int


@dataclass(frozen=True)
class DeliveryOutcome:
    """One delivery attempt of a message, as reported by a QStash callback.

    Attributes:
        source_message_id: The message the callback is about.
        retried: Which attempt (0 for the first).
        status: HTTP status the destination answered.
        response_body: The destination's response body as text.
        url: The destination URL.
        max_retries: The message's retry budget, when QStash sent it.
        callback_message_id: The callback's own message id (callbacks are messages too).
        recorded_at: Unix seconds when the outcome was recorded.
    """

    source_message_id: str
    retried: int
    status: int
    response_body: str
    url: str
    max_retries: int | None
    callback_message_id: str
    recorded_at: int

    @property
    def succeeded(self) -> bool:
        """Whether the destination answered 2xx."""
        return 200 <= self.status < 300


@dataclass(frozen=True)
class DeadLetter:
    """A message QStash gave up on, as reported by the failure callback.

    Attributes:
        dlq_id: QStash's dead-letter queue id (use it to replay the message from QStash).
        source_message_id: The message that failed.
        url: The destination it failed at.
        method: The HTTP method it was sent with.
        source_body: The original body: its text when UTF-8, else base64 (see encoding).
        source_body_encoding: "utf-8" or "base64".
        truncated: Whether `source_body` or `response_body` was cut to fit the store;
            the full message stays in QStash's DLQ under `dlq_id`.
        response_status: The destination's last answer status.
        response_body: The destination's last answer body as text.
        retried: How many retries QStash made.
        schedule_id: The schedule that produced the message, if any.
        recorded_at: Unix seconds when the dead letter was stored.
    """

    dlq_id: str
    source_message_id: str
    url: str
    method: str
    source_body: str
    source_body_encoding: Literal["utf-8", "base64"]
    response_status: int
    response_body: str
    retried: int
    schedule_id: str | None
    recorded_at: int
    truncated: bool = False


DeliveryClaim = Literal["new", "handed off", "replay"]
"""What `DeliveryStore.claim_delivery` found: "new" (the token is now used up and the message
id was never handed off), "handed off" (the token is now used up; the message id was handed
off before: a duplicate delivery), "replay" (the token was used before)."""


class DeliveryStore(Protocol):
    """Storage for everything the receiver records. Every write is idempotent."""

    def claim_delivery(self, token_id: str, expires_at: int, message_id: str) -> DeliveryClaim:
        """Use up a delivery's signature token and say whether its message id was handed off.

        Every delivery waits on this call, so a store sends the token claim and the mark
        read at the same time where its client allows: one round trip of waiting. The token
        is used up in every outcome but "replay": a token first seen on a duplicate cannot
        be sent again under another message id. A mark that cannot be read counts as absent
        (`mark_or_assume_none`).

        Args:
            token_id: The token's `jti` claim.
            expires_at: Unix seconds after which the token is dead anyway (record expiry).
            message_id: The delivery's `Upstash-Message-Id`; empty (absent, or a route whose
                messages are never handed off) claims the token alone and reads no mark.

        Returns:
            See `DeliveryClaim`.

        Raises:
            Exception: The token could not be recorded (the backend's own error; the app
                answers 503 and QStash retries).
        """
        ...

    def claim_token(self, token_id: str, expires_at: int) -> bool:
        """Record a signature token as used, once.

        Args:
            token_id: The token's `jti` claim.
            expires_at: Unix seconds after which the token is dead anyway (record expiry).

        Returns:
            True on first use, False when the token was seen before (a replay).
        """
        ...

    def is_handed_off(self, message_id: str) -> bool:
        """Whether this message id was already handed off to the worker."""
        ...

    def mark_handed_off(self, message_id: str, job: str) -> None:
        """Remember that this message id was handed off (after the hand-off succeeded)."""
        ...

    def hand_off_mark(self, message_id: str) -> HandOffMark | None:
        """Return the hand-off mark of this message id, or None when it was never handed off."""
        ...

    def record_outcome(self, outcome: DeliveryOutcome) -> None:
        """Record a delivery attempt; recording the same attempt twice keeps one record."""
        ...

    def outcomes(self, source_message_id: str) -> list[DeliveryOutcome]:
        """Return the recorded attempts of a message, oldest first."""
        ...

    def save_dead_letter(self, dead_letter: DeadLetter) -> bool:
        """Store a dead letter once.

        Returns:
            True when it was stored now, False when it was already there.
        """
        ...

    def dead_letters(self) -> list[DeadLetter]:
        """Return every stored dead letter."""
        ...


def claim_delivery_in_two_calls(
    store: DeliveryStore, token_id: str, expires_at: int, message_id: str
) -> DeliveryClaim:
    """`DeliveryStore.claim_delivery` as two calls in turn: the token claim, then the mark.

    Args:
        store: The store whose `claim_token` and `is_handed_off` are called.
        token_id: As `DeliveryStore.claim_delivery`.
        expires_at: As `DeliveryStore.claim_delivery`.
        message_id: As `DeliveryStore.claim_delivery`.

    Returns:
        See `DeliveryClaim`; a mark that cannot be read counts as absent
        (`mark_or_assume_none`).

    Raises:
        Exception: Whatever the store raises when the token cannot be recorded.
    """
    if not store.claim_token(token_id, expires_at):
        return "replay"
    if not message_id:
        return "new"
    handed_off = mark_or_assume_none(lambda: store.is_handed_off(message_id), message_id)
    return "handed off" if handed_off else "new"


def mark_or_assume_none(read: Callable[[], bool], message_id: str) -> bool:
    """Return what `read` says of a message id's hand-off mark, or False when it fails.

    Unknown counts as "not handed off": handing off twice is safe (the worker runs a message
    id once), dropping work is not. The failure is logged as a warning.

    Args:
        read: Reads the mark: True when the message id was handed off.
        message_id: The message id, for the log.
    """
    try:
        return read()
    except Exception:
        logger.warning(
            "could not read the hand-off mark: handing off",
            exc_info=True,
            extra={"message_id": message_id},
        )
        return False


JobRunStart = Literal["started", "completed", "running"]
"""What `JobRunLedger.start` found: "started" (the caller now holds the run: run the job),
"completed" (it finished before: do not run it again), "running" (another run holds an
unexpired lease: try again later)."""


@dataclass(frozen=True)
class JobRunClaim:
    """The answer of `JobRunLedger.start`.

    Attributes:
        outcome: See `JobRunStart`.
        run_id: Identifies this run when `outcome` is "started" (pass it to `complete` and
            `release`); empty otherwise.
    """

    outcome: JobRunStart
    run_id: str = ""


class JobRuns(Protocol):
    """Read access to the worker's idempotency records."""

    def job_run(self, message_id: str) -> JobRun | None:
        """Return the worker's record of this message id, or None when its job never ran.

        A job that raised leaves no record (it is retried), so None also covers those.
        """
        ...


class JobRunLedger(JobRuns, Protocol):
    """The worker's once-per-message-id record, where no library keeps it (Cloud Functions).

    A run starts with a lease: while it holds, the same message id is not run again; once it
    lapses (the worker died mid-run), the next delivery may run it. A completed run is
    remembered until its record expires and is never run again before then.
    """

    def start(self, message_id: str, *, lease_seconds: int) -> JobRunClaim:
        """Claim the run of a message id, unless it finished or another run holds it.

        Args:
            message_id: The original QStash message id (the worker's idempotency key).
            lease_seconds: How long the claim holds without `complete` or `release`; longer
                than a run can last (the function's timeout).

        Returns:
            The claim: "started" with a run id, or what stood in the way.
        """
        ...

    def complete(self, message_id: str, run_id: str) -> None:
        """Record that the run finished; the message id is then never run again until expiry."""
        ...

    def release(self, message_id: str, run_id: str) -> None:
        """Drop the claim of a run that failed, so the next delivery runs it at once.

        Does nothing when the claim is no longer this run's (its lease lapsed and another
        run took it).
        """
        ...
