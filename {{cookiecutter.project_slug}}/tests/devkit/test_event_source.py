"""The local SQS event source mapping: invoke with real-shaped events, delete only successes."""

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import (
    LocalResources,
    create_resources,
)
from {{ cookiecutter.package_name }}_devkit.event_source import SqsEventSource
from {{ cookiecutter.package_name }}_devkit.lambda_context import LocalLambdaContext


class Handler:
    """A worker handler that records its events and fails the records it is told to."""

    def __init__(self, failing: frozenset[str] = frozenset(), *, raises: bool = False) -> None:
        self.failing = failing
        self.raises = raises
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
        self.events.append(event)
        if self.raises:
            raise RuntimeError("the whole invocation failed")
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["messageId"]}
                for record in event["Records"]
                if record["body"] in self.failing
            ]
        }


@pytest.fixture
def resources(keys: SigningKeys) -> Iterator[LocalResources]:
    """A jobs queue whose failed messages come back at once and go to its DLQ after 2 receives."""
    with mock_aws():
        yield create_resources(keys, prefix="unit", visibility_timeout=0, max_receive_count=2)


def source(resources: LocalResources, handler: Handler) -> SqsEventSource:
    client = boto3.client("sqs")
    for body in ("a", "b", "c"):
        client.send_message(QueueUrl=resources.jobs_queue_url, MessageBody=body)
    return SqsEventSource(client, resources.jobs_queue_url, handler, wait_seconds=0)


def dead_letters(resources: LocalResources) -> list[str]:
    client = boto3.client("sqs")
    messages = client.receive_message(
        QueueUrl=resources.jobs_dead_letter_queue_url, MaxNumberOfMessages=10
    ).get("Messages", [])
    return sorted(message["Body"] for message in messages)


def test_records_that_succeeded_are_deleted(resources: LocalResources) -> None:
    poller = source(resources, Handler())
    assert poller.poll_once() == 3
    assert poller.pending() == 0
    assert poller.stats.deleted == 3


def test_reported_failures_stay_in_the_queue(resources: LocalResources) -> None:
    poller = source(resources, Handler(frozenset({"b"})))
    poller.poll_once()
    assert poller.pending() == 1
    assert poller.stats.failed_records == 1


def test_a_raising_invocation_leaves_the_whole_batch(resources: LocalResources) -> None:
    poller = source(resources, Handler(raises=True))
    poller.poll_once()
    assert poller.pending() == 3
    assert poller.stats.failed_invocations == 1


def test_a_record_that_keeps_failing_moves_to_the_dead_letter_queue(
    resources: LocalResources,
) -> None:
    handler = Handler(frozenset({"b"}))
    poller = source(resources, handler)
    while poller.poll_once():
        pass
    assert dead_letters(resources) == ["b"]
    assert sum(record["body"] == "b" for e in handler.events for record in e["Records"]) == 2


def test_event_has_the_lambda_sqs_shape(resources: LocalResources) -> None:
    handler = Handler()
    source(resources, handler).poll_once()
    (record, *_) = handler.events[0]["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == resources.jobs_queue_arn
    assert record["attributes"]["ApproximateReceiveCount"] == "1"


def test_queue_has_a_redrive_policy_to_its_dead_letter_queue(resources: LocalResources) -> None:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=resources.jobs_queue_url, AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
    )["Attributes"]
    policy = json.loads(attributes["RedrivePolicy"])
    assert int(policy["maxReceiveCount"]) == 2
    assert policy["deadLetterTargetArn"].endswith(":unit-jobs-dlq")
    assert attributes["VisibilityTimeout"] == "0"


def test_batch_size_over_ten_is_refused(resources: LocalResources) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        SqsEventSource(boto3.client("sqs"), resources.jobs_queue_url, Handler(), batch_size=11)
