"""Durations, back-off, `Retry-After` and `Upstash-Retry-Delay` expressions.

Source: https://upstash.com/docs/qstash/features/retry (back-off, `Retry-After`, retry-delay
expressions, 489) and https://upstash.com/docs/qstash/api/publish (`Upstash-Delay`,
`Upstash-Timeout` formats).
"""

import ast
import math
import operator
import re
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime

from .errors import BadRequestError

ONE_DAY = 86400.0
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_RETRY_AFTER_HEADERS = (
    "retry-after",
    "x-ratelimit-reset",
    "x-ratelimit-reset-requests",
    "x-ratelimit-reset-tokens",
)


def parse_duration(value: str, *, header: str) -> float:
    """Parse a QStash duration such as `50s`, `1d10h30m` or `500ms`.

    Args:
        value: The header value: one or more `<number><unit>` parts, units ms|s|m|h|d.
        header: The header's name, for the error message.

    Returns:
        The duration in seconds.

    Raises:
        BadRequestError: The value is not a duration.
    """
    text = value.strip()
    position, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not text or position != len(text):
        raise BadRequestError(f"invalid {header}: {value!r}, want e.g. 50s, 10m, 1d10h30m")
    return total


def parse_go_duration(value: str) -> float | None:
    """Parse a Go-style duration (`6m5s`, `1.5h`) to seconds, or None if it is not one."""
    try:
        return parse_duration(value, header="duration")
    except BadRequestError:
        return None


def default_backoff(retried: int) -> float:
    """Return the documented default delay before retry number `retried`.

    Args:
        retried: The retry about to happen, 1 for the first (after the first attempt failed).

    Returns:
        `min(86400, e^(2.5 * retried))` seconds: 12 s, 2 m 28 s, 30 m 8 s, 6 h 7 m, 24 h.
    """
    return min(ONE_DAY, math.exp(2.5 * retried))


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Read how long the destination asked QStash to wait before the next retry.

    Looks at `Retry-After`, `X-RateLimit-Reset`, `X-RateLimit-Reset-Requests` and
    `X-RateLimit-Reset-Tokens` (first usable wins); each may hold seconds, an RFC 1123 date
    or a Go duration. Capped at one day.

    Args:
        headers: The response headers, looked up by lower-case name.
        now: Real unix seconds to measure a date against (default: the wall clock).

    Returns:
        Seconds to wait, or None when no header gives a usable value.
    """
    for name in _RETRY_AFTER_HEADERS:
        value = headers.get(name)
        if not value:
            continue
        seconds = _seconds_from(value.strip(), time.time() if now is None else now)
        if seconds is not None:
            return min(ONE_DAY, max(0.0, seconds))
    return None


def _seconds_from(value: str, now: float) -> float | None:
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    duration = parse_go_duration(value)
    if duration is not None:
        return duration
    try:
        return parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError, IndexError):
        return None


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: math.pow,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "pow": math.pow,
    "sqrt": math.sqrt,
    "abs": abs,
    "exp": math.exp,
    "floor": math.floor,
    "ceil": math.ceil,
    "round": round,
    "min": min,
    "max": max,
}


def retry_delay_seconds(expression: str, retried: int) -> float:
    """Evaluate an `Upstash-Retry-Delay` expression.

    Args:
        expression: Arithmetic over the variable `retried` and the functions pow, sqrt,
            abs, exp, floor, ceil, round, min, max; the result is in milliseconds.
        retried: Retries done so far: 0 before the first retry.

    Returns:
        The delay in seconds, between 0 and one day.

    Raises:
        BadRequestError: The expression uses anything else or cannot be evaluated.
    """
    try:
        milliseconds = _evaluate(ast.parse(expression, mode="eval").body, float(retried))
    except (SyntaxError, ValueError, ArithmeticError, TypeError, RecursionError) as error:
        raise BadRequestError(f"invalid Upstash-Retry-Delay {expression!r}: {error}") from None
    if math.isnan(milliseconds):
        raise BadRequestError(f"invalid Upstash-Retry-Delay {expression!r}: not a number")
    return min(ONE_DAY, max(0.0, milliseconds / 1000))


def _evaluate(node: ast.expr, retried: float) -> float:
    match node:
        case ast.Constant(value=bool()):
            raise ValueError("booleans are not numbers")
        case ast.Constant(value=int() | float() as number):
            return float(number)
        case ast.Name(id="retried"):
            return retried
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_evaluate(operand, retried)
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _evaluate(operand, retried)
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _BINARY:
            return _BINARY[type(op)](_evaluate(left, retried), _evaluate(right, retried))
        case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in _FUNCTIONS:
            return float(_FUNCTIONS[name](*(_evaluate(arg, retried) for arg in args)))
    raise ValueError(f"unsupported syntax {ast.unparse(node)!r}")
