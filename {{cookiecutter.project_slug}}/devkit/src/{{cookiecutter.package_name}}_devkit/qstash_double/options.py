"""Read a publish request: its destination, query string and `Upstash-*` configuration headers.

Source: https://upstash.com/docs/qstash/api/publish (headers),
https://upstash.com/docs/qstash/howto/webhook (headers as query parameters,
`Upstash-Header-Forward`) and https://upstash.com/docs/qstash/features/callbacks
(`Upstash-Callback-*` configuration).
"""

import re
from collections.abc import Iterable
from urllib.parse import unquote_plus

from .config import DoubleSettings
from .errors import BadRequestError
from .model import CallbackOptions, Headers, PublishOptions
from .timing import parse_duration, retry_delay_seconds

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
GROUP_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
# Request headers `Upstash-Header-Forward: true` does not pass on: the token, hop-by-hop
# headers, and those QStash sets itself.
_NOT_FORWARDED = frozenset(
    {
        "authorization",
        "host",
        "content-length",
        "content-type",
        "connection",
        "transfer-encoding",
        "user-agent",
    }
)
_CALLBACK_SETTINGS = ("forward-", "method", "retries", "timeout", "delay", "retry-delay")


def canonical_header(name: str) -> str:
    """Return a header name in canonical form (`x-tenant-id` -> `X-Tenant-Id`), as Go does."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def is_url(destination: str) -> bool:
    """Tell a URL destination (with scheme) from a URL-group name."""
    return destination.startswith(("http://", "https://"))


def split_destination(raw_tail: str, query_string: bytes) -> tuple[str, Headers]:
    """Rebuild the destination of `POST /v2/publish/{destination}` from the raw request.

    The SDKs append the destination unencoded, so a `?` in it becomes the query of the API
    request itself; QStash's own parameters (`qstash_token`, `upstash-*`) are taken out and
    the rest is folded back into the destination in the publisher's encoding (protocol
    notes 1.4, open question 1).

    Args:
        raw_tail: The raw (still percent-encoded) path after the route prefix.
        query_string: The raw query string of the API request.

    Returns:
        The destination and the configuration parameters as (lower-case name, value) pairs.

    Raises:
        BadRequestError: The destination is empty or neither a URL nor a group name.
    """
    kept: list[str] = []
    config: list[tuple[str, str]] = []
    for part in query_string.decode("latin-1").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        decoded = unquote_plus(name).lower()
        if decoded == "qstash_token":
            continue
        if decoded.startswith("upstash-"):
            config.append((decoded, unquote_plus(value)))
        else:
            kept.append(part)
    destination = raw_tail + ("?" + "&".join(kept) if kept else "")
    if not is_url(destination) and not GROUP_NAME.fullmatch(destination):
        raise BadRequestError(
            f"invalid destination {destination!r}: want a URL with http:// or https:// "
            "or a URL group name"
        )
    return destination, tuple(config)


def parse_options(
    headers: Iterable[tuple[str, str]], settings: DoubleSettings, *, query: Headers = ()
) -> PublishOptions:
    """Parse the configuration headers of a publish, batch item or schedule.

    Args:
        headers: The request headers as (name, value) pairs, any case.
        settings: The double's switches (default retries, retry cap, boolean strictness,
            whether unprefixed `Upstash-Callback-<Name>` headers are forwarded).
        query: `upstash-*` query parameters; a header of the same name wins.

    Returns:
        The options.

    Raises:
        BadRequestError: A header is malformed; the message names it.
    """
    pairs = [(name.lower(), value) for name, value in headers]
    first: dict[str, str] = {}
    for name, value in [*pairs, *query]:
        first.setdefault(name, value)

    forward_all = _is_true(first.get("upstash-header-forward"), strict=True)
    forwarded = [
        (canonical_header(name.removeprefix("upstash-forward-")), value)
        for name, value in pairs
        if name.startswith("upstash-forward-") and len(name) > len("upstash-forward-")
    ]
    if forward_all:
        forwarded += [
            (canonical_header(name), value)
            for name, value in pairs
            if not name.startswith("upstash-") and name not in _NOT_FORWARDED
        ]

    retries = _retries(first.get("upstash-retries"), settings)
    retry_delay = _retry_delay(first.get("upstash-retry-delay"))
    not_before = first.get("upstash-not-before")
    if not_before is not None and not not_before.strip().isdigit():
        raise BadRequestError(f"invalid Upstash-Not-Before {not_before!r}: want unix seconds")
    strict = settings.strict_boolean_headers
    return PublishOptions(
        retries=retries,
        method=_method(first.get("upstash-method"), "Upstash-Method"),
        content_type=first.get("content-type"),
        forward_headers=tuple(forwarded),
        retry_delay=retry_delay,
        timeout=_duration(first, "upstash-timeout"),
        delay=_duration(first, "upstash-delay") or 0.0,
        not_before=float(not_before) if not_before is not None else None,
        deduplication_id=first.get("upstash-deduplication-id") or None,
        content_based_deduplication=_is_true(
            first.get("upstash-content-based-deduplication"), strict=strict
        ),
        callback=_callback(pairs, first, "upstash-callback", settings),
        failure_callback=_callback(pairs, first, "upstash-failure-callback", settings),
        label=first.get("upstash-label") or None,
    )


def _callback(
    pairs: list[tuple[str, str]], first: dict[str, str], prefix: str, settings: DoubleSettings
) -> CallbackOptions:
    url = first.get(prefix)
    if url is not None and not is_url(url):
        raise BadRequestError(f"invalid {canonical_header(prefix)} {url!r}: want a full URL")
    forward_prefix = prefix + "-forward-"
    forwarded = [
        (canonical_header(name.removeprefix(forward_prefix)), value)
        for name, value in pairs
        if name.startswith(forward_prefix) and len(name) > len(forward_prefix)
    ]
    if settings.forward_unprefixed_callback_headers:
        forwarded += [
            (canonical_header(name.removeprefix(prefix + "-")), value)
            for name, value in pairs
            if name.startswith(prefix + "-")
            and not name.removeprefix(prefix + "-").startswith(_CALLBACK_SETTINGS)
        ]
    retries = first.get(prefix + "-retries")
    return CallbackOptions(
        url=url or None,
        forward_headers=tuple(forwarded),
        method=_method(first.get(prefix + "-method"), canonical_header(prefix + "-method")),
        retries=None if retries is None else _retries(retries, settings),
        timeout=_duration(first, prefix + "-timeout"),
        delay=_duration(first, prefix + "-delay") or 0.0,
        retry_delay=_retry_delay(first.get(prefix + "-retry-delay")),
    )


def _method(value: str | None, header: str) -> str:
    if value is None:
        return "POST"
    if value.upper() not in METHODS:
        raise BadRequestError(f"invalid {header} {value!r}: want one of {sorted(METHODS)}")
    return value.upper()


def _retries(value: str | None, settings: DoubleSettings) -> int:
    if value is None:
        return settings.default_retries
    if not value.strip().isdigit():
        raise BadRequestError(f"invalid Upstash-Retries {value!r}: want a whole number")
    retries = int(value)
    if settings.max_retries is not None and retries > settings.max_retries:
        raise BadRequestError(
            f"Upstash-Retries {retries} is over the plan's maximum of {settings.max_retries}"
        )
    return retries


def _retry_delay(expression: str | None) -> str | None:
    if expression is None:
        return None
    retry_delay_seconds(expression, 0)  # refuse a bad expression at publish time
    return expression


def _duration(first: dict[str, str], name: str) -> float | None:
    value = first.get(name)
    return None if value is None else parse_duration(value, header=canonical_header(name))


def _is_true(value: str | None, *, strict: bool) -> bool:
    if value is None:
        return False
    return value.strip() == "true" if strict else value.strip().lower() == "true"
