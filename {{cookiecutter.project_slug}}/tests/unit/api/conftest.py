"""API fixtures: the log records of the error answers."""

import logging
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}.api import errors


@pytest.fixture
def error_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[pytest.LogCaptureFixture]:
    """Capture the records the error handlers log, at their module's logger itself.

    caplog listens on the root logger, but `configure_logging` (run when a Lambda entry
    point is imported, possibly by another test) stops the package logger propagating there.
    """
    logger = logging.getLogger(errors.__name__)
    monkeypatch.setattr(logger, "propagate", False)
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)
