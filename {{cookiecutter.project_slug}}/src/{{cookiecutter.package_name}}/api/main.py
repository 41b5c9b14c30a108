"""The FastAPI application."""

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI

from ..services import Services
from .errors import install_error_handlers
from .middleware import install_middleware
from .routes import callbacks, health, jobs


def create_app(services: Services, *, extra_routers: Sequence[APIRouter] = ()) -> FastAPI:
    """Build the application around its services.

    Args:
        services: Settings, signing keys, job registry, hand-off and store.
        extra_routers: Routes only one platform serves, e.g. the worker route on Cloud
            Functions (`api.routes.worker.worker_router`).

    Returns:
        The ASGI application ({% if cookiecutter.cloud == "aws-lambda" %}wrap it in Mangum on Lambda; `gcp.asgi` on Cloud Functions{% else %}`gcp.asgi` serves it on Cloud Functions{% endif %}).
    """
    # No public schema or docs, and no redirects: a redirect would answer QStash 307 for a
    # trailing slash before any signature check.
    app = FastAPI(
        title="{{ cookiecutter.project_slug }}",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    app.state.services = services
    install_error_handlers(app, retry_after_seconds=services.settings.handoff_retry_after_seconds)
    install_middleware(app)
    app.include_router(health.router)
    app.include_router(jobs.router)
    app.include_router(callbacks.router)
    for router in extra_routers:
        app.include_router(router)
    return app
