"""The jobs queue, its dead-letter queue and the worker function."""

from typing import Any

import pytest

from infra import constants
from infra.tests.conftest import Synthesized

DAY_SECONDS = 24 * 3600


@pytest.fixture(scope="module")
def worker(synthesized: Synthesized) -> dict[str, Any]:
    _, function = synthesized.only(
        "AWS::Lambda::Function",
        {"Handler": constants.WORKER_HANDLER.format(package=synthesized.settings.package_name)},
    )
    return function


@pytest.fixture(scope="module")
def queue(synthesized: Synthesized) -> dict[str, Any]:
    logical_id = synthesized.logical_id(synthesized.stack.worker.queue)
    resource: dict[str, Any] = synthesized.resources("AWS::SQS::Queue")[logical_id]
    return resource


@pytest.fixture(scope="module")
def dead_letter_queue(synthesized: Synthesized) -> dict[str, Any]:
    logical_id = synthesized.logical_id(synthesized.stack.worker.dead_letter_queue)
    resource: dict[str, Any] = synthesized.resources("AWS::SQS::Queue")[logical_id]
    return resource


def test_worker_runs_on_the_chosen_runtime_and_architecture(
    worker: dict[str, Any], synthesized: Synthesized
) -> None:
    settings = synthesized.settings
    assert worker["Properties"]["Runtime"] == f"python{settings.python_version}"
    assert worker["Properties"]["Architectures"] == [settings.architecture]


def test_worker_environment_holds_only_the_idempotency_table_name(
    worker: dict[str, Any], synthesized: Synthesized
) -> None:
    table = synthesized.stack.store.idempotency_table
    assert worker["Properties"]["Environment"]["Variables"] == {
        constants.ENV_ENVIRONMENT: "production",
        constants.ENV_LOG_LEVEL: synthesized.settings.log_level,
        constants.ENV_IDEMPOTENCY_TABLE_NAME: {"Ref": synthesized.logical_id(table)},
    }


def test_worker_does_not_pay_for_snapstart(worker: dict[str, Any]) -> None:
    assert "SnapStart" not in worker["Properties"]


def test_worker_reads_the_queue_in_batches_reporting_partial_failures(
    synthesized: Synthesized,
) -> None:
    _, mapping = synthesized.only("AWS::Lambda::EventSourceMapping")
    properties = mapping["Properties"]
    assert properties["EventSourceArn"] == {
        "Fn::GetAtt": [synthesized.logical_id(synthesized.stack.worker.queue), "Arn"]
    }
    assert properties["BatchSize"] == constants.WORKER_BATCH_SIZE
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_worker_is_invoked_through_its_live_alias(synthesized: Synthesized) -> None:
    alias_id = synthesized.logical_id(synthesized.stack.worker.app_function.alias)
    _, mapping = synthesized.only("AWS::Lambda::EventSourceMapping")
    # The CDK names the alias as <function name>:live, the name cut out of the alias ARN.
    assert mapping["Properties"]["FunctionName"] == {
        "Fn::Join": [
            "",
            [
                {"Fn::Select": [6, {"Fn::Split": [":", {"Ref": alias_id}]}]},
                f":{constants.LIVE_ALIAS}",
            ],
        ]
    }


def test_a_job_goes_to_the_dead_letter_queue_after_its_last_receive(
    queue: dict[str, Any], synthesized: Synthesized
) -> None:
    dead_letters = synthesized.logical_id(synthesized.stack.worker.dead_letter_queue)
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dead_letters, "Arn"]},
        "maxReceiveCount": constants.JOBS_MAX_RECEIVE_COUNT,
    }


def test_a_received_job_stays_hidden_for_six_worker_timeouts(queue: dict[str, Any]) -> None:
    assert queue["Properties"]["VisibilityTimeout"] == 6 * constants.WORKER_TIMEOUT_SECONDS


def test_queues_keep_jobs_four_days_and_dead_letters_fourteen(
    queue: dict[str, Any], dead_letter_queue: dict[str, Any]
) -> None:
    assert queue["Properties"]["MessageRetentionPeriod"] == 4 * DAY_SECONDS
    assert dead_letter_queue["Properties"]["MessageRetentionPeriod"] == 14 * DAY_SECONDS


@pytest.mark.parametrize("name", ["queue", "dead_letter_queue"])
def test_queue_is_encrypted_at_rest(name: str, request: pytest.FixtureRequest) -> None:
    assert request.getfixturevalue(name)["Properties"]["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("attribute", ["queue", "dead_letter_queue"])
def test_queue_refuses_requests_without_tls(attribute: str, synthesized: Synthesized) -> None:
    queue_id = synthesized.logical_id(getattr(synthesized.stack.worker, attribute))
    _, policy = synthesized.only("AWS::SQS::QueuePolicy", {"Queues": [{"Ref": queue_id}]})
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Action"] == "sqs:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_worker_may_only_log_consume_the_queue_and_keep_idempotency_records(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    log_group = synthesized.logical_id(stack.worker.app_function.log_group)
    assert synthesized.grants(stack.worker.app_function.role) == {
        ("logs:CreateLogStream", "logs:PutLogEvents"): {"Fn::GetAtt": [log_group, "Arn"]},
        (
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
        ): {"Fn::GetAtt": [synthesized.logical_id(stack.store.idempotency_table), "Arn"]},
        (
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
        ): {"Fn::GetAtt": [synthesized.logical_id(stack.worker.queue), "Arn"]},
    }
