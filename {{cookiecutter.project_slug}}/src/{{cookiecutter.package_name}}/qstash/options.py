"""Publish options as QStash request headers (https://upstash.com/docs/qstash/api/publish)."""

import math
import re
from datetime import datetime, timedelta

# Seconds (int, float, timedelta) or QStash's own notation, e.g. "50s", "1d10h30m".
Delay = int | float | timedelta | str
# Unix seconds or a timezone-aware datetime.
NotBefore = int | float | datetime

DELAY_NOTATION = re.compile(r"(\d+[dhms])+")

MAX_RETRIES = 100
"""The most `Upstash-Retries` this project sends: the highest per-plan maximum QStash published.

The pricing page listed "Max Retry Count" per plan until January 2026: Free 3,
Pay-as-you-go 5, Fixed 1M 20, Fixed 10M 100, Enterprise custom
(https://upstash.com/pricing/qstash). The retry page now says only that the default is 3
(https://upstash.com/docs/qstash/features/retry). Your plan may allow fewer. At QStash's
default back-off (each wait capped at one day) 100 retries is over three months of trying,
longer than any plan keeps a dead letter.
"""


def delay_header(delay: Delay) -> str:
    """Format a delay for `Upstash-Delay` (https://upstash.com/docs/qstash/api/publish).

    Args:
        delay: Seconds (rounded up to whole seconds), a `timedelta`, or QStash's notation
            (`"10s"`, `"5m"`, `"1d10h30m"`; units d, h, m, s).

    Returns:
        The header value, e.g. `"10s"`.

    Raises:
        ValueError: Negative, or a string not in QStash's notation.
    """
    if isinstance(delay, str):
        if not DELAY_NOTATION.fullmatch(delay.strip()):
            raise ValueError(f"delay {delay!r} must be seconds or like 10s, 5m, 2h, 1d10h30m")
        return delay.strip()
    seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
    if isinstance(seconds, bool) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"delay must be a number of seconds >= 0, not {delay!r}")
    return f"{math.ceil(seconds)}s"


def not_before_header(not_before: NotBefore) -> str:
    """Format a time for `Upstash-Not-Before`: unix seconds.

    Raises:
        ValueError: A naive datetime, or a negative or non-finite number.
    """
    if isinstance(not_before, datetime):
        if not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware, e.g. datetime.now(UTC)")
        return str(math.ceil(not_before.timestamp()))
    if isinstance(not_before, bool) or not math.isfinite(not_before) or not_before < 0:
        raise ValueError(f"not_before must be unix seconds >= 0, not {not_before!r}")
    return str(math.ceil(not_before))


def header_value(name: str, value: str) -> str:
    """Check a free-text header value (e.g. a deduplication id) before it goes on the wire.

    Raises:
        ValueError: Empty, or not printable ASCII (no control characters, no line breaks).
    """
    if not value or not value.isascii() or not value.isprintable():
        raise ValueError(f"{name} must be non-empty printable ASCII, not {value!r}")
    return value


def retries_header(retries: int) -> str:
    """Format `Upstash-Retries`: delivery retries after the first attempt.

    Raises:
        ValueError: Not a whole number from 0 to `MAX_RETRIES`.
    """
    if type(retries) is not int or not 0 <= retries <= MAX_RETRIES:
        raise ValueError(
            f"retries must be a whole number from 0 to {MAX_RETRIES} (the highest retry "
            f"count any QStash plan allows), not {retries!r}"
        )
    return str(retries)
