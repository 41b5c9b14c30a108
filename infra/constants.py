"""Names, limits and retention periods of the stack, in one place.

What the application also knows (environment variable names, the handlers, key schemas, the
log line of a stored dead letter) is spelled here exactly as the application spells it; the
tests in infra/tests assert the synthesized template against these values.
"""

from typing import Final

from aws_cdk import aws_logs as logs

# --- the application's entry points and settings (src/<package>/config.py) ----------
INGEST_HANDLER: Final = "{package}.entrypoints.lambda_ingest.handler"
WORKER_HANDLER: Final = "{package}.entrypoints.lambda_worker.handler"
# The custom resource's handler, which reconciles the schedules with QStash on each deploy.
SCHEDULES_HANDLER: Final = "{package}.entrypoints.lambda_schedules.handler"

ENV_ENVIRONMENT: Final = "ENVIRONMENT"
ENV_LOG_LEVEL: Final = "LOG_LEVEL"
ENV_JOBS_QUEUE_URL: Final = "JOBS_QUEUE_URL"
ENV_APP_TABLE_NAME: Final = "APP_TABLE_NAME"
ENV_IDEMPOTENCY_TABLE_NAME: Final = "IDEMPOTENCY_TABLE_NAME"
ENV_SIGNING_KEYS_SECRET_ARN: Final = "QSTASH_SIGNING_KEYS_SECRET_ARN"  # noqa: S105  # a name
ENV_PUBLIC_BASE_URL: Final = "PUBLIC_BASE_URL"
# The name of the SSM parameter holding the public base URL: see components/ingest.py.
ENV_PUBLIC_BASE_URL_PARAMETER: Final = "PUBLIC_BASE_URL_PARAMETER"

# --- the secret (src/<package>/aws/signing_keys.py reads the first two fields) --------
SECRET_FIELDS: Final = ("QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "QSTASH_TOKEN")

# --- DynamoDB key schemas --------------------------------------------------------------
# store/dynamodb.py: partition key `pk`, sort key `sk`, TTL on `expires_at` (unix seconds).
APP_TABLE_PARTITION_KEY: Final = "pk"
APP_TABLE_SORT_KEY: Final = "sk"
APP_TABLE_TTL_ATTRIBUTE: Final = "expires_at"
# Powertools' DynamoDBPersistenceLayer defaults (aws/worker.py passes none of its own):
# partition key `id`, expiry in `expiration` (unix seconds).
IDEMPOTENCY_TABLE_PARTITION_KEY: Final = "id"
IDEMPOTENCY_TABLE_TTL_ATTRIBUTE: Final = "expiration"

# --- functions ---------------------------------------------------------------------------
# The alias the Function URL and the SQS event source point at: SnapStart snapshots only
# published versions, and an alias moves to each new version on deploy.
LIVE_ALIAS: Final = "live"
# Memory buys CPU on Lambda: 1024 MB gives the ingest path (QStash waits on it) about 0.6 vCPU
# for its imports and signature check; the worker's jobs are mostly I/O.
INGEST_MEMORY_MB: Final = 1024
WORKER_MEMORY_MB: Final = 512
# The boto3 clients fail within about 20 s (aws/clients.py: 2 s connect, 5 s read, 3 tries).
INGEST_TIMEOUT_SECONDS: Final = 30
WORKER_TIMEOUT_SECONDS: Final = 60
LOG_RETENTION: Final = logs.RetentionDays.ONE_MONTH
# The schedules reconcile makes a few calls per schedule to QStash and retries 429s and 5xx
# with bounded back-off, all within this limit; CloudFormation waits for it on every deploy.
SCHEDULES_MEMORY_MB: Final = 256
SCHEDULES_TIMEOUT_SECONDS: Final = 300
# How long CloudFormation waits for the custom resource's answer before failing the deploy:
# the handler's timeout plus room for the provider framework's own calls.
SCHEDULES_SERVICE_TIMEOUT_SECONDS: Final = SCHEDULES_TIMEOUT_SECONDS + 120

# --- queues --------------------------------------------------------------------------------
# AWS advises a visibility timeout of six times the consumer's timeout for a Lambda event
# source, so a record is not handed out twice while its batch is still being retried.
JOBS_QUEUE_VISIBILITY_TIMEOUT_SECONDS: Final = 6 * WORKER_TIMEOUT_SECONDS
JOBS_QUEUE_RETENTION_DAYS: Final = 4
# After this many receives a job goes to the dead-letter queue instead of running again.
JOBS_MAX_RECEIVE_COUNT: Final = 5
DEAD_LETTER_QUEUE_RETENTION_DAYS: Final = 14  # the SQS maximum
# Up to ten jobs per invocation, run as soon as they arrive (no batching window).
WORKER_BATCH_SIZE: Final = 10

# --- monitoring -----------------------------------------------------------------------------
# outcomes.py logs this message (JSON, field `message`) once per dead letter it stores.
DEAD_LETTER_LOG_MESSAGE: Final = "message dead-lettered by QStash"
DEAD_LETTERS_METRIC: Final = "DeadLettersStored"
ALARM_PERIOD_MINUTES: Final = 5

# --- public base URL ------------------------------------------------------------------------
# SSM parameter (a literal name, so the function may name it without a dependency cycle).
PUBLIC_BASE_URL_PARAMETER: Final = "/{stack}/public-base-url"
