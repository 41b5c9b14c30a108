"""Reading the project's answers and switches from cdk.json's context."""

from typing import Any

import pytest
from aws_cdk import App

from infra.settings import ContextError, ProjectSettings

ANSWERS = {
    "project_slug": "billing-jobs",
    "package_name": "billing_jobs",
    "aws_region": "eu-central-1",
    "architecture": "x86_64",
    "python_version": "3.12",
}


def read(**context: Any) -> ProjectSettings:
    return ProjectSettings.from_context(App(context={"project": ANSWERS, **context}).node)


def refusal(**context: Any) -> str:
    with pytest.raises(ContextError) as refused:
        ProjectSettings.from_context(App(context=context).node)
    return str(refused.value)


def test_answers_are_read_from_the_project_entry() -> None:
    settings = read()
    assert (settings.project_slug, settings.package_name, settings.aws_region) == (
        "billing-jobs",
        "billing_jobs",
        "eu-central-1",
    )
    assert (settings.architecture, settings.python_version) == ("x86_64", "3.12")
    assert settings.stack_name == "billing-jobs"


def test_switches_default_to_snapstart_on_function_url_and_retained_data() -> None:
    settings = read()
    assert settings.snap_start is True
    assert settings.public_base_url == ""
    assert settings.retain_data is True
    assert settings.log_level == "INFO"
    assert settings.alarm_topic_arn == ""


@pytest.mark.parametrize(
    ("given", "expected"), [("false", False), ("OFF", False), ("1", True), (False, False)]
)
def test_switch_given_on_the_command_line_as_text_is_understood(
    given: object, expected: bool
) -> None:
    assert read(snap_start=given).snap_start is expected


def test_missing_project_entry_says_where_cdk_must_run() -> None:
    assert "run cdk from the generated project's root" in refusal()


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("python_version", "3.11", "project.python_version='3.11': expected one of 3.12, 3.13"),
        ("architecture", "arm", "project.architecture='arm': expected one of arm64, x86_64"),
        ("project_slug", "Billing Jobs", "project.project_slug='Billing Jobs': expected"),
        ("package_name", "billing-jobs", "project.package_name='billing-jobs': expected"),
        ("aws_region", "mars-1", "project.aws_region='mars-1': expected"),
    ],
)
def test_malformed_answer_is_refused_with_its_key(key: str, value: str, expected: str) -> None:
    assert expected in refusal(project={**ANSWERS, key: value})


@pytest.mark.parametrize(
    "url",
    [
        "http://jobs.example.com",
        "https://jobs.example.com/",
        "https://jobs.example.com/?x=1",
        "https://jobs.example.com/#top",
        "jobs.example.com",
    ],
)
def test_custom_domain_must_be_an_https_base_without_trailing_slash(url: str) -> None:
    message = refusal(project=ANSWERS, public_base_url=url)
    assert message.startswith("cdk.json context public_base_url=")
    assert "https://host[/path]" in message


def test_custom_domain_may_carry_a_path() -> None:
    assert read(public_base_url="https://api.example.com/jobs").public_base_url == (
        "https://api.example.com/jobs"
    )


def test_log_level_is_case_insensitive_and_checked() -> None:
    assert read(log_level="warning").log_level == "WARNING"
    assert "expected one of DEBUG, INFO" in refusal(project=ANSWERS, log_level="LOUD")


def test_switch_that_is_not_a_boolean_is_refused() -> None:
    assert "snap_start='maybe': expected true or false" in refusal(
        project=ANSWERS, snap_start="maybe"
    )


def test_long_values_are_shortened_in_messages() -> None:
    message = refusal(project={**ANSWERS, "project_slug": "x" * 500})
    assert "x" * 60 not in message
    assert "'xxx..." not in message
    assert "x..." in message


def test_qstash_url_defaults_to_the_global_endpoint() -> None:
    assert read().qstash_url == "https://qstash.upstash.io"


def test_regional_qstash_url_is_read() -> None:
    assert read(qstash_url="https://qstash-us-east-1.upstash.io").qstash_url == (
        "https://qstash-us-east-1.upstash.io"
    )


def test_qstash_url_without_https_is_refused() -> None:
    message = refusal(project=ANSWERS, qstash_url="http://qstash.upstash.io")
    assert message.startswith("cdk.json context qstash_url='http://qstash.upstash.io': expected")
