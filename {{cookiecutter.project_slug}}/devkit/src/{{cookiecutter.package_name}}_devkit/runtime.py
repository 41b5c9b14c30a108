"""Process plumbing shared by `local_stack` and `local_system`.

One running stack per process (they set the process environment and share the AWS client
caches), moto server in a thread or a child process, the environment the deployed functions
get, and the Lambda entry points imported afresh for it.
"""

import importlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType

from aws_lambda_powertools.utilities import parameters
from moto.server import ThreadedMotoServer

from {{ cookiecutter.package_name }}.aws.clients import (
    dynamodb_client,
    secretsmanager_client,
    session,
    sqs_client,
    ssm_client,
)
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.qstash.client import default_publisher

from .qstash_double.server import free_port

HOST = "127.0.0.1"
REGION = "us-east-1"
ENTRYPOINTS = "{{ cookiecutter.package_name }}.entrypoints"
_one_at_a_time = threading.Lock()


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold the one-per-process lock for the block.

    Raises:
        RuntimeError: A local stack or system already runs in this process.
    """
    if not _one_at_a_time.acquire(blocking=False):
        raise RuntimeError(
            "a local stack or system is already running in this process; stop it first "
            "(they share the process environment and the AWS client caches)"
        )
    try:
        yield
    finally:
        _one_at_a_time.release()


@contextmanager
def moto_in_thread() -> Iterator[str]:
    """Run moto server in a thread of this process.

    Yields:
        Its URL, e.g. `http://127.0.0.1:54321`.
    """
    port = free_port()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's access log
    moto = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    moto.start()
    try:
        yield f"http://{HOST}:{port}"
    finally:
        moto.stop()


@contextmanager
def moto_in_process(timeout: float = 30.0) -> Iterator[str]:
    """Run moto in a child process (see `moto_server`) until the block ends.

    Its own process, so its CPU does not compete with the app's for this process's GIL.

    Args:
        timeout: Real seconds to wait for it to accept connections.

    Yields:
        Its URL, e.g. `http://127.0.0.1:54321`.

    Raises:
        RuntimeError: It exited or did not accept connections in time; the message ends
            with the last lines it wrote to stderr.
    """
    port = free_port()
    command = [sys.executable, "-m", f"{__package__}.moto_server", "--port", str(port)]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors
        )
        try:
            deadline = time.monotonic() + timeout
            while not _accepts_connections(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    said = errors.read().decode(errors="replace").strip().splitlines()[-5:]
                    raise RuntimeError(
                        f"moto server did not start on {HOST}:{port}: " + " | ".join(said)
                    )
                time.sleep(0.02)
            yield f"http://{HOST}:{port}"
        finally:
            # Everything it holds is in memory and thrown away: no graceful shutdown needed.
            process.kill()
            process.wait()


def _accepts_connections(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def base_environment(aws_endpoint_url: str, base_url: str, log_level: str) -> dict[str, str]:
    """The environment the deployed functions get, pointed at moto and this app's URL.

    Args:
        aws_endpoint_url: moto server's URL (`AWS_ENDPOINT_URL`).
        base_url: The app's URL (`PUBLIC_BASE_URL`).
        log_level: `LOG_LEVEL`.

    Returns:
        Variable names to values (`ENVIRONMENT=development`).
    """
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": aws_endpoint_url,
        "ENVIRONMENT": "development",
        "PUBLIC_BASE_URL": base_url,
        "LOG_LEVEL": log_level,
    }


@contextmanager
def process_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block; restore the old ones after.

    Settings and AWS clients are cached per process: the caches are cleared on entry and on
    exit, so nothing built for one environment is used in another.

    Args:
        values: Variable names to values.
    """
    saved = dict(os.environ)
    os.environ.update(values)
    clear_caches()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        clear_caches()


def clear_caches() -> None:
    """Forget settings and AWS clients built for another environment."""
    get_settings.cache_clear()
    for factory in (session, sqs_client, dynamodb_client, ssm_client, secretsmanager_client):
        factory.cache_clear()
    default_publisher.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped


def load_entrypoints() -> tuple[ModuleType, ModuleType]:
    """Import both Lambda entry points afresh, so they read the current environment.

    They configure everything at import time (the Lambda init phase); an earlier import in
    this process (another stack, a test) would carry another environment's settings.

    Returns:
        The `lambda_ingest` and `lambda_worker` modules.
    """
    return _fresh(f"{ENTRYPOINTS}.lambda_ingest"), _fresh(f"{ENTRYPOINTS}.lambda_worker")


def _fresh(name: str) -> ModuleType:
    module = sys.modules.get(name)
    return importlib.reload(module) if module else importlib.import_module(name)
