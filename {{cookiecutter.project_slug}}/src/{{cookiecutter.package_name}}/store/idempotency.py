"""The worker's idempotency records on DynamoDB, read back through Powertools (AWS).

The worker (`aws/worker.py`) runs each job inside Powertools' `idempotent_function`, which
keeps one item per QStash message id in the idempotency table: partition key `id` =
`<IDEMPOTENCY_KEY_PREFIX>#<md5 of the message id as JSON>`, `status` (`INPROGRESS`, then
`COMPLETED`; deleted when the job raises), `expiration` (unix seconds: the save time plus
the configured expiry). Reading goes through the same Powertools persistence layer, so the
key is derived by the code that wrote it
(https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/).
"""

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyItemNotFoundError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import STATUS_CONSTANTS

from .base import JobRun, JobRunStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

IDEMPOTENCY_KEY_PREFIX = "run-job"
"""The worker's key prefix. Without one Powertools prefixes the Lambda function's name,
which a command line cannot know and which changes when the function is replaced."""

# Powertools' stored statuses; any other reads back as EXPIRED (past `expiration`).
_STATUSES: dict[str, JobRunStatus] = {
    STATUS_CONSTANTS["COMPLETED"]: "completed",
    STATUS_CONSTANTS["INPROGRESS"]: "in progress",
}


class DynamoDBJobRuns:
    """`JobRuns` over the worker's Powertools idempotency table.

    Args:
        client: A boto3 DynamoDB client.
        table_name: The idempotency table (`IDEMPOTENCY_TABLE_NAME`).
        config: The worker's idempotency config (`aws.worker.idempotency_config`): its key
            expression and expiry must be the worker's for the keys and times to match.
    """

    def __init__(
        self, client: "DynamoDBClient", table_name: str, config: IdempotencyConfig
    ) -> None:
        self._expiry_seconds = config.expires_after_seconds
        self._persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)
        self._persistence.configure(config, key_prefix=IDEMPOTENCY_KEY_PREFIX)

    def job_run(self, message_id: str) -> JobRun | None:
        """Return the worker's record of this message id, or None when there is none.

        Raises:
            botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError: DynamoDB
                could not be read.
        """
        try:
            record = self._persistence.get_record(data={"message_id": message_id})
        except IdempotencyItemNotFoundError:
            return None
        if record is None or record.expiry_timestamp is None:
            return None
        expires_at = int(record.expiry_timestamp)  # DynamoDB numbers arrive as Decimal
        return JobRun(
            message_id=message_id,
            status=_STATUSES.get(record.status, "expired"),
            recorded_at=expires_at - self._expiry_seconds,
            expires_at=expires_at,
        )
