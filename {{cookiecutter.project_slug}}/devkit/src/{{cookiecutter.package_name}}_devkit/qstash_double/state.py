"""Everything the double holds, behind one lock: messages, due times, DLQ, schedules, groups.

The HTTP handlers (uvicorn's thread), the delivery engine (its own thread) and the test
thread all go through this object; each method is short and takes `lock`.
"""

import heapq
import itertools
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable

from .model import Attempt, DeadLetter, Message, MessageState, Response, Schedule, UrlGroup

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_IDLE_RECHECK_SECONDS = 0.1


def new_id(prefix: str, length: int = 24) -> str:
    """Return a random id shaped like QStash's, e.g. `msg_...` or `scd_...`."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class DoubleState:
    """The double's memory. Nothing here does I/O.

    Attributes:
        lock: Held by every method; callers may hold it across several calls.
        messages: Every message by id (kept after it settles, for inspection).
        dead_letters: DLQ entries by DLQ id, oldest first.
        schedules: Schedules by id.
        groups: URL groups by name.
        attempts: Every delivery attempt, in order.
        counters: Event counts (published, delivered, dead_lettered, attempts, ...).
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self.messages: dict[str, Message] = {}
        self.dead_letters: dict[str, DeadLetter] = {}
        self.schedules: dict[str, Schedule] = {}
        self.groups: dict[str, UrlGroup] = {}
        self.attempts: list[Attempt] = []
        self.counters: Counter[str] = Counter()
        self._due: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._pending: set[str] = set()
        self._dedup: dict[Hashable, tuple[str, float]] = {}
        self._dlq_sequence = itertools.count()
        self._wake: Callable[[], None] = lambda: None

    def on_change(self, wake: Callable[[], None]) -> None:
        """Register the function that wakes the delivery engine (thread-safe, non-blocking)."""
        self._wake = wake

    # Messages -------------------------------------------------------------------------

    def add_message(self, message: Message) -> None:
        """Store a new pending message and make it due at `message.due_at`."""
        with self.lock:
            self.messages[message.message_id] = message
            self._pending.add(message.message_id)
            heapq.heappush(self._due, (message.due_at, next(self._order), message.message_id))
            self.counters[f"published_{message.kind}"] += 1
        self._wake()

    def take_due(self, now: float) -> list[Message]:
        """Mark every message due by `now` as in flight and return them.

        Args:
            now: Protocol unix seconds.
        """
        due: list[Message] = []
        with self.lock:
            while self._due and self._due[0][0] <= now:
                when, _, message_id = heapq.heappop(self._due)
                message = self.messages.get(message_id)
                current = message and message.state == "pending" and message.due_at == when
                if message and current and not message.in_flight:
                    message.in_flight = True
                    due.append(message)
        return due

    def next_due(self) -> float | None:
        """Return when the next pending message is due (protocol seconds), or None."""
        with self.lock:
            while self._due:
                when, _, message_id = self._due[0]
                message = self.messages.get(message_id)
                if message and message.state == "pending" and message.due_at == when:
                    return when
                heapq.heappop(self._due)
            return None

    def retry_later(self, message: Message, due_at: float) -> None:
        """Count a retry and make the message due again at `due_at` (protocol seconds)."""
        with self.lock:
            message.retried += 1
            message.in_flight = False
            message.due_at = due_at
            heapq.heappush(self._due, (due_at, next(self._order), message.message_id))
            self.counters["retries_scheduled"] += 1
            self._changed.notify_all()
        self._wake()

    def settle(self, message: Message, state: MessageState) -> None:
        """Finish a message: "delivered", "dead" or "cancelled"."""
        with self.lock:
            message.state = state
            message.in_flight = False
            self._pending.discard(message.message_id)
            self.counters[f"{state}_{message.kind}"] += 1
            self._changed.notify_all()

    def cancel(self, message_id: str) -> bool:
        """Cancel a pending message that is not in flight; return whether it was."""
        with self.lock:
            message = self.messages.get(message_id)
            if message is None or message.state != "pending" or message.in_flight:
                return False
            self.settle(message, "cancelled")
            return True

    def cancel_where(self, selected: Callable[[Message], bool], limit: int | None) -> int:
        """Cancel pending messages that are not in flight, oldest first.

        Args:
            selected: Whether a message is to be cancelled.
            limit: Most messages to cancel, or None for every one selected.

        Returns:
            How many were cancelled.
        """
        with self.lock:
            cancelled = 0
            for message in list(self.messages.values()):
                if limit is not None and cancelled >= limit:
                    break
                if message.state == "pending" and not message.in_flight and selected(message):
                    self.settle(message, "cancelled")
                    cancelled += 1
            return cancelled

    def pending(self) -> list[Message]:
        """Return the messages not yet delivered, dead-lettered or cancelled."""
        with self.lock:
            return [self.messages[message_id] for message_id in sorted(self._pending)]

    def wait_until_settled(self, timeout: float) -> bool:
        """Block until no message is pending; return False if `timeout` real seconds pass."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending, timeout=timeout)

    def idle(self, now: float) -> bool:
        """Whether nothing happens until protocol time moves past `now`.

        True when no attempt is in flight, no pending message is due by `now` and no
        schedule tick is due by `now`.

        Args:
            now: Protocol unix seconds.
        """
        with self.lock:
            if any(self.messages[message_id].in_flight for message_id in self._pending):
                return False
            due = self.next_due()
            return (due is None or due > now) and not self.due_schedules(now)

    def wait_until_idle(self, now: Callable[[], float], timeout: float) -> bool:
        """Block until `idle(now())`; return False if `timeout` real seconds pass.

        Every attempt ends in `settle` or `retry_later`, which notify; the short slices only
        let a scaled clock's due times be looked at again as real time passes.

        Args:
            now: Returns the protocol time.
            timeout: Real seconds.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self.idle(now()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, _IDLE_RECHECK_SECONDS))
            return True

    def record_attempt(self, attempt: Attempt) -> None:
        """Append an attempt to the log and count it."""
        with self.lock:
            self.attempts.append(attempt)
            self.counters["attempts"] += 1
            self.counters["duplicate_attempts"] += attempt.duplicate
            self.counters["lost_responses"] += attempt.lost

    # Deduplication ----------------------------------------------------------------------

    def seen(self, key: Hashable, now: float) -> str | None:
        """Return the message id remembered under a dedup key, if still in its window."""
        with self.lock:
            entry = self._dedup.get(key)
            if entry is None or entry[1] <= now:
                self._dedup.pop(key, None)
                return None
            return entry[0]

    def remember(self, key: Hashable, message_id: str, until: float) -> None:
        """Remember a dedup key until protocol time `until`."""
        with self.lock:
            self._dedup[key] = (message_id, until)

    # Dead letters ----------------------------------------------------------------------

    def dead_letter(self, message: Message, response: Response, now: float) -> DeadLetter:
        """Move a message to the DLQ with the last answer it got.

        Args:
            message: The message (settled as "dead" here).
            response: Its last response.
            now: Protocol unix seconds.

        Returns:
            The DLQ entry; its id looks like QStash's, `<unix ms>-<sequence>`.
        """
        with self.lock:
            sequence = next(self._dlq_sequence)
            dlq_id = f"{int(now * 1000)}-{sequence}"
            message.dlq_id = dlq_id
            entry = DeadLetter(dlq_id, message, response, created_at=now, sequence=sequence)
            self.dead_letters[dlq_id] = entry
            self.settle(message, "dead")
            return entry

    def remove_dead_letter(self, dlq_id: str) -> DeadLetter | None:
        """Remove and return a DLQ entry, or None if there is none."""
        with self.lock:
            return self.dead_letters.pop(dlq_id, None)

    # Schedules -------------------------------------------------------------------------

    def due_schedules(self, now: float) -> list[Schedule]:
        """Return the unpaused schedules whose next tick is at or before `now`."""
        with self.lock:
            return [
                schedule
                for schedule in self.schedules.values()
                if not schedule.paused and schedule.next_fire is not None
                if schedule.next_fire <= now
            ]

    def next_schedule_fire(self) -> float | None:
        """Return the earliest next tick of any unpaused schedule, or None."""
        with self.lock:
            fires = [
                schedule.next_fire
                for schedule in self.schedules.values()
                if not schedule.paused and schedule.next_fire is not None
            ]
            return min(fires, default=None)

    def put_schedule(self, schedule: Schedule) -> None:
        """Create or overwrite a schedule (upsert by id)."""
        with self.lock:
            self.schedules[schedule.schedule_id] = schedule
        self._wake()
