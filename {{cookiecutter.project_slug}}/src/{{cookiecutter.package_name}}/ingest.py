"""Accept a verified job delivery: look the job up, validate its payload, hand it off.

Platform-neutral: the hand-off and the store are interfaces (see `handoff/`, `store/`).
"""

import logging
from dataclasses import dataclass
from typing import Literal

from .errors import InvalidPayloadError
from .handoff import Handoff, JobEnvelope
from .jobs import JobRegistry
from .qstash import DeliveryMetadata
from .store import DeliveryStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    """What happened to a delivery.

    Attributes:
        status: "accepted" (handed off now) or "duplicate" (handed off before).
        job: The job name.
        message_id: The QStash message id.
    """

    status: Literal["accepted", "duplicate"]
    job: str
    message_id: str


def accept_job(
    job_name: str,
    body: bytes,
    metadata: DeliveryMetadata,
    *,
    handed_off_before: bool,
    registry: JobRegistry,
    handoff: Handoff,
    store: DeliveryStore,
) -> IngestResult:
    """Validate a delivery and hand it to the worker; return only once the hand-off is durable.

    Args:
        job_name: The job named by the route.
        body: The raw request body: the job's JSON payload, or empty for a job that takes
            none (see `jobs.registry` for what each kind of job accepts).
        metadata: The delivery's QStash headers; `message_id` is the de-duplication key.
        handed_off_before: Whether the store holds a hand-off mark of this message id (read
            with the token claim, see `api.deps.verify_job_delivery`).
        registry: The job registry.
        handoff: Where accepted work goes.
        store: Where the hand-off mark is written.

    Returns:
        The result: "accepted", or "duplicate" when this message id was handed off before.

    Raises:
        UnknownJobError: No such job (permanent).
        InvalidPayloadError: The payload does not validate (or a job without one got one),
            or the message id is missing (permanent).
        HandoffError: The hand-off failed; nothing was acknowledged, QStash should retry.
    """
    job = registry.get(job_name)
    payload = job.parse(body)
    if not metadata.message_id:
        raise InvalidPayloadError("the Upstash-Message-Id header is missing", job=job_name)

    if handed_off_before:
        logger.info("duplicate delivery, already handed off", extra={"job": job_name})
        return IngestResult("duplicate", job_name, metadata.message_id)

    envelope = JobEnvelope(
        job=job_name,
        payload=None if payload is None else payload.model_dump(mode="json"),
        message_id=metadata.message_id,
        retried=metadata.retried,
        schedule_id=metadata.schedule_id,
    )
    handoff.send(envelope)
    try:
        store.mark_handed_off(metadata.message_id, job_name)
    except Exception:
        # The job is safely queued and the worker is idempotent by message id, so a lost mark
        # costs at most one extra hand-off of a duplicate; never fail the delivery for it.
        logger.warning("could not record the hand-off", exc_info=True)
    logger.info("job handed off", extra={"job": job_name, "retried": metadata.retried})
    return IngestResult("accepted", job_name, metadata.message_id)
