"""`POST /v2/publish/{destination}` and `POST /v2/batch`.

Sources: https://upstash.com/docs/qstash/api/publish and
https://upstash.com/docs/qstash/features/batch.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import BadRequestError, DoubleApiError
from .options import is_url, parse_options, split_destination
from .publishing import Published, check_size
from .request_utils import client_ip, double_of, json_body, raw_tail

PUBLISH_PREFIX = "/v2/publish/"


def publish_routes() -> list[Route]:
    """The publish and batch routes."""
    return [
        Route(PUBLISH_PREFIX + "{destination:path}", publish_message, methods=["POST"]),
        Route("/v2/batch", publish_batch, methods=["POST"]),
    ]


async def publish_message(request: Request) -> JSONResponse:
    """Publish one message to a URL, or one per endpoint to a URL group.

    Answers `{"messageId"}` (URL) or `[{"messageId", "url"}]` (URL group), with
    `"deduplicated": true` and status 202 for a duplicate, else `publish_status` (200).
    """
    double = double_of(request)
    settings = double.settings
    destination, query = split_destination(
        raw_tail(request, PUBLISH_PREFIX), request.scope.get("query_string", b"")
    )
    body = await request.body()
    check_size(body, settings)
    options = parse_options(request.headers.items(), settings, query=query)
    results = double.publish(destination, body, options, caller_ip=client_ip(request))
    status = 202 if all(item.deduplicated for item in results) else settings.publish_status
    return JSONResponse(_publish_json(destination, results), status)


async def publish_batch(request: Request) -> JSONResponse:
    """Publish a JSON array of `{"destination", "headers", "body"}`; answers one item each.

    A bad item answers `{"error": ...}` in its place and does not fail the others; a body
    over the size limit fails the whole request with 413.
    """
    double = double_of(request)
    settings = double.settings
    items = await json_body(request)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadRequestError("the batch body must be a JSON array of objects")
    for item in items:
        check_size(str(item.get("body") or "").encode(), settings)
    answers: list[Any] = []
    for item in items:
        try:
            answers.append(_publish_item(request, item))
        except DoubleApiError as error:
            answers.append({"error": error.message})
    return JSONResponse(answers, settings.publish_status)


def _publish_item(request: Request, item: dict[str, Any]) -> Any:
    double = double_of(request)
    if item.get("queue"):
        raise BadRequestError("queues are not supported by the local double")
    destination = item.get("destination")
    headers = item.get("headers") or {}
    if not isinstance(destination, str) or not isinstance(headers, dict):
        raise BadRequestError("each batch item needs a string destination and a headers object")
    head, _, query = destination.partition("?")
    destination, config = split_destination(head, query.encode())
    options = parse_options(
        [(str(name), str(value)) for name, value in headers.items()], double.settings, query=config
    )
    body = str(item.get("body") or "").encode()
    results = double.publish(destination, body, options, caller_ip=client_ip(request))
    return _publish_json(destination, results)


def _publish_json(destination: str, results: list[Published]) -> Any:
    if is_url(destination):
        return results[0].as_json(with_url=False)
    return [item.as_json(with_url=True) for item in results]
