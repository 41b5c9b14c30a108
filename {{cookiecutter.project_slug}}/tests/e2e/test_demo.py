"""The demo, run as a user runs it: the whole local system on 127.0.0.1, in its own process."""

import re
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}_devkit.demo import MEANING


@pytest.fixture(scope="module")
def demo_output() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}_devkit.demo"],
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
    return " ".join(match.group(0).split())  # undo the wrapping at 96 columns


def test_published_job_is_accepted_run_once_and_its_callback_recorded(demo_output: str) -> None:
    told = story(demo_output, 1)
    assert f"attempt 1: 202, {MEANING[202]}" in told
    assert "the worker ran send-welcome-email once" in told
    assert "the callback recorded each attempt's answer: 1 -> 202" in told
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}


def test_hand_off_is_told_as_a_delivery_to_the_worker_route(demo_output: str) -> None:
    told = story(demo_output, 1)
    assert re.search(r"handed off: QStash delivers the job to the worker route as msg_\w+", told)
    assert "attempt 1: 200, the worker ran the job" in told
{%- endif %}


def test_second_copy_of_an_attempt_is_refused_and_said_to_be_intended(demo_output: str) -> None:
    told = story(demo_output, 2)
    assert "attempt 1, delivered a second time: 401, as intended: " in told
    assert "the worker ran send-welcome-email once" in told


def test_refused_payload_goes_to_the_dlq_and_the_dead_letter_is_kept(demo_output: str) -> None:
    told = story(demo_output, 3)
    assert "published straight to QStash's REST API" in told
    assert "attempt 1: 489, refused for good" in told
    assert "attempt 2" not in told  # non-retryable: no second attempt
    assert "the worker did not run send-welcome-email" in told
    assert "the failure callback stored the dead letter, with the app's last answer: 489" in told
    assert "invalid payload for job 'send-welcome-email' (email: " in told


def test_steps_published_without_callbacks_say_so(demo_output: str) -> None:
    assert "no callback: only a failure callback was set" in story(demo_output, 3)
    assert "no callbacks: none were set for this message" in story(demo_output, 6)
    assert "no callbacks: none were set for this message" in story(demo_output, 8)


def test_hand_off_outage_is_retried_then_dead_lettered(demo_output: str) -> None:
    told = story(demo_output, 4)
    attempts = re.findall(r"attempt (\d): 503, the hand-off failed: QStash retries later", told)
    assert [int(n) for n in attempts] == [1, 2, 3]
    assert "the worker did not run send-welcome-email" in told
    assert "the failure callback stored the dead letter, with the app's last answer: 503" in told


def test_dead_letter_that_never_reached_the_worker_is_replayed(demo_output: str) -> None:
    told = story(demo_output, 4)  # the replay is printed before scenario 5
    assert re.search(r"replayed \S+ as msg_\w+ \(checked first: message msg_\w+ never", told)
    replayed = story(demo_output, 5)
    assert "attempt 1: 202, accepted" in replayed
    assert "the worker ran send-welcome-email once" in replayed


def test_job_whose_answer_was_lost_runs_once_and_its_replay_is_refused(demo_output: str) -> None:
    told = story(demo_output, 6)
    assert "but the answer was lost on its way back" in told
    assert "the worker ran send-welcome-email once" in told
    assert re.search(r"QStash gave up: the message is in its DLQ as \d+-\d+", told)
    assert re.search(
        r"error: not replaying \S+: message msg_\w+ already reached the worker \(handed off as "
        r"send-welcome-email at \S+; job finished at \S+\)",
        told,
    )
    assert re.search(r"If it must run again: \S+ dlq replay \S+ --force", told)


def test_message_after_a_key_roll_is_accepted(demo_output: str) -> None:
    told = story(demo_output, 7)
    assert "attempt 1: 202, accepted" in told
    assert "the worker ran send-welcome-email once" in told


def test_schedule_tick_is_delivered_and_run(demo_output: str) -> None:
    told = story(demo_output, 8)
    assert "attempt 1: 202, accepted" in told
    assert "the worker ran send-welcome-email once" in told


def test_forged_signature_is_refused(demo_output: str) -> None:
    told = story(demo_output, 9)
    assert "the app answered 401: signature refused, nothing queued" in told
