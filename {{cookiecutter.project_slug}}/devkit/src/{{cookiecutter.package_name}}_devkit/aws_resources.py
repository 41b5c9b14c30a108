"""Create the AWS resources the app needs in a local stand-in (moto), for tests and the demo.

The shapes match what the deployed stack creates: one SQS queue for jobs with a redrive
policy to an SQS dead-letter queue, one DynamoDB table for the delivery store (`pk`/`sk`), one
for Powertools idempotency records (`id`), and a Secrets Manager secret holding the signing
keys.
"""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3

from {{ cookiecutter.package_name }}.qstash import SigningKeys

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass(frozen=True)
class LocalResources:
    """Names and addresses of the created resources, as the app's settings want them.

    Attributes:
        jobs_queue_url: The jobs queue's URL.
        app_table_name: The delivery store table.
        idempotency_table_name: The idempotency table.
        signing_keys_secret_arn: The secret holding the signing keys.
        jobs_queue_arn: The jobs queue's ARN (the `eventSourceARN` of its SQS events).
        jobs_dead_letter_queue_url: The SQS dead-letter queue jobs land in after
            `max_receive_count` failed receives.
        visibility_timeout_seconds: Seconds a received job stays hidden; a job whose run
            failed reappears after this long.
        max_receive_count: Receives before SQS moves a job to the dead-letter queue.
    """

    jobs_queue_url: str
    app_table_name: str
    idempotency_table_name: str
    signing_keys_secret_arn: str
    jobs_queue_arn: str = ""
    jobs_dead_letter_queue_url: str = ""
    visibility_timeout_seconds: int = 30
    max_receive_count: int = 3

    def environment(self) -> dict[str, str]:
        """The environment variables that point the app at these resources."""
        return {
            "JOBS_QUEUE_URL": self.jobs_queue_url,
            "APP_TABLE_NAME": self.app_table_name,
            "IDEMPOTENCY_TABLE_NAME": self.idempotency_table_name,
            "QSTASH_SIGNING_KEYS_SECRET_ARN": self.signing_keys_secret_arn,
        }


def create_resources(
    keys: SigningKeys,
    *,
    prefix: str = "local",
    visibility_timeout: int = 30,
    max_receive_count: int = 3,
) -> LocalResources:
    """Create the queues, tables and secret with the default boto3 session.

    Args:
        keys: The signing keys to store in the secret.
        prefix: Prefix of every resource name.
        visibility_timeout: The jobs queue's visibility timeout, in whole seconds (0 to
            43200). Local runs use 1 so a failed job is retried within a second.
        max_receive_count: Receives of one job before SQS moves it to the dead-letter queue
            (the redrive policy's `maxReceiveCount`, 1 to 1000).

    Returns:
        What was created.
    """
    sqs = boto3.client("sqs")
    dynamodb = boto3.client("dynamodb")
    secrets = boto3.client("secretsmanager")

    dead_letter_url = sqs.create_queue(QueueName=f"{prefix}-jobs-dlq")["QueueUrl"]
    dead_letter_arn = _queue_arn(sqs, dead_letter_url)
    # The redrive policy: after `maxReceiveCount` receives without a delete, SQS moves the
    # job to the dead-letter queue instead of handing it out again
    # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": str(max_receive_count)}
    queue_url = sqs.create_queue(
        QueueName=f"{prefix}-jobs",
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    app_table = f"{prefix}-deliveries"
    dynamodb.create_table(
        TableName=app_table,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    idempotency_table = f"{prefix}-idempotency"
    dynamodb.create_table(
        TableName=idempotency_table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    secret_arn = secrets.create_secret(
        Name=f"{prefix}/qstash-signing-keys",
        SecretString=json.dumps(
            {"QSTASH_CURRENT_SIGNING_KEY": keys.current, "QSTASH_NEXT_SIGNING_KEY": keys.next}
        ),
    )["ARN"]
    return LocalResources(
        queue_url,
        app_table,
        idempotency_table,
        secret_arn,
        jobs_queue_arn=_queue_arn(sqs, queue_url),
        jobs_dead_letter_queue_url=dead_letter_url,
        visibility_timeout_seconds=visibility_timeout,
        max_receive_count=max_receive_count,
    )


def _queue_arn(sqs: "SQSClient", queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]
