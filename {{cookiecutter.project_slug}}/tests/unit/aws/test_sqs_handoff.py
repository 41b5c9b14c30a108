import json

import boto3
import pytest

from {{ cookiecutter.package_name }}.aws.clients import sqs_client
from {{ cookiecutter.package_name }}.errors import HandoffError, InvalidPayloadError
from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}.handoff.sqs import SqsHandoff
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources
from {{ cookiecutter.package_name }}_devkit.sqs import receive_all

ENVELOPE = JobEnvelope(
    job="tally", payload={"label": "a"}, message_id="msg_1", retried=2, schedule_id="scd_9"
)


def test_envelope_is_sent_as_the_message_body(aws: LocalResources) -> None:
    SqsHandoff(sqs_client(), aws.jobs_queue_url).send(ENVELOPE)
    [message] = receive_all(aws.jobs_queue_url)
    assert JobEnvelope.from_json(message["Body"]) == ENVELOPE
    assert json.loads(message["Body"])["message_id"] == "msg_1"


def test_message_id_retried_and_schedule_id_travel_as_attributes(aws: LocalResources) -> None:
    SqsHandoff(sqs_client(), aws.jobs_queue_url).send(ENVELOPE)
    [message] = receive_all(aws.jobs_queue_url)
    attributes = {
        name: value["StringValue"] for name, value in message["MessageAttributes"].items()
    }
    assert attributes == {
        "message_id": "msg_1",
        "retried": "2",
        "schedule_id": "scd_9",
        "job": "tally",
    }


def test_refused_send_raises_handoff_error(aws: LocalResources) -> None:
    boto3.client("sqs").delete_queue(QueueUrl=aws.jobs_queue_url)
    with pytest.raises(HandoffError, match="did not accept"):
        SqsHandoff(sqs_client(), aws.jobs_queue_url).send(ENVELOPE)


def test_job_too_big_for_one_message_is_a_permanent_error(aws: LocalResources) -> None:
    huge = JobEnvelope(job="tally", payload={"label": "x" * (1024 * 1024)}, message_id="msg_big")
    with pytest.raises(InvalidPayloadError, match="reference"):
        SqsHandoff(sqs_client(), aws.jobs_queue_url).send(huge)
    assert receive_all(aws.jobs_queue_url) == []
