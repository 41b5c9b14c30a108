"""What the receiver records. Platform modules: `dynamodb` (AWS)."""

from .base import DeadLetter, DeliveryOutcome, DeliveryStore
from .memory import MemoryDeliveryStore

__all__ = ["DeadLetter", "DeliveryOutcome", "DeliveryStore", "MemoryDeliveryStore"]
