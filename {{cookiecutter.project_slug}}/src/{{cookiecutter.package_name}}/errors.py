"""The exception hierarchy: one base error carrying a message and machine-readable details."""

from typing import Any


class AppError(Exception):
    """Base class of every error this application raises on purpose.

    Args:
        message: Human-readable explanation, safe to return to the caller.
        details: Extra machine-readable context (never secrets).
    """

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ConfigurationError(AppError):
    """The application is missing configuration it needs (keys, table or queue names)."""


class SignatureError(AppError):
    """The `Upstash-Signature` header is missing or does not verify."""


class SigningKeysUnavailableError(ConfigurationError):
    """No signing keys could be loaded, so every verified route must refuse (fail closed)."""


class PermanentError(AppError):
    """A message that can never succeed, however often it is retried (unknown job, bad payload)."""


class UnknownJobError(PermanentError):
    """The message names a job that is not in the registry."""


class InvalidPayloadError(PermanentError):
    """The message body is not a valid payload for its job."""


class HandoffError(AppError):
    """The accepted work could not be handed to the worker queue; the sender should retry."""
