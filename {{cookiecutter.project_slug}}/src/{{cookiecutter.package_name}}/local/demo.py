"""`make demo`: the whole flow on this machine, message by message.

Starts moto server (SQS, DynamoDB, Secrets Manager) and the app under uvicorn on 127.0.0.1,
delivers signed messages over HTTP the way QStash would, drains the queue through the
worker Lambda handler, and prints what happened to each message.

Run: `python -m {{ cookiecutter.package_name }}.local.demo` (add `--serve` to keep it running).
"""

import argparse
import base64
import contextlib
import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ..aws.clients import dynamodb_client
from ..observability import message_id_var
from ..store.dynamodb import DynamoDBDeliveryStore
from . import sqs
from .lambda_context import LocalLambdaContext
from .signer import new_signing_key, sign
from .stack import LocalStack, local_stack, worker_handler

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

JOB = "send-welcome-email"


@dataclass(frozen=True)
class Delivery:
    """One request QStash would make."""

    title: str
    path: str
    body: bytes
    message_id: str
    key: str | None = None  # None: the stack's current signing key


class JobRuns(logging.Handler):
    """Counts "running job" log records per message id: the worker's own account of its work."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record when it says a job starts running."""
        if record.getMessage() == "running job":
            self.runs[message_id_var.get() or "?"] += 1


def callback_body(source_message_id: str, status: int, response: bytes, **extra: object) -> bytes:
    """A callback body as QStash sends it (https://upstash.com/docs/qstash/features/callbacks)."""
    body = {
        "status": status,
        "header": {"Content-Type": ["application/json"]},
        "body": base64.b64encode(response).decode(),
        "retried": 0,
        "maxRetries": 3,
        "sourceMessageId": source_message_id,
        "url": "",
        "method": "POST",
        **extra,
    }
    return json.dumps(body).encode()


def scenario(stack: LocalStack) -> list[Delivery]:
    """The messages the demo delivers, in order."""
    welcome = json.dumps({"user_id": "u-42", "email": "ada@example.com"}).encode()
    invalid = json.dumps({"user_id": "u-43", "email": "not-an-e-mail"}).encode()
    job_path = f"/qstash/jobs/{JOB}"
    return [
        Delivery("new job", job_path, welcome, "msg_demo_welcome"),
        Delivery("same message again", job_path, welcome, "msg_demo_welcome"),
        Delivery("invalid payload", job_path, invalid, "msg_demo_invalid"),
        Delivery("forged signature", job_path, welcome, "msg_demo_forged", key=new_signing_key()),
        Delivery(
            "callback",
            "/qstash/callback",
            callback_body("msg_demo_welcome", 202, b'{"status":"accepted"}'),
            "msg_demo_callback",
        ),
        Delivery(
            "failure callback",
            "/qstash/failure",
            callback_body(
                "msg_demo_invalid",
                489,
                b'{"error":"invalid payload"}',
                dlqId="1764400000000-0",
                sourceBody=base64.b64encode(invalid).decode(),
                url=f"{stack.base_url}{job_path}",
            ),
            "msg_demo_failure",
        ),
        Delivery(
            "failure callback again",
            "/qstash/failure",
            callback_body(
                "msg_demo_invalid",
                489,
                b'{"error":"invalid payload"}',
                dlqId="1764400000000-0",
                sourceBody=base64.b64encode(invalid).decode(),
            ),
            "msg_demo_failure",
        ),
    ]


def deliver(client: httpx.Client, stack: LocalStack, delivery: Delivery) -> str:
    """Send one delivery signed like QStash; return a one-line account of the answer."""
    url = stack.base_url + delivery.path
    token = sign(delivery.body, url, delivery.key or stack.keys.current)
    response = client.post(
        url,
        content=delivery.body,
        headers={
            "Content-Type": "application/json",
            "Upstash-Signature": token,
            "Upstash-Message-Id": delivery.message_id,
            "Upstash-Retried": "0",
        },
    )
    answer = response.json()
    said = answer.get("status") or answer.get("error")
    if response.headers.get("Upstash-NonRetryable-Error") == "true":
        said += " (non-retryable: straight to QStash's dead-letter queue)"
    return f"{response.status_code} {said}"


def drain(stack: LocalStack, title: str) -> tuple[str, list["MessageTypeDef"]]:
    """Run everything queued through the worker handler, as the SQS trigger would.

    Returns:
        A one-line account, and the messages the worker was given.
    """
    messages = sqs.receive_all(stack.resources.jobs_queue_url)
    if not messages:
        return f"{title}: queue empty", messages
    result = worker_handler()(sqs.sqs_event(messages), LocalLambdaContext())
    failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
    sqs.delete(
        stack.resources.jobs_queue_url, [m for m in messages if m["MessageId"] not in failed]
    )
    return f"{title}: {len(messages)} message(s), {len(failed)} failed", messages


def run_demo() -> None:
    """Run the scenario and print each message's fate."""
    with local_stack(log_level="ERROR") as stack, httpx.Client(timeout=10) as client:
        runs = JobRuns()
        # Count the worker's "running job" records without printing them.
        worker_logger = logging.getLogger(f"{__package__.rpartition('.')[0]}.worker")
        worker_logger.setLevel(logging.INFO)
        worker_logger.propagate = False
        worker_logger.addHandler(runs)
        print(f"app on {stack.base_url}, AWS (moto) on {stack.aws_endpoint_url}\n")
        print("QStash delivers:")
        for number, delivery in enumerate(scenario(stack), start=1):
            answer = deliver(client, stack, delivery)
            print(f"  {number}. {delivery.title:<24} {delivery.message_id:<18} -> {answer}")

        print("\nWorker (SQS trigger):")
        account, handled = drain(stack, "first batch")
        print(f"  {account}")
        # SQS delivers at least once: give the worker the same messages a second time.
        sqs.send_bodies(stack.resources.jobs_queue_url, [m["Body"] for m in handled])
        print(f"  {drain(stack, 'SQS delivers the same messages again')[0]}")
        for message_id, count in sorted(runs.runs.items()):
            print(f"  job {JOB} ran {count} time(s) for {message_id}")

        store = DynamoDBDeliveryStore(dynamodb_client(), stack.resources.app_table_name, 3600)
        print("\nRecorded by the callback endpoints:")
        for outcome in store.outcomes("msg_demo_welcome"):
            print(
                f"  outcome  {outcome.source_message_id}: attempt {outcome.retried} answered "
                f"{outcome.status} {outcome.response_body}"
            )
        for letter in store.dead_letters():
            print(
                f"  dead letter {letter.dlq_id} for {letter.source_message_id}: answered "
                f"{letter.response_status}, body kept for replay: {letter.source_body}"
            )


def serve() -> None:
    """Keep the local stack running for manual requests until interrupted."""
    with local_stack(app_port=8000, log_level="INFO") as stack:
        print(f"app:  {stack.base_url}   (PUBLIC_BASE_URL)")
        print(f"AWS:  {stack.aws_endpoint_url}   (AWS_ENDPOINT_URL, moto)")
        print(f"QSTASH_CURRENT_SIGNING_KEY={stack.keys.current}")
        print(f"QSTASH_NEXT_SIGNING_KEY={stack.keys.next}")
        print("Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def main() -> None:
    """Command line entry: run the demo, or `--serve` to keep the stack up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--serve", action="store_true", help="keep the stack running")
    if parser.parse_args().serve:
        serve()
    else:
        run_demo()


if __name__ == "__main__":
    main()
