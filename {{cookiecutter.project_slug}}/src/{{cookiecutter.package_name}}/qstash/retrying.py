"""Retrying QStash calls that are safe to repeat, and a time limit for a series of calls.

Most calls are safe to send twice: a read, a delete, an upsert by `Upstash-Schedule-Id`
(https://upstash.com/docs/qstash/features/schedules: a schedule with that id is overwritten),
adding or removing URL-group endpoints. For those, an answer in the 5xx range, a timeout or a
dropped connection is worth another try. A publish is not: after a timeout QStash may have
accepted the message, so `QStashApi` retries it only for 429 (see `ratelimit.py`).

{%- if cookiecutter.cloud == "aws-lambda" %}

The deploy step runs in a custom resource's Lambda; when its time runs out, Lambda stops it
mid-call and CloudFormation learns only "Task timed out". A `Deadline` makes every call and
every back-off stop early enough to fail with a message that says what happened.
{%- else %}

A series of calls that must end by a given time (a request with a timeout) takes a
`Deadline`: every call and every back-off stops early enough to fail with a message that
says what happened, before the platform stops it mid-call.
{%- endif %}
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from ..errors import PublishError, PublishTimeoutError, RateLimitedError
from .ratelimit import RateLimitPolicy, StopWhenWaitBudgetIsSpent, WaitForRateLimitReset

# No call starts with less time left than this, in seconds: it could not finish anyway.
MIN_CALL_SECONDS = 1.0


class DeadlineExceededError(PublishTimeoutError):
    """The time allowed for a series of calls ran out before the next call could start."""


@dataclass(frozen=True)
class Deadline:
    """A point in time (monotonic clock) by which a series of calls must be over.

    Attributes:
        at: The deadline, in seconds of `clock`.
        clock: A monotonic clock in seconds (tests pass a fake one).
    """

    at: float
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    @classmethod
    def after(cls, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Self:
        """Return the deadline `seconds` from now."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never below 0."""
        return max(0.0, self.at - self.clock())


@dataclass(frozen=True)
class TransientRetryPolicy:
    """How often a call that is safe to repeat is tried again after a transient failure.

    Transient: an answer in the 5xx range, a timeout, a connection that failed or dropped.
    The waits double from `first_wait_seconds` up to `max_wait_seconds`, plus the jitter of
    the rate-limit policy; a 429 is waited out as `RateLimitPolicy` says.

    Attributes:
        max_attempts: Attempts per call, the first included.
        first_wait_seconds: Wait before the second attempt.
        max_wait_seconds: Longest single wait.
    """

    max_attempts: int = 4
    first_wait_seconds: float = 1.0
    max_wait_seconds: float = 8.0


def is_transient(error: BaseException) -> bool:
    """Tell a failure worth another try (of a call safe to repeat) from a permanent one.

    Returns:
        True for a 5xx answer, a timeout and a connection failure (no status); False for a
        4xx answer (the request itself is wrong: sending it again changes nothing), for
        429 (handled by the rate-limit back-off) and for a spent deadline.
    """
    if isinstance(error, RateLimitedError | DeadlineExceededError):
        return False
    if not isinstance(error, PublishError):
        return False
    status = error.details.get("status")
    return status is None or (isinstance(status, int) and status >= 500)


class WaitForTransientFailure(wait_base):
    """A tenacity wait for transient failures: doubling waits, capped, plus jitter."""

    def __init__(
        self,
        policy: TransientRetryPolicy,
        jitter_seconds: float,
        rng: Callable[[float, float], float],
    ) -> None:
        self.policy = policy
        self.jitter_seconds = jitter_seconds
        self.rng = rng

    def __call__(self, retry_state: RetryCallState) -> float:
        """Return the seconds to sleep before the next attempt."""
        exponent = max(0, retry_state.attempt_number - 1)
        base = min(self.policy.max_wait_seconds, self.policy.first_wait_seconds * 2.0**exponent)
        return base + self.rng(0.0, self.jitter_seconds)


class WaitByFailure(wait_base):
    """A tenacity wait that asks the rate-limit wait after a 429, the transient one otherwise."""

    def __init__(self, rate_limited: wait_base, transient: wait_base) -> None:
        self.rate_limited = rate_limited
        self.transient = transient

    def __call__(self, retry_state: RetryCallState) -> float:
        """Return the seconds to sleep before the next attempt."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        chosen = self.rate_limited if isinstance(error, RateLimitedError) else self.transient
        return chosen(retry_state)


class StopAfterTransientAttempts(stop_base):
    """A tenacity stop: give up on a transient failure after the policy's attempts."""

    def __init__(self, max_attempts: int) -> None:
        self.max_attempts = max_attempts

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Return True to stop retrying."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        return (
            error is not None
            and is_transient(error)
            and retry_state.attempt_number >= self.max_attempts
        )


class StopAtDeadline(stop_base):
    """A tenacity stop: give up when the next wait plus one call would pass the deadline."""

    def __init__(self, deadline: Deadline | None) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        """Return True to stop retrying."""
        if self.deadline is None:
            return False
        return retry_state.upcoming_sleep + MIN_CALL_SECONDS > self.deadline.remaining()


def retry_loop(
    *,
    idempotent: bool,
    rate_limit: RateLimitPolicy,
    transient: TransientRetryPolicy,
    deadline: Deadline | None,
    sleep: Callable[[float], None],
    rng: Callable[[float, float], float],
) -> Retrying:
    """Build the tenacity loop one API call runs in.

    Args:
        idempotent: Whether transient failures are retried too (429 always is).
        rate_limit: Attempts and waiting budget; how 429s are waited out.
        transient: Attempts and waits after a transient failure.
        deadline: No wait may take the call past it, or None.
        sleep: Called with the seconds to wait.
        rng: Jitter source.

    Returns:
        The loop; it re-raises the last error when it gives up.
    """
    return Retrying(
        retry=retry_if_exception(
            lambda error: (
                isinstance(error, RateLimitedError) or (idempotent and is_transient(error))
            )
        ),
        wait=WaitByFailure(
            WaitForRateLimitReset(rate_limit.jitter_seconds, rng),
            WaitForTransientFailure(transient, rate_limit.jitter_seconds, rng),
        ),
        stop=stop_after_attempt(rate_limit.max_attempts)
        | StopAfterTransientAttempts(transient.max_attempts)
        | StopWhenWaitBudgetIsSpent(rate_limit.max_wait_seconds)
        | StopAtDeadline(deadline),
        sleep=sleep,
        reraise=True,
    )


def gave_up(error: PublishError, retrying: Retrying) -> PublishError:
    """Return `error`, saying how many attempts and how much waiting went before it.

    Args:
        error: The last attempt's error.
        retrying: The loop that ran the attempts.

    Returns:
        `error` itself after a single attempt (other than a 429), else an error of the same
        type whose message ends with the attempts and the seconds waited, and which
        settings bound them; `details` gain `attempts` and `waited_seconds`.
    """
    attempts = retrying.statistics.get("attempt_number", 1)
    waited = retrying.statistics.get("idle_for", 0.0)
    if attempts == 1 and not isinstance(error, RateLimitedError):
        return error
    bounds = (
        "QSTASH_RATE_LIMIT_MAX_ATTEMPTS, QSTASH_RATE_LIMIT_MAX_WAIT_SECONDS"
        if isinstance(error, RateLimitedError)
        else "retries of a call safe to repeat, and the time limit"
    )
    return type(error)(
        f"{error.message}; gave up after {attempts} attempt(s) and {waited:.1f} s of "
        f"waiting ({bounds})",
        **error.details,
        attempts=attempts,
        waited_seconds=waited,
    )
