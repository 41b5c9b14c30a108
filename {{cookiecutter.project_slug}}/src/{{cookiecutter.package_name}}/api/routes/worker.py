"""The worker route (Cloud Functions): QStash delivers each handed-off job here to be run once.

Verified exactly like the job route (`VerifiedDelivery`: signature over the raw body and the
public URL, with either key, before anything else). Answers, per the retry contract
(https://upstash.com/docs/qstash/features/retry): 200 when the job ran now or had already
run; 409 while another run of it holds its lease, 500 when the job raised (QStash retries
both); 489 with `Upstash-NonRetryable-Error: true` for an envelope that can never run.
"""

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...errors import InvalidPayloadError, PermanentError
from ...handoff import JobEnvelope
from ...paths import WORKER_ROUTE
from ...store import JobRunLedger
from ...worker import run_envelope_once
from ..deps import ServicesDep, VerifiedDelivery

logger = logging.getLogger(__name__)


def worker_router(runs: JobRunLedger, *, lease_seconds: int) -> APIRouter:
    """Return the router of the worker route.

    Args:
        runs: The worker's idempotency records (one per original message id).
        lease_seconds: How long a started run keeps other deliveries of it off; longer
            than the function's timeout.
    """
    router = APIRouter(tags=["qstash"])

    @router.post(WORKER_ROUTE)
    def run_job(job_name: str, delivery: VerifiedDelivery, services: ServicesDep) -> JSONResponse:
        """Run the envelope's job once per original message id.

        A sync route on purpose: the job and the Firestore calls block, in a worker thread.
        """
        envelope = parse_envelope(delivery.body, job_name)
        try:
            outcome = run_envelope_once(
                envelope, services.registry, runs, lease_seconds=lease_seconds
            )
        except PermanentError:
            raise  # 489: the envelope can never run (unknown job, payload no longer fits)
        except Exception as error:
            logger.exception("job failed", extra={"job": job_name})
            return JSONResponse(
                {"error": f"the job failed ({type(error).__name__}); QStash retries"},
                status_code=500,
            )
        body: dict[str, str] = {
            "status": outcome,
            "job": job_name,
            "messageId": envelope.message_id,
        }
        if outcome == "running":
            body["error"] = "another run of this job holds its lease; QStash retries"
            return JSONResponse(body, status_code=409)
        return JSONResponse(body, status_code=200)

    return router


def parse_envelope(body: bytes, job_name: str) -> JobEnvelope:
    """Read the envelope the hand-off published, and check it is for this route's job.

    Raises:
        InvalidPayloadError: The body is not an envelope, or names another job (489).
    """
    try:
        envelope = JobEnvelope.from_json(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidPayloadError(f"not a job envelope: {error}", job=job_name) from None
    if envelope.job != job_name:
        raise InvalidPayloadError(
            f"the envelope is for job {envelope.job!r}, delivered to {job_name!r}", job=job_name
        )
    return envelope
