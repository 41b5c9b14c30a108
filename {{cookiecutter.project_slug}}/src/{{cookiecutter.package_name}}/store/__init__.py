"""What the receiver and the worker record. Platform modules: `dynamodb`, `idempotency` (AWS)."""

from .base import DeadLetter, DeliveryOutcome, DeliveryStore, HandOffMark, JobRun, JobRuns
from .memory import MemoryDeliveryStore, MemoryJobRuns

__all__ = [
    "DeadLetter",
    "DeliveryOutcome",
    "DeliveryStore",
    "HandOffMark",
    "JobRun",
    "JobRuns",
    "MemoryDeliveryStore",
    "MemoryJobRuns",
]
