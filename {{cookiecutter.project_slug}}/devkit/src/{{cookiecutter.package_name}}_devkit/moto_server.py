"""moto's AWS stand-in served by uvicorn, for `local_system`'s child process.

Run: `python -m {{ cookiecutter.package_name }}_devkit.moto_server --port 5000`.
The answers are moto server's (the same WSGI application); only the HTTP server differs.
moto's own server (werkzeug's development server) closes every connection and starts a thread
per request, and its router lists moto's package directory on every request under a global
lock; under the chaos test that overhead, not the emulation, was most of the CPU of both
processes. uvicorn keeps connections alive, and the package listing is computed once (the
installed moto cannot change while the server runs).

`uvicorn.middleware.wsgi.WSGIMiddleware` is a2wsgi's adapter when a2wsgi is installed, else
uvicorn's own, deprecated one (a2wsgi is not a dependency here). If an upgrade removes both,
serve with `python -m moto.server` instead: slower, same answers.
"""

import argparse
import logging
import warnings
from collections.abc import Iterable, Sequence

import moto.backends
import uvicorn
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

WSGI_THREADS = 4
"""Requests moto handles at once (one of them may be an SQS long poll)."""


def main(argv: Sequence[str] | None = None) -> None:
    """Serve moto on 127.0.0.1 until SIGINT or SIGTERM.

    Args:
        argv: `--port PORT` (default: `sys.argv[1:]`).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    port = parser.parse_args(argv).port

    modules = tuple(moto.backends.list_of_moto_modules())

    def list_of_moto_modules() -> Iterable[str]:
        return modules

    moto.backends.list_of_moto_modules = list_of_moto_modules
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Bound when uvicorn imports: a2wsgi's adapter, else uvicorn's own.
        from uvicorn.middleware.wsgi import WSGIMiddleware  # type: ignore[attr-defined]

        app = WSGIMiddleware(DomainDispatcherApplication(create_backend_app), workers=WSGI_THREADS)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")


if __name__ == "__main__":
    main()
