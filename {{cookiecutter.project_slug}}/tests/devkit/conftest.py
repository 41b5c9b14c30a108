"""Fixtures for the QStash double's tests: one server per module, a fresh double per test."""

import re
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
    serve_doubles,
)
from {{ cookiecutter.package_name }}_devkit.qstash_double.receiver import (
    CapturingReceiver,
    run_receiver,
)


@pytest.fixture(scope="module")
def receiver() -> Iterator[CapturingReceiver]:
    """A destination on 127.0.0.1 that records every delivery."""
    with run_receiver() as capturing:
        yield capturing


@pytest.fixture(scope="module")
def host() -> Iterator[DoubleHost]:
    """One HTTP server per module; each test runs a fresh double on it."""
    with serve_doubles() as serving:
        yield serving


@pytest.fixture
def path(request: pytest.FixtureRequest) -> str:
    """A destination path unique to the test, so deliveries never mix."""
    return "/" + re.sub(r"\W+", "-", request.node.name)


@pytest.fixture
def double_settings() -> DoubleSettings:
    """The double's switches; a module overrides this fixture to change them.

    A manual clock: protocol time moves only when the test calls `advance` or
    `fast_forward`, so no delay, back-off or window depends on how fast the machine is.
    """
    return DoubleSettings(time_scale=None)


@pytest.fixture
def qstash(host: DoubleHost, double_settings: DoubleSettings) -> Iterator[RunningDouble]:
    """A fresh double for the test."""
    with host.run(double_settings) as running:
        yield running
