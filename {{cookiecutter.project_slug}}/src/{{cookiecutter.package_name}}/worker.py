"""Run a handed-off job. Platform-neutral; idempotency is wrapped around it per platform."""

import logging

from .handoff import JobEnvelope
from .jobs import JobContext, JobRegistry

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
