"""Turn a publish into messages: URL-group fan-out, deduplication, delay and not-before.

Sources: https://upstash.com/docs/qstash/api/publish, https://upstash.com/docs/qstash/features/url-groups
and https://upstash.com/docs/qstash/features/deduplication.
"""

import dataclasses
import hashlib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .config import DoubleSettings
from .errors import NotFoundError, PayloadTooLargeError
from .model import Message, MessageKind, PublishOptions
from .options import is_url, parse_options
from .state import DoubleState, new_id


@dataclass(frozen=True)
class Published:
    """One message a publish produced (or found, when deduplicated).

    Attributes:
        message_id: The new message's id, or the original's when deduplicated.
        url: The URL it goes to.
        deduplicated: The publish was a duplicate; nothing new will be delivered.
    """

    message_id: str
    url: str
    deduplicated: bool = False

    def as_json(self, *, with_url: bool) -> dict[str, object]:
        """The publish-response item (`url` only for URL groups; `deduplicated` when true)."""
        item: dict[str, object] = {"messageId": self.message_id}
        if with_url:
            item["url"] = self.url
        if self.deduplicated:
            item["deduplicated"] = True
        return item


def check_size(body: bytes, settings: DoubleSettings) -> None:
    """Refuse a body over the max message size.

    Raises:
        PayloadTooLargeError: `len(body)` is over `settings.max_message_size` bytes.
    """
    if len(body) > settings.max_message_size:
        raise PayloadTooLargeError(
            f"message size {len(body)} bytes exceeds the max message size of "
            f"{settings.max_message_size} bytes"
        )


def publish(
    state: DoubleState,
    settings: DoubleSettings,
    *,
    destination: str,
    body: bytes,
    options: PublishOptions,
    caller_ip: str,
    now: float,
    schedule_id: str | None = None,
    kind: MessageKind = "message",
    source_message_id: str | None = None,
) -> list[Published]:
    """Create the messages of one publish.

    Args:
        state: Where the messages go.
        settings: For the dedup window (seconds, scaled). The size limit is the caller's
            job (`check_size`): callback bodies are built here and never refused.
        destination: A URL (one message) or a URL-group name (one message per endpoint).
        body: The exact bytes to deliver.
        options: The parsed configuration.
        caller_ip: The publisher's address (`Upstash-Caller-Ip`).
        now: Protocol unix seconds.
        schedule_id: The schedule producing this message, if any.
        kind: "message", or "callback"/"failure-callback" for reports on another message.
        source_message_id: For callbacks, the message reported on.

    Returns:
        One item per destination URL, in endpoint order.

    Raises:
        NotFoundError: The URL group does not exist.
    """
    with state.lock:
        if is_url(destination):
            targets: list[tuple[str, str | None, str | None]] = [(destination, None, None)]
        else:
            group = state.groups.get(destination)
            if group is None:
                raise NotFoundError(f"url group {destination!r} not found")
            targets = [(endpoint.url, group.name, endpoint.name) for endpoint in group.endpoints]

        results = []
        for url, topic_name, endpoint_name in targets:
            key = _dedup_key(url, body, options)
            existing = state.seen(key, now) if key is not None else None
            if existing is not None:
                state.counters["deduplicated"] += 1
                results.append(Published(existing, url, deduplicated=True))
                continue
            due = options.not_before if options.not_before is not None else now + options.delay
            message = Message(
                message_id=new_id("msg_", 40),
                url=url,
                body=body,
                options=options,
                created_at=now,
                caller_ip=caller_ip,
                kind=kind,
                topic_name=topic_name,
                endpoint_name=endpoint_name,
                schedule_id=schedule_id,
                source_message_id=source_message_id,
                due_at=due,
                not_before=due,
            )
            if key is not None:
                state.remember(key, message.message_id, now + settings.dedup_window)
            state.add_message(message)
            results.append(Published(message.message_id, url))
        return results


# Headers that may override a dead letter's configuration on retry, and the field each sets
# (https://upstash.com/docs/qstash/api/dlq: "config headers override the original").
_RETRY_OVERRIDES = {
    "upstash-retries": "retries",
    "upstash-delay": "delay",
    "upstash-not-before": "not_before",
    "upstash-timeout": "timeout",
    "upstash-method": "method",
    "upstash-retry-delay": "retry_delay",
    "upstash-callback": "callback",
    "upstash-failure-callback": "failure_callback",
}


def republish_dead_letter(
    state: DoubleState,
    settings: DoubleSettings,
    dlq_id: str,
    headers: Iterable[tuple[str, str]],
    *,
    now: float,
) -> Published:
    """Take a message out of the DLQ and publish it again as a new message, due now.

    Source: https://upstash.com/docs/qstash/api/dlq (`POST /v2/dlq/retry/{dlqId}`).

    Args:
        state: The shared state.
        settings: For parsing the override headers.
        dlq_id: The DLQ id.
        headers: Configuration headers that override the original's (e.g.
            `("Upstash-Retries", "0")`); others are ignored.
        now: Protocol unix seconds.

    Returns:
        The new message.

    Raises:
        NotFoundError: No such DLQ entry.
        BadRequestError: An override header is malformed.
    """
    pairs = [(name.lower(), value) for name, value in headers]
    overrides = parse_options(pairs, settings)
    given = {name for name, _ in pairs}
    with state.lock:
        entry = state.dead_letters.get(dlq_id)
        if entry is None:
            raise NotFoundError(f"dlq message {dlq_id!r} not found")
        original = entry.message
        options = dataclasses.replace(
            original.options,
            delay=0.0,
            not_before=None,
            deduplication_id=None,
            content_based_deduplication=False,
            **{
                field: getattr(overrides, field)
                for name, field in _RETRY_OVERRIDES.items()
                if name in given
            },
        )
        state.remove_dead_letter(dlq_id)
        state.counters["dlq_retries"] += 1
        (published,) = publish(
            state,
            settings,
            destination=original.url,
            body=original.body,
            options=options,
            caller_ip=original.caller_ip,
            now=now,
            schedule_id=original.schedule_id,
            kind=original.kind,
            source_message_id=original.source_message_id,
        )
        return published


def _dedup_key(url: str, body: bytes, options: PublishOptions) -> Hashable | None:
    if options.deduplication_id:
        return ("id", url, options.deduplication_id)
    if not options.content_based_deduplication:
        return None
    # Documented inputs: destination, body, Content-Type and forwarded headers.
    digest = hashlib.sha256()
    for part in (url.encode(), body, (options.content_type or "").encode()):
        digest.update(len(part).to_bytes(8, "big") + part)
    for name, value in sorted(options.forward_headers):
        digest.update(f"{name.lower()}:{value}\n".encode())
    return ("content", digest.hexdigest())
