"""The jobs queue, its dead-letter queue, and the worker that runs each job."""

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .. import constants
from ..settings import ProjectSettings
from .function import AppFunction


class Worker(Construct):
    """SQS hands each accepted job to the worker; poison messages end in the DLQ.

    The worker reports partial batch failures (aws/worker.py), so SQS retries only the
    records that failed, up to `JOBS_MAX_RECEIVE_COUNT` receives in all.

    Args:
        scope: The parent construct.
        construct_id: The construct id.
        settings: The project's settings.
        code: The bundled application.
        idempotency_table: Where the worker records each message id it ran.

    Attributes:
        dead_letter_queue: Jobs that failed every receive; kept 14 days.
        queue: The jobs queue the ingest function sends to.
        app_function: The worker function and its alias.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: ProjectSettings,
        code: lambda_.Code,
        idempotency_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            retention_period=Duration.days(constants.DEAD_LETTER_QUEUE_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            visibility_timeout=Duration.seconds(constants.JOBS_QUEUE_VISIBILITY_TIMEOUT_SECONDS),
            retention_period=Duration.days(constants.JOBS_QUEUE_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=constants.JOBS_MAX_RECEIVE_COUNT
            ),
        )
        self.app_function = AppFunction(
            self,
            "Function",
            settings=settings,
            code=code,
            handler=constants.WORKER_HANDLER.format(package=settings.package_name),
            description="Runs each job handed off through the jobs queue, once per message id",
            memory_mb=constants.WORKER_MEMORY_MB,
            timeout_seconds=constants.WORKER_TIMEOUT_SECONDS,
            environment={constants.ENV_IDEMPOTENCY_TABLE_NAME: idempotency_table.table_name},
            # Nobody waits on the worker's cold start; SnapStart would only add its cost.
            snap_start=False,
        )
        # What Powertools' DynamoDBPersistenceLayer calls: conditional put, get, update and
        # delete of one record.
        self.app_function.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
                resources=[idempotency_table.table_arn],
            )
        )
        self.app_function.alias.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=constants.WORKER_BATCH_SIZE,
                report_batch_item_failures=True,
            )
        )
