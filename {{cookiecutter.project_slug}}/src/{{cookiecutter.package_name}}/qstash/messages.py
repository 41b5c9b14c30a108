"""The shapes QStash sends: delivery headers and callback / failure-callback bodies.

Sources: https://upstash.com/docs/qstash/howto/receiving (delivery headers) and
https://upstash.com/docs/qstash/features/callbacks (callback bodies).
"""

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..errors import InvalidHeaderError

#: Longest id accepted in a callback body or a delivery header. QStash ids are short
#: (`msg_` or `scd_` plus a few dozen base58 characters, `1725323658779-0`); the bound keeps
{%- if cookiecutter.cloud == "aws-lambda" %}
#: a value nobody signed from producing a record key the store cannot write (a DynamoDB key
#: stops at 2,048 bytes) or a queue attribute the worker trips over.
{%- else %}
#: a value nobody signed from growing every record and log line it lands in (the store
#: hashes an id Firestore could not take as a document id, which stops at 1,500 bytes).
{%- endif %}
MAX_ID = 256
#: `Upstash-Message-Id`: letters, digits and `_` are what QStash uses; `-`, `.`, `:` are
#: allowed for headroom. No spaces, slashes or control characters: the id becomes a record
#: key, a queue attribute and a log field.
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]+")
#: `Upstash-Schedule-Id`: "alphanumeric characters, hyphens, periods, and underscores", the
#: rule QStash enforces when a schedule is created (REST API, Create a Schedule, answer 400:
#: https://upstash.com/docs/qstash/api-reference).
SCHEDULE_ID = re.compile(r"[A-Za-z0-9_.-]+")
#: Largest `Upstash-Retried` (four digits). QStash caps each retry's delay at one day
#: (https://upstash.com/docs/qstash/features/retry), so that is over 27 years of retries.
MAX_RETRIED = 9999


@dataclass(frozen=True)
class DeliveryMetadata:
    """What QStash tells the receiver about a delivery, from the request headers.

    None of these headers is covered by the signature: `from_headers` bounds them so a
    malformed value is refused (489) rather than stored, queued or logged.

    Attributes:
        message_id: `Upstash-Message-Id`, the same on every retry of a message: the
            idempotency key (https://upstash.com/docs/qstash/features/at-least-once).
            Empty when the header is missing.
        retried: `Upstash-Retried`, how many times this message was retried (0 at first).
        schedule_id: `Upstash-Schedule-Id` when a schedule produced the message.
        caller_ip: `Upstash-Caller-Ip`, who published the message.
        topic_name: `Upstash-Topic-Name` when published to a URL group.
    """

    message_id: str
    retried: int = 0
    schedule_id: str | None = None
    caller_ip: str | None = None
    topic_name: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "DeliveryMetadata":
        """Read and check the metadata from request headers.

        Header meanings: https://upstash.com/docs/qstash/howto/receiving.

        Args:
            headers: A case-insensitive mapping of header names to values (Starlette's
                `Headers`, or a dict with lower-case names).

        Returns:
            The metadata. A missing (or empty) header takes its default: an empty message
            id, 0 retries, no schedule id.

        Raises:
            InvalidHeaderError: `Upstash-Message-Id` is over 256 characters or has a
                character outside letters, digits, `_`, `-`, `.`, `:`; `Upstash-Retried` is
                not a whole number from 0 to 9999; `Upstash-Schedule-Id` is over 256
                characters or has a character outside letters, digits, `_`, `-`, `.`.
        """
        message_id = headers.get("upstash-message-id", "")
        if message_id and not _is_id(message_id, MESSAGE_ID):
            raise _invalid(
                "Upstash-Message-Id",
                f"at most {MAX_ID} letters, digits, '_', '-', '.' or ':'",
                message_id,
            )
        retried = headers.get("upstash-retried", "")
        if retried and not _is_retry_count(retried):
            raise _invalid("Upstash-Retried", f"a whole number from 0 to {MAX_RETRIED}", retried)
        schedule_id = headers.get("upstash-schedule-id", "")
        if schedule_id and not _is_id(schedule_id, SCHEDULE_ID):
            raise _invalid(
                "Upstash-Schedule-Id",
                f"at most {MAX_ID} letters, digits, '_', '-' or '.'",
                schedule_id,
            )
        return cls(
            message_id=message_id,
            retried=int(retried or "0"),
            schedule_id=schedule_id or None,
            caller_ip=headers.get("upstash-caller-ip") or None,
            topic_name=headers.get("upstash-topic-name") or None,
        )


def _is_retry_count(value: str) -> bool:
    # isascii: "²".isdigit() is True, yet int("²") fails. The length check comes first, so
    # int() never sees thousands of digits.
    return value.isascii() and value.isdigit() and len(value) <= 4 and int(value) <= MAX_RETRIED


def _is_id(value: str, characters: re.Pattern[str]) -> bool:
    return len(value) <= MAX_ID and characters.fullmatch(value) is not None


def _invalid(header: str, expected: str, value: str) -> InvalidHeaderError:
    # The value is shown cut short: the sender chose its length.
    shown = value if len(value) <= 64 else value[:64] + "…"
    return InvalidHeaderError(
        f"malformed {header} header: expected {expected}",
        header=header,
        length=len(value),
        value=shown,
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def unix_milliseconds(value: object) -> object:
    """Normalise a callback timestamp to unix milliseconds.

    QStash documents `createdAt` and `notBefore` as unix milliseconds, and its callbacks page
    shows them as JSON strings (https://upstash.com/docs/qstash/features/callbacks); an ISO
    8601 date is accepted too. Numbers and numeric strings pass through to int validation.

    Args:
        value: The field as it came in the JSON body.

    Returns:
        Milliseconds since the epoch for an ISO 8601 date (a date without an offset is
        taken as UTC), otherwise `value` unchanged.

    Raises:
        ValueError: A string that is neither digits nor an ISO 8601 date.
    """
    if not isinstance(value, str) or value.strip().isdigit():
        return value
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("expected unix milliseconds or an ISO 8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


#: A timestamp in unix milliseconds, given as a number, a numeric string or an ISO 8601 date.
UnixMilliseconds = Annotated[int, BeforeValidator(unix_milliseconds), Field(ge=0)]


class CallbackBody(BaseModel):
    """The JSON body of a callback or failure callback.

    `body` and `sourceBody` are base64 of raw bytes; use `response_text` and `source_text`
    to read them (decoded as UTF-8, never latin-1). A value that is not valid base64 is not
    an error: it is kept exactly as sent, because refusing the callback (489) would lose the
    outcome or the dead letter it reports for the sake of one informational field.
    `createdAt` and `notBefore` are unix milliseconds, whether QStash sends numbers, numeric
    strings or ISO 8601 dates. Unknown fields are kept.
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)

    status: int = Field(ge=0, le=999, description="HTTP status the destination answered")
    body: str = Field(default="", description="base64 of the destination's response body")
    header: dict[str, list[str]] | None = Field(default=None, description="response headers")
    retried: int = Field(default=0, ge=0)
    max_retries: int | None = Field(default=None, ge=0, alias="maxRetries")
    source_message_id: str = Field(alias="sourceMessageId", min_length=1, max_length=MAX_ID)
    url: str = Field(default="", max_length=8192)
    method: str = Field(default="POST", max_length=16)
    source_body: str = Field(default="", alias="sourceBody")
    source_header: dict[str, Any] | None = Field(default=None, alias="sourceHeader")
    schedule_id: str | None = Field(default=None, alias="scheduleId", max_length=MAX_ID)
    topic_name: str | None = Field(default=None, alias="topicName", max_length=MAX_ID)
    dlq_id: str | None = Field(default=None, alias="dlqId", min_length=1, max_length=MAX_ID)
    created_at: UnixMilliseconds | None = Field(default=None, alias="createdAt")
    not_before: UnixMilliseconds | None = Field(default=None, alias="notBefore")

    @property
    def response_text(self) -> str:
        """The destination's response body as text (UTF-8), else `body` exactly as sent."""
        return decode_base64_text(self.body)

    @property
    def source_text(self) -> str:
        """The original message body as text (UTF-8), else `sourceBody` exactly as sent."""
        return decode_base64_text(self.source_body)


def decode_base64_text(value: str) -> str:
    """Decode a base64 field of a callback body to text.

    Args:
        value: Standard or url-safe base64, padded or not.

    Returns:
        The bytes decoded as UTF-8. A value whose bytes are not UTF-8, or that is not
        base64 at all, is returned unchanged, so nothing is lost.
    """
    return decode_base64_body(value)[0]


def decode_base64_body(value: str) -> tuple[str, Literal["utf-8", "base64"]]:
    """Decode a base64 field of a callback body, saying whether it was text.

    Args:
        value: Standard or url-safe base64, padded or not.

    Returns:
        `(text, "utf-8")` when the bytes are UTF-8, else `(value, "base64")` unchanged.
    """
    if not value:
        return "", "utf-8"
    normalised = value.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(normalised + "=" * (-len(normalised) % 4), validate=True)
        return raw.decode("utf-8"), "utf-8"
    except (binascii.Error, UnicodeDecodeError):
        return value, "base64"
