"""The delivery engine: due messages out, answers in, then retry, DLQ and callbacks.

Runs an asyncio loop in its own thread with one httpx client. Rules
(https://upstash.com/docs/qstash/features/retry): any 2xx delivers; anything else or no
answer is retried after `Retry-After` (when the destination sent one), the
`Upstash-Retry-Delay` expression, or `min(86400, e^(2.5 n))` seconds on the scaled clock;
489 with `Upstash-NonRetryable-Error: true` goes straight to the DLQ, as does a message out
of retries. Callbacks follow every attempt and the failure callback the dead letter
(https://upstash.com/docs/qstash/features/callbacks); both are new, signed, retried messages.
"""

import asyncio
import contextlib
import functools
import logging
import ssl
import threading
from collections.abc import Callable

import httpx

from {{ cookiecutter.package_name }}.qstash import SigningKeys

from .clock import ScaledClock
from .config import DoubleSettings
from .cron import next_fire
from .errors import DoubleApiError
from .faults import Faults
from .model import Attempt, CallbackOptions, Message, MessageKind, Response, Schedule
from .outgoing import callback_body, callback_options, delivery_headers, mint_signature
from .publishing import publish
from .state import DoubleState
from .timing import default_backoff, retry_after_seconds, retry_delay_seconds

logger = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 0.5
"""Longest real sleep between looks at the clock (schedules, `advance`, scale changes)."""


class DeliveryEngine:
    """Delivers due messages concurrently and fires due schedules.

    Args:
        state: The shared state.
        clock: The scaled clock due times are measured on.
        settings: Returns the current settings (they can change while running).
        keys: Returns the current signing keys (they can roll while running).
        faults: The fault-injection RNG.
    """

    def __init__(
        self,
        state: DoubleState,
        clock: ScaledClock,
        settings: Callable[[], DoubleSettings],
        keys: Callable[[], SigningKeys],
        faults: Faults,
    ) -> None:
        self._state, self._clock, self._faults = state, clock, faults
        self._settings, self._keys = settings, keys
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        state.on_change(self.wake)

    def start(self) -> None:
        """Start the engine thread; returns once it runs.

        Raises:
            RuntimeError: The engine did not start within 10 seconds.
        """
        self._stopping = False
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="qstash-double", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("the QStash double's delivery engine did not start")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop delivering (attempts in flight are abandoned) and join the thread.

        Args:
            timeout: Real seconds to wait for the thread.
        """
        self._stopping = True
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def wake(self) -> None:
        """Make the engine look at due messages and schedules now (any thread)."""
        loop, event = self._loop, self._event
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # the loop has just closed
                loop.call_soon_threadsafe(event.set)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop, self._event = asyncio.get_running_loop(), asyncio.Event()
        settings = self._settings()
        semaphore = asyncio.Semaphore(settings.concurrency)
        tasks: set[asyncio.Task[None]] = set()
        limits = httpx.Limits(max_connections=2 * settings.concurrency)
        async with httpx.AsyncClient(
            limits=limits, follow_redirects=False, verify=_tls_context()
        ) as client:
            self._ready.set()
            while not self._stopping:
                self._event.clear()
                now = self._clock.now()
                for schedule in self._state.due_schedules(now):
                    self._tick(schedule, now)
                for message in self._state.take_due(now):
                    task = asyncio.create_task(self._attempt(client, semaphore, message))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), self._idle_seconds())
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = self._event = None

    def _idle_seconds(self) -> float:
        times = [
            t for t in (self._state.next_due(), self._state.next_schedule_fire()) if t is not None
        ]
        if not times:
            return IDLE_WAIT_SECONDS
        return min(IDLE_WAIT_SECONDS, self._clock.real_seconds_until(min(times)))

    def _tick(self, schedule: Schedule, now: float) -> None:
        """Publish one message from a schedule and set its next tick (missed ticks fire once)."""
        settings = self._settings()
        with self._state.lock:
            if self._state.schedules.get(schedule.schedule_id) is not schedule:
                return  # deleted or replaced meanwhile
            fired_at = schedule.next_fire or now
            schedule.last_fire = fired_at
            schedule.next_fire = next_fire(schedule.cron, max(now, fired_at))
            try:
                publish(
                    self._state,
                    settings,
                    destination=schedule.destination,
                    body=schedule.body,
                    options=schedule.options,
                    caller_ip=schedule.caller_ip,
                    now=now,
                    schedule_id=schedule.schedule_id,
                )
            except DoubleApiError as error:  # e.g. its URL group was deleted
                logger.warning("schedule %s did not fire: %s", schedule.schedule_id, error)
                self._state.counters["schedule_errors"] += 1
            self._state.counters["schedule_ticks"] += 1

    async def _attempt(
        self, client: httpx.AsyncClient, semaphore: asyncio.Semaphore, message: Message
    ) -> None:
        try:
            await self._deliver(client, semaphore, message)
        except Exception as error:  # never leave a message in flight forever
            logger.exception("attempt of %s failed inside the double", message.message_id)
            self._conclude(
                message, Response(None, error=f"double error: {error!r}"), self._settings()
            )

    async def _deliver(
        self, client: httpx.AsyncClient, semaphore: asyncio.Semaphore, message: Message
    ) -> None:
        settings = self._settings()
        async with semaphore:
            signature = mint_signature(message, self._keys(), settings)
            headers = delivery_headers(message, signature, settings)
            started = self._clock.now()
            copies = 2 if self._faults.happens(settings.duplicate_delivery_probability) else 1
            timeout = httpx.Timeout(
                message.options.timeout or settings.default_timeout,
                connect=settings.connect_timeout,
            )
            sends = (
                _send(client, message, headers, timeout, settings.max_message_size)
                for _ in range(copies)
            )
            responses = await asyncio.gather(*sends)
        response = responses[0]
        lost = response.status is not None and self._faults.happens(
            settings.lost_response_probability
        )
        for copy, answer in enumerate(responses):
            self._state.record_attempt(
                Attempt(
                    message_id=message.message_id,
                    kind=message.kind,
                    url=message.url,
                    retried=message.retried,
                    status=answer.status,
                    error=answer.error,
                    at=started,
                    duplicate=copy > 0,
                    lost=lost and copy == 0,
                    schedule_id=message.schedule_id,
                    signature=signature,
                )
            )
        if lost:
            response = Response(None, error="answer lost after the destination handled it")
        self._conclude(message, response, settings)

    def _conclude(self, message: Message, response: Response, settings: DoubleSettings) -> None:
        now = self._clock.now()
        reports: list[tuple[MessageKind, CallbackOptions, bytes]] = []
        with self._state.lock:
            if message.kind == "message" and message.options.callback.url:
                body = callback_body(message, response, settings)
                reports.append(("callback", message.options.callback, body))
            if response.ok:
                self._state.settle(message, "delivered")
            elif _non_retryable(response) or message.retried >= message.options.retries:
                entry = self._state.dead_letter(message, response, now)
                if message.kind == "message" and message.options.failure_callback.url:
                    body = callback_body(message, response, settings, dlq_id=entry.dlq_id)
                    reports.append(("failure-callback", message.options.failure_callback, body))
            else:
                self._state.retry_later(message, now + _retry_delay(message, response))
            for kind, callback, body in reports:
                publish(
                    self._state,
                    settings,
                    destination=callback.url or "",
                    body=body,
                    options=callback_options(message.options, callback),
                    caller_ip=message.caller_ip,
                    now=now,
                    kind=kind,
                    source_message_id=message.message_id,
                )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One default TLS context per process: loading the CA store costs ~20 ms each time."""
    return ssl.create_default_context()


async def _send(
    client: httpx.AsyncClient,
    message: Message,
    headers: dict[str, str],
    timeout: httpx.Timeout,
    max_body: int,
) -> Response:
    """Make one HTTP request; read at most `max_body` bytes of the answer."""
    try:
        async with client.stream(
            message.options.method,
            message.url,
            content=message.body,
            headers=headers,
            timeout=timeout,
        ) as answer:
            body = bytearray()
            async for chunk in answer.aiter_bytes():
                body += chunk[: max_body - len(body)]
                if len(body) >= max_body:
                    break
            return Response(answer.status_code, tuple(answer.headers.multi_items()), bytes(body))
    except httpx.TimeoutException as error:
        return Response(None, error=f"timed out ({type(error).__name__})")
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return Response(None, error=f"{type(error).__name__}: {error}")


def _non_retryable(response: Response) -> bool:
    flag = (response.header("Upstash-NonRetryable-Error") or "").strip().lower()
    return response.status == 489 and flag == "true"


def _retry_delay(message: Message, response: Response) -> float:
    """Protocol seconds before the next attempt."""
    if response.status is not None:
        asked = retry_after_seconds({name.lower(): value for name, value in response.headers})
        if asked is not None:
            return asked
    if message.options.retry_delay:
        with contextlib.suppress(DoubleApiError):
            return retry_delay_seconds(message.options.retry_delay, message.retried)
    return default_backoff(message.retried + 1)
