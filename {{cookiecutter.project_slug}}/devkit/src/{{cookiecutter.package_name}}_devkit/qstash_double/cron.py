"""Cron expressions as QStash reads them: 5 fields, UTC unless prefixed `CRON_TZ=<zone> `.

Source: https://upstash.com/docs/qstash/features/schedules. Evaluation uses cronsim.
"""

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from .errors import BadRequestError

SCHEDULE_ID = re.compile(r"[A-Za-z0-9_.\-]+")
"""Allowed characters of an `Upstash-Schedule-Id` (others are refused with 400)."""

_PREFIX = re.compile(r"^CRON_TZ=(\S+)\s+")


def parse_cron(expression: str) -> tuple[str, tzinfo]:
    """Split and check a cron expression.

    Args:
        expression: 5 cron fields, optionally prefixed `CRON_TZ=<IANA zone> `.

    Returns:
        The 5-field expression and its time zone (UTC when there is no prefix).

    Raises:
        BadRequestError: Not 5 fields, a field out of range, or an unknown zone.
    """
    text = expression.strip()
    zone: tzinfo = UTC
    match = _PREFIX.match(text)
    if match:
        try:
            zone = ZoneInfo(match.group(1))
        except (ZoneInfoNotFoundError, ValueError):
            raise BadRequestError(f"invalid cron {expression!r}: unknown time zone") from None
        text = text[match.end() :]
    if len(text.split()) != 5:
        raise BadRequestError(f"invalid cron {expression!r}: want 5 fields, e.g. '*/5 * * * *'")
    try:
        CronSim(text, datetime.now(zone))
    except CronSimError as error:
        raise BadRequestError(f"invalid cron {expression!r}: {error}") from None
    return text, zone


def next_fire(expression: str, after: float) -> float:
    """Return the first tick strictly after a moment.

    Args:
        expression: A cron expression that `parse_cron` accepts.
        after: Unix seconds (protocol time).

    Returns:
        Unix seconds of the next tick (cron resolution is one minute).
    """
    fields, zone = parse_cron(expression)
    start = datetime.fromtimestamp(after, zone)
    return next(CronSim(fields, start)).timestamp()
