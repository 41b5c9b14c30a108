"""Serve the FastAPI app from a functions-framework ASGI target (Cloud Functions 2nd gen).

functions-framework's ASGI mode (`functions_framework.aio`) calls the target with a Starlette
`Request` and sends back what it returns; it cannot take an ASGI app as the target. The
target therefore returns `ForwardToApp`, a response whose `__call__` hands the whole ASGI
exchange, body unread, to the FastAPI app: the signature is checked on the exact bytes QStash
sent, and every route, status and header is the app's.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

# What functions-framework's own routing put in the scope; the app routes it again itself.
_FRAMEWORK_SCOPE_KEYS = frozenset({"app", "router", "endpoint", "route", "path_params"})


class ForwardToApp:
    """An ASGI response that lets `app` answer the request instead.

    Args:
        app: The ASGI application, built once per process.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the exchange to the app, with the scope as the server gave it."""
        own = {key: value for key, value in scope.items() if key not in _FRAMEWORK_SCOPE_KEYS}
        await self.app(own, receive, send)
