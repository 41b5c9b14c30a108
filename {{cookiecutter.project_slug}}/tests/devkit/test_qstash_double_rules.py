"""The double's protocol rules in isolation: durations, back-off, Retry-After, cron, switches."""

import math
import time
from email.utils import formatdate

import pytest

from {{ cookiecutter.package_name }}_devkit.qstash_double import DoubleSettings
from {{ cookiecutter.package_name }}_devkit.qstash_double.clock import ScaledClock
from {{ cookiecutter.package_name }}_devkit.qstash_double.cron import next_fire, parse_cron
from {{ cookiecutter.package_name }}_devkit.qstash_double.errors import BadRequestError
from {{ cookiecutter.package_name }}_devkit.qstash_double.faults import Faults
from {{ cookiecutter.package_name }}_devkit.qstash_double.options import parse_options
from {{ cookiecutter.package_name }}_devkit.qstash_double.timing import (
    default_backoff,
    parse_duration,
    retry_after_seconds,
    retry_delay_seconds,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("50s", 50), ("10m", 600), ("2h", 7200), ("1d10h30m", 124200), ("500ms", 0.5)],
)
def test_durations_parse_like_upstash_delay(value: str, seconds: float) -> None:
    assert parse_duration(value, header="Upstash-Delay") == seconds


@pytest.mark.parametrize("value", ["", "10", "soon", "10x", "1h foo"])
def test_malformed_durations_are_refused(value: str) -> None:
    with pytest.raises(BadRequestError, match="Upstash-Delay"):
        parse_duration(value, header="Upstash-Delay")


def test_default_backoff_is_the_documented_series_capped_at_a_day() -> None:
    delays = [default_backoff(n) for n in range(1, 7)]

    assert [round(d) for d in delays[:4]] == [12, 148, 1808, 22026]  # 12 s, 2m28s, 30m8s, 6h7m
    assert delays[4:] == [86400, 86400]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "30"}, 30),
        ({"retry-after": "6m5s"}, 365),
        ({"x-ratelimit-reset": "7"}, 7),
        ({"retry-after": "999999"}, 86400),
        ({"retry-after": "garbage"}, None),
        ({}, None),
    ],
)
def test_retry_after_reads_seconds_durations_and_caps_at_a_day(
    headers: dict[str, str], expected: float | None
) -> None:
    assert retry_after_seconds(headers) == expected


def test_retry_after_reads_an_http_date() -> None:
    now = time.time()
    headers = {"retry-after": formatdate(now + 120, usegmt=True)}

    assert retry_after_seconds(headers, now=now) == pytest.approx(120, abs=1)


def test_retry_delay_expression_is_milliseconds_of_retried() -> None:
    assert retry_delay_seconds("pow(2, retried) * 1000", 3) == 8
    assert retry_delay_seconds("max(10, retried * 100)", 0) == pytest.approx(0.01)


@pytest.mark.parametrize("expression", ["__import__('os')", "retried.real", "lambda: 1", "1 +"])
def test_retry_delay_expression_refuses_anything_but_arithmetic(expression: str) -> None:
    with pytest.raises(BadRequestError, match="Upstash-Retry-Delay"):
        retry_delay_seconds(expression, 0)


def test_cron_is_five_fields_in_utc_with_an_optional_zone_prefix() -> None:
    after = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC

    assert next_fire("*/5 * * * *", after) == 1_700_000_100.0
    assert next_fire("CRON_TZ=America/New_York 0 4 * * *", after) % 3600 == 0
    assert parse_cron("CRON_TZ=Europe/Berlin 0 4 * * *")[0] == "0 4 * * *"


@pytest.mark.parametrize(
    "expression", ["* * * *", "0 * * * * *", "61 * * * *", "CRON_TZ=Nope/X 0 * * * *"]
)
def test_invalid_cron_is_refused(expression: str) -> None:
    with pytest.raises(BadRequestError, match="invalid cron"):
        parse_cron(expression)


def test_options_default_to_three_retries_and_post() -> None:
    options = parse_options([], DoubleSettings())

    assert (options.retries, options.method, options.delay) == (3, "POST", 0.0)


def test_forwarded_headers_lose_their_prefix_and_take_canonical_case() -> None:
    options = parse_options(
        [("upstash-forward-x-tenant-id", "t1"), ("content-type", "text/plain")], DoubleSettings()
    )

    assert options.forward_headers == (("X-Tenant-Id", "t1"),)
    assert options.delivery_headers() == (("Content-Type", "text/plain"), ("X-Tenant-Id", "t1"))


def test_retries_over_the_configured_plan_maximum_are_refused() -> None:
    with pytest.raises(BadRequestError, match="maximum of 5"):
        parse_options([("Upstash-Retries", "6")], DoubleSettings(max_retries=5))


@pytest.mark.parametrize(
    "changes",
    [
        {"time_scale": 0},
        {"time_scale": -1.0},
        {"duplicate_delivery_probability": 1.5},
        {"rate_limit_per_second": 0},
    ],
)
def test_settings_refuse_values_that_cannot_work(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        DoubleSettings(**changes)  # type: ignore[arg-type]


class RealClock:
    """A monotonic real clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.seconds = 500.0

    def __call__(self) -> float:
        return self.seconds


def test_scaled_clock_runs_faster_and_can_jump() -> None:
    real = RealClock()
    clock = ScaledClock(0.001, start=1000.0, real_clock=real)

    real.seconds += 0.02  # 20 ms of real time is 20 protocol seconds

    assert clock.now() == pytest.approx(1020)
    clock.advance(3600)
    assert clock.now() == pytest.approx(4620)
    assert clock.real_seconds_until(4680) == pytest.approx(0.06)


def test_manual_clock_moves_only_when_advanced() -> None:
    real = RealClock()
    clock = ScaledClock(None, start=1000.0, real_clock=real)

    real.seconds += 3600

    assert clock.now() == 1000
    assert clock.real_seconds_until(1001) == math.inf
    assert clock.real_seconds_until(1000) == 0
    clock.advance(60)
    clock.advance_to(1030)  # in the past: no jump back
    assert clock.now() == 1060
    clock.advance_to(1200)
    assert clock.now() == 1200


def test_changing_the_scale_keeps_protocol_time_continuous() -> None:
    real = RealClock()
    clock = ScaledClock(1.0, start=1000.0, real_clock=real)
    real.seconds += 10

    clock.set_scale(None)
    real.seconds += 10
    stopped_at = clock.now()
    clock.set_scale(0.5)
    real.seconds += 1

    assert stopped_at == pytest.approx(1010)
    assert clock.now() == pytest.approx(1012)


def test_seeded_faults_repeat_the_same_decisions() -> None:
    first, second = Faults(seed=7), Faults(seed=7)

    draws = [first.happens(0.5) for _ in range(20)]

    assert draws == [second.happens(0.5) for _ in range(20)]
    assert 0 < sum(draws) < 20
    assert not any(Faults(seed=1).happens(0.0) for _ in range(5))


def test_backoff_formula_matches_the_docs_exactly() -> None:
    assert default_backoff(1) == math.exp(2.5)
