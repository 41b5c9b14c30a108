"""Argument types: each turns a string into a value or a usage error that says why."""

import argparse
from collections.abc import Callable
from datetime import UTC, datetime

from ..qstash.dlq import MAX_PAGE_SIZE
from ..qstash.options import MAX_RETRIES, delay_header, retries_header


def _argument_type[T](parse: Callable[[str], T]) -> Callable[[str], T]:
    def convert(value: str) -> T:
        try:
            return parse(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = parse.__name__.lstrip("_")
    return convert


def _parse_delay(value: str) -> int | str:
    delay: int | str = int(value) if _is_whole_number(value) else value
    delay_header(delay)  # raises ValueError with the accepted forms
    return delay


def _parse_unix_time(value: str) -> int:
    if not _is_whole_number(value):
        raise ValueError(
            f"{value!r} is not unix seconds, e.g. {int(datetime.now(UTC).timestamp())}"
        )
    return int(value)


def _parse_retries(value: str) -> int:
    if not _is_whole_number(value):
        raise ValueError(f"{value!r} is not a whole number from 0 to {MAX_RETRIES}")
    retries_header(int(value))  # raises ValueError naming the bound
    return int(value)


def _parse_page_size(value: str) -> int:
    if not _is_whole_number(value) or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ValueError(f"{value!r} is not a page size between 1 and {MAX_PAGE_SIZE}")
    return int(value)


def _is_whole_number(value: str) -> bool:
    # isascii: "²".isdigit() is True, and int("²") fails.
    return value.isascii() and value.isdigit()


delay = _argument_type(_parse_delay)
unix_time = _argument_type(_parse_unix_time)
retries = _argument_type(_parse_retries)
page_size = _argument_type(_parse_page_size)
