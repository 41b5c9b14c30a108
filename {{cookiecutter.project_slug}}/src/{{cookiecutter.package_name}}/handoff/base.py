"""Where accepted work goes: the envelope and the hand-off interface."""

import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class JobEnvelope:
    """A job accepted from QStash, on its way to the worker.

    Attributes:
        job: The job name.
        payload: The validated payload as a JSON object; None for a job that takes no
            payload, or whose optional payload was absent.
        message_id: The QStash message id: the worker's idempotency key.
        retried: `Upstash-Retried` at the delivery that was accepted.
        schedule_id: The QStash schedule that produced the message, if any.
    """

    job: str
    payload: dict[str, Any] | None
    message_id: str
    retried: int = 0
    schedule_id: str | None = None

    def to_json(self) -> str:
        """Serialise for the queue."""
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "JobEnvelope":
        """Parse what `to_json` wrote.

        Raises:
            ValueError: The text is not an envelope (json.JSONDecodeError is a ValueError;
                a missing or unexpected field is reported as a ValueError too).
        """
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("envelope must be a JSON object")
        try:
            return cls(**data)
        except TypeError as error:
            raise ValueError(f"malformed envelope: {error}") from None


class Handoff(Protocol):
    """Hands accepted work to the worker, durably."""

    def send(self, envelope: JobEnvelope) -> None:
        """Return only once the work is stored durably.

        Raises:
            HandoffError: The work was not stored; the caller must not acknowledge it.
        """
        ...
