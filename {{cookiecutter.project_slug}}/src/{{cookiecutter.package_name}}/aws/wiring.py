"""Build the application's services from settings, on AWS."""

from ..config import Settings
from ..errors import ConfigurationError
from ..handoff.sqs import SqsHandoff
from ..jobs import registry
from ..qstash import SigningKeys
from ..qstash.keys import SigningKeySource, StaticSigningKeySource
from ..services import Services
from ..store.dynamodb import DynamoDBDeliveryStore
from .clients import dynamodb_client, sqs_client
from .signing_keys import SecretsManagerSigningKeySource


def signing_key_source(settings: Settings) -> SigningKeySource:
    """Return the key source the settings ask for: the secret when set, else env variables.

    A source with no keys is still returned: every verified route then fails closed.
    """
    if settings.qstash_signing_keys_secret_arn:
        return SecretsManagerSigningKeySource(
            settings.qstash_signing_keys_secret_arn, max_age=settings.signing_keys_cache_seconds
        )
    current, upcoming = settings.qstash_current_signing_key, settings.qstash_next_signing_key
    if current is None or upcoming is None:
        return StaticSigningKeySource(None)
    return StaticSigningKeySource(
        SigningKeys(current=current.get_secret_value(), next=upcoming.get_secret_value())
    )


def aws_services(settings: Settings) -> Services:
    """Wire SQS, DynamoDB and the key source from the settings.

    Raises:
        ConfigurationError: `JOBS_QUEUE_URL` or `APP_TABLE_NAME` is not set.
    """
    if not settings.jobs_queue_url or not settings.app_table_name:
        raise ConfigurationError("JOBS_QUEUE_URL and APP_TABLE_NAME must be set")
    return Services(
        settings=settings,
        signing_keys=signing_key_source(settings),
        registry=registry,
        handoff=SqsHandoff(sqs_client(), settings.jobs_queue_url),
        store=DynamoDBDeliveryStore(
            dynamodb_client(),
            settings.app_table_name,
            handoff_mark_ttl_seconds=settings.idempotency_expiry_seconds,
        ),
    )
