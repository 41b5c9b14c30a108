"""The demo, run as a user runs it: moto, the QStash double and the app on 127.0.0.1."""

import re
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def demo_output() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}.local.demo"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def story(output: str, number: int) -> str:
    """The lines printed for scenario `number`, up to the next scenario."""
    match = re.search(rf"^{number}\. .*?(?=^\d+\. |\Z)", output, re.M | re.S)
    assert match, f"scenario {number} missing from:\n{output}"
    return match.group(0)


def test_published_job_is_accepted_run_once_and_its_callback_recorded(demo_output: str) -> None:
    told = story(demo_output, 1)
    assert "attempt 0: the app answered 202" in told
    assert "ran send-welcome-email 1 time(s)" in told
    assert "callback recorded: attempt 0 answered 202" in told


def test_same_attempt_delivered_twice_runs_the_job_once(demo_output: str) -> None:
    told = story(demo_output, 2)
    assert "the same attempt delivered again" in told
    assert "ran send-welcome-email 1 time(s)" in told


def test_refused_payload_goes_to_the_dlq_and_the_dead_letter_is_kept(demo_output: str) -> None:
    told = story(demo_output, 3)
    assert "attempt 0: the app answered 489" in told
    assert "attempt 1" not in told  # non-retryable: no second attempt
    assert "ran send-welcome-email 0 time(s)" in told
    assert "the failure callback kept the dead letter: 489" in told


def test_queue_outage_is_retried_then_dead_lettered(demo_output: str) -> None:
    told = story(demo_output, 4)
    assert [int(n) for n in re.findall(r"attempt (\d): the app answered 503", told)] == [0, 1, 2]
    assert "ran send-welcome-email 0 time(s)" in told
    assert "the failure callback kept the dead letter: 503" in told


def test_replayed_dead_letter_is_delivered_and_run(demo_output: str) -> None:
    assert re.search(r"replayed \S+ as msg_\w+", demo_output)
    told = story(demo_output, 5)
    assert "attempt 0: the app answered 202" in told
    assert "ran send-welcome-email 1 time(s)" in told


def test_message_after_a_key_roll_is_accepted(demo_output: str) -> None:
    told = story(demo_output, 6)
    assert "attempt 0: the app answered 202" in told
    assert "ran send-welcome-email 1 time(s)" in told


def test_schedule_tick_is_delivered_and_run(demo_output: str) -> None:
    told = story(demo_output, 7)
    assert "attempt 0: the app answered 202" in told
    assert "ran send-welcome-email 1 time(s)" in told


def test_forged_signature_is_refused(demo_output: str) -> None:
    assert "8. a request signed with a forged key  -> 401, nothing queued" in demo_output
