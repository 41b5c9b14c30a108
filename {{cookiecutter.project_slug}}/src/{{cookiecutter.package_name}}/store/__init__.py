"""What the receiver and the worker record.

Platform modules: `dynamodb`, `idempotency` (AWS), `firestore` (Google Cloud).
"""

from .base import (
    DeadLetter,
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
