"""AWS clients, created once per container with timeouts that fail fast.

A QStash delivery waits on these calls, so a stuck AWS call must fail within seconds and
answer 503 (QStash retries) instead of holding the request open. All of them come from one
botocore session, which loads each service's model once per process; a new session (what
Powertools' default parameter providers create) loads them again, about 100 ms each.

They are the clients `boto3.client(...)` returns, made without boto3's session layer: that
one (resources, S3 transfers) is never used here, and building it costs the cold start
about 50 ms (measured with `make bench`; README "Cold start").
"""

from functools import cache
from typing import TYPE_CHECKING, cast

from botocore.config import Config
from botocore.session import Session, get_session

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient

FAST_FAIL = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
)


@cache
def session() -> Session:
    """Return the container's botocore session (credentials and region from the environment)."""
    return get_session()


@cache
def sqs_client() -> "SQSClient":
    """Return the container's SQS client."""
    return cast("SQSClient", session().create_client("sqs", config=FAST_FAIL))


@cache
def dynamodb_client() -> "DynamoDBClient":
    """Return the container's DynamoDB client."""
    return cast("DynamoDBClient", session().create_client("dynamodb", config=FAST_FAIL))


@cache
def ssm_client() -> "BaseClient":
    """Return the container's SSM client (Parameter Store: the public base URL)."""
    return session().create_client("ssm", config=FAST_FAIL)


@cache
def secretsmanager_client() -> "SecretsManagerClient":
    """Return the container's Secrets Manager client (the signing keys)."""
    client = session().create_client("secretsmanager", config=FAST_FAIL)
    return cast("SecretsManagerClient", client)


def created_clients() -> "list[BaseClient]":
    """Return the clients this module has created so far in this process."""
    factories = (sqs_client, dynamodb_client, ssm_client, secretsmanager_client)
    return [factory() for factory in factories if factory.cache_info().currsize]


def close_connections() -> None:
    """Close the pooled HTTP connections of every client created so far.

    The clients stay usable and open new connections on their next call. After a SnapStart
    restore, connections opened before the snapshot belong to another execution environment.
    """
    for client in created_clients():
        client.close()
