"""Reading QStash's 429 headers: which limit, and how long it asks to wait."""

import pytest

from {{ cookiecutter.package_name }}.qstash.ratelimit import (
    limit_family,
    requested_wait_seconds,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("headers", "family"),
    [
        ({"ratelimit-limit": "1000", "ratelimit-reset": "1"}, "daily"),
        ({"burst-ratelimit-limit": "100"}, "burst"),
        ({"burst-ratelimit-reset": "1"}, "burst"),
        ({"retry-after": "1"}, "unknown"),
    ],
)
def test_limit_family_follows_the_headers(headers: dict[str, str], family: str) -> None:
    assert limit_family(headers) == family


def test_burst_reset_is_a_unix_time() -> None:
    headers = {"burst-ratelimit-limit": "100", "burst-ratelimit-reset": str(int(NOW) + 2)}
    assert requested_wait_seconds(headers, NOW) == 2


def test_daily_reset_is_a_unix_time() -> None:
    headers = {"ratelimit-limit": "1000", "ratelimit-reset": str(int(NOW) + 60)}
    assert requested_wait_seconds(headers, NOW) == 60


def test_reset_in_milliseconds_is_understood() -> None:
    headers = {"burst-ratelimit-reset": str(int(NOW * 1000) + 1500)}
    assert requested_wait_seconds(headers, NOW) == pytest.approx(1.5)


def test_retry_after_seconds() -> None:
    assert requested_wait_seconds({"retry-after": "7"}, NOW) == 7


def test_retry_after_http_date() -> None:
    # NOW + 30 s = Fri, 15 Jan 2027 08:00:30 GMT
    headers = {"retry-after": "Fri, 15 Jan 2027 08:00:30 GMT"}
    assert requested_wait_seconds(headers, NOW) == 30


def test_the_later_of_retry_after_and_reset_wins() -> None:
    headers = {"retry-after": "5", "burst-ratelimit-reset": str(int(NOW) + 1)}
    assert requested_wait_seconds(headers, NOW) == 5


def test_reset_in_the_past_means_no_wait() -> None:
    assert requested_wait_seconds({"burst-ratelimit-reset": str(int(NOW) - 3)}, NOW) == 0


@pytest.mark.parametrize(
    "headers", [{}, {"retry-after": "soon"}, {"burst-ratelimit-reset": "tomorrow"}]
)
def test_no_usable_header_means_unknown_wait(headers: dict[str, str]) -> None:
    assert requested_wait_seconds(headers, NOW) is None
