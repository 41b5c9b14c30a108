"""AWS Lambda entry point of the receiver: FastAPI behind a Function URL, through Mangum.

Everything is built at import time, once per container (the Lambda init phase); with
SnapStart, once per published version, with runtime hooks around the snapshot
(`aws/snapstart.py`). Nothing is read from AWS until the first delivery.
Handler: `{{ cookiecutter.package_name }}.entrypoints.lambda_ingest.handler`.
"""

from mangum import Mangum

from ..api import create_app
from ..aws.snapstart import register_runtime_hooks
from ..aws.wiring import aws_services
from ..config import get_settings
from ..observability import configure_logging
from . import SERVICE_NAME

settings = get_settings()
configure_logging(SERVICE_NAME, settings.log_level)
app = create_app(aws_services(settings))
handler = Mangum(app, lifespan="off")
register_runtime_hooks(app, handler, settings)
