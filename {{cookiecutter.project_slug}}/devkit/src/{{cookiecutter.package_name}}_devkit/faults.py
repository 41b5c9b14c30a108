"""Seeded fault injectors of the chaos scenario: a flaky hand-off, a job that sometimes raises."""

import hashlib
import random
import threading
from collections import Counter

from pydantic import BaseModel

from {{ cookiecutter.package_name }}.errors import HandoffError
from {{ cookiecutter.package_name }}.handoff import Handoff, JobEnvelope
from {{ cookiecutter.package_name }}.jobs import JobContext


class FlakyHandoff:
    """A hand-off that fails on purpose before sending, with a seeded probability.

    Args:
        inner: The real hand-off.
        probability: Chance each `send` raises `HandoffError` without sending.
        seed: RNG seed.

    Attributes:
        failures: How many sends failed on purpose.
    """

    def __init__(self, inner: Handoff, probability: float, seed: int) -> None:
        self._inner = inner
        self._probability = probability
        self._random = random.Random(seed)  # noqa: S311 - fault injection, not security
        self._lock = threading.Lock()
        self.failures = 0

    def send(self, envelope: JobEnvelope) -> None:
        """Send through the real hand-off, or raise first.

        Raises:
            HandoffError: On purpose, or from the real hand-off.
        """
        with self._lock:
            fail = self._random.random() < self._probability
            self.failures += fail
        if fail:
            raise HandoffError("injected hand-off failure", message_id=envelope.message_id)
        self._inner.send(envelope)


class ChaosPayload(BaseModel):
    """Payload of the `chaos-tally` job: the message's key in the scenario."""

    key: str


class Tally:
    """The `chaos-tally` job's side effects: successful runs per key.

    A run raises (before counting) with probability `failure`, decided by a hash of the
    seed, the key and the run number, so the decisions do not depend on thread timing.

    Args:
        failure: Chance one run raises.
        seed: Seed of the decisions.
    """

    def __init__(self, failure: float, seed: int) -> None:
        self._failure, self._seed = failure, seed
        self._lock = threading.Lock()
        self._tries: Counter[str] = Counter()
        self.runs: Counter[str] = Counter()
        self.failures = 0

    def run(self, payload: ChaosPayload, context: JobContext) -> None:
        """Count one run of `payload.key`, or raise on purpose.

        Raises:
            RuntimeError: On purpose.
        """
        with self._lock:
            attempt = self._tries[payload.key]
            self._tries[payload.key] += 1
            fail = chance(self._seed, payload.key, attempt) < self._failure
            self.failures += fail
            if not fail:
                self.runs[payload.key] += 1
        if fail:
            raise RuntimeError(f"injected worker exception for {payload.key}")


def chance(seed: int, key: str, attempt: int) -> float:
    """Return a uniform number in [0, 1) fixed by the seed, the key and the attempt.

    Args:
        seed: The scenario's seed.
        key: What the decision is about, e.g. a message's key.
        attempt: Which try (0 for the first).
    """
    digest = hashlib.sha256(f"{seed}:{key}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
