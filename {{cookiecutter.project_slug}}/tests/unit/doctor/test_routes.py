"""Every QStash route of the real app verifies the signature over the raw body."""

import inspect
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.api.deps import (
    VerifiedDelivery,
    verify_delivery,
    verify_job_delivery,
)
from {{ cookiecutter.package_name }}.api.routes import health, jobs
from {{ cookiecutter.package_name }}.cli.doctor.app import REQUIRED_ROUTES, platform_app
from {{ cookiecutter.package_name }}.cli.doctor.findings import Finding
from {{ cookiecutter.package_name }}.cli.doctor.routes import check_routes, check_verifier
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.paths import CALLBACK_PATH, FAILURE_CALLBACK_PATH

from .conftest import PROJECT

HERE = Path(__file__).relative_to(PROJECT).as_posix()


class Order(BaseModel):
    order_id: str


def app_with(router: APIRouter) -> FastAPI:
    """The platform's real app, with one more router included."""
    app = platform_app(Settings())
    app.include_router(router)
    return app


def findings_of(app: FastAPI) -> tuple[Finding, ...]:
    return check_routes(app, root=PROJECT, required=REQUIRED_ROUTES).findings


def line(function: Any) -> int:
    return inspect.getsourcelines(function)[1]


def test_the_platform_app_has_no_route_findings() -> None:
    result = check_routes(platform_app(Settings()), root=PROJECT, required=REQUIRED_ROUTES)

    assert result.findings == ()
    assert result.checked == f"{len(REQUIRED_ROUTES)} QStash route(s)"


def test_unverified_route_is_reported_with_its_file_and_line() -> None:
    router = APIRouter()

    @router.post("/qstash/admin/replay")
    def replay_everything(request: Request) -> dict[str, str]:
        return {"status": "replayed"}

    (finding,) = findings_of(app_with(router))

    assert (finding.path, finding.line) == (HERE, line(replay_everything))
    assert "POST /qstash/admin/replay (replay_everything) does not verify" in finding.problem
    assert "VerifiedDelivery" in finding.fix


def test_failure_callback_route_without_verification_is_reported() -> None:
    router = APIRouter()

    @router.post(FAILURE_CALLBACK_PATH)
    def store_dead_letter(request: Request) -> None:
        return None

    (finding,) = findings_of(app_with(router))

    assert finding.line == line(store_dead_letter)
    assert f"POST {FAILURE_CALLBACK_PATH} (store_dead_letter) does not verify" in finding.problem


def test_unverified_route_in_a_prefixed_router_is_reported_at_its_full_path() -> None:
    router = APIRouter(prefix="/qstash/partners")

    @router.post("/orders")
    def partner_orders(request: Request) -> None:
        return None

    (finding,) = findings_of(app_with(router))

    assert "POST /qstash/partners/orders (partner_orders)" in finding.problem


def test_route_verified_by_its_routers_dependencies_is_accepted() -> None:
    router = APIRouter(dependencies=[Depends(verify_delivery)])

    @router.post("/qstash/partners/orders")
    def partner_orders(request: Request) -> None:
        return None

    assert findings_of(app_with(router)) == ()


def test_route_taking_a_parsed_body_is_reported() -> None:
    router = APIRouter()

    @router.post("/qstash/orders")
    def receive_order(order: Order, delivery: VerifiedDelivery) -> None:
        return None

    (finding,) = findings_of(app_with(router))

    assert finding.line == line(receive_order)
    assert "takes the parsed body 'order'" in finding.problem
    assert "delivery.body" in finding.fix


def test_route_taking_a_body_field_is_reported() -> None:
    router = APIRouter()

    @router.post("/qstash/notes")
    def receive_note(delivery: VerifiedDelivery, note: Annotated[str, Body()]) -> None:
        return None

    (finding,) = findings_of(app_with(router))

    assert "takes the parsed body 'note'" in finding.problem


def test_missing_callback_route_is_reported() -> None:
    app = FastAPI()
    app.include_router(health.router)
    app.include_router(jobs.router)

    problems = [finding.problem for finding in findings_of(app)]

    assert f"the app serves no POST {CALLBACK_PATH}, which QStash is sent to" in problems
    assert f"the app serves no POST {FAILURE_CALLBACK_PATH}, which QStash is sent to" in problems


def test_app_mounted_under_the_qstash_path_is_reported() -> None:
    app = platform_app(Settings())
    app.mount("/qstash/legacy", FastAPI())

    (finding,) = findings_of(app)

    assert finding.problem.startswith("/qstash/legacy is a mounted application")


def test_routes_outside_the_qstash_paths_are_not_checked() -> None:
    router = APIRouter()

    @router.post("/admin/report")
    def report(request: Request) -> None:
        return None

    assert findings_of(app_with(router)) == ()


def test_verifier_declaring_a_body_parameter_is_reported() -> None:
    def verify_parsed(request: Request, order: Order) -> None:
        return None

    problems = [f.problem for f in check_verifier(verify_parsed, root=PROJECT)]

    assert "verify_parsed declares the body parameter 'order'" in problems[-1]


def test_verifier_without_the_request_is_reported() -> None:
    def verify_nothing() -> None:
        return None

    problems = [f.problem for f in check_verifier(verify_nothing, root=PROJECT)]

    assert any("does not take the Request" in problem for problem in problems)


def test_the_apps_verifier_reads_the_raw_body() -> None:
    assert list(check_verifier(verify_delivery, root=PROJECT)) == []


def test_the_job_routes_verifier_reads_the_raw_body() -> None:
    assert list(check_verifier(verify_job_delivery, root=PROJECT)) == []
