"""The public base URL from an SSM parameter (moto): read on first use, cached, checked."""

import boto3
import pytest

from {{ cookiecutter.package_name }}.aws.public_url import SsmPublicBaseUrl
from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources

from ...conftest import PUBLIC_BASE_URL

PARAMETER = "/test-stack/public-base-url"
CUSTOM_DOMAIN = "https://jobs.example.com"


def put_parameter(value: str) -> None:
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=value, Type="String", Overwrite=True)


def test_value_is_read_from_the_parameter(aws: LocalResources) -> None:
    put_parameter(PUBLIC_BASE_URL)
    assert SsmPublicBaseUrl(PARAMETER, max_age=300).get() == PUBLIC_BASE_URL


@pytest.mark.parametrize("stored", [f"{PUBLIC_BASE_URL}/", f"  {PUBLIC_BASE_URL}\n"])
def test_trailing_slash_and_whitespace_are_stripped_from_the_value(
    aws: LocalResources, stored: str
) -> None:
    put_parameter(stored)
    assert SsmPublicBaseUrl(PARAMETER, max_age=300).get() == PUBLIC_BASE_URL


def test_nothing_is_read_before_the_first_get(aws: LocalResources) -> None:
    # The function starts (and is snapshotted) before the stack has written the parameter.
    source = SsmPublicBaseUrl(PARAMETER, max_age=300)
    put_parameter(PUBLIC_BASE_URL)
    assert source.get() == PUBLIC_BASE_URL


def test_value_is_cached_for_max_age(aws: LocalResources) -> None:
    put_parameter(PUBLIC_BASE_URL)
    source = SsmPublicBaseUrl(PARAMETER, max_age=300)
    source.get()
    put_parameter(CUSTOM_DOMAIN)
    assert source.get() == PUBLIC_BASE_URL


def test_changed_value_is_seen_once_the_cache_expires(aws: LocalResources) -> None:
    put_parameter(PUBLIC_BASE_URL)
    source = SsmPublicBaseUrl(PARAMETER, max_age=0)
    source.get()
    put_parameter(CUSTOM_DOMAIN)
    assert source.get() == CUSTOM_DOMAIN


def test_missing_parameter_is_a_configuration_error_naming_it(aws: LocalResources) -> None:
    with pytest.raises(ConfigurationError, match="cannot read") as raised:
        SsmPublicBaseUrl(PARAMETER, max_age=300).get()
    assert raised.value.details["parameter"] == PARAMETER


def test_parameter_created_after_a_failed_read_is_read_on_the_next_get(
    aws: LocalResources,
) -> None:
    source = SsmPublicBaseUrl(PARAMETER, max_age=300)
    with pytest.raises(ConfigurationError):
        source.get()
    put_parameter(PUBLIC_BASE_URL)
    assert source.get() == PUBLIC_BASE_URL


def test_http_value_is_refused_outside_development(aws: LocalResources) -> None:
    put_parameter("http://jobs.example.com")
    with pytest.raises(ConfigurationError, match="https"):
        SsmPublicBaseUrl(PARAMETER, max_age=300).get()


def test_http_value_is_accepted_in_development(aws: LocalResources) -> None:
    put_parameter("http://127.0.0.1:8000")
    source = SsmPublicBaseUrl(PARAMETER, max_age=300, allow_http=True)
    assert source.get() == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    "stored",
    ["abc123xyz.lambda-url.us-east-1.on.aws", "https://", f"{CUSTOM_DOMAIN}?tenant=a", " "],
    ids=["no-scheme", "no-host", "query-string", "blank"],
)
def test_value_that_cannot_be_a_base_url_is_refused(aws: LocalResources, stored: str) -> None:
    put_parameter(stored)
    with pytest.raises(ConfigurationError, match="public base URL parameter"):
        SsmPublicBaseUrl(PARAMETER, max_age=300).get()
