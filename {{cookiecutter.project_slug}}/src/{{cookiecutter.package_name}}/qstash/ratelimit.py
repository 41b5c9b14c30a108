"""Waiting out QStash's 429 answers: read the reset headers, then back off with jitter.

QStash tells its 429 families apart by headers (https://upstash.com/docs/qstash/api/api-ratelimiting):
the daily message quota sends `RateLimit-Limit/-Remaining/-Reset`, the per-second burst limit
sends `Burst-RateLimit-Limit/-Remaining/-Reset`; both resets are unix timestamps. A 429 is a
refusal, so sending the same request again can never publish a message twice.
"""

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal

from tenacity import RetryCallState
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from ..errors import RateLimitedError

LimitFamily = Literal["daily", "burst", "unknown"]

# Without any reset header: 0.25 s, 0.5 s, 1 s, ... capped here.
FALLBACK_FIRST_WAIT_SECONDS = 0.25
FALLBACK_MAX_WAIT_SECONDS = 8.0
# Unix times above this are milliseconds, not seconds (year 33658 in seconds).
MILLISECONDS_THRESHOLD = 10**12


@dataclass(frozen=True)
class RateLimitPolicy:
    """How long one API call may keep waiting out 429 answers.

    Attributes:
        max_attempts: Attempts per call, the first included.
        max_wait_seconds: Total seconds one call may spend waiting; a 429 asking for longer
            than what is left fails at once (e.g. a spent daily quota resetting at midnight).
        jitter_seconds: Upper bound of the random time added to each wait, so that many
            publishers told the same reset time do not all come back at the same instant.
    """

    max_attempts: int = 8
    max_wait_seconds: float = 60.0
    jitter_seconds: float = 0.5


def limit_family(headers: Mapping[str, str]) -> LimitFamily:
    """Tell which limit a 429 comes from, the way qstash-py does.

    Args:
        headers: The 429 answer's headers (case-insensitive mapping, e.g. `httpx.Headers`).

    Returns:
        `daily` when `RateLimit-Limit` is present, `burst` when `Burst-RateLimit-Limit` or
        `Burst-RateLimit-Reset` is, else `unknown`.
    """
    if "ratelimit-limit" in headers:
        return "daily"
    if "burst-ratelimit-limit" in headers or "burst-ratelimit-reset" in headers:
        return "burst"
    return "unknown"


def requested_wait_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Read how long QStash asked the caller to wait before trying again.

    Looks at `Retry-After` (seconds or an HTTP date) and at the reset time of the limit
    family (`RateLimit-Reset` or `Burst-RateLimit-Reset`, unix time); when both are present,
    the later one wins.

    Args:
        headers: The 429 answer's headers (case-insensitive mapping).
        now: The current unix time, in seconds.

    Returns:
        Seconds to wait (0 when the reset time has already passed), or None when no header
        says.
    """
    hints: list[float] = []
    retry_after = _retry_after_seconds(headers.get("retry-after"), now)
    if retry_after is not None:
        hints.append(retry_after)
    reset_header = {"daily": "ratelimit-reset", "burst": "burst-ratelimit-reset"}.get(
        limit_family(headers)
    )
    reset = _unix_time(headers.get(reset_header)) if reset_header else None
    if reset is not None:
        hints.append(reset - now)
    return max(0.0, *hints) if hints else None


class WaitForRateLimitReset(wait_base):
    """A tenacity wait: the time QStash asked for (or exponential back-off), plus jitter.

    Only `RateLimitedError` outcomes are waited on; the error carries the requested wait in
    `details["retry_after_seconds"]` (None when QStash did not say).
    """

    def __init__(self, jitter_seconds: float, rng: Callable[[float, float], float]) -> None:
        self.jitter_seconds = jitter_seconds
        self.rng = rng

    def __call__(self, retry_state: RetryCallState) -> float:
        """Return the seconds to sleep before the next attempt."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        requested = (
            error.details.get("retry_after_seconds")
            if isinstance(error, RateLimitedError)
            else None
        )
        if requested is None:
            exponent = max(0, retry_state.attempt_number - 1)
            base = min(FALLBACK_MAX_WAIT_SECONDS, FALLBACK_FIRST_WAIT_SECONDS * 2.0**exponent)
        else:
            base = float(requested)
        return base + self.rng(0.0, self.jitter_seconds)


def default_rng(low: float, high: float) -> float:
    """Uniform jitter; not for cryptography, only to spread retries apart."""
    return random.uniform(low, high)  # noqa: S311


class StopWhenWaitBudgetIsSpent(stop_base):
    """A tenacity stop: give up when the next wait would take the call past its budget.

    Runs after the wait was computed, so a 429 asking for an hour fails at once instead of
    sleeping an hour and then failing.
    """

    def __init__(self, max_wait_seconds: float) -> None:
        self.max_wait_seconds = max_wait_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Return True to stop retrying."""
        return retry_state.idle_for + retry_state.upcoming_sleep > self.max_wait_seconds


def _retry_after_seconds(value: str | None, now: float) -> float | None:
    if value is None:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError, IndexError):
        return None


def _unix_time(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number / 1000 if number > MILLISECONDS_THRESHOLD else number
