"""API fixtures: a job with an optional payload, and the log records of the error answers."""

import logging
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.api import errors
from {{ cookiecutter.package_name }}.jobs import JobContext, job

OPTIONAL_JOB = "api-test-digest"


class Digest(BaseModel):
    """Payload of `api-test-digest`, which may be absent."""

    since_days: int = 1


@job(OPTIONAL_JOB, payload=Digest, optional=True)
def digest(payload: Digest | None, context: JobContext) -> None:
    """A job whose payload is optional (routes only hand it off; nothing runs it here)."""


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
