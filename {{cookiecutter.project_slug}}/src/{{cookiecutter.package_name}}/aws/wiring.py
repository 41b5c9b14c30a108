"""Build the application's services from settings, on AWS."""

from ..config import Settings
from ..errors import ConfigurationError
from ..handoff.sqs import SqsHandoff
from ..jobs import registry
from ..public_url import PublicBaseUrlSource, StaticPublicBaseUrl
from ..qstash import SigningKeys
from ..qstash.keys import SigningKeySource, StaticSigningKeySource
from ..services import Services
from ..store.dynamodb import DynamoDBDeliveryStore
from .clients import dynamodb_client, sqs_client


def signing_key_source(settings: Settings) -> SigningKeySource:
    """Return the key source the settings ask for: the secret when set, else env variables.

    A source with no keys is still returned: every verified route then fails closed.
    """
    if settings.qstash_signing_keys_secret_arn:
        # Imported only when used (both sources): Powertools parameters imports boto3.
        from .signing_keys import SecretsManagerSigningKeySource

        return SecretsManagerSigningKeySource(
            settings.qstash_signing_keys_secret_arn, max_age=settings.signing_keys_cache_seconds
        )
    current, upcoming = settings.qstash_current_signing_key, settings.qstash_next_signing_key
    if current is None or upcoming is None:
        return StaticSigningKeySource(None)
    return StaticSigningKeySource(
        SigningKeys(current=current.get_secret_value(), next=upcoming.get_secret_value())
    )


def public_base_url_source(settings: Settings) -> PublicBaseUrlSource:
    """Return where the public base URL comes from: `PUBLIC_BASE_URL`, else the parameter.

    `PUBLIC_BASE_URL` wins so that a custom domain in front of the Function URL works
    whatever the parameter holds. With neither, every verified route fails closed (503).
    """
    if settings.public_base_url is None and settings.public_base_url_parameter:
        from .public_url import SsmPublicBaseUrl

        return SsmPublicBaseUrl(
            settings.public_base_url_parameter,
            max_age=settings.public_base_url_cache_seconds,
            allow_http=settings.environment == "development",
        )
    return StaticPublicBaseUrl(settings.public_base_url)


def aws_services(settings: Settings) -> Services:
    """Wire SQS, DynamoDB, the key source and the public base URL source from the settings.

    Nothing is read from AWS here: secrets and parameters are read on first use.

    Raises:
        ConfigurationError: `JOBS_QUEUE_URL` or `APP_TABLE_NAME` is not set.
    """
    if not settings.jobs_queue_url or not settings.app_table_name:
        raise ConfigurationError("JOBS_QUEUE_URL and APP_TABLE_NAME must be set")
    return Services(
        settings=settings,
        signing_keys=signing_key_source(settings),
        public_base_url=public_base_url_source(settings),
        registry=registry,
        handoff=SqsHandoff(sqs_client(), settings.jobs_queue_url),
        store=DynamoDBDeliveryStore(
            dynamodb_client(),
            settings.app_table_name,
            handoff_mark_ttl_seconds=settings.idempotency_expiry_seconds,
        ),
    )
