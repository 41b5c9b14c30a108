"""Both Lambda entry points, end to end against moto: deliver, hand off, drain, run once."""

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest

from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources
from {{ cookiecutter.package_name }}_devkit.signer import sign
from {{ cookiecutter.package_name }}_devkit.sqs import receive_all, sqs_event

from ...conftest import PUBLIC_BASE_URL
from ...events import function_url_event
from ..aws.conftest import TALLY

Loader = Callable[[str], ModuleType]


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from the Lambda context."""

    function_name: str = "worker"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:worker"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def deliver(ingest: ModuleType, keys: SigningKeys, label: str, message_id: str) -> dict[str, Any]:
    """POST a signed `tally` job through the ingest handler; return the Lambda response."""
    return deliver_body(ingest, keys, "tally", json.dumps({"label": label}).encode(), message_id)


def deliver_body(
    ingest: ModuleType,
    keys: SigningKeys,
    job: str,
    body: bytes,
    message_id: str,
    *,
    base64_body: bool = False,
    **headers: str,
) -> dict[str, Any]:
    """POST `body` to a job's route, signed, through the ingest handler (a Function URL event).

    `base64_body` puts the body into the event base64-encoded, as Lambda does for binary
    content. `headers` are extra request headers, e.g. `upstash_schedule_id="nightly"` for
    `Upstash-Schedule-Id` (underscores become hyphens).
    """
    path = f"/qstash/jobs/{job}"
    sent = {
        "upstash-signature": sign(body, PUBLIC_BASE_URL + path, keys.current),
        "upstash-message-id": message_id,
        "upstash-retried": "0",
        **{name.replace("_", "-"): value for name, value in headers.items()},
    }
    event = function_url_event(path, body, sent, base64_body=base64_body)
    response: dict[str, Any] = ingest.handler(event, None)
    return response


def drain(worker: ModuleType, queue_url: str) -> dict[str, Any]:
    """Hand every queued message to the worker handler in one batch."""
    event = sqs_event(receive_all(queue_url))
    response: dict[str, Any] = worker.handler(event, FakeLambdaContext())
    return response


def app_table_items(aws: LocalResources) -> list[dict[str, Any]]:
    """Every item in the app table: token claims, hand-off marks, outcomes, dead letters."""
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(TableName=aws.app_table_name)[
        "Items"
    ]
    return items


def enqueue(queue_url: str, envelope: JobEnvelope) -> None:
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=envelope.to_json())


def test_delivered_job_runs_in_the_worker(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest, worker = load_entrypoint("lambda_ingest"), load_entrypoint("lambda_worker")
    response = deliver(ingest, keys, "first", "msg_a")
    assert response["statusCode"] == 202, response["body"]
    assert drain(worker, aws.jobs_queue_url) == {"batchItemFailures": []}
    assert TALLY == ["first"]


def test_job_without_payload_delivered_with_an_empty_body_runs_in_the_worker(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest, worker = load_entrypoint("lambda_ingest"), load_entrypoint("lambda_worker")
    response = deliver_body(ingest, keys, "tick", b"", "msg_tick", upstash_schedule_id="nightly")
    assert response["statusCode"] == 202, response["body"]
    assert drain(worker, aws.jobs_queue_url) == {"batchItemFailures": []}
    assert TALLY == ["tick from nightly"]


@pytest.mark.parametrize(
    ("body", "runs"),
    [(b"", ["no payload"]), (b'{"label": "given"}', ["given"])],
    ids=["absent", "present"],
)
def test_job_with_an_optional_payload_runs_in_the_worker(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys, body: bytes, runs: list[str]
) -> None:
    ingest, worker = load_entrypoint("lambda_ingest"), load_entrypoint("lambda_worker")
    assert deliver_body(ingest, keys, "maybe-tally", body, "msg_maybe")["statusCode"] == 202
    assert drain(worker, aws.jobs_queue_url) == {"batchItemFailures": []}
    assert runs == TALLY


def test_duplicate_delivery_runs_the_job_once(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest, worker = load_entrypoint("lambda_ingest"), load_entrypoint("lambda_worker")
    assert deliver(ingest, keys, "once", "msg_dup")["statusCode"] == 202
    assert deliver(ingest, keys, "once", "msg_dup")["statusCode"] == 200
    drain(worker, aws.jobs_queue_url)
    assert TALLY == ["once"]


def test_message_handed_off_twice_still_runs_once(
    aws: LocalResources, load_entrypoint: Loader
) -> None:
    worker = load_entrypoint("lambda_worker")
    envelope = JobEnvelope(job="tally", payload={"label": "twice"}, message_id="msg_twice")
    enqueue(aws.jobs_queue_url, envelope)
    drain(worker, aws.jobs_queue_url)
    enqueue(aws.jobs_queue_url, envelope)
    drain(worker, aws.jobs_queue_url)
    assert TALLY == ["twice"]


def test_failed_records_are_reported_and_the_rest_of_the_batch_runs(
    aws: LocalResources, load_entrypoint: Loader
) -> None:
    worker = load_entrypoint("lambda_worker")
    enqueue(aws.jobs_queue_url, JobEnvelope("tally", {"label": "good"}, "msg_good"))
    enqueue(aws.jobs_queue_url, JobEnvelope("tally", {"label": "bad", "fail": True}, "msg_bad"))
    boto3.client("sqs").send_message(QueueUrl=aws.jobs_queue_url, MessageBody="not an envelope")
    messages = receive_all(aws.jobs_queue_url)
    event = sqs_event(messages)
    response = worker.handler(event, FakeLambdaContext())
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    by_body = {m["Body"]: m["MessageId"] for m in messages}
    good_id = next(mid for body, mid in by_body.items() if "msg_good" in body)
    assert good_id not in failed
    assert len(failed) == 2
    assert TALLY == ["good"]


class Records(logging.Handler):
    """Keeps every record its logger emits."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_failing_job_is_logged_as_an_error_with_its_traceback(
    aws: LocalResources, load_entrypoint: Loader
) -> None:
    worker = load_entrypoint("lambda_worker")
    # At the module's own logger: the package logger stops propagating once configured.
    logger = logging.getLogger("{{ cookiecutter.package_name }}.aws.worker")
    kept = Records()
    logger.addHandler(kept)
    try:
        enqueue(aws.jobs_queue_url, JobEnvelope("tally", {"label": "x", "fail": True}, "msg_x"))
        assert drain(worker, aws.jobs_queue_url)["batchItemFailures"]
    finally:
        logger.removeHandler(kept)
    [record] = [r for r in kept.records if r.levelno == logging.ERROR]
    assert record.getMessage() == "job failed, left for SQS to redeliver"
    assert record.exc_info is not None


def test_job_that_failed_runs_again_when_sqs_redelivers(
    aws: LocalResources, load_entrypoint: Loader
) -> None:
    worker = load_entrypoint("lambda_worker")
    failing = JobEnvelope("tally", {"label": "retry", "fail": True}, "msg_retry")
    enqueue(aws.jobs_queue_url, failing)
    assert drain(worker, aws.jobs_queue_url)["batchItemFailures"]
    # The same message id comes back (SQS redelivery); this time the job succeeds.
    enqueue(aws.jobs_queue_url, JobEnvelope("tally", {"label": "retry"}, "msg_retry"))
    assert drain(worker, aws.jobs_queue_url) == {"batchItemFailures": []}
    assert TALLY == ["retry"]


def test_queue_failure_answers_503_with_retry_after(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    boto3.client("sqs").delete_queue(QueueUrl=aws.jobs_queue_url)
    response = deliver(ingest, keys, "lost?", "msg_503")
    assert response["statusCode"] == 503
    assert int(response["headers"]["retry-after"]) > 0


def test_unreadable_signing_keys_secret_fails_closed(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    boto3.client("secretsmanager").delete_secret(
        SecretId=aws.signing_keys_secret_arn, ForceDeleteWithoutRecovery=True
    )
    response = deliver(ingest, keys, "x", "msg_nokeys")
    assert response["statusCode"] == 503
    assert receive_all(aws.jobs_queue_url) == []


def test_public_dev_server_keys_in_the_secret_fail_closed(
    aws: LocalResources, load_entrypoint: Loader
) -> None:
    # The deployed path: keys come from Secrets Manager, never from Settings' own check.
    dev_server = SigningKeys(
        current="sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", next="sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
    )
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws.signing_keys_secret_arn,
        SecretString=json.dumps(
            {
                "QSTASH_CURRENT_SIGNING_KEY": dev_server.current,
                "QSTASH_NEXT_SIGNING_KEY": dev_server.next,
            }
        ),
    )
    ingest = load_entrypoint("lambda_ingest")
    response = deliver(ingest, dev_server, "forged", "msg_public_keys")
    assert response["statusCode"] == 503
    assert receive_all(aws.jobs_queue_url) == []
    assert app_table_items(aws) == []


def test_5000_character_message_id_answers_489_and_writes_nothing(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    # Such an id once got 202 while the hand-off mark failed to write (a DynamoDB key is at
    # most 2,048 bytes): a queued job and a traceback, but no record of it.
    ingest = load_entrypoint("lambda_ingest")
    body = json.dumps({"label": "long id"}).encode()
    response = deliver_body(ingest, keys, "tally", body, "m" * 5000)
    assert response["statusCode"] == 489, response["body"]
    assert response["headers"]["upstash-nonretryable-error"] == "true"
    assert json.loads(response["body"])["header"] == "Upstash-Message-Id"
    assert receive_all(aws.jobs_queue_url) == []
    assert app_table_items(aws) == []


@pytest.mark.parametrize("base64_body", [False, True], ids=["text", "base64"])
def test_6_mb_body_answers_489_naming_the_limit_and_writes_nothing(
    aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys, base64_body: bool
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    body = json.dumps({"label": "x", "padding": "p" * 6_000_000}).encode()
    response = deliver_body(ingest, keys, "tally", body, "msg_big", base64_body=base64_body)
    assert response["statusCode"] == 489
    assert response["headers"]["upstash-nonretryable-error"] == "true"
    assert json.loads(response["body"])["max_bytes"] == 3_000_000
    assert receive_all(aws.jobs_queue_url) == []
    assert app_table_items(aws) == []


@pytest.mark.parametrize("module", ["lambda_ingest"])
def test_ingest_path_imports_neither_httpx_nor_the_qstash_sdk(
    aws: LocalResources, module: str
) -> None:
    code = (
        f"import {{ cookiecutter.package_name }}.entrypoints.{module}, sys; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'qstash'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
