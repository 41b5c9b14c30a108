"""`make demo`: the life of each message, on this machine, through the real pieces.

Runs moto server (SQS, DynamoDB, Secrets Manager), the local QStash double, the app under
uvicorn and the SQS worker on 127.0.0.1 (`local_system`), then publishes messages through
the double and prints what happened to each: every delivery attempt and its answer, whether
the worker ran the job, what the callback and failure-callback endpoints recorded.

Run: `python -m {{ cookiecutter.package_name }}.local.demo` (`--serve` keeps it running).
"""

import argparse
import contextlib
import io
import json
import logging
import signal
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ..cli import main as cli
from ..errors import HandoffError
from ..handoff import Handoff, JobEnvelope
from ..observability import message_id_var
from ..paths import FAILURE_CALLBACK_PATH, job_path
from .qstash_double import DoubleSettings
from .signer import new_signing_key, sign
from .stack import LocalSystem, local_system

JOB = "send-welcome-email"
WELCOME = {"user_id": "u-42", "email": "ada@example.com"}


class JobRuns(logging.Handler):
    """Counts the worker's "running job" records per message id: its own account of its work."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record when it says a job starts running."""
        if record.getMessage() == "running job":
            self.runs[message_id_var.get() or "?"] += 1


@dataclass
class Outage:
    """A hand-off that can be switched off, to show an SQS outage (503, QStash retries)."""

    inner: Handoff
    down: bool = False

    def send(self, envelope: JobEnvelope) -> None:
        """Hand off, or fail like an unreachable queue while `down`."""
        if self.down:
            raise HandoffError("the job queue is down (demo outage)")
        self.inner.send(envelope)


class Demo:
    """Publishes the scenario's messages and tells each one's life."""

    def __init__(self, system: LocalSystem, outage: Outage, runs: JobRuns) -> None:
        self.system = system
        self.double = system.qstash.double
        self.outage = outage
        self.runs = runs
        self.publisher = system.publisher()

    def settle(self) -> None:
        """Wait until QStash and the worker have nothing left to do."""
        self.system.wait_until_settled(timeout=30)

    def life(self, message_id: str) -> list[str]:
        """The lines that tell what happened to one message."""
        lines = []
        for attempt in self.double.attempts(message_id):
            answer = "no answer" if attempt.status is None else str(attempt.status)
            note = (
                " (the same attempt delivered again, same token: refused as a replay;"
                " the job does not run twice)"
                if attempt.duplicate
                else ""
            )
            lines.append(f"attempt {attempt.retried}: the app answered {answer}{note}")
        ran = self.runs.runs[message_id]
        lines.append(f"the worker ran {JOB} {ran} time(s)")
        for outcome in self.system.services.store.outcomes(message_id):
            lines.append(f"callback recorded: attempt {outcome.retried} answered {outcome.status}")
        for letter in self.system.services.store.dead_letters():
            if letter.source_message_id == message_id:
                lines.append(
                    f"QStash gave up (DLQ id {letter.dlq_id}); the failure callback kept the "
                    f"dead letter: {letter.response_status} {letter.response_body}"
                )
        return lines

    def tell(self, number: int, title: str, message_id: str) -> None:
        """Print one message's life."""
        print(f"\n{number}. {title}  [{message_id}]")
        for line in self.life(message_id):
            print(f"     {line}")

    def publish(self, payload: dict[str, str], retries: int | None = None) -> str:
        """Publish through the publisher (validated, callbacks wired); settle; return the id."""
        message_id = self.publisher.publish(JOB, payload, retries=retries).message_id
        self.settle()
        return message_id

    def publish_unvalidated(self, body: bytes) -> str:
        """Publish straight to QStash's REST API, as a publisher without our validation would."""
        response = httpx.post(
            f"{self.system.qstash.base_url}/v2/publish/{self.publisher.destination(JOB)}",
            content=body,
            headers={
                "Authorization": f"Bearer {self.system.qstash.token}",
                "Content-Type": "application/json",
                "Upstash-Failure-Callback": self.system.base_url + FAILURE_CALLBACK_PATH,
            },
            timeout=10,
        )
        response.raise_for_status()
        self.settle()
        message_id: str = response.json()["messageId"]
        return message_id

    def schedule_tick(self, schedule_id: str) -> str:
        """Create a per-minute schedule for the job, fire one tick, return its message id."""
        response = httpx.post(
            f"{self.system.qstash.base_url}/v2/schedules/{self.publisher.destination(JOB)}",
            content=json.dumps(WELCOME),
            headers={
                "Authorization": f"Bearer {self.system.qstash.token}",
                "Content-Type": "application/json",
                "Upstash-Cron": "* * * * *",
                "Upstash-Schedule-Id": schedule_id,
            },
            timeout=10,
        )
        response.raise_for_status()
        self.double.fire_schedule(schedule_id)
        self.settle()
        return next(m.message_id for m in self.double.messages() if m.schedule_id == schedule_id)

    def forged(self) -> int:
        """POST a job signed with a key QStash never had; return the app's answer."""
        body = json.dumps(WELCOME).encode()
        url = self.system.base_url + job_path(JOB)
        response = httpx.post(
            url,
            content=body,
            headers={
                "Upstash-Signature": sign(body, url, new_signing_key()),
                "Upstash-Message-Id": "msg_forged",
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        return response.status_code


def run_demo() -> None:
    """Run the scenario and print each message's life."""
    outages: list[Outage] = []

    def switchable(inner: Handoff) -> Handoff:
        outages.append(Outage(inner))
        return outages[0]

    with local_system(log_level="CRITICAL", wrap_handoff=switchable) as system:
        [outage] = outages  # made by local_system through wrap_handoff
        runs = JobRuns()
        # Count the worker's "running job" records without printing them.
        worker_logger = logging.getLogger(f"{__package__.rpartition('.')[0]}.worker")
        worker_logger.setLevel(logging.INFO)
        worker_logger.propagate = False
        worker_logger.addHandler(runs)
        demo = Demo(system, outage, runs)
        print(
            f"QStash double on {system.qstash.base_url}, app on {system.base_url}, "
            f"AWS (moto) on {system.aws_endpoint_url}"
        )
        for number, (title, run) in enumerate(scenario(demo), start=1):
            demo.tell(number, title, run())
        print(f"\n8. a request signed with a forged key  -> {demo.forged()}, nothing queued")


def scenario(demo: Demo) -> list[tuple[str, Callable[[], str]]]:
    """The messages the demo publishes, in order: (title, publish and return the id)."""

    def twice() -> str:
        demo.double.configure(duplicate_delivery_probability=1.0)
        try:
            return demo.publish(WELCOME)
        finally:
            demo.double.configure(duplicate_delivery_probability=0.0)

    def outage_then_replay() -> str:
        demo.outage.down = True
        try:
            return demo.publish(WELCOME, retries=2)
        finally:
            demo.outage.down = False

    def replay_last_dead_letter() -> str:
        [letter] = [d for d in demo.double.dead_letters() if d.response.status == 503]
        print(f"\n   the queue is back: `dlq replay {letter.dlq_id}` through the CLI says:")
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            cli(["dlq", "replay", letter.dlq_id])
        for line in said.getvalue().splitlines():
            print(f"     {line}")
        demo.settle()
        return max(demo.double.messages(kind="message"), key=lambda m: m.created_at).message_id

    def after_key_roll() -> str:
        demo.double.rotate_keys()
        return demo.publish(WELCOME)

    return [
        ("a job, published through the publisher", lambda: demo.publish(WELCOME)),
        ("QStash delivers the same message twice (at-least-once)", twice),
        (
            "a payload the job refuses (published around our validation)",
            lambda: demo.publish_unvalidated(b'{"user_id": "u-43", "email": "not-an-e-mail"}'),
        ),
        ("the job queue is down: 503, QStash retries, then gives up", outage_then_replay),
        ("the dead letter above, replayed from QStash's DLQ", replay_last_dead_letter),
        ("QStash rolled its signing keys before this one", after_key_roll),
        ("a schedule ticks (cron * * * * *)", lambda: demo.schedule_tick("demo-welcome")),
    ]


def serve() -> None:
    """Keep the whole system running for manual requests until interrupted (Ctrl-C, SIGTERM)."""
    # SIGTERM (e.g. `kill`) must unwind the context managers too, or child servers outlive us.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Real time here: delays and retries happen when a person expects them.
    with local_system(DoubleSettings(time_scale=1.0), log_level="INFO") as system:
        print(f"app:     {system.base_url}   (PUBLIC_BASE_URL)")
        print(f"QStash:  {system.qstash.base_url}   (QSTASH_URL, local double)")
        print(f"AWS:     {system.aws_endpoint_url}   (AWS_ENDPOINT_URL, moto)")
        for name, value in system.environment().items():
            print(f"export {name}={value}")
        print("Export the lines above in another shell to publish with the CLI. Ctrl-C stops.")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main() -> None:
    """Command line entry: run the demo, or `--serve` to keep the system up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--serve", action="store_true", help="keep the system running")
    if parser.parse_args().serve:
        serve()
    else:
        run_demo()


if __name__ == "__main__":
    main()
