"""A scaled clock: protocol time runs `1 / time_scale` times faster than real time.

QStash's back-off reaches 24 hours (https://upstash.com/docs/qstash/features/retry) and cron
has one-minute resolution (https://upstash.com/docs/qstash/features/schedules); tests need
both in milliseconds. Protocol time starts at the real wall clock and can also be jumped.
"""

import threading
import time


class ScaledClock:
    """Unix time in protocol seconds, scaled against a monotonic real clock.

    Args:
        time_scale: Real seconds per protocol second (> 0); 0.001 makes a protocol minute
            last 60 ms.
        start: Protocol unix seconds at creation (default: the real wall clock).
    """

    def __init__(self, time_scale: float, *, start: float | None = None) -> None:
        self._lock = threading.Lock()
        self._scale = time_scale
        self._real_anchor = time.monotonic()
        self._anchor = time.time() if start is None else start

    @property
    def time_scale(self) -> float:
        """Real seconds per protocol second."""
        return self._scale

    def now(self) -> float:
        """Return the protocol time, unix seconds."""
        with self._lock:
            return self._anchor + (time.monotonic() - self._real_anchor) / self._scale

    def set_scale(self, time_scale: float) -> None:
        """Change the scale from now on, without a jump in protocol time.

        Args:
            time_scale: Real seconds per protocol second (> 0).
        """
        with self._lock:
            real = time.monotonic()
            self._anchor += (real - self._real_anchor) / self._scale
            self._real_anchor, self._scale = real, time_scale

    def advance(self, seconds: float) -> None:
        """Jump protocol time forward, e.g. past a 24-hour back-off.

        Args:
            seconds: Protocol seconds to add (>= 0).
        """
        with self._lock:
            self._anchor += max(0.0, seconds)

    def real_seconds_until(self, when: float) -> float:
        """Return the real seconds until protocol time reaches `when` (0 if it has passed).

        Args:
            when: Protocol unix seconds.
        """
        return max(0.0, (when - self.now()) * self._scale)
