"""Drain an SQS queue into Lambda-shaped SQS events, as the event source mapping would."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:local-jobs"


def receive_all(queue_url: str) -> list["MessageTypeDef"]:
    """Receive every message currently visible in the queue (without deleting them).

    Args:
        queue_url: The queue's URL.

    Returns:
        The messages as `ReceiveMessage` returns them, attributes included.
    """
    sqs = boto3.client("sqs")
    messages: list[MessageTypeDef] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)


def sqs_event(messages: Sequence["MessageTypeDef"], queue_arn: str = QUEUE_ARN) -> dict[str, Any]:
    """Build the event the Lambda SQS trigger delivers for these messages.

    Args:
        messages: Messages from `receive_all`.
        queue_arn: The source queue's ARN.

    Returns:
        `{"Records": [...]}` in the documented SQS event shape.
    """
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "dataType": value["DataType"],
                    }
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for message in messages
        ]
    }


def delete(queue_url: str, messages: Iterable["MessageTypeDef"]) -> None:
    """Delete messages the worker processed (what the event source mapping does on success)."""
    sqs = boto3.client("sqs")
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def send_bodies(queue_url: str, bodies: list[str]) -> None:
    """Send raw message bodies (e.g. to simulate SQS delivering a message twice)."""
    sqs = boto3.client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
