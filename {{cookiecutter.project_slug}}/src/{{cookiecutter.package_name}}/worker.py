"""Run a handed-off job. Platform-neutral; idempotency is wrapped around it per platform.

On AWS, Powertools' idempotency wraps `run_envelope` (`aws/worker.py`); where no library
does, `run_envelope_once` keeps the once-per-message-id record in a `JobRunLedger`.
"""

import logging
from typing import Literal

from .handoff import JobEnvelope
from .jobs import JobContext, JobRegistry
from .store import JobRunLedger

logger = logging.getLogger(__name__)


def run_envelope(envelope: JobEnvelope, registry: JobRegistry) -> None:
    """Validate the envelope's payload again and run its job.

    Args:
        envelope: The job as the ingest route handed it off.
        registry: The job registry.

    Raises:
        UnknownJobError: The job no longer exists (e.g. removed between hand-off and run).
        InvalidPayloadError: The payload no longer fits the job (its model changed, or it
            now takes a payload where none was handed off, or the reverse).
        Exception: Whatever the job raises; the platform retries the message.
    """
    job = registry.get(envelope.job)
    payload = job.parse(envelope.payload)
    context = JobContext(
        message_id=envelope.message_id,
        retried=envelope.retried,
        schedule_id=envelope.schedule_id,
    )
    logger.info("running job", extra={"job": envelope.job})
    job.run(payload, context)
    logger.info("job done", extra={"job": envelope.job})


RunOutcome = Literal["completed", "duplicate", "running"]
"""What `run_envelope_once` did: ran the job now, found it finished before, or found another
run holding its lease (nothing ran: the delivery should be retried later)."""


def run_envelope_once(
    envelope: JobEnvelope, registry: JobRegistry, runs: JobRunLedger, *, lease_seconds: int
) -> RunOutcome:
    """Run the envelope's job unless it already ran for this (original) message id.

    The key is `envelope.message_id`, the message id of the delivery the ingest route
    accepted, never the id of the message that carried the envelope here: every copy of one
    job then shares one record.

    Args:
        envelope: The job as the ingest route handed it off.
        registry: The job registry.
        runs: The worker's idempotency records.
        lease_seconds: How long a started run keeps others off (longer than a run can last).

    Returns:
        "completed", "duplicate" or "running" (see `RunOutcome`).

    Raises:
        UnknownJobError, InvalidPayloadError: As for `run_envelope` (the claim is released).
        Exception: Whatever the job raises; the claim is released so a retry runs it again.
        google.api_core.exceptions.GoogleAPICallError and the like: The record could not be
            read or claimed; nothing ran.
    """
    claim = runs.start(envelope.message_id, lease_seconds=lease_seconds)
    if claim.outcome != "started":
        logger.info("job not run: %s", claim.outcome, extra={"job": envelope.job})
        return "duplicate" if claim.outcome == "completed" else "running"
    try:
        run_envelope(envelope, registry)
    except BaseException:
        _release(runs, envelope, claim.run_id)
        raise
    try:
        runs.complete(envelope.message_id, claim.run_id)
    except Exception:
        # The job finished; failing the delivery now would only have it run again.
        logger.warning("could not record the finished run", exc_info=True)
    return "completed"


def _release(runs: JobRunLedger, envelope: JobEnvelope, run_id: str) -> None:
    try:
        runs.release(envelope.message_id, run_id)
    except Exception:
        # The lease still lapses by itself; the job runs again after it.
        logger.warning("could not release the failed run's claim", exc_info=True)
