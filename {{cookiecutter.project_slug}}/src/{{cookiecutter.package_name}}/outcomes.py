"""Record what QStash reports back: callbacks (each attempt) and failure callbacks (dead letters).

Callback bodies: https://upstash.com/docs/qstash/features/callbacks
"""

import logging
import time

from pydantic import ValidationError

from .errors import InvalidPayloadError
from .qstash import CallbackBody
from .qstash.messages import decode_base64_body
from .store import DeadLetter, DeliveryOutcome, DeliveryStore

logger = logging.getLogger(__name__)

{%- if cookiecutter.cloud == "aws-lambda" %}

# Bounds on what one record keeps, in bytes of UTF-8: together well under DynamoDB's 400 KB
# item limit. The full message stays in QStash's DLQ, which is what a replay uses.
{%- else %}

# Bounds on what one record keeps, in bytes of UTF-8: together well under Firestore's 1 MiB
# document limit. The full message stays in QStash's DLQ, which is what a replay uses.
{%- endif %}
MAX_RESPONSE_BODY_BYTES = 64 * 1024
MAX_SOURCE_BODY_BYTES = 256 * 1024


def truncate_utf8(text: str, max_bytes: int) -> tuple[str, bool]:
    """Cut `text` to at most `max_bytes` bytes of UTF-8 without splitting a character.

    Returns:
        The (possibly shorter) text and whether it was cut.
    """
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text, False
    return encoded[:max_bytes].decode("utf-8", errors="ignore"), True


def parse_callback(body: bytes) -> CallbackBody:
    """Parse a callback or failure-callback body.

    Args:
        body: The raw JSON request body QStash sent.

    Returns:
        The parsed body.

    Raises:
        InvalidPayloadError: The body is not a QStash callback; `details["errors"]` says why.
    """
    try:
        return CallbackBody.model_validate_json(body)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_context=False, include_input=False)
        raise InvalidPayloadError("not a QStash callback body", errors=errors) from None


def record_callback(body: bytes, callback_message_id: str, store: DeliveryStore) -> DeliveryOutcome:
    """Record the outcome of one delivery attempt, keyed by source message id and attempt.

    Args:
        body: The raw callback body.
        callback_message_id: The callback's own `Upstash-Message-Id`.
        store: Where outcomes are recorded.

    Returns:
        The recorded outcome (recording it again overwrites the same record).

    Raises:
        InvalidPayloadError: The body is not a QStash callback.
    """
    callback = parse_callback(body)
    response_body, _ = truncate_utf8(callback.response_text, MAX_RESPONSE_BODY_BYTES)
    outcome = DeliveryOutcome(
        source_message_id=callback.source_message_id,
        retried=callback.retried,
        status=callback.status,
        response_body=response_body,
        url=callback.url,
        max_retries=callback.max_retries,
        callback_message_id=callback_message_id,
        recorded_at=int(time.time()),
    )
    store.record_outcome(outcome)
    logger.info(
        "delivery outcome recorded",
        extra={
            "source_message_id": outcome.source_message_id,
            "status": outcome.status,
            "retried": outcome.retried,
        },
    )
    return outcome


def record_dead_letter(body: bytes, store: DeliveryStore) -> tuple[DeadLetter, bool]:
    """Store the dead letter a failure callback reports, once, and log it as an error.

    Args:
        body: The raw failure-callback body.
        store: Where dead letters are kept.

    Returns:
        The dead letter and whether it was stored now (False: a repeated failure callback).

    Raises:
        InvalidPayloadError: The body is not a QStash callback.
    """
    callback = parse_callback(body)
    source_text, encoding = decode_base64_body(callback.source_body)
    source_body, source_cut = truncate_utf8(source_text, MAX_SOURCE_BODY_BYTES)
    response_body, response_cut = truncate_utf8(callback.response_text, MAX_RESPONSE_BODY_BYTES)
    dead_letter = DeadLetter(
        # Older bodies may lack dlqId; the source message id is unique per message too.
        dlq_id=callback.dlq_id or f"msg-{callback.source_message_id}",
        source_message_id=callback.source_message_id,
        url=callback.url,
        method=callback.method,
        source_body=source_body,
        source_body_encoding=encoding,
        response_status=callback.status,
        response_body=response_body,
        retried=callback.retried,
        schedule_id=callback.schedule_id,
        recorded_at=int(time.time()),
        truncated=source_cut or response_cut,
    )
    stored = store.save_dead_letter(dead_letter)
    if stored:
        logger.error(
            "message dead-lettered by QStash",
            extra={
                "source_message_id": dead_letter.source_message_id,
                "dlq_id": dead_letter.dlq_id,
                "url": dead_letter.url,
                "response_status": dead_letter.response_status,
            },
        )
    return dead_letter, stored
