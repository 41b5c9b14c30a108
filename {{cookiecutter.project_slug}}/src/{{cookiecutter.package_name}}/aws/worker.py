"""The SQS worker: each record runs its job once per QStash message id (Powertools idempotency)."""

import logging
from collections.abc import Callable

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)

from ..config import Settings
from ..errors import ConfigurationError
from ..handoff import JobEnvelope
from ..jobs import JobRegistry
from ..observability import message_id_var
from ..store.idempotency import IDEMPOTENCY_KEY_PREFIX
from ..worker import run_envelope
from .clients import dynamodb_client

logger = logging.getLogger(__name__)


def idempotency_config(settings: Settings) -> IdempotencyConfig:
    """The idempotency key is the QStash message id; records live `idempotency_expiry_seconds`."""
    return IdempotencyConfig(
        event_key_jmespath="message_id",
        expires_after_seconds=settings.idempotency_expiry_seconds,
        raise_on_no_idempotency_key=True,
    )


def build_record_handler(
    settings: Settings, registry: JobRegistry, config: IdempotencyConfig
) -> Callable[[SQSRecord], None]:
    """Return the per-record handler: parse the envelope, run its job at most once.

    A job that raises leaves no idempotency record, so SQS redelivers the message and it
    runs again; one that succeeded is skipped when the message comes back.

    Raises:
        ConfigurationError: `IDEMPOTENCY_TABLE_NAME` is not set.
    """
    if not settings.idempotency_table_name:
        raise ConfigurationError("IDEMPOTENCY_TABLE_NAME must be set")
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table_name, boto3_client=dynamodb_client()
    )

    # A fixed key prefix, so `dlq replay` can look a message id up (store/idempotency.py).
    @idempotent_function(  # type: ignore[untyped-decorator]  # Powertools leaves it untyped
        data_keyword_argument="envelope",
        config=config,
        persistence_store=persistence,
        key_prefix=IDEMPOTENCY_KEY_PREFIX,
    )
    def run_once(envelope: JobEnvelope) -> None:
        run_envelope(envelope, registry)

    def handle(record: SQSRecord) -> None:
        try:
            envelope = JobEnvelope.from_json(record.body)
            message_id_var.set(envelope.message_id)
            run_once(envelope=envelope)
        except IdempotencyAlreadyInProgressError:
            # Another worker runs this message id now: SQS brings the record back later.
            logger.info("job already running elsewhere, left for SQS to redeliver")
            raise
        except Exception:
            # The batch processor reports the record to SQS but logs nothing above DEBUG, so
            # without this a failing job would leave no trace in the logs.
            logger.exception(
                "job failed, left for SQS to redeliver",
                extra={"sqs_message_id": record.message_id},
            )
            raise

    return handle


def batch_processor() -> BatchProcessor:
    """A processor that reports partial batch failures (only failed records come back).

    A batch where every record failed is reported the same way rather than raised: SQS
    retries exactly those records either way, and the function's error metric stays a
    signal of the worker breaking, not of jobs failing.
    """
    return BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
