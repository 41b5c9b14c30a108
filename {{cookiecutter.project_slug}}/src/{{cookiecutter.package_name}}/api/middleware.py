"""Per-request context and the last line of defence against unexpected errors."""

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ..observability import message_id_var

logger = logging.getLogger(__name__)


def install_middleware(app: FastAPI) -> None:
    """Register the middleware on `app`."""

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # The message id as claimed by the request (not yet verified), so that every log
        # line, a rejected signature's included, names the message QStash will retry.
        message_id_var.set(request.headers.get("upstash-message-id", "")[:128] or None)
        try:
            return await call_next(request)
        except Exception:
            # A bug or an outage nobody foresaw: log it as JSON and let QStash retry (503)
            # rather than answer a bare 500 with a plain-text traceback.
            logger.exception("unexpected error")
            return JSONResponse({"error": "unexpected error, retry later"}, status_code=503)
