"""`/v2/messages`: read a pending message, cancel one, cancel many.

Source: https://upstash.com/docs/qstash/api (openapi.yaml `GET|DELETE /v2/messages/{messageId}`
and `DELETE /v2/messages`). A message that is being delivered right now cannot be cancelled
("if a message is in flight to your API, it might be too late to cancel").
"""

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .errors import NotFoundError
from .model import Message
from .request_utils import double_of
from .selection import Fields, Selection, bulk_parameters
from .views import message_view

MAX_CANCEL_COUNT = 500
"""The largest `count` of a bulk cancel (openapi.yaml: "between 1 and 500")."""

MESSAGE_FILTERS: Fields[Message] = {
    "url": lambda message: message.url,
    "host": lambda message: urlsplit(message.url).hostname,
    "path": lambda message: urlsplit(message.url).path,
    "topicName": lambda message: message.topic_name,
    "scheduleId": lambda message: message.schedule_id,
    "callerIp": lambda message: message.caller_ip,
    "label": lambda message: message.options.label,
    "queueName": lambda message: None,  # the double has no queues
    "flowControlKey": lambda message: None,  # nor flow control
}


def message_routes() -> list[Route]:
    """The message routes."""
    return [
        Route("/v2/messages", cancel_messages, methods=["DELETE"]),
        Route("/v2/messages/{message_id}", get_message, methods=["GET"]),
        Route("/v2/messages/{message_id}", cancel_message, methods=["DELETE"]),
    ]


async def get_message(request: Request) -> JSONResponse:
    """Return a message that is still pending (404 once delivered, dead or cancelled)."""
    double = double_of(request)
    with double.state.lock:
        message = double.state.messages.get(request.path_params["message_id"])
        if message is None or message.state != "pending":
            raise NotFoundError("message not found")
        return JSONResponse(message_view(message))


async def cancel_message(request: Request) -> JSONResponse:
    """Cancel a pending message: `{"cancelled": 1}` (what the TypeScript SDK reads).

    404 when it is unknown, settled or being delivered right now.
    """
    if not double_of(request).state.cancel(request.path_params["message_id"]):
        raise NotFoundError("message not found or not cancellable")
    return JSONResponse({"cancelled": 1})


async def cancel_messages(request: Request) -> JSONResponse:
    """Cancel the messages named by `messageIds`, or matched by filters: `{"cancelled": n}`.

    `count` caps how many (oldest first; alone it means "all, count at a time"). The
    deprecated `callerIP` filter counts as `callerIp`.
    """
    double = double_of(request)
    settings = double.settings
    parameters = await bulk_parameters(request, read_json_body=settings.bulk_json_body)
    parameters.setdefault("callerIp", []).extend(parameters.pop("callerIP", []))
    selection = Selection.parse(
        parameters, ids="messageIds", fields=MESSAGE_FILTERS, max_count=MAX_CANCEL_COUNT
    )
    selection.require_target(settings, ids="messageIds")
    cancelled = double.state.cancel_where(
        lambda message: selection.selects(message.message_id, message, message.created_at),
        selection.count,
    )
    return JSONResponse({"cancelled": cancelled})
