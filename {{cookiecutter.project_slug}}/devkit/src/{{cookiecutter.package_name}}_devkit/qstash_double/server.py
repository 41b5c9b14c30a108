"""Serve a `QStashDouble` over HTTP on 127.0.0.1 (uvicorn in a thread), as a context manager.

Point the official SDK at it with `QStash(running.token, base_url=running.base_url)` or the
environment `QSTASH_URL` / `QSTASH_TOKEN` (https://upstash.com/docs/qstash/howto/local-development).
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from {{ cookiecutter.package_name }}.qstash import SigningKeys

from .app import create_app
from .config import DoubleSettings
from .double import QStashDouble

HOST = "127.0.0.1"


@dataclass(frozen=True)
class RunningDouble:
    """A double being served.

    Attributes:
        base_url: The REST API's base URL, e.g. `http://127.0.0.1:54321`.
        double: The double (switches, key roll, inspection, `wait_until_settled`).
    """

    base_url: str
    double: QStashDouble

    @property
    def token(self) -> str:
        """The bearer token the API accepts."""
        return self.double.token

    @property
    def keys(self) -> SigningKeys:
        """The live signing keys (they change when rolled)."""
        return self.double.keys

    def environment(self) -> dict[str, str]:
        """The variables an app or SDK reads: QSTASH_URL, _TOKEN, _CURRENT/NEXT_SIGNING_KEY."""
        return {
            "QSTASH_URL": self.base_url,
            "QSTASH_TOKEN": self.token,
            "QSTASH_CURRENT_SIGNING_KEY": self.keys.current,
            "QSTASH_NEXT_SIGNING_KEY": self.keys.next,
        }


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class DoubleHost:
    """One HTTP server whose double can be replaced: a fresh double per test, one server.

    Between doubles it answers 503 `{"error": ...}`.

    Args:
        base_url: Where the server listens.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the call to the current double's app."""
        app = self._app
        if app is not None:
            await app(scope, receive, send)
        elif scope["type"] == "http":
            await JSONResponse({"error": "no QStash double is running"}, 503)(scope, receive, send)

    @contextmanager
    def run(
        self,
        settings: DoubleSettings | None = None,
        *,
        token: str | None = None,
        keys: SigningKeys | None = None,
    ) -> Iterator[RunningDouble]:
        """Serve a new double here until the block ends (its engine stops then).

        Args:
            settings: The switches (default: the documented defaults).
            token: Bearer token (default: random).
            keys: Initial signing keys (default: random).

        Yields:
            The running double.
        """
        double = QStashDouble(settings, token=token, keys=keys)
        with double:
            self._app = create_app(double)
            try:
                yield RunningDouble(self.base_url, double)
            finally:
                double.closing = True  # releases requests held by the `hang` switch
                self._app = None


@contextmanager
def serve_doubles(port: int | None = None) -> Iterator[DoubleHost]:
    """Start the HTTP server of a `DoubleHost` on 127.0.0.1; stop it on exit.

    Args:
        port: TCP port (default: a free one).

    Yields:
        The host; start a double on it with `host.run(...)`.
    """
    port = port or free_port()
    host = DoubleHost(f"http://{HOST}:{port}")
    with serve(host, port, name="qstash-double-http"):
        yield host


@contextmanager
def run_double(
    settings: DoubleSettings | None = None,
    *,
    port: int | None = None,
    token: str | None = None,
    keys: SigningKeys | None = None,
) -> Iterator[RunningDouble]:
    """Start a double (engine and HTTP API on 127.0.0.1) and stop both on exit.

    Args:
        settings: The switches (default: the documented defaults).
        port: TCP port (default: a free one).
        token: Bearer token (default: random).
        keys: Initial signing keys (default: random).

    Yields:
        The running double.

    Raises:
        RuntimeError: The server did not start within 10 seconds.
    """
    with serve_doubles(port) as host, host.run(settings, token=token, keys=keys) as running:
        yield running


@contextmanager
def serve(app: ASGIApp, port: int, *, name: str) -> Iterator[None]:
    """Run an ASGI app under uvicorn on 127.0.0.1 in a daemon thread until the block ends.

    Args:
        app: The app.
        port: TCP port.
        name: Thread name.

    Raises:
        RuntimeError: The server did not start within 10 seconds.
    """
    config = uvicorn.Config(
        app,
        host=HOST,
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start on {HOST}:{port}")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
