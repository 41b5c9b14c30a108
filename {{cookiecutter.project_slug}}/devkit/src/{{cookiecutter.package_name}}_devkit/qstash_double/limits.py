"""The per-second burst limit on the REST API.

Source: https://upstash.com/docs/qstash/api/api-ratelimiting: a 429 carries
`Burst-RateLimit-Limit`, `Burst-RateLimit-Remaining` and `Burst-RateLimit-Reset` (unix
seconds when the one-second window resets).
"""

import threading
import time
from collections.abc import Callable


class BurstLimiter:
    """Counts requests in fixed one-second windows.

    Args:
        clock: Returns unix seconds the windows are cut from (default: the wall clock).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._window = 0
        self._count = 0

    def take(self, limit: int) -> tuple[bool, dict[str, str]]:
        """Count one request against `limit` requests per second.

        Args:
            limit: Requests allowed per second.

        Returns:
            Whether the request is allowed, and the `Burst-RateLimit-*` headers to send
            (with the 429; allowed requests carry them too).
        """
        now = self._clock()
        with self._lock:
            window = int(now)
            if window != self._window:
                self._window, self._count = window, 0
            self._count += 1
            allowed = self._count <= limit
            headers = {
                "Burst-RateLimit-Limit": str(limit),
                "Burst-RateLimit-Remaining": str(max(0, limit - self._count)),
                "Burst-RateLimit-Reset": str(window + 1),
            }
        return allowed, headers
