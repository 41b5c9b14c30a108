"""Run Google's Firestore emulator on 127.0.0.1 for tests, `make dev` and `make demo`.

`gcloud emulators firestore start` is a gcloud (Python) process that starts a bash wrapper,
which starts the emulator itself, a `java` process. All three get a process group of their
own, so stopping the group stops all of them, and a Ctrl-C in the terminal reaches this
process only (which then stops the group on its way out).

google-cloud-firestore talks to the emulator instead of Google when `FIRESTORE_EMULATOR_HOST`
is set (https://cloud.google.com/firestore/docs/emulator); the emulator keeps everything in
memory and accepts any project id (`demo-...` ids are the convention for projects that exist
only locally).

Use it as a context manager:

    with firestore_emulator() as emulator:
        os.environ.update(emulator.environment())
        ...
        emulator.reset()  # every document of the project gone, e.g. between tests
"""

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

import httpx

from .qstash_double.server import free_port

HOST = "127.0.0.1"
DEFAULT_PROJECT = "demo-local"
READY_LINE = "Dev App Server is now running"
"""What the emulator prints once it answers requests."""
START_TIMEOUT = 120.0
"""Seconds to wait for `READY_LINE`: it takes about 20 s on a loaded machine, 5 s on an idle one.
Only a hang guard: the wait ends as soon as the line appears."""
STOP_TIMEOUT = 15.0
"""Seconds the emulator gets to exit after SIGTERM before the group is killed."""
KEPT_LINES = 200
"""Lines of the emulator's output kept for error messages (it logs every connection)."""
# gcloud asks nothing and checks for updates never: both could hang or reach the internet.
GCLOUD_ENVIRONMENT = {
    "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
}


class EmulatorError(RuntimeError):
    """The emulator did not start, or refused a request; the message ends with its output."""


@dataclass(frozen=True)
class FirestoreEmulator:
    """A running Firestore emulator.

    Attributes:
        host_port: Where it listens, e.g. `127.0.0.1:54321` (`FIRESTORE_EMULATOR_HOST`).
        project: The Google Cloud project id the environment names (`GOOGLE_CLOUD_PROJECT`).
        process_group: The id of its process group (gcloud, the bash wrapper, java).
    """

    host_port: str
    project: str
    process_group: int

    @property
    def base_url(self) -> str:
        """Its REST endpoint, e.g. `http://127.0.0.1:54321`."""
        return f"http://{self.host_port}"

    def environment(self) -> dict[str, str]:
        """The variables that point google-cloud-firestore at this emulator and project."""
        return {"FIRESTORE_EMULATOR_HOST": self.host_port, "GOOGLE_CLOUD_PROJECT": self.project}

    def reset(self, project: str | None = None, database: str = "(default)") -> None:
        """Delete every document of one database of a project, e.g. between tests.

        Uses the emulator's own endpoint,
        `DELETE /emulator/v1/projects/<project>/databases/<database>/documents`
        (https://firebase.google.com/docs/emulator-suite/connect_firestore#clear_your_database_between_tests).

        Args:
            project: The project to empty (default: this emulator's `project`).
            database: The database id (`FIRESTORE_DATABASE`).

        Raises:
            EmulatorError: The emulator answered with an error.
            httpx.HTTPError: It could not be reached.
        """
        path = (
            f"/emulator/v1/projects/{quote(project or self.project, safe='')}"
            f"/databases/{quote(database, safe='()')}/documents"
        )
        response = httpx.delete(self.base_url + path, timeout=30)
        if response.is_error:
            raise EmulatorError(
                f"the emulator refused to reset {path}: {response.status_code} {response.text}"
            )


class _Output:
    """Reads the emulator's output in a thread: keeps the last lines, notes the ready line.

    The pipe is drained for as long as the emulator runs, so a chatty emulator never blocks
    on a full pipe, and memory stays bounded.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
        self.ready = threading.Event()
        self._thread = threading.Thread(
            target=self._read, args=(stream,), name="firestore-emulator-output", daemon=True
        )
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip())
            if READY_LINE in line:
                self.ready.set()

    def tail(self, count: int = 15) -> str:
        """The last `count` lines, one per line."""
        return "\n".join(list(self.lines)[-count:])

    def join(self, timeout: float) -> None:
        """Wait for the end of the output (the emulator has exited)."""
        self._thread.join(timeout)


def command(port: int, gcloud: str = "gcloud") -> list[str]:
    """The command that starts the emulator on 127.0.0.1:`port`.

    Args:
        port: TCP port for its API.
        gcloud: The gcloud executable.
    """
    return [gcloud, "emulators", "firestore", "start", f"--host-port={HOST}:{port}"]


@contextmanager
def firestore_emulator(
    project: str = DEFAULT_PROJECT,
    *,
    port: int | None = None,
    timeout: float = START_TIMEOUT,
    argv: Sequence[str] | None = None,
) -> Iterator[FirestoreEmulator]:
    """Start the Firestore emulator, wait until it answers, stop it when the block ends.

    It stops on every way out of the block: normal end, exception, Ctrl-C (SIGINT reaches
    this process, not the emulator's own process group).

    Args:
        project: The project id `environment` names (any id works; data is per project).
        port: Its TCP port on 127.0.0.1 (default: a free one).
        timeout: Real seconds to wait for it to say it runs; a hang guard, not a speed limit.
        argv: The command to run instead of `command(port)` (it must print `READY_LINE`).

    Yields:
        The running emulator.

    Raises:
        EmulatorError: It exited, or did not say it runs within `timeout`; the message ends
            with its last output lines. gcloud missing: `FileNotFoundError` says so.
    """
    port = port or free_port()
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, gcloud from PATH
            list(argv) if argv is not None else command(port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group: stop all of it, keep Ctrl-C
            env=os.environ | GCLOUD_ENVIRONMENT,
        )
    except FileNotFoundError as missing:
        raise FileNotFoundError(
            f"{missing.filename} is not installed: the Firestore emulator comes with the "
            "Google Cloud CLI (https://cloud.google.com/sdk/docs/install), then "
            "`gcloud components install cloud-firestore-emulator` (Java 11 or newer)"
        ) from missing
    assert process.stdout is not None  # noqa: S101 - stdout=PIPE above
    output = _Output(process.stdout)
    try:
        _wait_until_ready(process, output, port, timeout)
        yield FirestoreEmulator(f"{HOST}:{port}", project, process.pid)
    finally:
        stop(process)
        output.join(STOP_TIMEOUT)
        process.stdout.close()


def _wait_until_ready(
    process: "subprocess.Popen[str]", output: _Output, port: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not output.ready.wait(0.1):
        if process.poll() is not None:
            output.join(STOP_TIMEOUT)  # its last words
            raise EmulatorError(
                f"the Firestore emulator exited with status {process.returncode} before it "
                f"ran on {HOST}:{port}; it said:\n{output.tail()}"
            )
        if time.monotonic() > deadline:
            raise EmulatorError(
                f"the Firestore emulator did not say {READY_LINE!r} within {timeout:.0f} s "
                f"on {HOST}:{port}; it said:\n{output.tail()}"
            )


def stop(process: "subprocess.Popen[str]", timeout: float = STOP_TIMEOUT) -> None:
    """Stop the emulator's whole process group (gcloud, the bash wrapper, java).

    SIGTERM first (the JVM shuts down cleanly), SIGKILL for what is left after `timeout`
    seconds. Stopping a group that has already exited does nothing.

    Args:
        process: The `gcloud emulators firestore start` process, leader of its group.
        timeout: Seconds to wait for the group to exit after SIGTERM.
    """
    group = process.pid  # start_new_session: the group id is the leader's pid
    _signal_group(group, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    # The wrapper's children may outlive gcloud: wait for the whole group, then kill the rest.
    if not _wait_for_group_exit(group, timeout):
        _signal_group(group, signal.SIGKILL)
        _wait_for_group_exit(group, timeout)
    process.wait()


def _wait_for_group_exit(group: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _group_alive(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _signal_group(group: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # every member has exited already
        os.killpg(group, signum)


def _group_alive(group: int) -> bool:
    """Whether a process of the group still exists (until its parent or init reaps it)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
