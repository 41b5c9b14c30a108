"""The double's switches: one frozen dataclass, every default the documented QStash value.

Where the public sources disagree or say nothing (the open questions of the protocol notes,
section 9), the switch names the question and defaults to what the docs state.
"""

from dataclasses import dataclass, fields
from typing import Literal

DEFAULT_RETRIES = 3
"""Retries after the first attempt (https://upstash.com/docs/qstash/features/retry)."""

DEDUP_WINDOW_SECONDS = 600.0
"""Deduplication window, "10 minutes" (https://upstash.com/docs/qstash/features/deduplication)."""

MAX_MESSAGE_BYTES = 1_048_576
"""1 MB, the documented default (https://upstash.com/docs/qstash/overall/getstarted)."""

MAX_RESPONSE_SECONDS = 7200.0
"""Pay-as-you-go "Max HTTP Response Duration", 2 hours (https://upstash.com/pricing/qstash)."""


@dataclass(frozen=True)
class DoubleSettings:
    """How the double behaves. Change a running double with `QStashDouble.configure`.

    Time: every protocol duration (`Upstash-Delay`, `Upstash-Not-Before`, back-off,
    `Retry-After`, cron ticks, the dedup window) runs on the protocol clock (`clock.py`);
    HTTP timeouts are real seconds, and so is the burst window unless the clock is manual.
    Signature `iat`/`exp` always use the real wall clock.

    Attributes:
        time_scale: Real seconds per protocol second: 0.001 turns the 12 s first back-off
            into 12 ms; must be > 0. None makes the clock manual: protocol time (the burst
            window included) stands still until `QStashDouble.advance` or `fast_forward`
            moves it, so what a test sees never depends on how fast the machine is.
        default_retries: Retries when `Upstash-Retries` is absent (docs: 3,
            https://upstash.com/docs/qstash/features/retry).
        max_retries: Largest `Upstash-Retries` accepted (400 above it), or None for no cap.
            Open question 7: the current per-plan maxima are not published (older pricing:
            3 / 5 / 20), so none is enforced by default.
        dedup_window: Seconds (scaled) a deduplication id is remembered. Open question 6:
            10 minutes per the docs (default) vs 90 days per a maintainer's comment.
        max_message_size: Largest accepted body in bytes; larger publishes get 413.
        default_timeout: Real seconds an attempt may take when `Upstash-Timeout` is absent.
        connect_timeout: Real seconds to connect to a destination.
        concurrency: Attempts in flight at once (QStash delivers in parallel,
            https://upstash.com/docs/qstash/howto/publishing).
        publish_status: HTTP status of a fresh publish. Open question 3: the OpenAPI
            document lists 200 (default); duplicates always get 202.
        nbf: The `nbf` claim. Open question 2: "zero" (default, the September 2024
            changelog), "iat" (the older documented example) or "absent".
        sub_includes_query: Whether the `sub` claim keeps the destination's query string.
            Open question 1: the notes infer it does (default True).
        strict_boolean_headers: Open question 4: True (default) honours only the documented
            lower-case `true` in `Upstash-Content-Based-Deduplication` (qstash-py sends
            `True`); False accepts any case.
        forward_unprefixed_callback_headers: Open question 5: whether `Upstash-Callback-<Name>`
            (what qstash-py's `callback_headers` produce) reaches the callback as `<Name>`.
            Documented: only `Upstash-Callback-Forward-<Name>` does (default False).
        bulk_json_body: Whether bulk `DELETE /v2/messages` and `DELETE /v2/dlq` also read
            ids and filters from a JSON body, e.g. `{"messageIds": [...]}`: the form the API
            reference documented until December 2025, and what qstash-py 3.4 sends
            (`message.cancel_many`, `dlq.delete_many`). Default False: only the query
            parameters of the current OpenAPI document count.
        bare_bulk_selects_all: Whether a bulk cancel, DLQ delete or DLQ retry that names no
            ids, no filter and no `count`/`cursor` acts on everything, as QStash documents
            (qstash-py's `message.cancel_all` sends exactly that). Default False: the double
            answers 400, so nothing is emptied by accident.
        callback_timestamps_as_strings: `notBefore`/`createdAt` in callback bodies as JSON
            strings, as the callbacks page shows (default True), or numbers.
        callback_source_header_lists: `sourceHeader` values as lists (what the JS SDK
            parses) instead of the documented single strings (default False).
        region: `Upstash-Region` header sent with each delivery, or None to omit it.
        rate_limit_per_second: Burst limit in requests per real second, or None for none;
            excess requests get 429 with `Burst-RateLimit-*` headers.
        rate_limit_scope: "publish" (publish and batch only) or "all" (every `/v2` call).
        hang: Accept API connections and never answer (client-timeout tests).
        refuse_publish_to: A destination URL prefix, or None: publishes to a destination
            starting with it are answered 500 and nothing is queued (QStash failing for one
            destination, e.g. the worker route a Cloud Function re-publishes its jobs to).
        duplicate_delivery_probability: Chance an attempt is sent twice (at-least-once,
            https://upstash.com/docs/qstash/features/at-least-once).
        lost_response_probability: Chance the destination's answer is dropped after it did
            the work; the attempt then counts as failed and is retried.
        seed: Seed of the fault-injection RNG (None: unpredictable).
        token_lifetime: Seconds from `iat` to `exp` of each signature (docs: 300).
    """

    time_scale: float | None = 1.0
    default_retries: int = DEFAULT_RETRIES
    max_retries: int | None = None
    dedup_window: float = DEDUP_WINDOW_SECONDS
    max_message_size: int = MAX_MESSAGE_BYTES
    default_timeout: float = MAX_RESPONSE_SECONDS
    connect_timeout: float = 5.0
    concurrency: int = 16
    publish_status: int = 200
    nbf: Literal["zero", "iat", "absent"] = "zero"
    sub_includes_query: bool = True
    strict_boolean_headers: bool = True
    forward_unprefixed_callback_headers: bool = False
    bulk_json_body: bool = False
    bare_bulk_selects_all: bool = False
    callback_timestamps_as_strings: bool = True
    callback_source_header_lists: bool = False
    region: str | None = "EU-CENTRAL-1"
    rate_limit_per_second: int | None = None
    rate_limit_scope: Literal["publish", "all"] = "publish"
    hang: bool = False
    refuse_publish_to: str | None = None
    duplicate_delivery_probability: float = 0.0
    lost_response_probability: float = 0.0
    seed: int | None = None
    token_lifetime: int = 300

    def __post_init__(self) -> None:
        """Refuse values that cannot work.

        Raises:
            ValueError: A value is out of range; the message names the field.
        """
        problems = []
        if self.time_scale is not None and self.time_scale <= 0:
            problems.append("time_scale must be > 0 or None (a manual clock)")
        for name in ("duplicate_delivery_probability", "lost_response_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"{name} must be between 0 and 1")
        for name in ("default_retries", "max_message_size", "concurrency", "token_lifetime"):
            if getattr(self, name) < (0 if name == "default_retries" else 1):
                problems.append(f"{name} is too small")
        if self.rate_limit_per_second is not None and self.rate_limit_per_second < 1:
            problems.append("rate_limit_per_second must be >= 1 or None")
        if self.default_timeout <= 0 or self.connect_timeout <= 0 or self.dedup_window < 0:
            problems.append("timeouts must be > 0 and dedup_window >= 0")
        if problems:
            raise ValueError("; ".join(problems))


SETTING_NAMES = frozenset(field.name for field in fields(DoubleSettings))
