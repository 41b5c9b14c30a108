"""The shapes QStash sends: delivery headers and callback / failure-callback bodies.

Sources: https://upstash.com/docs/qstash/howto/receiving (delivery headers) and
https://upstash.com/docs/qstash/features/callbacks (callback bodies).
"""

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

#: Longest id accepted in a callback body. QStash ids are short (`msg_…`, `1725323658779-0`);
#: the bound keeps a forged-but-signed body from producing an unstorable record key.
MAX_ID = 256


@dataclass(frozen=True)
class DeliveryMetadata:
    """What QStash tells the receiver about a delivery, from the request headers.

    Attributes:
        message_id: `Upstash-Message-Id`, the same on every retry of a message: the
            idempotency key (https://upstash.com/docs/qstash/features/at-least-once).
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
        """Read the metadata from request headers.

        Args:
            headers: A case-insensitive mapping of header names to values (Starlette's
                `Headers`, or a dict with lower-case names).

        Returns:
            The metadata. A missing `Upstash-Message-Id` becomes an empty string and a
            malformed `Upstash-Retried` becomes 0; the signature is what authenticates.
        """
        retried = headers.get("upstash-retried", "0")
        # isascii: "²".isdigit() is True but int("²") fails; the length bound keeps int() and
        # the queue's number attribute happy whatever a replayed request puts in the header.
        well_formed = retried.isascii() and retried.isdigit() and len(retried) <= 9
        return cls(
            message_id=headers.get("upstash-message-id", ""),
            retried=int(retried) if well_formed else 0,
            schedule_id=headers.get("upstash-schedule-id") or None,
            caller_ip=headers.get("upstash-caller-ip") or None,
            topic_name=headers.get("upstash-topic-name") or None,
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
