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


class BodyTooLargeError(PermanentError):
    """The request body is over the receiver's limit; `details["max_bytes"]` is the limit."""


class InvalidHeaderError(PermanentError):
    """A QStash delivery header is malformed; `details["header"]` names it."""


class HandoffError(AppError):
    """The accepted work could not be handed to the worker queue; the sender should retry."""


class PublishError(AppError):
    """A call to the QStash REST API failed: refused, unreachable, or never answered.

    `details` carries `status` (the HTTP status, absent when there was no answer) and `body`
    (QStash's answer, shortened), plus `method` and `path` of the request (never the token).
    """


class PublishTimeoutError(PublishError):
    """QStash did not connect, accept the request or answer within the configured timeout."""


class RateLimitedError(PublishError):
    """QStash kept answering 429 after the bounded back-off, or asked for a longer wait.

    `details["limit"]` is `daily` (`RateLimit-*` headers), `burst` (`Burst-RateLimit-*`) or
    `unknown`; `details["retry_after_seconds"]` is how long QStash asked to wait, if it said.
    """


class MessageTooLargeError(PublishError):
    """A payload is over the configured message size limit; nothing was sent."""


class UnsafeDestinationError(ConfigurationError):
    """A destination or callback URL is plain http, localhost or a private address.

    Allowed only when the configured QStash URL is itself local (a development double).
    """


class DeadLetterNotFoundError(PublishError):
    """QStash's DLQ has no message with that id (replayed, deleted, or past retention)."""
