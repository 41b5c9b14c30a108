"""SnapStart runtime hooks of the ingest function: prime before the snapshot, refresh after.

With SnapStart, Lambda initialises a published version once, snapshots its memory, and
resumes every new execution environment of that version from the snapshot
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html). So:

- what the first request would otherwise pay for is done before the snapshot, once for
  all copies: imports and the app are built at import time already; the hook adds what
  only a first call does (boto3's operation models, FastAPI's middleware stack);
- what must not be shared between copies is renewed after each restore: the random
  generator's state, pooled connections, and cached values with their expiry times
  (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html).

Neither hook touches the network: before the snapshot no secret or parameter is read (the
parameter holding the public base URL may not exist yet on the first deploy), and after a
restore the hooks must finish within 10 seconds.
"""

import importlib
import logging
import os
import random
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from ..config import Settings
from .clients import close_connections, created_clients
from .wiring import aws_services

logger = logging.getLogger(__name__)

#: Set by Lambda to `snap-start` while it initialises a version it will snapshot.
INITIALIZATION_TYPE_VARIABLE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"

#: The AWS operations the ingest path calls, by service: their models are built before the
#: snapshot (botocore builds each on first use).
PRIMED_OPERATIONS = {
    "sqs": ("SendMessage",),
    "dynamodb": ("GetItem", "PutItem", "Query"),
    "ssm": ("GetParameter",),
}

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def register_runtime_hooks(app: FastAPI, handler: LambdaHandler, settings: Settings) -> bool:
    """Register the hooks, when Lambda is initialising this environment for a snapshot.

    Elsewhere (on-demand Lambda, tests, local runs) nothing is imported or registered.

    Args:
        app: The application `handler` serves.
        handler: The Lambda handler (Mangum around `app`).
        settings: The settings the services were built from.

    Returns:
        Whether the hooks were registered.
    """
    if os.environ.get(INITIALIZATION_TYPE_VARIABLE) != SNAP_START:
        return False
    try:
        # Shipped with Lambda's managed Python runtimes (snapshot-restore-py on PyPI), so it
        # is no dependency of ours; imported by name so type checks do not need it either.
        hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        logger.warning("snapshot_restore_py is missing: SnapStart runs without runtime hooks")
        return False
    hooks.register_before_snapshot(before_snapshot, handler)
    hooks.register_after_restore(after_restore, app, settings)
    return True


def before_snapshot(handler: LambdaHandler) -> None:
    """Do now, once for every restored copy, what the first request would otherwise do.

    Builds the models of the operations the ingest path calls on each client created so far,
    and the exception classes the store catches, then answers one `GET /health` in process
    (FastAPI builds its middleware stack on the first request). No AWS call is made.

    Args:
        handler: The Lambda handler.

    Raises:
        RuntimeError: `/health` did not answer 200; the version is not worth snapshotting.
    """
    for client in created_clients():
        model = client.meta.service_model
        for operation in PRIMED_OPERATIONS.get(model.service_name, ()):
            model.operation_model(operation)
        _ = client.exceptions  # built on first access, e.g. when a conditional put fails
    response = handler(_health_event(), None)
    if response.get("statusCode") != 200:
        raise RuntimeError(f"priming GET /health answered {response.get('statusCode')}")


def after_restore(app: FastAPI, settings: Settings) -> None:
    """Give this restored copy its own randomness, connections and caches.

    - The random generator is reseeded from the OS: every copy resumes with the state it had
      at the snapshot, so botocore's retry jitter would draw the same delays in all of them.
    - Pooled connections are closed (the clients, with their primed models, stay).
    - Cached secrets and parameters are dropped with their expiry times: the services are
      rebuilt around the same clients, so the signing keys and the public base URL are read
      afresh on the first request.

    Args:
        app: The application whose services are rebuilt.
        settings: The settings to build them from.
    """
    # Imported here: on the ingest path only a secret or a parameter source loads Powertools
    # parameters (and boto3 with it); with static keys it is never imported at all.
    from aws_lambda_powertools.utilities import parameters

    random.seed()
    close_connections()
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # Powertools leaves it untyped
    app.state.services = aws_services(settings)
    logger.info("restored from a SnapStart snapshot")


def _health_event() -> dict[str, Any]:
    # A Function URL event (payload format 2.0) carrying only what Mangum reads.
    host = "snapstart.invalid"
    return {
        "version": "2.0",
        "rawPath": "/health",
        "rawQueryString": "",
        "headers": {"host": host},
        "requestContext": {
            "domainName": host,
            "http": {"method": "GET", "path": "/health", "sourceIp": "127.0.0.1"},
        },
        "isBase64Encoded": False,
    }
