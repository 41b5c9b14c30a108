"""Serve the Cloud Functions entry point with a real `functions-framework` process on 127.0.0.1.

The same server Cloud Functions (2nd gen) runs the function with: functions-framework in
ASGI mode (`--asgi`: gunicorn with a uvicorn worker, `functions_framework.aio`) calling the
`handler` target of `entrypoints/gcp_main.py`. It runs as a process group of its own
(`processes.py`), with the environment it is given, and is ready once the app answers
`GET /health`.
"""

import importlib.util
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .processes import RunningGroup, process_group
from .qstash_double.server import free_port

HOST = "127.0.0.1"
ENTRY_POINT = "{{ cookiecutter.package_name }}.entrypoints.gcp_main"
TARGET = "handler"
START_TIMEOUT = 120.0
"""Seconds to wait for the app to answer: a hang guard (it imports the app in 2-10 s)."""
JOB_MODULES_VARIABLE = "DEVKIT_JOB_MODULES"
"""Comma-separated modules `job_modules_source.py` imports before the entry point."""


@dataclass(frozen=True)
class FunctionsServer:
    """A running functions-framework process.

    Attributes:
        base_url: Where it listens, e.g. `http://127.0.0.1:54321`.
        process_group: The id of its process group (gunicorn and its uvicorn worker).
        group: The running group (its recent output: `group.output.tail()`).
    """

    base_url: str
    process_group: int
    group: RunningGroup


def entry_point_source() -> Path:
    """The file of the entry point, as `gcloud functions deploy --source` ships it."""
    spec = importlib.util.find_spec(ENTRY_POINT)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{ENTRY_POINT} is not installed in this environment")
    return Path(spec.origin)


def command(port: int, source: Path) -> list[str]:
    """The functions-framework command serving `source`'s `handler` on 127.0.0.1:`port`."""
    executable = Path(sys.executable).with_name("functions-framework")
    return [
        str(executable),
        f"--target={TARGET}",
        f"--source={source}",
        "--signature-type=http",
        "--asgi",
        f"--host={HOST}",
        f"--port={port}",
    ]


@contextmanager
def functions_server(
    environment: Mapping[str, str],
    *,
    port: int | None = None,
    job_modules: Sequence[str] = (),
    cwd: Path | None = None,
    timeout: float = START_TIMEOUT,
    on_line: Callable[[str], None] | None = None,
) -> Iterator[FunctionsServer]:
    """Run functions-framework serving the app until the block ends.

    Args:
        environment: Variables set for the function on top of this process's environment
            (`PUBLIC_BASE_URL`, `QSTASH_*`, `FIRESTORE_EMULATOR_HOST`, ...).
        port: Its TCP port on 127.0.0.1 (default: a free one).
        job_modules: Modules to import before the app, e.g. test jobs (`tests.e2e.jobs`);
            then the served source is `job_modules_source.py`, else the entry point itself.
        cwd: Its working folder, where `job_modules` are found (default: this process's).
        timeout: Real seconds to wait until `GET /health` answers 200; a hang guard.
        on_line: Called with each line it writes (its logs), in the thread that reads them.

    Yields:
        The running server.

    Raises:
        StartError: It exited or did not answer in time; the message ends with its output.
    """
    port = port or free_port()
    base_url = f"http://{HOST}:{port}"
    source = entry_point_source()
    variables = dict(os.environ) | dict(environment)
    if job_modules:
        source = Path(__file__).with_name("job_modules_source.py")
        variables[JOB_MODULES_VARIABLE] = ",".join(job_modules)
        folder = str(cwd or Path.cwd())
        variables["PYTHONPATH"] = os.pathsep.join(
            filter(None, (folder, variables.get("PYTHONPATH")))
        )
    # gunicorn stops at once on SIGINT; SIGTERM would wait for its graceful timeout (30 s).
    with process_group(
        command(port, source),
        name="functions-framework",
        env=variables,
        cwd=cwd,
        stop_signal=signal.SIGINT,
        on_line=on_line,
    ) as group:
        group.wait_until(lambda: _healthy(base_url), timeout, f"answer GET {base_url}/health")
        yield FunctionsServer(base_url, group.group, group)


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
