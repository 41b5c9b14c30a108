"""What QStash sends: the signed delivery request and the callback / failure-callback bodies.

Sources: https://upstash.com/docs/qstash/howto/receiving (delivery headers),
https://upstash.com/docs/qstash/features/security (signature claims),
https://upstash.com/docs/qstash/overall/changelog (September 2024: `nbf` is 0) and
https://upstash.com/docs/qstash/features/callbacks (callback bodies).
"""

import base64
import json
import time
from typing import Any

from {{ cookiecutter.package_name }}.qstash import SigningKeys

from ..signer import sign
from .config import DoubleSettings
from .model import CallbackOptions, Message, PublishOptions, Response
from .options import canonical_header

USER_AGENT = "Upstash-QStash"


def signing_subject(message: Message, settings: DoubleSettings) -> str:
    """The `sub` claim: the URL delivered to, with or without its query (open question 1)."""
    return message.url if settings.sub_includes_query else message.url.split("?", 1)[0]


def mint_signature(message: Message, keys: SigningKeys, settings: DoubleSettings) -> str:
    """Mint a fresh `Upstash-Signature` for one attempt, with the current key.

    `iat`/`exp` come from the real wall clock (receivers compare them with theirs), never
    from the scaled clock.

    Args:
        message: The message about to be sent (its body is hashed into `body`).
        keys: The live signing keys; `keys.current` signs.
        settings: `nbf` mode (open question 2), `sub` query mode and token lifetime.

    Returns:
        A compact HS256 JWT.
    """
    now = time.time()
    overrides: dict[str, Any] = {}
    if settings.nbf == "iat":
        overrides["nbf"] = int(now)
    elif settings.nbf == "absent":
        overrides["nbf"] = None
    return sign(
        message.body,
        signing_subject(message, settings),
        keys.current,
        now=now,
        lifetime=settings.token_lifetime,
        **overrides,
    )


def delivery_headers(message: Message, signature: str, settings: DoubleSettings) -> dict[str, str]:
    """The headers of one delivery attempt.

    Args:
        message: The message; `message.retried` is this attempt's `Upstash-Retried`.
        signature: The token from `mint_signature`.
        settings: For the `Upstash-Region` value.

    Returns:
        Header name to value: User-Agent, Content-Type (if the publisher sent one),
        Upstash-Signature, -Message-Id, -Retried, -Caller-Ip, -Schedule-Id, -Topic-Name,
        -Region when they apply, then the forwarded headers with their prefix stripped
        (except any that would replace one of those).
    """
    headers = {"User-Agent": USER_AGENT}
    if message.options.content_type:
        headers["Content-Type"] = message.options.content_type
    headers |= {
        "Upstash-Signature": signature,
        "Upstash-Message-Id": message.message_id,
        "Upstash-Retried": str(message.retried),
        "Upstash-Caller-Ip": message.caller_ip,
    }
    optional = {
        "Upstash-Schedule-Id": message.schedule_id,
        "Upstash-Topic-Name": message.topic_name,
        "Upstash-Region": settings.region,
    }
    headers |= {name: value for name, value in optional.items() if value}
    for name, value in message.options.forward_headers:
        # A forwarded header never replaces what QStash itself sets (signature, ids, ...).
        if name not in headers or name == "Content-Type":
            headers[name] = value
    return headers


def header_lists(pairs: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    """Group header pairs into QStash's `header` shape: canonical name -> list of values."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(canonical_header(name), []).append(value)
    return grouped


def callback_body(
    source: Message, response: Response, settings: DoubleSettings, *, dlq_id: str | None = None
) -> bytes:
    """The JSON body of a callback (after an attempt) or failure callback (`dlq_id` given).

    Field names and types follow https://upstash.com/docs/qstash/features/callbacks, with the
    corrections of protocol notes section 4 (`sourceMessageId` spelt right; `body` and
    `sourceBody` standard base64). `notBefore`/`createdAt` are unix milliseconds, strings or
    numbers per `settings.callback_timestamps_as_strings`.

    Args:
        source: The message the callback reports on, as of this attempt.
        response: The destination's answer (status 0 when there was none).
        settings: Shape switches.
        dlq_id: The DLQ id, for a failure callback only.

    Returns:
        UTF-8 JSON bytes.
    """
    source_header = header_lists(source.options.delivery_headers())
    timestamps: dict[str, int | str] = {
        "notBefore": int(source.not_before * 1000),
        "createdAt": int(source.created_at * 1000),
    }
    if settings.callback_timestamps_as_strings:
        timestamps = {name: str(value) for name, value in timestamps.items()}
    body: dict[str, Any] = {
        "status": response.status or 0,
        "header": header_lists(response.headers),
        "body": base64.b64encode(response.body).decode("ascii"),
        "retried": source.retried,
        "maxRetries": source.options.retries,
        "sourceMessageId": source.message_id,
        "url": source.url,
        "method": source.options.method,
        "sourceHeader": (
            source_header
            if settings.callback_source_header_lists
            else {name: ", ".join(values) for name, values in source_header.items()}
        ),
        "sourceBody": base64.b64encode(source.body).decode("ascii"),
        **timestamps,
        "callerIP": source.caller_ip,
    }
    optional = {
        "dlqId": dlq_id,
        "topicName": source.topic_name,
        "endpointName": source.endpoint_name,
        "scheduleId": source.schedule_id,
    }
    body |= {name: value for name, value in optional.items() if value}
    return json.dumps(body, separators=(",", ":")).encode()


def callback_options(source: PublishOptions, callback: CallbackOptions) -> PublishOptions:
    """The publish options of a callback message: its own settings, else the source's retries.

    Source: https://upstash.com/docs/qstash/features/callbacks ("Configuring Callbacks").
    """
    return PublishOptions(
        retries=source.retries if callback.retries is None else callback.retries,
        method=callback.method,
        content_type="application/json",
        forward_headers=callback.forward_headers,
        retry_delay=callback.retry_delay or source.retry_delay,
        timeout=callback.timeout,
        delay=callback.delay,
    )
