"""`make demo`: the life of each message, on this machine, through the real pieces.

{% if cookiecutter.cloud == "aws-lambda" -%}
Runs moto server (SQS, DynamoDB, Secrets Manager), the local QStash double, the app under
uvicorn and the SQS worker on 127.0.0.1 (`stack.local_system`), then publishes messages
{% else -%}
Runs the Firestore emulator, the local QStash double and the function under a real
functions-framework process on 127.0.0.1 (`gcp_stack.local_system`), then publishes messages
{% endif -%}
through the double and prints what happened to each: every delivery attempt and its answer,
whether the worker ran the job, what the callback and failure-callback endpoints recorded.

Run: `python -m {{ cookiecutter.package_name }}_devkit.demo` (`--serve` keeps it running).
"""

import argparse
import contextlib
import io
import json
import signal
import textwrap
import threading

import httpx

from {{ cookiecutter.package_name }}.cli import main as cli
from {{ cookiecutter.package_name }}.cli.output import PROG
from {{ cookiecutter.package_name }}.paths import FAILURE_CALLBACK_PATH, job_path

{% if cookiecutter.cloud == "aws-lambda" -%}
from .qstash_double import Attempt, DoubleSettings
from .signer import new_signing_key, sign
from .stack import LocalSystem, local_system
{%- else -%}
from .gcp_stack import LocalSystem, local_system
from .qstash_double import Attempt, DoubleSettings
from .signer import new_signing_key, sign
{%- endif %}

JOB = "send-welcome-email"
WELCOME = {"user_id": "u-42", "email": "ada@example.com"}

# What each answer of the app means to QStash (https://upstash.com/docs/qstash/features/retry).
MEANING = {
    200: "already handed off before, nothing queued again",
{%- if cookiecutter.cloud == "aws-lambda" %}
    202: "accepted and handed to the worker's queue",
{%- else %}
    202: "accepted and re-published to the worker route",
{%- endif %}
    401: "signature refused",
    489: "refused for good (Upstash-NonRetryable-Error): QStash does not retry",
    503: "the hand-off failed: QStash retries later",
}
# What each answer of the worker route means (a hand-off through QStash).
WORKER_MEANING = {
    200: "the worker ran the job, or had run it already",
    401: "signature refused",
    409: "another run of the job holds its lease: QStash retries later",
    489: "the envelope can never run: QStash does not retry",
    500: "the job raised: QStash retries later",
}
{%- if cookiecutter.cloud == "aws-lambda" %}
OUTAGE = "the job queue is down: 503, QStash retries twice, then gives up"
{%- else %}
OUTAGE = (
    "QStash refuses the re-publish to the worker route: 503, QStash retries twice, then gives up"
)
{%- endif %}


class Demo:
    """Publishes the scenario's messages and tells each one's life."""

    def __init__(self, system: LocalSystem) -> None:
        self.system = system
        self.double = system.qstash.double
        self.publisher = system.publisher()

    def settle(self) -> None:
        """Wait until QStash and the worker have nothing left to do."""
        self.system.wait_until_settled(timeout=30)

    def life(self, message_id: str) -> list[str]:
        """The lines that tell what happened to one message."""
        message = self.double.message(message_id)
        lines = [_attempt(attempt) for attempt in self.double.attempts(message_id)]
        for worker_id in self.system.worker_messages(message_id):
            lines.append(f"handed off: QStash delivers the job to the worker route as {worker_id}")
            lines += [
                _attempt(attempt, WORKER_MEANING, "the job runs once")
                for attempt in self.double.attempts(worker_id)
            ]
        ran = self.system.worker_runs(message_id)
        lines.append(
            f"the worker did not run {JOB}"
            if ran == 0
            else f"the worker ran {JOB} " + ("once" if ran == 1 else f"{ran} times")
        )
        outcomes = self.system.services.store.outcomes(message_id)
        if outcomes:
            answers = ", ".join(f"{o.retried + 1} -> {o.status}" for o in outcomes)
            lines.append(f"the callback recorded each attempt's answer: {answers}")
        callbacks = (message.options.callback.url, message.options.failure_callback.url)
        if callbacks == (None, None):
            lines.append("no callbacks: none were set for this message")
        elif callbacks[0] is None:
            lines.append("no callback: only a failure callback was set for this message")
        carriers = {message_id, *self.system.worker_messages(message_id)}
        for letter in self.double.dead_letters():
            if letter.message.message_id in carriers:
                lines.append(f"QStash gave up: the message is in its DLQ as {letter.dlq_id}")
        for stored in self.system.services.store.dead_letters():
            if stored.source_message_id in carriers:
                lines.append(
                    f"the failure callback stored the dead letter, with the app's last "
                    f"answer: {stored.response_status} {_reason(stored.response_body)}"
                )
        return lines

    def tell(self, number: int, title: str, message_id: str) -> None:
        """Print one message's life."""
        print()
        _say(f"{number}. {title}", "", "   ")
        print(f"   [{message_id}]")
        for line in self.life(message_id):
            _say(line, "   - ", "     ")

    def cli(self, *argv: str) -> None:
        """Run the command line in this process and print what it said, indented."""
        print(f"\n   $ {PROG} {' '.join(argv)}")
        said = io.StringIO()
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            cli(list(argv))
        for line in said.getvalue().splitlines():
            _say(line, "     ", "       ")
        self.settle()

    def publish(self, payload: dict[str, str], retries: int | None = None) -> str:
        """Publish through the publisher (validated, callbacks wired); settle; return the id."""
        message_id = self.publisher.publish(JOB, payload, retries=retries).message_id
        self.settle()
        return message_id

    def publish_raw(self, body: bytes, headers: dict[str, str]) -> str:
        """Publish straight to QStash's REST API, without the publisher; settle; return the id."""
        response = httpx.post(
            f"{self.system.qstash.base_url}/v2/publish/{self.publisher.destination(JOB)}",
            content=body,
            headers={
                "Authorization": f"Bearer {self.system.qstash.token}",
                "Content-Type": "application/json",
                **headers,
            },
            timeout=10,
        )
        response.raise_for_status()
        self.settle()
        message_id: str = response.json()["messageId"]
        return message_id

    def twice(self) -> str:
        """Publish one message that QStash delivers twice at once (at-least-once)."""
        self.double.configure(duplicate_delivery_probability=1.0)
        try:
            return self.publish(WELCOME)
        finally:
            self.double.configure(duplicate_delivery_probability=0.0)

    def refused_payload(self) -> str:
        """Publish a payload the job refuses, skipping the publisher that would catch it."""
        failure_callback = self.system.base_url + FAILURE_CALLBACK_PATH
        return self.publish_raw(
            b'{"user_id": "u-43", "email": "not-an-e-mail"}',
            {"Upstash-Failure-Callback": failure_callback},
        )

    def during_outage(self) -> str:
        """Publish while the hand-off fails, with 2 retries."""
        with self.system.handoff_down():
            return self.publish(WELCOME, retries=2)

    def answer_lost(self) -> str:
        """Publish with no retries while every answer is lost on its way back to QStash."""
        self.double.configure(lost_response_probability=1.0)
        try:
            return self.publish_raw(json.dumps(WELCOME).encode(), {"Upstash-Retries": "0"})
        finally:
            self.double.configure(lost_response_probability=0.0)

    def dead_letter_of(self, message_id: str) -> str:
        """The DLQ id of a message QStash gave up on."""
        [dlq_id] = [
            letter.dlq_id
            for letter in self.double.dead_letters()
            if letter.message.message_id == message_id
        ]
        return dlq_id

    def newest_message(self) -> str:
        """The id of the message published last (a replay's new message)."""
        newest = max(self.double.messages(kind="message"), key=lambda m: m.created_at)
        return newest.message_id

    def after_key_roll(self) -> str:
        """Roll QStash's signing keys, then publish."""
        self.double.rotate_keys()
        return self.publish(WELCOME)

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


def _say(text: str, first: str, rest: str) -> None:
    """Print `text` wrapped to 96 columns, the first line indented by `first`."""
    print(textwrap.fill(text, width=96, initial_indent=first, subsequent_indent=rest))


def _attempt(
    attempt: Attempt, meaning: dict[int, str] = MEANING, once: str = "the job is handed off once"
) -> str:
    """One delivery attempt, numbered from 1, with what its answer means."""
    number = attempt.retried + 1
    if attempt.duplicate:
        return (
            f"attempt {number}, delivered a second time: {attempt.status}, as intended: the "
            f"same signed token twice is refused as a replay, so {once}"
        )
    if attempt.status is None:
        return f"attempt {number}: no answer ({attempt.error})"
    line = f"attempt {number}: {attempt.status}, {meaning.get(attempt.status, 'an error')}"
    if attempt.lost:
        line += "; but the answer was lost on its way back, so for QStash the attempt failed"
    return line


def _reason(body: str) -> str:
    """The app's error body as one plain sentence (it is JSON: `error`, field `errors`)."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if not isinstance(document, dict) or not isinstance(document.get("error"), str):
        return body
    reason: str = document["error"]
    fields = [
        f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg')}"
        for item in document.get("errors") or []
        if isinstance(item, dict)
    ]
    return f"{reason} ({'; '.join(fields)})" if fields else reason


def run_demo() -> None:
    """Run the scenario and print each message's life."""
{%- if cookiecutter.cloud == "aws-lambda" %}
    with local_system(log_level="CRITICAL", count_worker_runs=True) as system:
{%- else %}
    # INFO: the worker's "running job" records are counted (the function's log is not shown).
    with local_system(log_level="INFO") as system:
{%- endif %}
        demo = Demo(system)
        where = ", ".join(f"{name} on {url}" for name, url in system.endpoints().items())
        _say(
            f"Everything runs on this machine: {where}. For each message: every delivery "
            "attempt and the app's answer, whether the worker ran the job, and what the "
            "callbacks recorded.",
            "",
            "",
        )
        demo.tell(1, "a job, published with the publisher", demo.publish(WELCOME))
        demo.tell(2, "QStash delivers an attempt twice (it delivers at least once)", demo.twice())
        demo.tell(
            3,
            "a payload the job refuses, published straight to QStash's REST API (the "
            "publisher checks payloads and would not have sent it)",
            demo.refused_payload(),
        )
        outage_id = demo.during_outage()
        demo.tell(4, OUTAGE, outage_id)
        print("\n   The hand-off works again. Replay the dead letter:")
        demo.cli("dlq", "replay", demo.dead_letter_of(outage_id))
        demo.tell(5, "the replayed dead letter of 4: a new message", demo.newest_message())
        lost_id = demo.answer_lost()
        demo.tell(
            6,
            "the job runs, but its answer is lost on the way back to QStash, which gives up "
            "(published straight to QStash with 0 retries and no callbacks)",
            lost_id,
        )
        print("\n   Replaying this one would run the job a second time, so the CLI refuses:")
        demo.cli("dlq", "replay", demo.dead_letter_of(lost_id))
        demo.tell(7, "QStash rolled its signing keys before this one", demo.after_key_roll())
        demo.tell(
            8,
            "a schedule ticks (cron * * * * *, created without callbacks)",
            demo.schedule_tick("demo-welcome"),
        )
        print(
            f"\n9. a request signed with a key QStash never had\n"
            f"   - the app answered {demo.forged()}: signature refused, nothing queued"
        )
        print(f"\nTo run this system and publish to it yourself: make dev (then {PROG} --help).")


def serve() -> None:
    """Keep the whole system running for manual requests until interrupted (Ctrl-C, SIGTERM)."""
    # SIGTERM (e.g. `kill`) must unwind the context managers too, or child servers outlive us.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Real time here: delays and retries happen when a person expects them.
{%- if cookiecutter.cloud == "aws-lambda" %}
    with local_system(DoubleSettings(time_scale=1.0), log_level="INFO") as system:
{%- else %}
    with local_system(DoubleSettings(time_scale=1.0), log_level="INFO", show_logs=True) as system:
{%- endif %}
        for name, url in system.endpoints().items():
            print(f"{name}: {url}")
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
