"""The whole Cloud Functions system on 127.0.0.1, with nothing reaching the internet.

`local_system` runs the Firestore emulator, the local QStash double and a real
`functions-framework` process serving `entrypoints/gcp_main.py` (`make dev`, `make demo`, the
end-to-end tests). A message's life is the deployed one: the double delivers to the job
route, the app re-publishes the job through the double to its own worker route and answers
202, the double delivers the job to the worker route, which runs it once, and both
deliveries report to the callback routes. Everything the app records is in the emulator's
Firestore, where this process reads it with its own client (`LocalSystem.services.store`).
"""

import json
import os
import secrets
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.gcp.firestore import firestore_client
from {{ cookiecutter.package_name }}.gcp.wiring import gcp_services
from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.jobs import JobRegistry
from {{ cookiecutter.package_name }}.paths import worker_path
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.client import Publisher, default_publisher
from {{ cookiecutter.package_name }}.qstash.rest import QStashApi
from {{ cookiecutter.package_name }}.services import Services

from .firestore_emulator import FirestoreEmulator, firestore_emulator
from .functions_server import FunctionsServer, functions_server
from .qstash_double import DoubleSettings, RunningDouble, run_double
from .qstash_double.server import HOST, free_port
from .signer import new_signing_key

__all__ = ["HOST", "LocalSystem", "local_system"]

_one_at_a_time = threading.Lock()


@dataclass(frozen=True)
class LocalSystem:
    """The whole Cloud Functions system running on 127.0.0.1.

    Attributes:
        base_url: The function's URL (also its `PUBLIC_BASE_URL`), e.g.
            `http://127.0.0.1:54321`.
        qstash: The QStash double (switches, key roll, DLQ, attempts, `fast_forward`).
        firestore: The Firestore emulator the function stores its records in.
        server: The functions-framework process (its recent output for failures).
        services: Services built in this process on the same Firestore project: read the
            function's records with `services.store` (outcomes, dead letters).
        variables: The environment the function runs with (see `environment`).
        runs: Counts the worker's runs from the function's log (`worker_runs`).
    """

    base_url: str
    qstash: RunningDouble
    firestore: FirestoreEmulator
    server: FunctionsServer
    services: Services
    variables: Mapping[str, str] = field(default_factory=dict, repr=False)
    runs: "WorkerRunCounter" = field(default_factory=lambda: WorkerRunCounter(), repr=False)

    def endpoints(self) -> dict[str, str]:
        """What runs where, by what the environment calls it: function, QStash, Firestore."""
        return {
            "function (PUBLIC_BASE_URL, functions-framework)": self.base_url,
            "QStash (QSTASH_URL, the local double)": self.qstash.base_url,
            "Firestore (FIRESTORE_EMULATOR_HOST, the emulator)": self.firestore.host_port,
        }

    def worker_messages(self, message_id: str) -> list[str]:
        """The QStash messages that carried the job of `message_id` to the worker route.

        One per accepted hand-off: QStash drops a second re-publish with the same
        deduplication id (the original message id).
        """
        prefix = self.base_url + worker_path("")
        return [
            message.message_id
            for message in self.qstash.double.messages(kind="message")
            if message.url.startswith(prefix)
            and JobEnvelope.from_json(message.body.decode()).message_id == message_id
        ]

    def worker_runs(self, message_id: str) -> int:
        """How many times the worker ran the job of `message_id`, by the function's own log.

        Counts its "running job" records (logged at INFO: start the system with `log_level`
        INFO or DEBUG), which name the worker delivery's message id.
        """
        return sum(self.runs.runs[worker] for worker in self.worker_messages(message_id))

    def environment(self) -> dict[str, str]:
        """The environment the function runs with; a process with it can act on this system.

        `QSTASH_URL` / `QSTASH_TOKEN` and the signing keys are the double's,
        `FIRESTORE_EMULATOR_HOST` / `GOOGLE_CLOUD_PROJECT` the emulator's (the CLI reads them).
        """
        return dict(self.variables)

    def publisher(self, *, jobs: JobRegistry | None = None) -> Publisher:
        """A publisher that sends through the double to this function's job routes.

        Args:
            jobs: The registry payloads are validated with (default: the application's).
        """
        api = QStashApi(base_url=self.qstash.base_url, token=self.qstash.token)
        return Publisher(api, public_base_url=self.base_url, jobs=jobs)

    def wait_until_settled(self, timeout: float = 60.0) -> None:
        """Block until QStash has nothing left to deliver, worker deliveries included.

        QStash's waits (delays, back-off, `Retry-After`) are jumped over with
        `QStashDouble.fast_forward`; the re-published job is a message of the double too, so
        when this returns every job has run, or sits in QStash's DLQ.

        Args:
            timeout: Real seconds; a hang guard.

        Raises:
            TimeoutError: Messages are still pending in the double.
        """
        self.qstash.double.fast_forward(timeout)

    @contextmanager
    def handoff_down(self) -> Iterator[None]:
        """Make the hand-off fail for the block: QStash refuses the re-publish to the worker.

        The job route then answers 503 with `Retry-After`, and QStash retries the delivery.
        """
        double = self.qstash.double
        double.configure(refuse_publish_to=self.base_url + worker_path(""))
        try:
            yield
        finally:
            double.configure(refuse_publish_to=None)


@contextmanager
def local_system(
    qstash: DoubleSettings | None = None,
    *,
    log_level: str = "WARNING",
    firestore: FirestoreEmulator | None = None,
    job_modules: Sequence[str] = (),
    cwd: Path | None = None,
    show_logs: bool = False,
) -> Iterator[LocalSystem]:
    """Run the Firestore emulator, the QStash double and the function until the block ends.

    The function gets the environment `gcloud functions deploy` gives it, pointed at this
    machine: `PUBLIC_BASE_URL` is its own URL, `QSTASH_URL` / `QSTASH_TOKEN` and the
    signing keys are the double's, `FIRESTORE_EMULATOR_HOST` the emulator's,
    `ENVIRONMENT=development`. This process's environment is set the same way until the
    block ends (the CLI and `services` read it).

    Args:
        qstash: The double's switches (default: the documented defaults on a manual clock,
            so QStash's waits pass only when `wait_until_settled` or the double's `advance`
            jumps over them).
        log_level: The function's log level.
        firestore: An emulator already running, shared between systems (default: one is
            started and stopped with the system). Each system uses a project of its own.
        job_modules: Modules the function imports before the app, e.g. test jobs.
        cwd: The function's working folder, where `job_modules` are found.
        show_logs: Print the function's output (its logs) to this process's stderr.

    Yields:
        The running system.

    Raises:
        RuntimeError: Another local system runs in this process.
        StartError: The emulator or the function did not start; the message ends with
            its output.
    """
    if not _one_at_a_time.acquire(blocking=False):
        raise RuntimeError("a local system is already running in this process; stop it first")
    try:
        settings = qstash or DoubleSettings(time_scale=None)
        app_port = free_port()
        base_url = f"http://{HOST}:{app_port}"
        keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
        token = secrets.token_urlsafe(24)
        with ExitStack() as stack:
            emulator = firestore or stack.enter_context(firestore_emulator())
            project = f"demo-{secrets.token_hex(4)}" if firestore else emulator.project
            running = stack.enter_context(run_double(settings, token=token, keys=keys))
            variables = (
                running.environment()
                | emulator.environment()
                | {
                    "GOOGLE_CLOUD_PROJECT": project,
                    "ENVIRONMENT": "development",
                    "PUBLIC_BASE_URL": base_url,
                    "LOG_LEVEL": log_level,
                }
            )
            stack.enter_context(_process_environment(variables))
            runs = WorkerRunCounter(echo=show_logs)
            server = stack.enter_context(
                functions_server(
                    variables,
                    port=app_port,
                    job_modules=job_modules,
                    cwd=cwd,
                    on_line=runs.read,
                )
            )
            services = gcp_services(get_settings())
            yield LocalSystem(base_url, running, emulator, server, services, variables, runs)
    finally:
        _one_at_a_time.release()


class WorkerRunCounter:
    """Reads the function's log lines: counts "running job" records per message id.

    The app logs one JSON object per line; its `message_id` is the worker delivery's.

    Args:
        echo: Also print every line to stderr.
    """

    def __init__(self, *, echo: bool = False) -> None:
        self.runs: Counter[str] = Counter()
        self._echo = echo
        self._lock = threading.Lock()

    def read(self, line: str) -> None:
        """Take one line of the function's output."""
        if self._echo:
            print(line, file=sys.stderr, flush=True)
        if '"running job"' not in line:
            return
        try:
            record = json.loads(line)
        except ValueError:
            return
        if isinstance(record, dict) and record.get("message") == "running job":
            with self._lock:
                self.runs[str(record.get("message_id"))] += 1


@contextmanager
def _process_environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block, forgetting what was built from the old ones."""
    saved = dict(os.environ)
    os.environ.update(values)
    _clear_caches()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        _clear_caches()


def _clear_caches() -> None:
    get_settings.cache_clear()
    firestore_client.cache_clear()
    default_publisher.cache_clear()
