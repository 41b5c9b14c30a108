"""The demo, run as a user runs it: real uvicorn and moto servers on 127.0.0.1."""

import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def demo_output() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}.local.demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def line_about(output: str, text: str) -> str:
    return next(line for line in output.splitlines() if text in line)


def test_new_job_is_accepted(demo_output: str) -> None:
    assert "-> 202 accepted" in line_about(demo_output, "new job")


def test_same_message_again_is_a_duplicate(demo_output: str) -> None:
    assert "-> 200 duplicate" in line_about(demo_output, "same message again")


def test_invalid_payload_is_non_retryable(demo_output: str) -> None:
    line = line_about(demo_output, "invalid payload ")
    assert "-> 489" in line
    assert "non-retryable" in line


def test_forged_signature_is_refused(demo_output: str) -> None:
    assert "-> 401" in line_about(demo_output, "forged signature")


def test_callback_and_failure_callback_are_recorded_once(demo_output: str) -> None:
    assert "-> 200 recorded" in line_about(demo_output, "5. callback")
    assert "-> 200 stored" in line_about(demo_output, "6. failure callback")
    assert "-> 200 duplicate" in line_about(demo_output, "failure callback again")


def test_job_runs_once_although_sqs_delivered_it_twice(demo_output: str) -> None:
    assert "ran 1 time(s) for msg_demo_welcome" in demo_output
    assert "SQS delivers the same messages again: 1 message(s), 0 failed" in demo_output


def test_dead_letter_keeps_the_original_body(demo_output: str) -> None:
    line = line_about(demo_output, "dead letter")
    assert "msg_demo_invalid" in line
    assert '"email": "not-an-e-mail"' in line
