"""Which destinations the publisher hands to QStash, decided without DNS."""

import pytest

from {{ cookiecutter.package_name }}.errors import UnsafeDestinationError
from {{ cookiecutter.package_name }}.qstash.destinations import (
    check_destination,
    is_local_url,
)

PRODUCTION_QSTASH = "https://qstash.upstash.io"
LOCAL_QSTASH = "http://127.0.0.1:8080"

LOCAL_HOSTS = [
    "localhost",
    "LOCALHOST",
    "app.localhost",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0.0.0.0",  # noqa: S104 - a destination, nothing binds to it
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.10",
    "100.64.0.1",
    "169.254.169.254",
    "[::1]",
    "[fe80::1]",
    "[fd00::1]",
    "[::ffff:10.0.0.1]",
]


@pytest.mark.parametrize("host", LOCAL_HOSTS)
def test_local_or_private_destination_is_refused(host: str) -> None:
    with pytest.raises(UnsafeDestinationError, match="out of QStash's reach"):
        check_destination(f"https://{host}/qstash/jobs/x", qstash_url=PRODUCTION_QSTASH)


def test_plain_http_destination_is_refused() -> None:
    with pytest.raises(UnsafeDestinationError, match="only reaches public https URLs"):
        check_destination("http://jobs.example.com/qstash/jobs/x", qstash_url=PRODUCTION_QSTASH)


def test_refusal_names_the_url_and_the_setting_to_fix() -> None:
    with pytest.raises(UnsafeDestinationError) as caught:
        check_destination("https://localhost/qstash/jobs/x", qstash_url=PRODUCTION_QSTASH)
    assert "https://localhost/qstash/jobs/x" in caught.value.message
    assert "PUBLIC_BASE_URL" in caught.value.message
    assert caught.value.details == {"url": "https://localhost/qstash/jobs/x"}


@pytest.mark.parametrize(
    "url",
    [
        "https://jobs.example.com/qstash/jobs/x",
        "https://abc.lambda-url.us-east-1.on.aws/qstash/jobs/x",
        "https://93.184.216.34/qstash/jobs/x",
        "https://[2606:2800:220:1::1]/qstash/jobs/x",
    ],
)
def test_public_https_destination_is_allowed(url: str) -> None:
    check_destination(url, qstash_url=PRODUCTION_QSTASH)


@pytest.mark.parametrize(
    "qstash_url", [LOCAL_QSTASH, "http://localhost:8080", "http://qstash:8080", "https://10.0.0.2"]
)
def test_local_destinations_are_allowed_when_qstash_itself_is_local(qstash_url: str) -> None:
    check_destination("http://127.0.0.1:8000/qstash/jobs/x", qstash_url=qstash_url)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "/qstash/jobs/x", "https://"])
def test_url_that_is_not_absolute_http_is_refused_even_locally(url: str) -> None:
    with pytest.raises(UnsafeDestinationError, match="not an absolute http"):
        check_destination(url, qstash_url=LOCAL_QSTASH)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("https://qstash.upstash.io", False),
        ("https://qstash-us-east-1.upstash.io", False),
        ("http://qstash.upstash.io", True),
        ("http://127.0.0.1:8080", True),
        ("https://localhost:8080", True),
    ],
)
def test_qstash_url_is_local_when_http_or_on_a_local_host(url: str, local: bool) -> None:
    assert is_local_url(url) is local
