"""Create the AWS resources the app needs in a local stand-in (moto), for tests and the demo.

The shapes match what the deployed stack creates: one SQS queue for jobs, one DynamoDB table
for the delivery store (`pk`/`sk`), one for Powertools idempotency records (`id`), and a
Secrets Manager secret holding the signing keys.
"""

import json
from dataclasses import dataclass

import boto3

from ..qstash import SigningKeys


@dataclass(frozen=True)
class LocalResources:
    """Names and addresses of the created resources, as the app's settings want them.

    Attributes:
        jobs_queue_url: The jobs queue's URL.
        app_table_name: The delivery store table.
        idempotency_table_name: The idempotency table.
        signing_keys_secret_arn: The secret holding the signing keys.
    """

    jobs_queue_url: str
    app_table_name: str
    idempotency_table_name: str
    signing_keys_secret_arn: str

    def environment(self) -> dict[str, str]:
        """The environment variables that point the app at these resources."""
        return {
            "JOBS_QUEUE_URL": self.jobs_queue_url,
            "APP_TABLE_NAME": self.app_table_name,
            "IDEMPOTENCY_TABLE_NAME": self.idempotency_table_name,
            "QSTASH_SIGNING_KEYS_SECRET_ARN": self.signing_keys_secret_arn,
        }


def create_resources(keys: SigningKeys, *, prefix: str = "local") -> LocalResources:
    """Create the queue, tables and secret with the default boto3 session.

    Args:
        keys: The signing keys to store in the secret.
        prefix: Prefix of every resource name.

    Returns:
        What was created.
    """
    sqs = boto3.client("sqs")
    dynamodb = boto3.client("dynamodb")
    secrets = boto3.client("secretsmanager")

    queue_url = sqs.create_queue(QueueName=f"{prefix}-jobs")["QueueUrl"]
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
    return LocalResources(queue_url, app_table, idempotency_table, secret_arn)
