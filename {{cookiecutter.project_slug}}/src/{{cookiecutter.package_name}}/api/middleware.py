"""Per-request context and the last line of defence against unexpected errors."""

import logging

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..observability import message_id_var

logger = logging.getLogger(__name__)


class RequestContext:
    """Plain ASGI middleware (Starlette's `BaseHTTPMiddleware` costs ~0.4 ms per request).

    - Sets the message id as claimed by the request (not yet verified), so that every log
      line, a rejected signature's included, names the message QStash will retry.
    - Turns an exception nobody foresaw (a bug, an outage) into a JSON log line and a 503,
      so QStash retries, instead of a bare 500 with a plain-text traceback.

    Args:
        app: The application to wrap.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        claimed = Headers(scope=scope).get("upstash-message-id", "")[:128]
        message_id_var.set(claimed or None)
        answered = False

        async def watch(message: Message) -> None:
            nonlocal answered
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            logger.exception("unexpected error")
            if answered:  # too late to change the answer
                raise
            failure = JSONResponse({"error": "unexpected error, retry later"}, status_code=503)
            await failure(scope, receive, send)


def install_middleware(app: FastAPI) -> None:
    """Register the middleware on `app`."""
    app.add_middleware(RequestContext)
