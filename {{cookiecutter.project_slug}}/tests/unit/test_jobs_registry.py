import pytest

from {{ cookiecutter.package_name }}.errors import UnknownJobError
from {{ cookiecutter.package_name }}.jobs import JobContext, registry
from {{ cookiecutter.package_name }}.jobs.examples import WelcomeEmail, send_welcome_email


def test_a_declared_job_can_be_called_directly() -> None:
    payload = WelcomeEmail(user_id="u-1", email="ada@example.com")
    send_welcome_email(payload, JobContext(message_id="msg_direct"))


def test_job_description_defaults_to_the_docstring_first_line() -> None:
    assert send_welcome_email.description == "Send the welcome e-mail to a new user (here: log it)."


def test_unknown_job_name_is_echoed_at_most_64_characters() -> None:
    with pytest.raises(UnknownJobError) as raised:
        registry.get("x" * 5000)
    assert len(raised.value.details["job"]) <= 65
    assert len(raised.value.message) < 100
