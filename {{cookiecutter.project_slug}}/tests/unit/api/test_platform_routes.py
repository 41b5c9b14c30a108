"""Routes only one platform serves are mounted by that platform, never by `create_app` itself."""

import asyncio

import httpx

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.api.routes.worker import worker_router
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryJobRuns


def post(app: object, path: str) -> int:
    async def send() -> int:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return (await client.post(path, content=b"{}")).status_code

    return asyncio.run(send())


def test_app_without_the_worker_router_does_not_serve_the_worker_route(
    services: Services,
) -> None:
    assert post(create_app(services), "/qstash/worker/send-welcome-email") == 404


def test_worker_route_mounted_by_a_platform_is_verified(services: Services) -> None:
    app = create_app(services, extra_routers=[worker_router(MemoryJobRuns(), lease_seconds=60)])
    assert post(app, "/qstash/worker/send-welcome-email") == 401
