"""A tiny scripted HTTP receiver on 127.0.0.1 that records what the double delivers.

For tests: script the answers per path (status, headers, body, a real delay), deliver, then
read back each request exactly as it arrived (method, path, query, headers, raw body).
"""

import asyncio
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .server import HOST, free_port, serve


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    Attributes:
        status: HTTP status.
        headers: Response headers.
        body: Response body bytes.
        delay: Real seconds to wait before answering (for timeout tests).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


@dataclass(frozen=True)
class Captured:
    """One request as it arrived.

    Attributes:
        method: HTTP method.
        path: URL path.
        query: Raw query string (no `?`).
        headers: Header names (lower-case) to values; repeated headers joined by ", ".
        body: Raw body bytes.
        url: The full URL it was sent to (scheme, host, port, path, query).
        at: `time.monotonic()` when it arrived.
    """

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    url: str
    at: float


class CapturingReceiver:
    """Records requests and answers them from per-path scripts (default: 200 `ok`).

    Args:
        base_url: Where it listens, e.g. `http://127.0.0.1:54321`.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._lock = threading.Condition()
        self._requests: list[Captured] = []
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._repeating: set[str] = set()

    def url(self, path: str) -> str:
        """The full URL of a path on this receiver."""
        return self.base_url + path

    def script(self, path: str, *replies: Reply | int) -> None:
        """Queue answers for a path, used in order; the last one repeats until more come.

        Args:
            path: The URL path (no query).
            *replies: `Reply` objects or bare status codes.
        """
        with self._lock:
            script = self._scripts[path]
            if path in self._repeating:  # its last answer was used: the new ones replace it
                script.clear()
                self._repeating.discard(path)
            script.extend(reply if isinstance(reply, Reply) else Reply(reply) for reply in replies)

    def received(self, path: str | None = None) -> list[Captured]:
        """Return the requests so far, optionally only those to one path."""
        with self._lock:
            return [r for r in self._requests if path in (None, r.path)]

    def wait_for(
        self, count: int, path: str | None = None, timeout: float = 30.0
    ) -> list[Captured]:
        """Block until at least `count` requests (to `path`) arrived.

        Args:
            count: How many.
            path: Only requests to this path count (None: all).
            timeout: Real seconds (a guard against a hang, not a deadline to race).

        Returns:
            The requests (to `path`).

        Raises:
            TimeoutError: Fewer arrived in time; the message says how many did.
        """
        with self._lock:
            arrived = self._lock.wait_for(
                lambda: len(self.received(path)) >= count, timeout=timeout
            )
            if not arrived:
                got = len(self.received(path))
                raise TimeoutError(f"{got} of {count} requests to {path or 'any path'} arrived")
            return self.received(path)

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            script = self._scripts.get(path)
            if not script:
                return Reply()
            if len(script) > 1:
                return script.popleft()
            self._repeating.add(path)
            return script[0]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Record the request, then answer from the script."""
        request = Request(scope, receive)
        body = await request.body()
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        captured = Captured(
            method=request.method,
            path=request.url.path,
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            url=str(request.url),
            at=time.monotonic(),
        )
        reply = self._next_reply(captured.path)
        with self._lock:
            self._requests.append(captured)
            self._lock.notify_all()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        response = Response(reply.body, reply.status, headers=reply.headers)
        await response(scope, receive, send)


@contextmanager
def run_receiver() -> Iterator[CapturingReceiver]:
    """Serve a `CapturingReceiver` on 127.0.0.1 in a thread until the block ends.

    Yields:
        The receiver.

    Raises:
        RuntimeError: It did not start within 10 seconds.
    """
    port = free_port()
    receiver = CapturingReceiver(f"http://{HOST}:{port}")
    with serve(receiver, port, name="capturing-receiver"):
        yield receiver
