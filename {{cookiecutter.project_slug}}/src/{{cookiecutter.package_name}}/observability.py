{% set formatter = "LambdaPowertoolsFormatter" if cookiecutter.cloud == "aws-lambda" else "CloudLoggingFormatter" -%}
"""Structured JSON logs that carry the QStash message id being handled.
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}

Cloud Run functions turn each line on stdout into one Cloud Logging entry, and a line that is a
JSON object into a structured one: `severity`, `message`, `time` and
`logging.googleapis.com/sourceLocation` become the entry's own fields, the rest its
`jsonPayload` (https://cloud.google.com/logging/docs/structured-logging). A traceback goes in
`exception`, a field Error Reporting reads
(https://cloud.google.com/error-reporting/docs/formatting-error-messages).
{% endif %}"""

{% if cookiecutter.cloud == "aws-lambda" -%}
import logging
import sys
from contextvars import ContextVar

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
{%- else -%}
import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
{%- endif %}

#: The message id of the delivery being handled; every log record carries it.
message_id_var: ContextVar[str | None] = ContextVar("message_id", default=None)
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}

#: What every log record has; any other attribute came from `extra=` (or MessageIdFilter).
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, None, None, None))
) | {"message", "asctime"}

#: Cloud Logging's LogSeverity names for the logging levels, highest first.
_SEVERITIES = (
    (logging.CRITICAL, "CRITICAL"),
    (logging.ERROR, "ERROR"),
    (logging.WARNING, "WARNING"),
    (logging.INFO, "INFO"),
    (logging.DEBUG, "DEBUG"),
)
{%- endif %}


class MessageIdFilter(logging.Filter):
    """Adds `message_id` (from `message_id_var`) to every record; JSON logs drop it when None."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the current message id and keep the record."""
        record.message_id = message_id_var.get()
        return True
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}


class CloudLoggingFormatter(logging.Formatter):
    """One Cloud Logging structured entry per record, as a single line of JSON.

    The entry holds the severity, the formatted message, the record's time (RFC 3339, UTC),
    its source location, the service name and every `extra=` field that is not None (the
    message id among them). A field passed in `extra=` never replaces one of the entry's own.
    Values JSON cannot hold are written as their `str()`.
    """

    def __init__(self, service: str) -> None:
        """Create the formatter.

        Args:
            service: Service name written into each entry.
        """
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as one line of JSON (no newline: the handler adds it)."""
        entry: dict[str, Any] = {
            "severity": next(
                (name for level, name in _SEVERITIES if record.levelno >= level), "DEFAULT"
            ),
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "logging.googleapis.com/sourceLocation": {
                "file": record.pathname,
                "line": str(record.lineno),
                "function": record.funcName,
            },
            "service": self.service,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and value is not None:
                entry.setdefault(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.formatException(record.exc_info)
            entry["exception_name"] = record.exc_info[0].__name__
        return json.dumps(entry, separators=(",", ":"), default=str)
{%- endif %}


def configure_logging(service: str, level: str = "INFO") -> logging.Logger:
    """Send this package's log records to stdout as one JSON object per line.
{% if cookiecutter.cloud == "aws-lambda" %}
    Records stay inside the package's logger (no propagation), so the Lambda runtime's own
    root handler does not print them a second time. Safe to call more than once.
{%- else %}
    Records stay inside the package's logger (no propagation), so a root handler (uvicorn's,
    functions-framework's) does not print them a second time. Safe to call more than once.
{%- endif %}

    Args:
        service: Service name written into each record.
        level: Logging level name, e.g. "INFO".

    Returns:
        The package's logger.
    """
    package_logger = logging.getLogger(__name__.rpartition(".")[0])
    package_logger.setLevel(level)
    package_logger.propagate = False
    if not any(isinstance(h.formatter, {{ formatter }}) for h in package_logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter({{ formatter }}(service=service))
        handler.addFilter(MessageIdFilter())
        package_logger.addHandler(handler)
    return package_logger
