"""In-memory hand-off for tests and experiments."""

from dataclasses import dataclass, field

from ..errors import HandoffError
from .base import JobEnvelope


@dataclass
class MemoryHandoff:
    """Keeps sent envelopes in a list.

    Attributes:
        sent: Envelopes in the order they were sent.
        failing: When True, `send` raises HandoffError (to test the 503 path).
    """

    sent: list[JobEnvelope] = field(default_factory=list)
    failing: bool = False

    def send(self, envelope: JobEnvelope) -> None:
        """Store the envelope, or raise HandoffError when `failing` is set."""
        if self.failing:
            raise HandoffError("memory hand-off is set to fail")
        self.sent.append(envelope)
