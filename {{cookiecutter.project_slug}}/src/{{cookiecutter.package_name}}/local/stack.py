"""Run the receiver on this machine: moto server for AWS, uvicorn for the app, on 127.0.0.1.

Used by `make demo` and `make dev`. Nothing here reaches the internet.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from moto.server import ThreadedMotoServer

from ..qstash import SigningKeys
from .aws_resources import LocalResources, create_resources
from .signer import new_signing_key

HOST = "127.0.0.1"


@dataclass(frozen=True)
class LocalStack:
    """The running pieces.

    Attributes:
        base_url: Where the app listens, e.g. `http://127.0.0.1:8000`.
        aws_endpoint_url: Where the moto server listens.
        keys: The signing keys the app trusts (stored in the moto secret).
        resources: The queue, tables and secret.
    """

    base_url: str
    aws_endpoint_url: str
    keys: SigningKeys
    resources: LocalResources


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def local_stack(app_port: int | None = None, log_level: str = "WARNING") -> Iterator[LocalStack]:
    """Start moto server and the app (the Lambda ingest entry point's app) under uvicorn.

    Sets this process's environment the way the deployed function's is set, pointing AWS
    clients at moto. Stops both servers on exit.

    Args:
        app_port: Port for the app (default: a free one).
        log_level: The app's log level.

    Yields:
        The running stack.
    """
    moto_port, app_port = free_port(), app_port or free_port()
    aws_endpoint_url = f"http://{HOST}:{moto_port}"
    base_url = f"http://{HOST}:{app_port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": aws_endpoint_url,
            "ENVIRONMENT": "development",
            "PUBLIC_BASE_URL": base_url,
            "LOG_LEVEL": log_level,
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's access log
    moto = ThreadedMotoServer(ip_address=HOST, port=moto_port, verbose=False)
    moto.start()
    try:
        keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
        resources = create_resources(keys)
        os.environ.update(resources.environment())
        with _serve(app_port):
            yield LocalStack(base_url, aws_endpoint_url, keys, resources)
    finally:
        moto.stop()


@contextmanager
def _serve(port: int) -> Iterator[None]:
    # Imported here: the entry point reads the environment set above at import time.
    from ..entrypoints.lambda_ingest import app

    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the app did not start on {HOST}:{port}")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def worker_handler() -> Any:
    """Return the worker Lambda's handler, imported after the environment is set."""
    from ..entrypoints.lambda_worker import handler

    return handler
