"""Plain helpers for the double's tests: call its API, publish, wait for a condition."""

import time
from collections.abc import Callable
from typing import Any

import httpx

from {{ cookiecutter.package_name }}_devkit.qstash_double import RunningDouble


def call(
    running: RunningDouble, method: str, path: str, *, token: str | None = None, **kwargs: Any
) -> httpx.Response:
    """Call the double's REST API with its bearer token (or `token`; "" sends none)."""
    token = running.token if token is None else token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers |= kwargs.pop("headers", {})
    return httpx.request(method, running.base_url + path, headers=headers, timeout=5, **kwargs)


def publish(
    running: RunningDouble, destination: str, body: bytes = b"{}", **headers: str
) -> httpx.Response:
    """Publish `body` to `destination` and insist that the double accepted it."""
    response = call(running, "POST", f"/v2/publish/{destination}", content=body, headers=headers)
    assert response.is_success, response.text
    return response


def wait_until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Poll `condition` every 5 ms until it is true; fail after `timeout` seconds.

    The timeout only guards against a hang: the condition must become true by itself.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)
