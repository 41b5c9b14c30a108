"""A small stand-in for QStash's REST API on 127.0.0.1, for the publisher, DLQ and CLI tests.

It records every request and answers with whatever the test sets as `responder`. It is not
the local QStash double (no delivery, no signing): only what a test of a REST client needs,
including a server that accepts connections and never answers.
"""

import itertools
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from {{ cookiecutter.package_name }}_devkit.qstash_double.server import (
    HOST,
    free_port,
    serve,
)

TOKEN = "test-qstash-token-0123456789abcdef"  # noqa: S105 - a made-up test token


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Responder = Callable[[Recorded], Response]


@dataclass
class FakeQStash:
    """Records requests; answers publish and batch calls with fresh message ids by default."""

    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    responder: Responder | None = None
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.responder = None

    def next_message_id(self) -> str:
        with self._lock:
            return f"msg_{next(self._ids)}"

    def answer(self, request: Recorded) -> Response:
        if self.responder is not None:
            return self.responder(request)
        if request.path.startswith("/v2/publish/"):
            return JSONResponse({"messageId": self.next_message_id()})
        if request.path == "/v2/batch":
            return JSONResponse([{"messageId": self.next_message_id()} for _ in request.json()])
        return JSONResponse({"error": "not found"}, status_code=404)

    async def endpoint(self, request: Request) -> Response:
        recorded = Recorded(
            method=request.method,
            path=request.scope["raw_path"].decode("ascii"),
            query=dict(request.query_params),
            headers={name.lower(): value for name, value in request.headers.items()},
            body=await request.body(),
        )
        with self._lock:
            self.requests.append(recorded)
        return self.answer(recorded)

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", self.endpoint, methods=methods)])


@contextmanager
def serve_fake_qstash() -> Iterator[FakeQStash]:
    """Run a `FakeQStash` under uvicorn in a thread on 127.0.0.1."""
    fake = FakeQStash()
    port = free_port()
    fake.base_url = f"http://{HOST}:{port}"
    with serve(fake.app(), port, name="fake-qstash"):
        yield fake


@dataclass
class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never sends a byte."""

    base_url: str
    connections: list[socket.socket]


@contextmanager
def serve_silently() -> Iterator[SilentServer]:
    """Run a `SilentServer` in a thread; closes every connection on exit."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen()
    listener.settimeout(0.05)
    silent = SilentServer(f"http://{HOST}:{listener.getsockname()[1]}", [])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            silent.connections.append(connection)

    thread = threading.Thread(target=accept, name="silent-server", daemon=True)
    thread.start()
    try:
        yield silent
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in silent.connections:
            connection.close()
        listener.close()


def publish_response(message_id: str, *, status: int = 200, **extra: Any) -> JSONResponse:
    """QStash's answer to a publish: `{"messageId": ...}` plus any extra fields."""
    return JSONResponse({"messageId": message_id, **extra}, status_code=status)
