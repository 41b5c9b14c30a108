"""The job route QStash delivers to: verify, validate, hand off, then acknowledge."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...ingest import accept_job
from ...paths import JOB_ROUTE
from ..deps import ServicesDep, VerifiedJobDelivery

router = APIRouter(tags=["qstash"])


@router.post(JOB_ROUTE, status_code=202)
def receive_job(
    job_name: str, delivery: VerifiedJobDelivery, services: ServicesDep
) -> JSONResponse:
    """Accept a job: 202 once handed off, 200 for a duplicate already handed off.

    A sync route on purpose: the hand-off is a blocking SDK call and runs in a worker thread.
    """
    result = accept_job(
        job_name,
        delivery.body,
        delivery.metadata,
        handed_off_before=delivery.handed_off_before,
        registry=services.registry,
        handoff=services.handoff,
        store=services.store,
    )
    return JSONResponse(
        {"status": result.status, "job": result.job, "messageId": result.message_id},
        status_code=202 if result.status == "accepted" else 200,
    )
