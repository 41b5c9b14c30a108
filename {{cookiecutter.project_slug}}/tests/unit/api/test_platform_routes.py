"""Routes only one platform serves are mounted by that platform, never by `create_app` itself."""

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.api.routes.worker import worker_router
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryJobRuns

from ...conftest import Invoke

WORKER_PATH = "/qstash/worker/send-welcome-email"


def test_app_without_the_worker_router_does_not_serve_the_worker_route(
    services: Services, keys: SigningKeys
) -> None:
    status, _, _ = Invoke(create_app(services), keys).request(WORKER_PATH, b"{}")
    assert status == 404


def test_worker_route_mounted_by_a_platform_is_verified(
    services: Services, keys: SigningKeys
) -> None:
    app = create_app(services, extra_routers=[worker_router(MemoryJobRuns(), lease_seconds=60)])
    status, _, _ = Invoke(app, keys).request(WORKER_PATH, b"{}")
    assert status == 401
