"""What the double keeps: messages, attempts, dead letters, schedules and URL groups.

Field meanings follow https://upstash.com/docs/qstash/api (openapi.yaml `Message`,
`DLQMessage`, `Schedule`, `Topic`). Times are protocol (scaled-clock) unix seconds.
"""

from dataclasses import dataclass, field
from typing import Literal

Headers = tuple[tuple[str, str], ...]
"""Header (name, value) pairs, names in canonical `Title-Case`."""

MessageKind = Literal["message", "callback", "failure-callback"]
MessageState = Literal["pending", "delivered", "dead", "cancelled"]


@dataclass(frozen=True)
class CallbackOptions:
    """How the callback (or failure-callback) messages of a message are published.

    Source: https://upstash.com/docs/qstash/features/callbacks ("Configuring Callbacks").

    Attributes:
        url: The callback URL, or None for no callback.
        forward_headers: Headers from `Upstash-Callback-Forward-*` (prefix stripped).
        method: `Upstash-Callback-Method`, default POST.
        retries: `Upstash-Callback-Retries`, or None to reuse the source message's retries.
        timeout: `Upstash-Callback-Timeout` in real seconds, or None for the default.
        delay: `Upstash-Callback-Delay` in protocol seconds.
        retry_delay: `Upstash-Callback-Retry-Delay` expression, or None.
    """

    url: str | None = None
    forward_headers: Headers = ()
    method: str = "POST"
    retries: int | None = None
    timeout: float | None = None
    delay: float = 0.0
    retry_delay: str | None = None


@dataclass(frozen=True)
class PublishOptions:
    """A publish request's configuration, parsed from its `Upstash-*` headers.

    Source: https://upstash.com/docs/qstash/api/publish.

    Attributes:
        retries: Retries after the first attempt (`Upstash-Retries`).
        method: Delivery method (`Upstash-Method`), default POST.
        content_type: The publisher's `Content-Type`, passed through.
        forward_headers: Headers from `Upstash-Forward-*`, prefix stripped.
        retry_delay: `Upstash-Retry-Delay` expression (milliseconds), or None.
        timeout: `Upstash-Timeout` in real seconds, or None for the default.
        delay: `Upstash-Delay` in protocol seconds.
        not_before: `Upstash-Not-Before` in unix seconds (wins over `delay`), or None.
        deduplication_id: `Upstash-Deduplication-Id`, or None.
        content_based_deduplication: `Upstash-Content-Based-Deduplication` is on.
        callback: Callback configuration.
        failure_callback: Failure-callback configuration.
        label: `Upstash-Label`, or None.
    """

    retries: int
    method: str = "POST"
    content_type: str | None = None
    forward_headers: Headers = ()
    retry_delay: str | None = None
    timeout: float | None = None
    delay: float = 0.0
    not_before: float | None = None
    deduplication_id: str | None = None
    content_based_deduplication: bool = False
    callback: CallbackOptions = field(default_factory=CallbackOptions)
    failure_callback: CallbackOptions = field(default_factory=CallbackOptions)
    label: str | None = None

    def delivery_headers(self) -> Headers:
        """The publisher-controlled headers each delivery carries (Content-Type first)."""
        content_type = (("Content-Type", self.content_type),) if self.content_type else ()
        return content_type + self.forward_headers


@dataclass
class Message:
    """One message: a publish to one URL, or a callback. Mutated only under the state lock.

    Attributes:
        message_id: `msg_...`, sent as `Upstash-Message-Id` on every attempt.
        url: Where it is delivered (the `sub` claim, query per the settings).
        body: The exact bytes delivered.
        options: Its configuration.
        created_at: When it was published.
        caller_ip: Who published it (`Upstash-Caller-Ip`).
        kind: "message", "callback" or "failure-callback".
        topic_name: URL group it was published to, if any.
        endpoint_name: The URL group endpoint's name, if it has one.
        schedule_id: The schedule that produced it, if any.
        source_message_id: For a callback, the message it reports on.
        state: "pending" until delivered, dead-lettered or cancelled.
        retried: Retries so far (`Upstash-Retried` of the next attempt).
        due_at: When the next attempt is due.
        not_before: When the first attempt was due.
        in_flight: An attempt is being made right now.
        dlq_id: Its DLQ id once dead-lettered.
    """

    message_id: str
    url: str
    body: bytes
    options: PublishOptions
    created_at: float
    caller_ip: str
    kind: MessageKind = "message"
    topic_name: str | None = None
    endpoint_name: str | None = None
    schedule_id: str | None = None
    source_message_id: str | None = None
    state: MessageState = "pending"
    retried: int = 0
    due_at: float = 0.0
    not_before: float = 0.0
    in_flight: bool = False
    dlq_id: str | None = None


@dataclass(frozen=True)
class Response:
    """What a destination answered (or that it did not).

    Attributes:
        status: The HTTP status, or None when there was no answer (timeout, connection
            error, or an answer dropped by fault injection).
        headers: Response headers as (name, value) pairs.
        body: Response body bytes (truncated to the max message size).
        error: Why there was no answer, or None.
    """

    status: int | None
    headers: Headers = ()
    body: bytes = b""
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Any 2xx counts as delivered (https://upstash.com/docs/qstash/features/retry)."""
        return self.status is not None and 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        """Return the first value of a header, looked up case-insensitively."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class Attempt:
    """One HTTP request the double made to a destination.

    Attributes:
        message_id: The message's id.
        kind: "message", "callback" or "failure-callback".
        url: Where it went.
        retried: The `Upstash-Retried` header it carried.
        status: The status answered, or None (see `error`).
        error: Why there was no usable answer, or None.
        at: Protocol time the attempt started.
        duplicate: A second copy of the same attempt, injected by fault injection.
        lost: The answer was dropped by fault injection (the attempt counts as failed).
        schedule_id: The schedule that produced the message, if any.
        signature: The `Upstash-Signature` token sent.
    """

    message_id: str
    kind: MessageKind
    url: str
    retried: int
    status: int | None
    error: str | None
    at: float
    duplicate: bool = False
    lost: bool = False
    schedule_id: str | None = None
    signature: str = ""


@dataclass(frozen=True)
class DeadLetter:
    """A message in the DLQ (https://upstash.com/docs/qstash/features/dlq).

    Attributes:
        dlq_id: Like `1725323658779-0`.
        message: The message as it was when it failed.
        response: The last answer (status 0 in views when there was none).
        created_at: When it was dead-lettered.
        sequence: Its place in the DLQ, counting from 0 (the cursor of list and bulk
            calls: it stays valid when entries before it are deleted).
    """

    dlq_id: str
    message: Message
    response: Response
    created_at: float
    sequence: int = 0


@dataclass
class Schedule:
    """A cron schedule (https://upstash.com/docs/qstash/features/schedules).

    Attributes:
        schedule_id: `scd_...` or the caller's `Upstash-Schedule-Id`.
        cron: The cron expression, with an optional `CRON_TZ=<zone> ` prefix.
        destination: A URL or URL-group name.
        body: The body of every message it produces.
        options: The publish configuration of every message it produces.
        created_at: When it was created.
        caller_ip: Who created it.
        paused: Paused schedules do not fire.
        next_fire: Protocol time of the next tick, or None while paused.
        last_fire: Protocol time of the last tick, or None.
    """

    schedule_id: str
    cron: str
    destination: str
    body: bytes
    options: PublishOptions
    created_at: float
    caller_ip: str
    paused: bool = False
    next_fire: float | None = None
    last_fire: float | None = None


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of a URL group.

    Attributes:
        url: Where messages to the group are delivered.
        name: Its optional name (`endpointName` in callbacks).
    """

    url: str
    name: str | None = None


@dataclass
class UrlGroup:
    """A URL group, "topic" in the API (https://upstash.com/docs/qstash/features/url-groups).

    Attributes:
        name: The group's name, used as a publish destination.
        endpoints: Its endpoints; removing the last one deletes the group.
        created_at: When it was created.
        updated_at: When its endpoints last changed.
    """

    name: str
    endpoints: list[Endpoint]
    created_at: float
    updated_at: float
