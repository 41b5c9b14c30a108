"""Structured JSON logs that carry the QStash message id being handled."""

import logging
import sys
from contextvars import ContextVar

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

#: The message id of the delivery being handled; every log record carries it.
message_id_var: ContextVar[str | None] = ContextVar("message_id", default=None)


class MessageIdFilter(logging.Filter):
    """Adds `message_id` (from `message_id_var`) to every record; JSON logs drop it when None."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the current message id and keep the record."""
        record.message_id = message_id_var.get()
        return True


def configure_logging(service: str, level: str = "INFO") -> logging.Logger:
    """Send this package's log records to stdout as one JSON object per line.

    Records stay inside the package's logger (no propagation), so the Lambda runtime's own
    root handler does not print them a second time. Safe to call more than once.

    Args:
        service: Service name written into each record.
        level: Logging level name, e.g. "INFO".

    Returns:
        The package's logger.
    """
    package_logger = logging.getLogger(__name__.rpartition(".")[0])
    package_logger.setLevel(level)
    package_logger.propagate = False
    if not any(isinstance(h.formatter, LambdaPowertoolsFormatter) for h in package_logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(LambdaPowertoolsFormatter(service=service))
        handler.addFilter(MessageIdFilter())
        package_logger.addHandler(handler)
    return package_logger
