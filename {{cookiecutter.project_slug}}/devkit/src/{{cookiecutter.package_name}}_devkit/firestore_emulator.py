"""Run Google's Firestore emulator on 127.0.0.1 for tests, `make dev` and `make demo`.

`gcloud emulators firestore start` is a gcloud (Python) process that starts a bash wrapper,
which starts the emulator itself, a `java` process. All three run as one process group of
their own (`processes.py`): the group is stopped as a whole, also after a Ctrl-C.

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

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from .processes import StartError, process_group
from .qstash_double.server import free_port

HOST = "127.0.0.1"
DEFAULT_PROJECT = "demo-local"
READY_LINE = "Dev App Server is now running"
"""What the emulator prints once it answers requests."""
START_TIMEOUT = 120.0
"""Seconds to wait for `READY_LINE`: it takes about 20 s on a loaded machine, 5 s on an idle one.
Only a hang guard: the wait ends as soon as the line appears."""
CALL_TIMEOUT = 60.0
"""Seconds one store call may take against the emulator (`FIRESTORE_TIMEOUT_SECONDS`). The
deployed default, 5 s, fits Firestore itself; the emulator, a JVM on a loaded laptop, answers
its first calls far slower. Only a hang guard: a call returns as soon as it is answered."""
# gcloud asks nothing and checks for updates never: both could hang or reach the internet.
GCLOUD_ENVIRONMENT = {
    "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
}


class EmulatorError(StartError):
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
        """The variables that point the app's Firestore store at this emulator and project."""
        return {
            "FIRESTORE_EMULATOR_HOST": self.host_port,
            "GOOGLE_CLOUD_PROJECT": self.project,
            "FIRESTORE_TIMEOUT_SECONDS": str(CALL_TIMEOUT),
        }

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
    argv = list(argv) if argv is not None else command(port)
    if shutil.which(argv[0]) is None:
        raise FileNotFoundError(
            f"{argv[0]} is not installed: the Firestore emulator comes with the Google Cloud "
            "CLI (https://cloud.google.com/sdk/docs/install), then `gcloud components install "
            "cloud-firestore-emulator` (Java 11 or newer)"
        )
    with process_group(
        argv,
        name="the Firestore emulator",
        ready_line=READY_LINE,
        env=os.environ | GCLOUD_ENVIRONMENT,
    ) as group:
        group.wait_until(
            group.output.ready.is_set,
            timeout,
            f"say {READY_LINE!r} on {HOST}:{port}",
            error=EmulatorError,
        )
        yield FirestoreEmulator(f"{HOST}:{port}", project, group.group)
