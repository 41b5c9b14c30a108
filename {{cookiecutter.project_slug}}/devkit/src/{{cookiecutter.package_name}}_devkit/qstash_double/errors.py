"""Errors the double's API answers with, as `{"error": "..."}` and a status.

Error shape: https://upstash.com/docs/qstash/api/authentication and the `Error` schema of
https://upstash.com/docs/qstash/api (openapi.yaml).
"""

from {{ cookiecutter.package_name }}.errors import AppError


class DoubleApiError(AppError):
    """A request the double refuses; `status` is the HTTP status it answers with.

    Args:
        message: The text of the `error` field.
        **details: Extra context (not sent).
    """

    status = 500


class BadRequestError(DoubleApiError):
    """A malformed header, body or destination (400)."""

    status = 400


class UnauthorizedError(DoubleApiError):
    """No or the wrong bearer token (401)."""

    status = 401


class NotFoundError(DoubleApiError):
    """No such message, schedule, URL group or DLQ entry (404)."""

    status = 404


class PayloadTooLargeError(DoubleApiError):
    """The body is over `DoubleSettings.max_message_size` (413)."""

    status = 413
