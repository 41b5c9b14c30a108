"""Seeded fault injection: duplicate deliveries and answers lost after the work was done.

QStash is at-least-once: a message can arrive twice even after a 2xx
(https://upstash.com/docs/qstash/features/at-least-once). These faults make that happen on
purpose so tests can prove a receiver runs each job once.
"""

import random
import threading


class Faults:
    """Draws fault decisions from one seedable RNG.

    Args:
        seed: RNG seed; None seeds from the OS.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)  # noqa: S311 - test faults, not security

    def reseed(self, seed: int | None) -> None:
        """Restart the RNG from a seed."""
        with self._lock:
            self._random.seed(seed)

    def happens(self, probability: float) -> bool:
        """Return True with the given probability (0 never draws, so seeds stay aligned)."""
        if probability <= 0:
            return False
        with self._lock:
            return self._random.random() < probability
