"""The FastAPI application."""

from fastapi import FastAPI

from ..services import Services
from .errors import install_error_handlers
from .middleware import install_middleware
from .routes import callbacks, health, jobs


def create_app(services: Services) -> FastAPI:
    """Build the application around its services.

    Args:
        services: Settings, signing keys, job registry, hand-off and store.

    Returns:
        The ASGI application (wrap it in Mangum on Lambda).
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
    return app
