"""AWS Lambda entry point of the custom resource that reconciles the QStash schedules.

CDK's `custom_resources.Provider` invokes it as its `on_event_handler` on every deploy that
changes the resource, and on stack delete (see `aws/schedules_resource.py`).
Handler: `{{ cookiecutter.package_name }}.entrypoints.lambda_schedules.handler`.
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from ..aws.schedules_resource import on_event
from ..config import get_settings
from ..observability import configure_logging
from ..qstash.retrying import Deadline
from . import SERVICE_NAME

# Seconds kept back from the invocation's time: a failure is reported with its own message
# instead of Lambda's "Task timed out".
LAMBDA_MARGIN_SECONDS = 5.0

configure_logging(SERVICE_NAME, get_settings().log_level)


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Reconcile within the time this invocation has left; raise to fail the deploy."""
    seconds_left = context.get_remaining_time_in_millis() / 1000
    return on_event(event, deadline=Deadline.after(seconds_left - LAMBDA_MARGIN_SECONDS))
