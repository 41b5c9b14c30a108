"""The worker's Powertools idempotency records, written by the real worker, read back (moto)."""

import time

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.aws.clients import dynamodb_client
from {{ cookiecutter.package_name }}.aws.worker import (
    build_record_handler,
    idempotency_config,
)
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.jobs import JobContext, job, registry
from {{ cookiecutter.package_name }}.replay import ReplayGuard, ReplayRefusedError
from {{ cookiecutter.package_name }}.store import JobRun
from {{ cookiecutter.package_name }}.store.dynamodb import DynamoDBDeliveryStore
from {{ cookiecutter.package_name }}.store.idempotency import DynamoDBJobRuns
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources
from {{ cookiecutter.package_name }}_devkit.lambda_context import LocalLambdaContext

from .conftest import TALLY

#: What `peek` saw of its own record while it ran.
SEEN_WHILE_RUNNING: list[JobRun | None] = []


class Peek(BaseModel):
    """Payload of the test job `peek` (none needed, but every registry version takes a model)."""

    label: str = ""


@job("peek", payload=Peek)
def peek(payload: Peek, context: JobContext) -> None:
    """Read this message id's idempotency record from inside the running job."""
    SEEN_WHILE_RUNNING.append(job_runs().job_run(context.message_id))


def run_in_worker(message_id: str, job_name: str = "tally", *, fail: bool = False) -> None:
    """Run a job for `message_id` through the worker's record handler, as SQS would."""
    settings = get_settings()
    config = idempotency_config(settings)
    config.register_lambda_context(LocalLambdaContext())  # as the handler does per invocation
    handle = build_record_handler(settings, registry, config)
    payload: dict[str, object] = {"label": message_id}
    if fail:
        payload["fail"] = True
    envelope = JobEnvelope(job=job_name, payload=payload, message_id=message_id)
    handle(SQSRecord({"messageId": "sqs-1", "body": envelope.to_json()}))


def job_runs() -> DynamoDBJobRuns:
    settings = get_settings()
    assert settings.idempotency_table_name
    return DynamoDBJobRuns(
        dynamodb_client(), settings.idempotency_table_name, idempotency_config(settings)
    )


def test_job_the_worker_finished_reads_as_completed_at_its_finish_time(
    aws: LocalResources,
) -> None:
    before = int(time.time())
    run_in_worker("msg_done")
    after = int(time.time())
    run = job_runs().job_run("msg_done")
    assert TALLY == ["msg_done"]
    assert run is not None
    assert run.status == "completed"
    assert before <= run.recorded_at <= after
    assert run.expires_at - run.recorded_at == get_settings().idempotency_expiry_seconds
    assert (type(run.recorded_at), type(run.expires_at)) == (int, int)  # not DynamoDB's Decimal


def test_replay_guard_refuses_a_message_the_worker_finished(aws: LocalResources) -> None:
    run_in_worker("msg_done")
    store = DynamoDBDeliveryStore(dynamodb_client(), aws.app_table_name, 3600)
    with pytest.raises(ReplayRefusedError, match=r"\(job finished at \d{4}-\d\d-\d\dT"):
        ReplayGuard(store, job_runs()).check("msg_done")


def test_message_the_worker_never_saw_has_no_record(aws: LocalResources) -> None:
    run_in_worker("msg_done")
    assert job_runs().job_run("msg_other") is None


def test_job_that_raised_leaves_no_record(aws: LocalResources) -> None:
    with pytest.raises(RuntimeError, match="failed on purpose"):  # SQS retries it
        run_in_worker("msg_failed", fail=True)
    assert job_runs().job_run("msg_failed") is None


def test_job_that_is_running_reads_as_in_progress(aws: LocalResources) -> None:
    SEEN_WHILE_RUNNING.clear()
    run_in_worker("msg_running", "peek")
    [seen] = SEEN_WHILE_RUNNING
    assert seen is not None
    assert seen.status == "in progress"
