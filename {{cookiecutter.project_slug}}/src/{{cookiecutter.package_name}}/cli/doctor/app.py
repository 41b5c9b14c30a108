"""The application as the platform builds it, with stand-in services: nothing is read or opened.

The routes do not depend on the services (they reach them per request), so the app built
here has the routes the deployed one has, without credentials, tables or network.
{%- if cookiecutter.cloud == "aws-lambda" %}
On AWS the ingest Lambda serves `create_app(aws_services(settings))`
(`entrypoints/lambda_ingest.py`): the same `create_app`, no extra routers.
{%- else %}
On Cloud Functions the function serves `gcp.wiring.create_gcp_app(settings)`: `create_app`
with the worker router, as here.
{%- endif %}
"""

from fastapi import FastAPI

from ...api import create_app
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
from ...api.routes.worker import worker_router
{%- endif %}
from ...config import Settings
from ...handoff import MemoryHandoff
from ...jobs import registry
from ...paths import CALLBACK_PATH, FAILURE_CALLBACK_PATH, JOB_ROUTE
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}, WORKER_ROUTE{% endif %}
from ...public_url import StaticPublicBaseUrl
from ...qstash.keys import StaticSigningKeySource
from ...services import Services
from ...store import MemoryDeliveryStore
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}, MemoryJobRuns{% endif %}

#: The routes QStash is sent to, which the app must serve with POST.
{%- if cookiecutter.cloud == "aws-lambda" %}
REQUIRED_ROUTES = (JOB_ROUTE, CALLBACK_PATH, FAILURE_CALLBACK_PATH)
{%- else %}
REQUIRED_ROUTES = (JOB_ROUTE, CALLBACK_PATH, FAILURE_CALLBACK_PATH, WORKER_ROUTE)
{%- endif %}


def platform_app(settings: Settings) -> FastAPI:
    """Return the app the platform serves, with in-memory services.

    Args:
        settings: The settings; only what the app reads at build time is used.
    """
    services = Services(
        settings=settings,
        signing_keys=StaticSigningKeySource(None),
        public_base_url=StaticPublicBaseUrl(None),
        registry=registry,
        handoff=MemoryHandoff(),
        store=MemoryDeliveryStore(),
    )
{%- if cookiecutter.cloud == "aws-lambda" %}
    return create_app(services)
{%- else %}
    worker = worker_router(MemoryJobRuns(), lease_seconds=settings.worker_lease_seconds)
    return create_app(services, extra_routers=[worker])
{%- endif %}
