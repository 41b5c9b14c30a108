"""`/v2/dlq`: list, get, delete and retry, one at a time or in bulk.

Source: https://upstash.com/docs/qstash/features/dlq and the DLQ paths of
https://upstash.com/docs/qstash/api (openapi.yaml). The bulk calls select as `selection`
describes and work a page at a time: at most `count` (default and maximum 100) entries from
`cursor` on, answering the `cursor` of the next page while there is one. A listing takes
`order`: `earliestFirst` (the default) or `latestFirst`, by the time each message was
dead-lettered (https://upstash.com/docs/qstash/api/dlq/listMessages).
"""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import BadRequestError, NotFoundError
from .model import DeadLetter
from .request_utils import double_of
from .selection import Fields, Selection, bulk_parameters
from .views import dead_letter_view

MAX_COUNT = 100
"""Default and largest `count` of a DLQ page (openapi.yaml)."""
ORDERS = ("earliestFirst", "latestFirst")
"""The listing orders QStash documents; the first is its default."""

DLQ_FILTERS: Fields[DeadLetter] = {
    "messageId": lambda entry: entry.message.message_id,
    "url": lambda entry: entry.message.url,
    "topicName": lambda entry: entry.message.topic_name,
    "scheduleId": lambda entry: entry.message.schedule_id,
    "responseStatus": lambda entry: str(entry.response.status or 0),
    "callerIp": lambda entry: entry.message.caller_ip,
    "label": lambda entry: entry.message.options.label,
    "queueName": lambda entry: None,  # the double has no queues
    "flowControlKey": lambda entry: None,  # nor flow control
}


def dlq_routes() -> list[Route]:
    """The DLQ routes."""
    return [
        Route("/v2/dlq", list_dead_letters, methods=["GET"]),
        Route("/v2/dlq", delete_dead_letters, methods=["DELETE"]),
        Route("/v2/dlq/retry", retry_dead_letters, methods=["POST"]),
        Route("/v2/dlq/retry/{dlq_id}", retry_dead_letter, methods=["POST"]),
        Route("/v2/dlq/{dlq_id}", get_dead_letter, methods=["GET"]),
        Route("/v2/dlq/{dlq_id}", delete_dead_letter, methods=["DELETE"]),
    ]


async def list_dead_letters(request: Request) -> JSONResponse:
    """Return `{"messages": [...], "cursor"?}` in the asked `order`; no cursor means the end.

    Raises:
        BadRequestError: `order` is not one QStash documents.
    """
    order = request.query_params.get("order", ORDERS[0])
    if order not in ORDERS:
        raise BadRequestError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    page, cursor = await _page(request, bulk=False, latest_first=order == "latestFirst")
    return _with_cursor({"messages": [dead_letter_view(entry) for entry in page]}, cursor)


async def get_dead_letter(request: Request) -> JSONResponse:
    """Return one DLQ message (404 if unknown)."""
    double = double_of(request)
    with double.state.lock:
        entry = double.state.dead_letters.get(request.path_params["dlq_id"])
        if entry is None:
            raise NotFoundError("dlq message not found")
        return JSONResponse(dead_letter_view(entry))


async def delete_dead_letter(request: Request) -> Response:
    """Delete one DLQ message (404 if unknown)."""
    if double_of(request).state.remove_dead_letter(request.path_params["dlq_id"]) is None:
        raise NotFoundError("dlq message not found")
    return Response()


async def delete_dead_letters(request: Request) -> JSONResponse:
    """Delete a page of selected DLQ messages: `{"deleted": n, "cursor"?}`."""
    double = double_of(request)
    page, cursor = await _page(request, bulk=True)
    deleted = sum(double.state.remove_dead_letter(entry.dlq_id) is not None for entry in page)
    return _with_cursor({"deleted": deleted}, cursor)


async def retry_dead_letter(request: Request) -> JSONResponse:
    """Publish a DLQ message again (201 `{"messageId"}`); config headers override."""
    published = double_of(request).retry_dead_letter(
        request.path_params["dlq_id"], request.headers.items()
    )
    return JSONResponse(published.as_json(with_url=False), 201)


async def retry_dead_letters(request: Request) -> JSONResponse:
    """Retry a page of selected DLQ messages: 201 `{"responses": [...], "cursor"?}`."""
    double = double_of(request)
    page, cursor = await _page(request, bulk=True)
    responses = [
        double.retry_dead_letter(entry.dlq_id, request.headers.items()).as_json(with_url=False)
        for entry in page
    ]
    return _with_cursor({"responses": responses}, cursor, status=201)


async def _page(
    request: Request, *, bulk: bool, latest_first: bool = False
) -> tuple[list[DeadLetter], str | None]:
    """The selected entries from the cursor on, at most `count`, and the next cursor.

    The cursor is an entry's position in the DLQ, so it stays valid while entries before it
    are deleted; with `latest_first` the page runs from the cursor towards older entries.

    A bulk delete or retry must name something (see `Selection.require_target`); only a
    bulk delete reads a JSON body, and only with `bulk_json_body` (what qstash-py's
    `dlq.delete_many` sends).
    """
    double = double_of(request)
    settings = double.settings
    read_body = bulk and request.method == "DELETE" and settings.bulk_json_body
    parameters = await bulk_parameters(request, read_json_body=read_body)
    selection = Selection.parse(parameters, ids="dlqIds", fields=DLQ_FILTERS, max_count=MAX_COUNT)
    if bulk:
        selection.require_target(settings, ids="dlqIds")
    start = selection.cursor
    with double.state.lock:
        entries = list(double.state.dead_letters.values())
    if latest_first:
        entries.reverse()
    selected = [
        entry
        for entry in entries
        if _from_cursor(entry.sequence, start, latest_first)
        and selection.selects(entry.dlq_id, entry, entry.created_at)
    ]
    count = selection.count or MAX_COUNT
    rest = selected[count:]
    return selected[:count], (str(rest[0].sequence) if rest else None)


def _with_cursor(body: dict[str, object], cursor: str | None, status: int = 200) -> JSONResponse:
    return JSONResponse(body | ({"cursor": cursor} if cursor else {}), status)


def _from_cursor(sequence: int, cursor: int | None, latest_first: bool) -> bool:
    if cursor is None:
        return True
    return sequence <= cursor if latest_first else sequence >= cursor
