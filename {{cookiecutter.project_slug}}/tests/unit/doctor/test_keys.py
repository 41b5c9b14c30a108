"""Both signing keys are configured for the environment as it is, and never printed."""

from {{ cookiecutter.package_name }}.cli.doctor.keys import (
    CURRENT,
    NEXT,
    check_signing_keys,
)
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

DEV_SERVER_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"


def test_environment_without_keys_is_noted_not_reported() -> None:
    result = check_signing_keys({}, require=False)

    assert result.findings == ()
    assert result.checked.startswith("none in this environment")


def test_environment_without_keys_is_reported_when_keys_are_required() -> None:
    result = check_signing_keys({}, require=True)

    assert [f.problem for f in result.findings] == [f"{CURRENT} is not set", f"{NEXT} is not set"]


def test_both_keys_from_the_environment_pass() -> None:
    environ = {CURRENT: new_signing_key(), NEXT: new_signing_key()}

    assert check_signing_keys(environ, require=True).findings == ()


def test_missing_next_signing_key_is_reported_without_the_current_key() -> None:
    current = new_signing_key()

    (finding,) = check_signing_keys({CURRENT: current}, require=False).findings

    assert finding.problem.startswith(f"{NEXT} is not set while {CURRENT} is")
    assert finding.text().startswith("environment: ")
    assert current not in finding.text()


def test_names_are_matched_in_any_case_like_the_settings() -> None:
    environ = {CURRENT.lower(): new_signing_key(), NEXT: new_signing_key()}

    assert check_signing_keys(environ, require=True).findings == ()


def test_dev_server_key_outside_development_is_reported() -> None:
    environ = {CURRENT: DEV_SERVER_KEY, NEXT: new_signing_key()}

    (finding,) = check_signing_keys(environ, require=False).findings

    assert finding.problem == f"{CURRENT} is the QStash dev server's public key or a placeholder"
    assert DEV_SERVER_KEY not in finding.text()


def test_dev_server_key_in_development_is_accepted() -> None:
    environ = {"ENVIRONMENT": "development", CURRENT: DEV_SERVER_KEY, NEXT: new_signing_key()}

    assert check_signing_keys(environ, require=False).findings == ()


def test_value_that_is_no_signing_key_is_reported() -> None:
    environ = {CURRENT: new_signing_key(), NEXT: "eyJVc2VySUQiOiJub3QtYS1rZXkifQ"}

    (finding,) = check_signing_keys(environ, require=False).findings

    assert finding.problem.startswith(f"{NEXT} does not look like a QStash signing key")


def test_the_same_key_twice_is_reported() -> None:
    key = new_signing_key()

    (finding,) = check_signing_keys({CURRENT: key, NEXT: key}, require=False).findings

    assert "are the same key" in finding.problem
{%- if cookiecutter.cloud == "aws-lambda" %}


def test_secret_arn_configures_both_keys() -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qstash-signing-keys-AbCdEf"

    result = check_signing_keys({"QSTASH_SIGNING_KEYS_SECRET_ARN": arn}, require=True)

    assert result.findings == ()


def test_secret_arn_that_is_no_arn_is_reported() -> None:
    environ = {"QSTASH_SIGNING_KEYS_SECRET_ARN": "qstash-signing-keys"}

    (finding,) = check_signing_keys(environ, require=True).findings

    assert finding.problem == "QSTASH_SIGNING_KEYS_SECRET_ARN is not a Secrets Manager secret ARN"
{%- endif %}
