"""QStash callback and failure-callback targets: record outcomes, keep dead letters."""

from fastapi import APIRouter

from ...outcomes import record_callback, record_dead_letter
from ...paths import CALLBACK_PATH as CALLBACK_PATH
from ...paths import FAILURE_CALLBACK_PATH as FAILURE_CALLBACK_PATH
from ..deps import ServicesDep, VerifiedDelivery

router = APIRouter(tags=["qstash"])


# response_model=None on both: see routes/health.py.
@router.post(CALLBACK_PATH, response_model=None)
def receive_callback(delivery: VerifiedDelivery, services: ServicesDep) -> dict[str, str]:
    """Record the outcome of a delivery attempt (QStash calls this after every attempt)."""
    outcome = record_callback(delivery.body, delivery.metadata.message_id, services.store)
    return {"status": "recorded", "sourceMessageId": outcome.source_message_id}


@router.post(FAILURE_CALLBACK_PATH, response_model=None)
def receive_failure_callback(delivery: VerifiedDelivery, services: ServicesDep) -> dict[str, str]:
    """Store the dead letter QStash reports once retries are exhausted (once, even if repeated)."""
    dead_letter, stored = record_dead_letter(delivery.body, services.store)
    return {"status": "stored" if stored else "duplicate", "dlqId": dead_letter.dlq_id}
