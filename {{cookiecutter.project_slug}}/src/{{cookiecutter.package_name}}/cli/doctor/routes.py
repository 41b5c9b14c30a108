"""Every route QStash calls verifies its signature over the raw body: read from the app itself.

The check walks the routes of the FastAPI application the platform builds (`app.py`), not
the source text, so a route added in any module, by any router, is seen. A route is
QStash-facing when its path is one of `paths.py`'s routes or lies under their first
segment (`/qstash/...`). Each such route must depend, directly or through another
dependency, on `verify_delivery` or `verify_job_delivery` (what `VerifiedDelivery` and
`VerifiedJobDelivery` declare), and must not declare a body parameter: FastAPI would parse
the body into a model before the signature is checked, and QStash signs the raw bytes
(https://upstash.com/docs/qstash/howto/signature).
"""

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.params import Depends
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import Mount

from ...api import create_app
from ...api.deps import (
    VerifiedDelivery,
    VerifiedJobDelivery,
    verify_delivery,
    verify_job_delivery,
)
from ...paths import CALLBACK_PATH, FAILURE_CALLBACK_PATH, JOB_ROUTE
from .findings import CheckResult, Finding, Location, source_location

CHECK = "routes"
VERIFY_FIX = (
    "declare `delivery: VerifiedDelivery` (api/deps.py) on the route and read the payload "
    "from `delivery.body`"
)
#: Each type a route declares to be verified, by name, and the verifier it must depend on.
VERIFIED_TYPES: dict[str, tuple[Any, Callable[..., Any]]] = {
    "VerifiedDelivery": (VerifiedDelivery, verify_delivery),
    "VerifiedJobDelivery": (VerifiedJobDelivery, verify_job_delivery),
}
BODY_FIX = (
    "take `delivery: VerifiedDelivery` instead and parse `delivery.body` (e.g. with the job's "
    "model): the signature covers the raw bytes, not a re-serialised model"
)


def check_routes(
    app: FastAPI,
    *,
    root: Path,
    required: Sequence[str] = (JOB_ROUTE, CALLBACK_PATH, FAILURE_CALLBACK_PATH),
    verifiers: Sequence[Callable[..., Any]] = (verify_delivery, verify_job_delivery),
) -> CheckResult:
    """Check every QStash-facing route of `app`.

    Args:
        app: The application as the platform builds it.
        root: The project root (finding paths are relative to it).
        required: The route paths the app must serve with POST: the job route and both
            callbacks (and, on Cloud Functions, the worker route).
        verifiers: The signature-verifying dependencies: every QStash route must depend on
            one of them.

    Returns:
        One finding per route that is not verified, takes a parsed body or cannot be
        inspected, per required route that is missing, and per problem of a verifier
        itself.
    """
    findings = [
        finding for verifier in verifiers for finding in check_verifier(verifier, root=root)
    ]
    prefixes = _qstash_segments(required)
    served: set[str] = set()
    count = 0
    # FastAPI (0.165, pinned) keeps included routers as they are and resolves each route
    # with its router's prefix and dependencies when asked: iter_route_contexts is what its
    # OpenAPI generation reads, so a route is seen here exactly as it is served.
    for context in iter_route_contexts(app.routes):
        path = context.path
        if path is None or not _is_qstash_path(path, required, prefixes):
            continue
        count += 1
        if isinstance(context.original_route, APIRoute):
            methods = context.methods or set()
            if "POST" in methods:
                served.add(path)
            findings.extend(_check_api_route(context, path, methods, verifiers, root))
        else:
            findings.append(_uninspectable(context, path, root))
    for path in required:
        if path not in served:
            where = source_location(create_app, root)
            findings.append(
                Finding(
                    CHECK,
                    where.path,
                    where.line,
                    f"the app serves no POST {path}, which QStash is sent to",
                    "include the router that serves it (api/routes/) in create_app",
                )
            )
    return CheckResult(CHECK, f"{count} QStash route(s)", tuple(findings))


def check_verifier(verifier: Callable[..., Any], *, root: Path) -> Iterator[Finding]:
    """Check that `verifier` reads the raw body, and that the type declaring it depends on it.

    `verifier` must take the `Request` (to read the body bytes itself) and declare no body
    parameter, which FastAPI would parse first. When it is one of `VERIFIED_TYPES`, its
    type (`VerifiedDelivery`, `VerifiedJobDelivery`) must still be `Depends(verifier)`.

    Yields:
        A finding per problem, pointing at `verifier`.
    """
    where = source_location(verifier, root)
    for name, (declared, expected) in VERIFIED_TYPES.items():
        if expected is not verifier:
            continue
        metadata = get_args(declared)[1:]
        dependency = next((m for m in metadata if isinstance(m, Depends)), None)
        if dependency is None or dependency.dependency is not verifier:
            yield Finding(
                CHECK,
                where.path,
                where.line,
                f"{name} does not depend on the signature verification",
                f"declare {name} = Annotated[Delivery, Depends({verifier.__name__})]",
            )
    dependant = get_dependant(path="", call=verifier)
    if dependant.request_param_name is None:
        yield Finding(
            CHECK,
            where.path,
            where.line,
            f"{verifier.__name__} does not take the Request, so it cannot read the raw body",
            "take `request: Request` and hash the bytes of `request.stream()`",
        )
    for name in _body_parameters(dependant):
        yield Finding(
            CHECK,
            where.path,
            where.line,
            f"{verifier.__name__} declares the body parameter {name!r}: FastAPI parses it "
            "before the signature is checked",
            "read the raw bytes from the Request instead (api/deps.py read_body)",
        )


def _check_api_route(
    context: RouteContext,
    path: str,
    methods: set[str],
    verifiers: Sequence[Callable[..., Any]],
    root: Path,
) -> Iterator[Finding]:
    endpoint = context.endpoint
    where = source_location(endpoint, root) if endpoint else Location("<unknown>")
    route = f"{','.join(sorted(methods))} {path} ({getattr(endpoint, '__name__', '?')})"
    dependant: Dependant = context.dependant
    if not any(d.call in verifiers for d in _dependencies(dependant)):
        yield Finding(
            CHECK,
            where.path,
            where.line,
            f"{route} does not verify the QStash signature: anyone can call it",
            VERIFY_FIX,
        )
    for name in _body_parameters(dependant):
        yield Finding(
            CHECK, where.path, where.line, f"{route} takes the parsed body {name!r}", BODY_FIX
        )


def _uninspectable(context: RouteContext, path: str, root: Path) -> Finding:
    endpoint = context.endpoint
    where = source_location(endpoint, root) if callable(endpoint) else Location("<unknown>")
    route = context.original_route
    kind = "a mounted application" if isinstance(route, Mount) else f"a {type(route).__name__}"
    return Finding(
        CHECK,
        where.path,
        where.line,
        f"{path} is {kind}, not a FastAPI route: its signature check cannot be confirmed",
        "serve QStash routes with an APIRouter route that declares `delivery: VerifiedDelivery`",
    )


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    """Every sub-dependency of `dependant`, depth first (router-level ones included)."""
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _body_parameters(dependant: Dependant) -> list[str]:
    """Names of the body, form and file parameters of `dependant` and its dependencies."""
    names = [field.name for field in dependant.body_params]
    for dependency in _dependencies(dependant):
        names.extend(field.name for field in dependency.body_params)
    return names


def _qstash_segments(paths: Sequence[str]) -> frozenset[str]:
    """The first path segments of QStash's routes, e.g. `{"qstash"}`."""
    return frozenset(path.split("/")[1] for path in paths if path.startswith("/"))


def _is_qstash_path(path: str, required: Sequence[str], segments: frozenset[str]) -> bool:
    first = path.split("/")[1] if path.startswith("/") else ""
    return path in required or (first in segments and bool(first))
