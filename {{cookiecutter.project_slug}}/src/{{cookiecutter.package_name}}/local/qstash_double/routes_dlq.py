"""`/v2/dlq`: list (cursor, count, filters), get, delete, bulk delete, retry, bulk retry.

Source: https://upstash.com/docs/qstash/features/dlq and the DLQ paths of
https://upstash.com/docs/qstash/api (openapi.yaml). Multi-value filters repeat the parameter
or separate values with commas; values of one filter are ORed, filters are ANDed.
"""

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import BadRequestError, NotFoundError
from .model import DeadLetter
from .request_utils import double_of, json_body
from .views import dead_letter_view, millis

MAX_COUNT = 100

_FILTERS: dict[str, Callable[[DeadLetter], str | None]] = {
    "messageId": lambda entry: entry.message.message_id,
    "url": lambda entry: entry.message.url,
    "topicName": lambda entry: entry.message.topic_name,
    "scheduleId": lambda entry: entry.message.schedule_id,
    "queueName": lambda entry: None,  # the double has no queues
    "responseStatus": lambda entry: str(entry.response.status or 0),
    "callerIp": lambda entry: entry.message.caller_ip,
    "label": lambda entry: entry.message.options.label,
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
    """Return `{"messages": [...], "cursor"?}`, oldest first; no cursor means the end."""
    raw_count = request.query_params.get("count") or str(MAX_COUNT)
    raw_cursor = request.query_params.get("cursor") or "0"
    if not raw_count.isdigit() or not raw_cursor.isdigit():
        raise BadRequestError("count and cursor must be whole numbers")
    count, start = min(MAX_COUNT, max(1, int(raw_count))), int(raw_cursor)
    entries = _selected(request)
    page = entries[start : start + count]
    body: dict[str, object] = {"messages": [dead_letter_view(entry) for entry in page]}
    if start + count < len(entries):
        body["cursor"] = str(start + count)
    return JSONResponse(body)


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
    """Delete the DLQ messages named by `dlqIds` or matched by filters: `{"deleted": n}`.

    With neither, 400: the double never empties the whole DLQ by accident. A JSON body
    `{"dlqIds": [...]}` (what qstash-py sends) counts only with
    `dlq_delete_accepts_json_body`.
    """
    double = double_of(request)
    extra: list[str] = []
    if double.settings.dlq_delete_accepts_json_body:
        body = await json_body(request)
        if isinstance(body, dict) and isinstance(body.get("dlqIds"), list):
            extra = [str(dlq_id) for dlq_id in body["dlqIds"]]
    entries = _selected(request, extra_ids=extra, require_selection=True)
    deleted = sum(double.state.remove_dead_letter(entry.dlq_id) is not None for entry in entries)
    return JSONResponse({"deleted": deleted})


async def retry_dead_letter(request: Request) -> JSONResponse:
    """Publish a DLQ message again (201 `{"messageId"}`); config headers override."""
    published = double_of(request).retry_dead_letter(
        request.path_params["dlq_id"], request.headers.items()
    )
    return JSONResponse(published.as_json(with_url=False), 201)


async def retry_dead_letters(request: Request) -> JSONResponse:
    """Retry the DLQ messages named by `dlqIds` or matched by filters: `{"responses"}`."""
    double = double_of(request)
    entries = _selected(request, require_selection=True)
    responses = [
        double.retry_dead_letter(entry.dlq_id, request.headers.items()).as_json(with_url=False)
        for entry in entries
    ]
    return JSONResponse({"responses": responses})


def _values(request: Request, name: str) -> list[str]:
    return [
        part for value in request.query_params.getlist(name) for part in value.split(",") if part
    ]


def _selected(
    request: Request, *, extra_ids: list[str] | None = None, require_selection: bool = False
) -> list[DeadLetter]:
    ids = set(_values(request, "dlqIds") + (extra_ids or []))
    filters = {name: set(_values(request, name)) for name in _FILTERS}
    filters = {name: wanted for name, wanted in filters.items() if wanted}
    dates = [request.query_params.get(name) for name in ("fromDate", "toDate")]
    if any(value is not None and not value.isdigit() for value in dates):
        raise BadRequestError("fromDate and toDate must be unix milliseconds")
    if require_selection and not (ids or filters or any(dates)):
        raise BadRequestError("give dlqIds or at least one filter")
    from_ms, to_ms = (int(value) if value else None for value in dates)
    double = double_of(request)
    with double.state.lock:
        entries = list(double.state.dead_letters.values())
    return [
        entry
        for entry in entries
        if (not ids or entry.dlq_id in ids)
        and all(_FILTERS[name](entry) in wanted for name, wanted in filters.items())
        and (from_ms is None or millis(entry.created_at) >= from_ms)
        and (to_ms is None or millis(entry.created_at) <= to_ms)
    ]
