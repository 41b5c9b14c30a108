"""Hand-off of accepted work to the worker. Platform modules: `sqs` (AWS)."""

from .base import Handoff, JobEnvelope
from .memory import MemoryHandoff

__all__ = ["Handoff", "JobEnvelope", "MemoryHandoff"]
