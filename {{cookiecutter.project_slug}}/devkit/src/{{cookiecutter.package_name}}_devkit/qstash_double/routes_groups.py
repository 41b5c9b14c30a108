"""`/v2/topics`: URL groups ("topics" in the API) and their endpoints.

Source: https://upstash.com/docs/qstash/features/url-groups and the topic paths of
https://upstash.com/docs/qstash/api (openapi.yaml): adding endpoints creates the group;
removing the last endpoint deletes it.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import BadRequestError, NotFoundError
from .model import Endpoint, UrlGroup
from .options import GROUP_NAME, is_url
from .request_utils import double_of, json_body
from .views import group_view


def group_routes() -> list[Route]:
    """The URL-group routes."""
    return [
        Route("/v2/topics", list_groups, methods=["GET"]),
        Route("/v2/topics/{name}", get_group, methods=["GET"]),
        Route("/v2/topics/{name}", delete_group, methods=["DELETE"]),
        Route("/v2/topics/{name}/endpoints", add_endpoints, methods=["POST"]),
        Route("/v2/topics/{name}/endpoints", remove_endpoints, methods=["DELETE"]),
    ]


async def list_groups(request: Request) -> JSONResponse:
    """Return every URL group."""
    double = double_of(request)
    with double.state.lock:
        return JSONResponse([group_view(group) for group in double.state.groups.values()])


async def get_group(request: Request) -> JSONResponse:
    """Return one URL group (404 if unknown)."""
    double = double_of(request)
    with double.state.lock:
        return JSONResponse(group_view(_group(request)))


async def delete_group(request: Request) -> Response:
    """Delete a URL group (404 if unknown)."""
    double = double_of(request)
    with double.state.lock:
        del double.state.groups[_group(request).name]
    return Response()


async def add_endpoints(request: Request) -> Response:
    """Add `{"endpoints": [{"url", "name"?}]}` to a group, creating it if needed."""
    name = request.path_params["name"]
    if not GROUP_NAME.fullmatch(name):
        raise BadRequestError(f"invalid url group name {name!r}: use letters, digits, -, _, .")
    endpoints = await _endpoints(request)
    if any(not is_url(endpoint.get("url", "")) for endpoint in endpoints):
        raise BadRequestError("every endpoint needs a url with http:// or https://")
    double = double_of(request)
    now = double.now()
    with double.state.lock:
        group = double.state.groups.setdefault(name, UrlGroup(name, [], now, now))
        for item in endpoints:
            group.endpoints = [known for known in group.endpoints if known.url != item["url"]]
            group.endpoints.append(Endpoint(url=item["url"], name=item.get("name") or None))
        group.updated_at = now
    return Response()


async def remove_endpoints(request: Request) -> Response:
    """Remove endpoints matched by `url` or `name`; the group goes with its last endpoint."""
    double = double_of(request)
    endpoints = await _endpoints(request)
    with double.state.lock:
        group = _group(request)
        for item in endpoints:
            group.endpoints = [
                known
                for known in group.endpoints
                if known.url != item.get("url")
                and (not known.name or known.name != item.get("name"))
            ]
        group.updated_at = double.now()
        if not group.endpoints:
            del double.state.groups[group.name]
    return Response()


async def _endpoints(request: Request) -> list[dict[str, Any]]:
    body = await json_body(request)
    endpoints = body.get("endpoints") if isinstance(body, dict) else None
    if not isinstance(endpoints, list) or not all(isinstance(item, dict) for item in endpoints):
        raise BadRequestError('the body must be {"endpoints": [{"url": ..., "name": ...}]}')
    return endpoints


def _group(request: Request) -> UrlGroup:
    name = request.path_params["name"]
    group = double_of(request).state.groups.get(name)
    if group is None:
        raise NotFoundError(f"url group {name!r} not found")
    return group
