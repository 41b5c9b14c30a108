"""Helpers the route modules share: the double behind a request, caller IP, raw path, JSON."""

import json
from typing import Any

from starlette.requests import Request

from .double import QStashDouble
from .errors import BadRequestError


def double_of(request: Request) -> QStashDouble:
    """The double behind a request's app."""
    double: QStashDouble = request.app.state.double
    return double


def client_ip(request: Request) -> str:
    """The caller's address, reported as `Upstash-Caller-Ip` and `callerIP`."""
    return request.client.host if request.client else "127.0.0.1"


def raw_tail(request: Request, prefix: str) -> str:
    """The raw (percent-encoded, as the client sent it) path after `prefix`."""
    raw: bytes | None = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.scope["path"]
    return path.split("?", 1)[0].removeprefix(prefix)


async def json_body(request: Request) -> Any:
    """Parse the request body as JSON.

    Raises:
        BadRequestError: The body is not JSON.
    """
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise BadRequestError("the request body is not valid JSON") from None
