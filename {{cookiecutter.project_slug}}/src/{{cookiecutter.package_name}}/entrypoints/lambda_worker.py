"""AWS Lambda entry point of the worker, triggered by the jobs SQS queue.

Reports partial batch failures: enable `ReportBatchItemFailures` on the event source mapping.
Handler: `{{ cookiecutter.package_name }}.entrypoints.lambda_worker.handler`.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws.worker import batch_processor, build_record_handler, idempotency_config
from ..config import get_settings
from ..jobs import registry
from ..observability import configure_logging
from . import SERVICE_NAME

settings = get_settings()
configure_logging(SERVICE_NAME, settings.log_level)
config = idempotency_config(settings)
record_handler = build_record_handler(settings, registry, config)
processor = batch_processor()


def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Run every record of an SQS batch; return the ids of the records that failed."""
    config.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
