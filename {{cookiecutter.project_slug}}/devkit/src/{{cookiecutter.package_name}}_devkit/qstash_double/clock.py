"""The protocol clock: scaled against real time, or manual (it moves only when told to).

QStash's back-off reaches 24 hours (https://upstash.com/docs/qstash/features/retry) and cron
has one-minute resolution (https://upstash.com/docs/qstash/features/schedules). A scaled clock
runs `1 / time_scale` times faster than real time, so `make dev` can wait in real time and a
quick run can wait in milliseconds. A manual clock stands still until `advance` moves it, so a
test decides exactly when a delay, back-off, cron minute or dedup window has passed, however
slow the machine is. Protocol time starts at the real wall clock; either kind can be jumped.
"""

import math
import threading
import time
from collections.abc import Callable


class ScaledClock:
    """Unix time in protocol seconds.

    Args:
        time_scale: Real seconds per protocol second (> 0; 0.001 makes a protocol minute
            last 60 ms), or None for a manual clock that moves only with `advance` and
            `advance_to`.
        start: Protocol unix seconds at creation (default: the real wall clock).
        real_clock: The monotonic real clock, in seconds, a scaled clock is measured
            against (default `time.monotonic`; tests pass one they control).
    """

    def __init__(
        self,
        time_scale: float | None,
        *,
        start: float | None = None,
        real_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._real_clock = real_clock
        self._scale = time_scale
        self._real_anchor = real_clock()
        self._anchor = time.time() if start is None else start

    @property
    def time_scale(self) -> float | None:
        """Real seconds per protocol second, or None when the clock is manual."""
        return self._scale

    @property
    def manual(self) -> bool:
        """Whether protocol time moves only when `advance` or `advance_to` moves it."""
        return self._scale is None

    def now(self) -> float:
        """Return the protocol time, unix seconds."""
        with self._lock:
            return self._now()

    def set_scale(self, time_scale: float | None) -> None:
        """Change the scale from now on (None: make it manual), without a jump in time.

        Args:
            time_scale: Real seconds per protocol second (> 0), or None.
        """
        with self._lock:
            self._anchor = self._now()
            self._real_anchor, self._scale = self._real_clock(), time_scale

    def advance(self, seconds: float) -> None:
        """Jump protocol time forward, e.g. past a 24-hour back-off.

        Args:
            seconds: Protocol seconds to add (negative counts as 0: time never goes back).
        """
        with self._lock:
            self._anchor += max(0.0, seconds)

    def advance_to(self, when: float) -> None:
        """Jump protocol time forward to `when`; nothing happens if it has passed already.

        Args:
            when: Protocol unix seconds.
        """
        with self._lock:
            self._anchor += max(0.0, when - self._now())

    def real_seconds_until(self, when: float) -> float:
        """Return the real seconds until protocol time reaches `when`.

        Args:
            when: Protocol unix seconds.

        Returns:
            0 if it has passed; infinity on a manual clock that has not reached it yet.
        """
        with self._lock:
            left = when - self._now()
            if left <= 0:
                return 0.0
            return math.inf if self._scale is None else left * self._scale

    def _now(self) -> float:
        if self._scale is None:
            return self._anchor
        return self._anchor + (self._real_clock() - self._real_anchor) / self._scale
