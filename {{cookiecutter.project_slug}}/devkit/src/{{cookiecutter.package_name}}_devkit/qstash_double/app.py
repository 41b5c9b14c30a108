"""The double's REST API as a Starlette app, behind a guard for hang, auth and burst limits.

Sources: https://upstash.com/docs/qstash/api/authentication (bearer token or `qstash_token`
query parameter), https://upstash.com/docs/qstash/api/api-ratelimiting (429 and
`Burst-RateLimit-*`), the `Error` schema of https://upstash.com/docs/qstash/api
(`{"error": "..."}`) and https://upstash.com/docs/qstash/howto/roll-signing-keys (keys).
"""

import asyncio
import hmac
import time
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .double import QStashDouble
from .errors import DoubleApiError
from .limits import BurstLimiter
from .request_utils import double_of
from .routes_dlq import dlq_routes
from .routes_groups import group_routes
from .routes_messages import message_routes
from .routes_publish import publish_routes
from .routes_schedules import schedule_routes

PUBLISH_PREFIXES = ("/v2/publish/", "/v2/batch", "/v2/enqueue/")
HANG_POLL_SECONDS = 0.05


def create_app(double: QStashDouble) -> ASGIApp:
    """Build the ASGI app of the double's REST API.

    Args:
        double: The double the API drives.

    Returns:
        The app: every `/v2` route answers 401 without the double's token.
    """
    routes = [
        Route("/v2/keys", _get_keys, methods=["GET"]),
        Route("/v2/keys/rotate", _rotate_keys, methods=["POST"]),
        *publish_routes(),
        *message_routes(),
        *schedule_routes(),
        *group_routes(),
        *dlq_routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={DoubleApiError: _api_error, HTTPException: _http_error},
    )
    app.state.double = double
    return ApiGuard(app, double)


class ApiGuard:
    """ASGI middleware: the `hang` switch, bearer-token auth, then the burst limit.

    Args:
        app: The wrapped app.
        double: Where the token and the switches live.
    """

    def __init__(self, app: ASGIApp, double: QStashDouble) -> None:
        self.app, self.double = app, double
        self.limiter = BurstLimiter(self._burst_clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Accept the connection and never answer, until the switch is off or we stop.
        while self.double.settings.hang and not self.double.closing:
            await asyncio.sleep(HANG_POLL_SECONDS)
        request = Request(scope)
        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _burst_clock(self) -> float:
        # A manual clock holds the burst window too: the test decides when a second is over.
        clock = self.double.clock
        return clock.now() if clock.manual else time.time()

    def _refusal(self, request: Request) -> Response | None:
        settings = self.double.settings
        if not _authorized(request, self.double.token):
            self.double.state.counters["unauthorized"] += 1
            return JSONResponse({"error": "Unauthorized: missing or invalid token"}, 401)
        limit = settings.rate_limit_per_second
        limited = settings.rate_limit_scope == "all" or request.url.path.startswith(
            PUBLISH_PREFIXES
        )
        if limit is not None and limited:
            allowed, headers = self.limiter.take(limit)
            if not allowed:
                self.double.state.counters["rate_limited"] += 1
                return JSONResponse({"error": "Too many requests"}, 429, headers=headers)
        refused = settings.refuse_publish_to
        if refused is not None and request.url.path.startswith("/v2/publish/"):
            destination = request.url.path.removeprefix("/v2/publish/")
            if destination.startswith(refused):
                self.double.state.counters["refused_publishes"] += 1
                return JSONResponse(
                    {"error": f"publishing to {refused} is refused (refuse_publish_to)"}, 500
                )
        return None


def _authorized(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        given = request.query_params.get("qstash_token", "")
    return bool(given) and hmac.compare_digest(given.strip().encode(), token.encode())


async def _get_keys(request: Request) -> JSONResponse:
    keys = double_of(request).keys
    return JSONResponse({"current": keys.current, "next": keys.next})


async def _rotate_keys(request: Request) -> JSONResponse:
    keys = double_of(request).rotate_keys()
    return JSONResponse({"current": keys.current, "next": keys.next})


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DoubleApiError)  # noqa: S101 - registered for this type only
    return JSONResponse({"error": error.message}, error.status)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for this type only
    body: dict[str, Any] = {"error": error.detail}
    return JSONResponse(body, error.status_code, headers=error.headers)
