"""Map application errors to the answers QStash acts on.

QStash retries every non-2xx answer; 489 with `Upstash-NonRetryable-Error: true` sends the
message straight to its dead-letter queue (https://upstash.com/docs/qstash/features/retry).
"""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..errors import ConfigurationError, HandoffError, PermanentError, SignatureError

logger = logging.getLogger(__name__)

NON_RETRYABLE_STATUS = 489


def install_error_handlers(app: FastAPI, *, retry_after_seconds: int) -> None:
    """Register the error answers on `app`.

    Args:
        app: The application.
        retry_after_seconds: `Retry-After` sent with a 503 after a failed hand-off.
    """

    @app.exception_handler(SignatureError)
    async def signature_error(request: Request, error: SignatureError) -> JSONResponse:
        # Why each key failed goes to the log, never to the caller.
        logger.warning("rejected delivery: %s", error.message, extra={"reasons": error.details})
        return JSONResponse({"error": "invalid or missing Upstash-Signature"}, status_code=401)

    @app.exception_handler(ConfigurationError)
    async def configuration_error(request: Request, error: ConfigurationError) -> JSONResponse:
        logger.error("refusing delivery: %s", error.message, extra={"details": error.details})
        return JSONResponse({"error": "receiver is not configured"}, status_code=503)

    @app.exception_handler(PermanentError)
    async def permanent_error(request: Request, error: PermanentError) -> JSONResponse:
        logger.warning("permanent failure: %s", error.message, extra={"details": error.details})
        return JSONResponse(
            {"error": error.message, **error.details},
            status_code=NON_RETRYABLE_STATUS,
            headers={"Upstash-NonRetryable-Error": "true"},
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        # Unknown routes and wrong methods answer in the same shape as everything else.
        return JSONResponse(
            {"error": error.detail}, status_code=error.status_code, headers=error.headers
        )

    @app.exception_handler(HandoffError)
    async def handoff_error(request: Request, error: HandoffError) -> JSONResponse:
        logger.error("hand-off failed: %s", error.message, extra={"details": error.details})
        return JSONResponse(
            {"error": "hand-off failed, retry later"},
            status_code=503,
            headers={"Retry-After": str(retry_after_seconds)},
        )
