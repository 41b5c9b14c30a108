"""boto3 clients, created once per container with timeouts that fail fast.

A QStash delivery waits on these calls, so a stuck AWS call must fail within seconds and
answer 503 (QStash retries) instead of holding the request open.
"""

from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

FAST_FAIL = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
)


@cache
def sqs_client() -> "SQSClient":
    """Return the container's SQS client."""
    return boto3.client("sqs", config=FAST_FAIL)


@cache
def dynamodb_client() -> "DynamoDBClient":
    """Return the container's DynamoDB client."""
    return boto3.client("dynamodb", config=FAST_FAIL)
