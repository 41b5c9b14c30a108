"""Google Cloud Functions (2nd gen) entry point: the FastAPI app through functions-framework.

Deploy with `--entry-point=handler`; run locally with
`functions-framework --asgi --target=handler --source=<this file>`. functions-framework's ASGI
mode (`functions_framework.aio`) calls `handler` with each request; the answer it returns
forwards the ASGI exchange, body unread, to the app (`gcp/asgi.py`).

The app is built once per process, at import: settings, Firestore client, QStash client. A
missing `PUBLIC_BASE_URL` or `QSTASH_TOKEN` stops the instance here, with the reason in the
log, rather than failing each delivery. Imports are absolute: functions-framework loads this
file by its path, not as part of the package.
"""

from starlette.requests import Request

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.entrypoints import SERVICE_NAME
from {{ cookiecutter.package_name }}.gcp.asgi import ForwardToApp
from {{ cookiecutter.package_name }}.gcp.wiring import create_gcp_app
from {{ cookiecutter.package_name }}.observability import configure_logging

settings = get_settings()
configure_logging(SERVICE_NAME, settings.log_level)
app = create_gcp_app(settings)
_forward = ForwardToApp(app)


async def handler(request: Request) -> ForwardToApp:
    """Answer every request with the FastAPI app (the functions-framework target)."""
    return _forward
