"""Logging: one JSON line per record on stdout, carrying the message id being handled."""

{% if cookiecutter.cloud == "gcp-cloud-functions" -%}
import json
{% endif -%}
import logging
from collections.abc import Iterator
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
from typing import Any
{%- endif %}

import pytest

from {{ cookiecutter.package_name }}.observability import (
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
    CloudLoggingFormatter,
{%- endif %}
    MessageIdFilter,
    configure_logging,
    message_id_var,
)

PACKAGE = "{{ cookiecutter.package_name }}"


@pytest.fixture
def package_logger() -> Iterator[logging.Logger]:
    """The package's logger, put back as it was after the test."""
    logger = logging.getLogger(PACKAGE)
    handlers, level, propagate = logger.handlers[:], logger.level, logger.propagate
    logger.handlers.clear()
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def test_configured_twice_the_package_logs_each_record_once(
    package_logger: logging.Logger,
) -> None:
    configure_logging("svc")
    configure_logging("svc")
    # pytest attaches its own capture handlers to loggers that do not propagate: count ours.
    ours = [
        handler
        for handler in package_logger.handlers
        if any(isinstance(f, MessageIdFilter) for f in handler.filters)
    ]
    assert len(ours) == 1


def test_package_records_do_not_reach_the_root_logger(package_logger: logging.Logger) -> None:
    # The platform's root handler would print each record a second time, as plain text.
    configure_logging("svc")
    assert package_logger.propagate is False


def test_each_record_carries_the_message_id_being_handled() -> None:
    record = logging.LogRecord(PACKAGE, logging.INFO, __file__, 1, "handled", None, None)
    token = message_id_var.set("msg_1")
    try:
        MessageIdFilter().filter(record)
    finally:
        message_id_var.reset(token)
    assert record.__dict__["message_id"] == "msg_1"
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}


# --- Cloud Logging's structured entries -----------------------------------------------------

#: 2026-12-01T12:00:00.250000Z as unix seconds.
CREATED = 1_796_126_400.25


def entry(
    message: str = "job handed off",
    *args: object,
    level: int = logging.INFO,
    exc_info: Any = None,
    **extra: object,
) -> dict[str, Any]:
    """Format one record as the deployed function would; return the parsed line."""
    record = logging.LogRecord(
        f"{PACKAGE}.ingest", level, "/app/ingest.py", 42, message, args, exc_info, "hand_off"
    )
    record.created = CREATED
    record.__dict__.update(extra)
    line = CloudLoggingFormatter(service="svc").format(record)
    assert "\n" not in line  # one entry per line, a traceback included
    parsed: dict[str, Any] = json.loads(line)
    return parsed


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        (logging.DEBUG, "DEBUG"),
        (logging.INFO, "INFO"),
        (25, "INFO"),
        (logging.WARNING, "WARNING"),
        (logging.ERROR, "ERROR"),
        (logging.CRITICAL, "CRITICAL"),
        (5, "DEFAULT"),
    ],
)
def test_level_becomes_cloud_loggings_severity(level: int, severity: str) -> None:
    assert entry(level=level)["severity"] == severity


def test_message_is_formatted_with_its_arguments() -> None:
    assert entry("job not run: %s", "running")["message"] == "job not run: running"


def test_time_is_the_records_own_in_rfc_3339_utc() -> None:
    assert entry()["time"] == "2026-12-01T12:00:00.250000Z"


def test_source_location_names_the_file_line_and_function() -> None:
    assert entry()["logging.googleapis.com/sourceLocation"] == {
        "file": "/app/ingest.py",
        "line": "42",
        "function": "hand_off",
    }


def test_service_and_extra_fields_are_in_the_payload() -> None:
    logged = entry(job="tally", message_id="msg_1")
    assert (logged["service"], logged["job"], logged["message_id"]) == ("svc", "tally", "msg_1")


def test_extra_field_that_is_none_is_left_out() -> None:
    assert "message_id" not in entry(message_id=None)


def test_extra_field_never_replaces_the_entrys_own() -> None:
    logged = entry(severity="DEBUG", time="yesterday", service="other")
    assert (logged["severity"], logged["time"], logged["service"]) == (
        "INFO",
        "2026-12-01T12:00:00.250000Z",
        "svc",
    )


def test_value_json_cannot_hold_is_written_as_text() -> None:
    assert entry(reasons={"a"})["reasons"] == "{'a'}"


def test_exception_is_logged_with_its_traceback_and_name() -> None:
    try:
        raise RuntimeError("store outage")
    except RuntimeError as error:
        logged = entry("unexpected error", exc_info=(type(error), error, error.__traceback__))
    assert logged["exception_name"] == "RuntimeError"
    assert logged["exception"].startswith("Traceback (most recent call last):")
    assert logged["exception"].endswith("RuntimeError: store outage")


def test_no_exception_field_without_an_exception() -> None:
    # exc_info=True outside an except block gives (None, None, None).
    assert "exception" not in entry(exc_info=(None, None, None))
{%- endif %}
