"""What the receiver and the worker record.

{% if cookiecutter.cloud == "aws-lambda" %}Platform modules: `dynamodb`, `idempotency` (AWS), `firestore` (Google Cloud).{% else %}Platform module: `firestore` (Google Cloud).{% endif %}
"""

from .base import (
    DeadLetter,
    DeliveryClaim,
    DeliveryOutcome,
    DeliveryStore,
    HandOffMark,
    JobRun,
    JobRunClaim,
    JobRunLedger,
    JobRuns,
)
from .memory import MemoryDeliveryStore, MemoryJobRuns

__all__ = [
    "DeadLetter",
    "DeliveryClaim",
    "DeliveryOutcome",
    "DeliveryStore",
    "HandOffMark",
    "JobRun",
    "JobRunClaim",
    "JobRunLedger",
    "JobRuns",
    "MemoryDeliveryStore",
    "MemoryJobRuns",
]
