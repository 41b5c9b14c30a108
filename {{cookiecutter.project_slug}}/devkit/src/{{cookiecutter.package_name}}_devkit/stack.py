"""Run the receiver on this machine, on 127.0.0.1, with nothing reaching the internet.

`local_stack`: moto server for AWS and the app under uvicorn (`make demo`, `make dev`).
`local_system`: the whole system: moto server, the local QStash double, the app under uvicorn
publishing through the double, and an SQS poller running the worker Lambda's handler
(end-to-end tests, the chaos test, `make soak`). One of them at a time per process: both set
this process's environment the way the deployed functions' is set.
"""

import dataclasses
import logging
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from {{ cookiecutter.package_name }}.aws.clients import sqs_client
from {{ cookiecutter.package_name }}.errors import HandoffError
from {{ cookiecutter.package_name }}.handoff import Handoff, JobEnvelope
from {{ cookiecutter.package_name }}.jobs import JobRegistry
from {{ cookiecutter.package_name }}.observability import message_id_var
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.client import Publisher
from {{ cookiecutter.package_name }}.qstash.rest import QStashApi
from {{ cookiecutter.package_name }}.services import Services

from .aws_resources import LocalResources, create_resources
from .event_source import SqsEventSource
from .qstash_double import DoubleSettings, RunningDouble, run_double
from .qstash_double.server import free_port, serve
from .runtime import (
    HOST,
    REGION,
    base_environment,
    exclusive,
    load_entrypoints,
    moto_in_process,
    moto_in_thread,
    process_environment,
)
from .signer import new_signing_key

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

__all__ = [
    "HOST",
    "LocalStack",
    "LocalSystem",
    "free_port",
    "local_stack",
    "local_system",
    "worker_handler",
]


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


@contextmanager
def local_stack(app_port: int | None = None, log_level: str = "WARNING") -> Iterator[LocalStack]:
    """Start moto server and the app (the Lambda ingest entry point's app) under uvicorn.

    Sets this process's environment the way the deployed function's is set, pointing AWS
    clients at moto, until the block ends. Stops both servers on exit.

    Args:
        app_port: Port for the app (default: a free one).
        log_level: The app's log level.

    Yields:
        The running stack.

    Raises:
        RuntimeError: Another local stack or system runs in this process, or a server did
            not start within 10 seconds.
    """
    app_port = app_port or free_port()
    base_url = f"http://{HOST}:{app_port}"
    keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
    with ExitStack() as stack:
        stack.enter_context(exclusive())
        aws_endpoint_url = stack.enter_context(moto_in_thread())
        environment = base_environment(aws_endpoint_url, base_url, log_level)
        stack.enter_context(process_environment(environment))
        resources = create_resources(keys)
        os.environ.update(resources.environment())
        ingest, _ = load_entrypoints()
        stack.enter_context(serve(ingest.app, app_port, name="app"))
        yield LocalStack(base_url, aws_endpoint_url, keys, resources)


@dataclass(frozen=True)
class LocalSystem:
    """The whole system running on 127.0.0.1.

    Attributes:
        base_url: The app's URL (also its `PUBLIC_BASE_URL`), e.g. `http://127.0.0.1:54321`.
        aws_endpoint_url: The moto server's URL.
        resources: The queues, tables and secret.
        qstash: The QStash double (switches, key roll, DLQ, attempts, `wait_until_settled`).
        worker: The SQS poller feeding the worker handler.
        services: The app's services (its DynamoDB store, its hand-off, its key source).
        variables: The environment the app runs with (see `environment`).
        outage: Switches the app's hand-off off (`handoff_down`).
        runs: Counts the worker's runs, when `local_system` was asked to (`worker_runs`).
    """

    base_url: str
    aws_endpoint_url: str
    resources: LocalResources
    qstash: RunningDouble
    worker: SqsEventSource
    services: Services
    variables: Mapping[str, str] = field(default_factory=dict, repr=False)
    outage: "SwitchableHandoff | None" = field(default=None, repr=False)
    runs: "WorkerRunCounter | None" = field(default=None, repr=False)

    def endpoints(self) -> dict[str, str]:
        """What runs where, by what the environment calls it: app, QStash double, moto."""
        return {
            "app (PUBLIC_BASE_URL)": self.base_url,
            "QStash (QSTASH_URL, the local double)": self.qstash.base_url,
            "AWS (AWS_ENDPOINT_URL, moto)": self.aws_endpoint_url,
        }

    @contextmanager
    def handoff_down(self) -> Iterator[None]:
        """Make the hand-off fail for the block, as if the job queue were unreachable.

        The job route then answers 503 with `Retry-After`, and QStash retries the delivery.
        """
        if self.outage is None:
            raise RuntimeError("this system was started without its hand-off switch")
        self.outage.down = True
        try:
            yield
        finally:
            self.outage.down = False

    def worker_messages(self, message_id: str) -> list[str]:
        """QStash messages that carried the job to the worker: none, SQS carries it here."""
        return []

    def worker_runs(self, message_id: str) -> int:
        """How many times the worker ran the job of a message, by its own log records.

        Raises:
            RuntimeError: `local_system` was started without `count_worker_runs`.
        """
        if self.runs is None:
            raise RuntimeError("start local_system with count_worker_runs=True to count runs")
        return self.runs.runs[message_id]

    def environment(self) -> dict[str, str]:
        """The environment the app runs with; a process with it can act on this system.

        `AWS_*` point at moto, `QSTASH_URL` / `QSTASH_TOKEN` at the double, and the queue,
        table and secret names at the created resources (the CLI and the SDK read these).
        """
        return dict(self.variables)

    def publisher(self, *, jobs: JobRegistry | None = None) -> Publisher:
        """A publisher that sends through the double to this app's job routes.

        Args:
            jobs: The registry payloads are validated with (default: the application's).
        """
        api = QStashApi(base_url=self.qstash.base_url, token=self.qstash.token)
        return Publisher(api, public_base_url=self.base_url, jobs=jobs)

    def aws_client(self, service: str) -> Any:
        """A boto3 client for `service` on the moto server, whatever the environment says."""
        return boto3.client(
            service,  # type: ignore[call-overload]  # any service name boto3 knows
            endpoint_url=self.aws_endpoint_url,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto takes any credentials
        )

    def wait_until_settled(self, timeout: float = 60.0) -> None:
        """Block until QStash has nothing left to deliver and the jobs queue is empty.

        QStash's waits (delays, back-off, `Retry-After`) are jumped over with
        `QStashDouble.fast_forward`, so this takes no longer on a manual clock than on a
        scaled one; a schedule tick due now (`fire_schedule`) is delivered too. Then every
        job has either run or sits in a dead-letter queue.

        Args:
            timeout: Real seconds for both waits together.

        Raises:
            TimeoutError: Messages are still pending in the double or the jobs queue.
        """
        deadline = time.monotonic() + timeout
        self.qstash.double.fast_forward(timeout)
        self.worker.wait_until_drained(max(0.0, deadline - time.monotonic()))

    def sqs_dead_letters(self) -> list[JobEnvelope]:
        """Read the jobs in the SQS dead-letter queue, leaving them there."""
        sqs: SQSClient = self.aws_client("sqs")
        url = self.resources.jobs_dead_letter_queue_url
        received = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            received.extend(batch)
        for message in received:  # visible again for the next reader
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return [JobEnvelope.from_json(message["Body"]) for message in received]


@contextmanager
def local_system(
    qstash: DoubleSettings | None = None,
    *,
    log_level: str = "WARNING",
    visibility_timeout: int = 1,
    max_receive_count: int = 3,
    wrap_handoff: Callable[[Handoff], Handoff] | None = None,
    count_worker_runs: bool = False,
) -> Iterator[LocalSystem]:
    """Run moto, the QStash double, the app and the worker on 127.0.0.1 until the block ends.

    The double signs with the keys stored in the moto Secrets Manager secret, so the app
    reads them the way it does on AWS. The app's `PUBLIC_BASE_URL` is its own URL and its
    `QSTASH_URL` / `QSTASH_TOKEN` point at the double (`ENVIRONMENT=development`).

    Args:
        qstash: The double's switches (default: the documented defaults on a manual clock,
            so QStash's waits pass only when `wait_until_settled` or the double's `advance`
            jumps over them, and a per-minute schedule ticks only when told to).
        log_level: The app's log level.
        visibility_timeout: The jobs queue's visibility timeout, in whole seconds: how soon
            a failed job runs again.
        max_receive_count: Receives before a failing job moves to the SQS dead-letter queue.
        wrap_handoff: Wraps the app's SQS hand-off, e.g. to inject failures.
        count_worker_runs: Count the worker's "running job" log records per message id
            (`LocalSystem.worker_runs`); they are then no longer printed.

    Yields:
        The running system.

    Raises:
        RuntimeError: Another local stack or system runs in this process, or a server did
            not start within 10 seconds.
    """
    settings = qstash or DoubleSettings(time_scale=None)
    app_port, qstash_port = free_port(), free_port()
    base_url = f"http://{HOST}:{app_port}"
    keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
    token = secrets.token_urlsafe(24)
    with ExitStack() as stack:
        stack.enter_context(exclusive())
        aws_endpoint_url = stack.enter_context(moto_in_process())
        environment = base_environment(aws_endpoint_url, base_url, log_level) | {
            "QSTASH_URL": f"http://{HOST}:{qstash_port}",
            "QSTASH_TOKEN": token,
        }
        stack.enter_context(process_environment(environment))
        resources = create_resources(
            keys, visibility_timeout=visibility_timeout, max_receive_count=max_receive_count
        )
        os.environ.update(resources.environment())
        ingest, worker = load_entrypoints()
        services: Services = ingest.app.state.services
        handoff = services.handoff if wrap_handoff is None else wrap_handoff(services.handoff)
        outage = SwitchableHandoff(handoff)
        services = dataclasses.replace(services, handoff=outage)
        ingest.app.state.services = services
        runs = stack.enter_context(_counting_worker_runs()) if count_worker_runs else None
        # The key source creates its Secrets Manager client on first use: do it now, while
        # the environment points at moto (tests may clear the environment afterwards).
        services.signing_keys.get()
        stack.enter_context(serve(ingest.app, app_port, name="app"))
        running = stack.enter_context(
            run_double(settings, port=qstash_port, token=token, keys=keys)
        )
        poller = SqsEventSource(
            sqs_client(),
            resources.jobs_queue_url,
            worker.handler,
            queue_arn=resources.jobs_queue_arn,
        )
        stack.enter_context(poller)
        variables = environment | resources.environment()
        yield LocalSystem(
            base_url,
            aws_endpoint_url,
            resources,
            running,
            poller,
            services,
            variables,
            outage,
            runs,
        )


@dataclass
class SwitchableHandoff:
    """A hand-off that can be switched off, like an unreachable job queue (503, QStash retries)."""

    inner: Handoff
    down: bool = False

    def send(self, envelope: JobEnvelope) -> None:
        """Hand off, or fail like an unreachable queue while `down`."""
        if self.down:
            raise HandoffError("the job queue is down (local outage)")
        self.inner.send(envelope)


class WorkerRunCounter(logging.Handler):
    """Counts the worker's "running job" records per message id: its own account of its work."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: Counter[str] = Counter()
        self._lock_runs = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record when it says a job starts running."""
        if record.getMessage() == "running job":
            with self._lock_runs:
                self.runs[message_id_var.get() or "?"] += 1


@contextmanager
def _counting_worker_runs() -> Iterator[WorkerRunCounter]:
    counter = WorkerRunCounter()
    worker_logger = logging.getLogger("{{ cookiecutter.package_name }}.worker")
    saved = worker_logger.level, worker_logger.propagate
    worker_logger.setLevel(logging.INFO)
    worker_logger.propagate = False  # counted, not printed
    worker_logger.addHandler(counter)
    try:
        yield counter
    finally:
        worker_logger.removeHandler(counter)
        worker_logger.setLevel(saved[0])
        worker_logger.propagate = saved[1]


def worker_handler() -> Any:
    """Return the worker Lambda's handler, imported after the environment is set."""
    from {{ cookiecutter.package_name }}.entrypoints.lambda_worker import handler

    return handler
