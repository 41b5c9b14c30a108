"""`QStashDouble`: the state, clock, keys and delivery engine of one local QStash.

Serve it over HTTP with `server.run_double`; drive and inspect it from Python with the
methods here (roll keys, change switches, jump the clock, wait until everything settled).
"""

import dataclasses
import secrets
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, NoReturn, Self

from {{ cookiecutter.package_name }}.qstash import SigningKeys

from ..signer import new_signing_key
from .clock import ScaledClock
from .config import SETTING_NAMES, DoubleSettings
from .delivery import DeliveryEngine
from .errors import NotFoundError
from .faults import Faults
from .model import Attempt, DeadLetter, Message, MessageKind, PublishOptions, Schedule
from .publishing import Published, publish, republish_dead_letter
from .state import DoubleState


class QStashDouble:
    """A local, in-memory QStash.

    Args:
        settings: The switches (default: every documented default).
        token: The bearer token the API accepts (default: a random one).
        keys: The initial signing keys (default: two fresh random ones).

    Attributes:
        token: The bearer token.
        clock: The protocol clock (scaled, or manual when `time_scale` is None).
        state: Messages, attempts, DLQ, schedules and URL groups (hold `state.lock` to read
            several things consistently).
    """

    def __init__(
        self,
        settings: DoubleSettings | None = None,
        *,
        token: str | None = None,
        keys: SigningKeys | None = None,
    ) -> None:
        self._settings = settings or DoubleSettings()
        self._keys = keys or SigningKeys(current=new_signing_key(), next=new_signing_key())
        self._keys_lock = threading.Lock()
        self.token = token or secrets.token_urlsafe(24)
        self.clock = ScaledClock(self._settings.time_scale)
        self.state = DoubleState()
        self.faults = Faults(self._settings.seed)
        self.closing = False
        self._engine = DeliveryEngine(
            self.state, self.clock, lambda: self._settings, lambda: self._keys, self.faults
        )

    # Lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the delivery engine (the HTTP server is separate: `run_double`)."""
        self.closing = False
        self._engine.start()
        return self

    def stop(self) -> None:
        """Stop delivering; messages still pending stay pending."""
        self.closing = True
        self._engine.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # Switches, keys, clock ------------------------------------------------------------

    @property
    def settings(self) -> DoubleSettings:
        """The switches in force."""
        return self._settings

    def configure(self, **changes: Any) -> DoubleSettings:
        """Change switches while running, e.g. `configure(rate_limit_per_second=100)`.

        Args:
            **changes: `DoubleSettings` fields and new values. `concurrency` applies from
                the next start.

        Returns:
            The new settings.

        Raises:
            TypeError: A name is not a setting.
            ValueError: A value is out of range.
        """
        unknown = set(changes) - SETTING_NAMES
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        self._settings = dataclasses.replace(self._settings, **changes)
        if "time_scale" in changes:
            self.clock.set_scale(self._settings.time_scale)
        if "seed" in changes:
            self.faults.reseed(self._settings.seed)
        self._engine.wake()
        return self._settings

    @property
    def keys(self) -> SigningKeys:
        """The live signing keys (`current` signs every new attempt)."""
        return self._keys

    def rotate_keys(self) -> SigningKeys:
        """Roll the keys as `POST /v2/keys/rotate` does: current <- next <- a new key.

        Source: https://upstash.com/docs/qstash/howto/roll-signing-keys.

        Returns:
            The keys after the roll.
        """
        with self._keys_lock:
            self._keys = SigningKeys(current=self._keys.next, next=new_signing_key())
            return self._keys

    def now(self) -> float:
        """The protocol time, unix seconds (see `ScaledClock`)."""
        return self.clock.now()

    def wake(self) -> None:
        """Make the engine look at due messages and schedules now (after a direct change)."""
        self._engine.wake()

    def advance(self, seconds: float) -> None:
        """Jump the protocol clock forward; due retries, delays and cron ticks then fire.

        The only way a manual clock moves, besides `fast_forward`.

        Args:
            seconds: Protocol seconds.
        """
        self.clock.advance(seconds)
        self._engine.wake()

    # Publishing -----------------------------------------------------------------------

    def publish(
        self,
        destination: str,
        body: bytes,
        options: PublishOptions,
        *,
        caller_ip: str = "127.0.0.1",
        schedule_id: str | None = None,
    ) -> list[Published]:
        """Publish as `POST /v2/publish/{destination}` would (no size check, no auth).

        Args:
            destination: A URL or a URL-group name.
            body: The bytes to deliver.
            options: Parsed configuration (`options.parse_options`).
            caller_ip: Reported as `Upstash-Caller-Ip`.
            schedule_id: Set when a schedule publishes.

        Returns:
            One item per destination URL.

        Raises:
            NotFoundError: The URL group does not exist.
        """
        return publish(
            self.state,
            self._settings,
            destination=destination,
            body=body,
            options=options,
            caller_ip=caller_ip,
            now=self.clock.now(),
            schedule_id=schedule_id,
        )

    def retry_dead_letter(self, dlq_id: str, headers: Iterable[tuple[str, str]] = ()) -> Published:
        """Take a message out of the DLQ and publish it again as a new message.

        Source: https://upstash.com/docs/qstash/api/dlq (`POST /v2/dlq/retry/{dlqId}`).

        Args:
            dlq_id: The DLQ id.
            headers: Configuration headers that override the original's (e.g.
                `("Upstash-Retries", "0")`).

        Returns:
            The new message.

        Raises:
            NotFoundError: No such DLQ entry.
            BadRequestError: An override header is malformed.
        """
        return republish_dead_letter(
            self.state, self._settings, dlq_id, headers, now=self.clock.now()
        )

    def fire_schedule(self, schedule_id: str) -> None:
        """Make a schedule tick now instead of at its next cron time.

        Raises:
            NotFoundError: No such schedule.
        """
        with self.state.lock:
            schedule = self.state.schedules.get(schedule_id)
            if schedule is None:
                raise NotFoundError(f"schedule {schedule_id!r} not found")
            schedule.next_fire = self.clock.now()
        self._engine.wake()

    # Inspection -----------------------------------------------------------------------

    def wait_until_settled(self, timeout: float = 30.0) -> None:
        """Block until every message (callbacks included) is delivered, dead or cancelled.

        The clock is left alone: on a manual clock a retry or delay waits for `advance`
        (or use `fast_forward`).

        Args:
            timeout: Real seconds to wait.

        Raises:
            TimeoutError: Messages are still pending; the message lists some of them.
        """
        if not self.state.wait_until_settled(timeout):
            self._raise_still_pending(timeout)

    def wait_until_idle(self, timeout: float = 30.0) -> None:
        """Block until nothing happens before protocol time moves on.

        Idle: no attempt in flight and nothing due now (no message, retry or schedule
        tick). On a manual clock the double then stays as it is until the clock moves, so a
        test can look at a message between two attempts, e.g. at its next due time.

        Args:
            timeout: Real seconds to wait.

        Raises:
            TimeoutError: Attempts are still in flight or due after `timeout` seconds.
        """
        if not self.state.wait_until_idle(self.clock.now, timeout):
            raise TimeoutError(f"the double was still busy after {timeout}s")

    def fast_forward(self, timeout: float = 30.0) -> float:
        """Deliver everything pending, jumping the clock over every wait on the way.

        Whenever the double is idle (see `wait_until_idle`) and a message is still pending,
        the clock jumps to the next due attempt: delays, back-off and `Retry-After` take no
        real time, and each attempt still happens at exactly its due protocol time. Cron
        minutes crossed on the way tick once each schedule (missed ticks fire once). Use it
        with a manual clock; it works with a scaled one too.

        Args:
            timeout: Real seconds for the whole run.

        Returns:
            The protocol seconds jumped over.

        Raises:
            TimeoutError: Messages are still pending after `timeout` seconds (e.g. a
                schedule whose every tick fails keeps producing retries).
        """
        deadline = time.monotonic() + timeout
        jumped = 0.0
        while True:
            try:
                self.wait_until_idle(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                self._raise_still_pending(timeout)
            with self.state.lock:
                due = self.state.next_due()
                if due is None:  # idle and nothing due later: nothing is pending
                    return jumped
                jumped += max(0.0, due - self.clock.now())
                self.clock.advance_to(due)
            self._engine.wake()

    def _raise_still_pending(self, timeout: float) -> NoReturn:
        pending = self.state.pending()
        sample = ", ".join(
            f"{m.message_id} ({m.kind} to {m.url}, retried {m.retried})" for m in pending[:5]
        )
        raise TimeoutError(f"{len(pending)} message(s) still pending after {timeout}s: {sample}")

    def attempts(
        self, message_id: str | None = None, *, kind: MessageKind | None = None
    ) -> list[Attempt]:
        """Return delivery attempts in order, optionally of one message or one kind."""
        with self.state.lock:
            return [
                attempt
                for attempt in self.state.attempts
                if message_id in (None, attempt.message_id) and kind in (None, attempt.kind)
            ]

    def messages(self, *, kind: MessageKind | None = None) -> list[Message]:
        """Return every message so far (live objects: read, do not change)."""
        with self.state.lock:
            return [m for m in self.state.messages.values() if kind in (None, m.kind)]

    def message(self, message_id: str) -> Message:
        """Return one message.

        Raises:
            KeyError: No such message.
        """
        with self.state.lock:
            return self.state.messages[message_id]

    def dead_letters(self) -> list[DeadLetter]:
        """Return the DLQ, oldest first."""
        with self.state.lock:
            return list(self.state.dead_letters.values())

    def schedules(self) -> list[Schedule]:
        """Return every schedule."""
        with self.state.lock:
            return list(self.state.schedules.values())

    def counters(self) -> dict[str, int]:
        """Return event counts by name.

        Names: `published_<kind>`, `delivered_<kind>`, `dead_<kind>`, `cancelled_<kind>`
        (kind: message, callback, failure-callback), `attempts`, `duplicate_attempts`,
        `lost_responses`, `retries_scheduled`, `deduplicated`, `schedule_ticks`,
        `schedule_errors`, `dlq_retries`, `rate_limited`, `unauthorized`.
        """
        with self.state.lock:
            return dict(self.state.counters)
