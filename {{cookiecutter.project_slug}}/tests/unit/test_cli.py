{% set records = "aws" if cookiecutter.cloud == "aws-lambda" else "firestore_records" -%}
"""The command line against a fake QStash on 127.0.0.1: output, exit status, one-line errors."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
from google.cloud import firestore
{%- endif %}
from starlette.responses import JSONResponse, Response

{% if cookiecutter.cloud == "aws-lambda" -%}
from {{ cookiecutter.package_name }}.aws.clients import dynamodb_client
from {{ cookiecutter.package_name }}.store.dynamodb import DynamoDBDeliveryStore

from ..fake_qstash import TOKEN, FakeQStash, Recorded, publish_response
from .aws.conftest import aws  # noqa: F401  (moto tables for the replay check)
from .cli_runner import run
{%- else -%}
from {{ cookiecutter.package_name }}.store.firestore import (
    FirestoreDeliveryStore,
    FirestoreJobRuns,
)
from {{ cookiecutter.package_name }}_devkit.firestore_emulator import (
    CALL_TIMEOUT,
    FirestoreEmulator,
)

from ..fake_qstash import TOKEN, FakeQStash, Recorded, publish_response
from .cli_runner import run
{%- endif %}

BASE_URL = "http://127.0.0.1:8000"
PAYLOAD = '{"user_id": "u-1", "email": "ada@example.com"}'
DEAD_LETTER = {
    "dlqId": "1725323658779-0",
    "messageId": "msg_dead",
    "url": f"{BASE_URL}/qstash/jobs/send-welcome-email",
    "responseStatus": 489,
    "createdAt": 1_800_000_000_000,
}


@pytest.fixture
def fake(fake: FakeQStash, monkeypatch: pytest.MonkeyPatch) -> FakeQStash:
    """The reset fake, with the environment pointing the CLI at it (development)."""
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("QSTASH_URL", fake.base_url)
    monkeypatch.setenv("QSTASH_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
    return fake


def answer(document: Any, status: int = 200) -> Any:
    return lambda request: JSONResponse(document, status_code=status)


# --- publish ---------------------------------------------------------------------------------


def test_publish_prints_the_message_id(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = lambda request: publish_response("msg_1")
    status, out, err = run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD)
    assert (status, out, err) == (0, "published send-welcome-email as msg_1\n", "")


def test_publish_sends_the_payload_to_the_jobs_route(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD)
    request = fake.requests[0]
    assert request.path == f"/v2/publish/{BASE_URL}/qstash/jobs/send-welcome-email"
    assert request.body == PAYLOAD.encode()


def test_publish_options_become_upstash_headers(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys,
        "publish",
        "send-welcome-email",
        "--json",
        PAYLOAD,
        "--delay",
        "10s",
        "--not-before",
        "1900000000",
        "--dedup-id",
        "signup-u-1",
        "--retries",
        "2",
    )
    assert status == 0, err
    headers = fake.requests[0].headers
    assert headers["upstash-delay"] == "10s"
    assert headers["upstash-not-before"] == "1900000000"
    assert headers["upstash-deduplication-id"] == "signup-u-1"
    assert headers["upstash-retries"] == "2"


def test_publish_delay_in_plain_seconds_is_accepted(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD, "--delay", "90")
    assert fake.requests[0].headers["upstash-delay"] == "90s"


def test_publish_output_json_is_machine_readable(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = lambda request: publish_response("msg_1")
    _, out, _ = run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD, "--output", "json")
    assert json.loads(out) == {
        "job": "send-welcome-email",
        "messageId": "msg_1",
        "deduplicated": False,
    }


def test_publish_reads_the_payload_from_stdin(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PAYLOAD))
    status, _, _ = run(capsys, "publish", "send-welcome-email", "--json", "-")
    assert status == 0
    assert fake.requests[0].body == PAYLOAD.encode()


def test_invalid_payload_is_one_line_naming_the_field_and_nothing_is_sent(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "publish", "send-welcome-email", "--json", '{"user_id": "u-1"}')
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("error: invalid payload for job 'send-welcome-email': email: ")
    assert fake.requests == []


def test_unknown_job_exits_1(fake: FakeQStash, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "publish", "no-such-job", "--json", "{}")
    assert (status, err) == (1, "error: unknown job 'no-such-job'\n")


@pytest.mark.parametrize(
    "option", [["--delay", "10 seconds"], ["--retries", "-1"], ["--not-before", "tomorrow"]]
)
def test_malformed_option_is_a_usage_error(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    status, _, err = run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD, *option)
    assert status == 2
    assert option[0] in err
    assert fake.requests == []


@pytest.mark.parametrize(
    "command",
    [["publish", "send-welcome-email", "--json", PAYLOAD], ["dlq", "replay", "1725323658779-0"]],
    ids=["publish", "dlq-replay"],
)
def test_retries_over_qstash_maximum_is_a_usage_error_naming_the_bound(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    status, _, err = run(capsys, *command, "--retries", "999")
    assert status == 2
    assert "--retries: retries must be a whole number from 0 to 100" in err
    assert fake.requests == []


def test_qstash_error_prints_status_and_reason_on_one_line(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"error": "invalid destination\nurl"}, status=400)
    status, out, err = run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD)
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "QStash answered 400" in err
    assert "invalid destination url" in err


def test_missing_token_says_where_to_get_one(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QSTASH_TOKEN")
    status, _, err = run(capsys, "publish", "send-welcome-email", "--json", PAYLOAD)
    assert status == 1
    assert err.startswith("error: QSTASH_TOKEN is not set: copy the token from the Upstash console")


def test_invalid_settings_are_one_line(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QSTASH_READ_TIMEOUT_SECONDS", "-1")
    status, _, err = run(capsys, "dlq", "list")
    assert status == 1
    assert err.startswith("error: invalid settings: QSTASH_READ_TIMEOUT_SECONDS: ")
    assert err.count("\n") == 1


# --- jobs ------------------------------------------------------------------------------------


def test_jobs_lists_the_registered_jobs(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "jobs", "--json")
    assert status == 0
    assert "send-welcome-email" in [job["name"] for job in json.loads(out)["jobs"]]


# --- dlq -------------------------------------------------------------------------------------


def test_dlq_list_prints_one_line_per_dead_letter(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"messages": [DEAD_LETTER]})
    status, out, _ = run(capsys, "dlq", "list")
    assert status == 0
    assert out == (
        f"1725323658779-0  489  2027-01-15 08:00:00Z  {BASE_URL}/qstash/jobs/send-welcome-email\n"
    )


def test_dlq_list_asks_qstash_for_the_newest_dead_letters_first(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    # QStash sorts earliest first unless told (docs: api/dlq/listMessages); sorting a page
    # here would show the oldest page of a long DLQ, newest first.
    newer = DEAD_LETTER | {"dlqId": "1725323700000-0", "createdAt": 1_725_323_700_000}
    older = DEAD_LETTER | {"dlqId": "1725323658779-0", "createdAt": 1_725_323_658_779}
    fake.responder = answer({"messages": [newer, older]})
    out = run(capsys, "dlq", "list")[1]
    assert fake.requests[0].query == {"order": "latestFirst"}
    assert [line.split()[0] for line in out.splitlines()] == [newer["dlqId"], older["dlqId"]]


def test_dlq_list_all_follows_every_page_newest_first(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"messages": [DEAD_LETTER]})
    run(capsys, "dlq", "list", "--all")
    assert fake.requests[0].query == {"count": "100", "order": "latestFirst"}


def test_dlq_list_says_when_the_queue_is_empty(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"messages": []})
    assert run(capsys, "dlq", "list")[1] == "the dead-letter queue is empty\n"


def test_dlq_list_shows_how_to_get_the_next_page(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"messages": [DEAD_LETTER], "cursor": "c2"})
    out = run(capsys, "dlq", "list", "--count", "1")[1]
    assert out.splitlines()[-1].endswith("dlq list --cursor c2")
    assert fake.requests[0].query == {"count": "1", "order": "latestFirst"}


def test_dlq_list_json_is_machine_readable(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"messages": [DEAD_LETTER], "cursor": "c2"})
    document = json.loads(run(capsys, "dlq", "list", "--json")[1])
    assert document["cursor"] == "c2"
    assert document["messages"][0]["dlqId"] == "1725323658779-0"
    assert document["messages"][0]["responseStatus"] == 489


def test_dlq_get_prints_the_dead_letter(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer(DEAD_LETTER)
    status, out, _ = run(capsys, "dlq", "get", "1725323658779-0")
    assert status == 0
    assert json.loads(out)["messageId"] == "msg_dead"


def dlq_with_dead_letter(request: Recorded) -> Response:
    """QStash's DLQ holding DEAD_LETTER: it can be read, and replayed as msg_new."""
    if request.method == "GET":
        return JSONResponse(DEAD_LETTER)
    return JSONResponse({"messageId": "msg_new"}, status_code=201)


{% if cookiecutter.cloud == "aws-lambda" -%}
def mark_handed_off(message_id: str) -> None:
    """Record a hand-off in the moto app table, as the ingest route does."""
    store = DynamoDBDeliveryStore(dynamodb_client(), os.environ["APP_TABLE_NAME"], 3600)
    store.mark_handed_off(message_id, "send-welcome-email")
{%- else -%}
@pytest.fixture
def firestore_records(
    emulator: FirestoreEmulator, firestore_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collections of the test's own on the Firestore emulator, named by the environment."""
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", emulator.project)
    monkeypatch.setenv("FIRESTORE_COLLECTION_PREFIX", firestore_prefix)


def firestore_client() -> firestore.Client:
    return firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"])


def mark_handed_off(message_id: str) -> None:
    """Record a hand-off in the emulator, as the ingest route does."""
    store = FirestoreDeliveryStore(
        firestore_client(),
        handoff_mark_ttl_seconds=3600,
        collection_prefix=os.environ["FIRESTORE_COLLECTION_PREFIX"],
        timeout_seconds=CALL_TIMEOUT,
    )
    store.mark_handed_off(message_id, "send-welcome-email")


def record_finished_run(message_id: str) -> None:
    """Record a finished run of the job in the emulator, as the worker route does."""
    runs = FirestoreJobRuns(
        firestore_client(),
        expiry_seconds=3600,
        collection_prefix=os.environ["FIRESTORE_COLLECTION_PREFIX"],
        timeout_seconds=CALL_TIMEOUT,
    )
    claim = runs.start(message_id, lease_seconds=60)
    runs.complete(message_id, claim.run_id)
{%- endif %}


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_checks_the_message_then_calls_the_retry_endpoint(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter
    status, out, _ = run(capsys, "dlq", "replay", "1725323658779-0")
    assert (status, out) == (
        0,
        "replayed 1725323658779-0 as msg_new "
        "(checked first: message msg_dead never reached the worker)\n",
    )
    assert [(request.method, request.path) for request in fake.requests] == [
        ("GET", "/v2/dlq/1725323658779-0"),
        ("POST", "/v2/dlq/retry/1725323658779-0"),
    ]


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_json(fake: FakeQStash, capsys: pytest.CaptureFixture[str]) -> None:
    fake.responder = dlq_with_dead_letter
    out = run(capsys, "dlq", "replay", "1725323658779-0", "--json")[1]
    assert json.loads(out) == {
        "dlqId": "1725323658779-0",
        "messageId": "msg_new",
        "deduplicated": False,
        "checked": True,
    }


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_of_a_message_that_reached_the_worker_is_refused(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter
    mark_handed_off("msg_dead")
    status, out, err = run(capsys, "dlq", "replay", "1725323658779-0")
    assert (status, out) == (1, "")
    assert err.startswith(
        "error: not replaying 1725323658779-0: message msg_dead already reached the worker "
        "(handed off as send-welcome-email at "
    )
    assert err.count("\n") == 1
    assert [request.method for request in fake.requests] == ["GET"]  # nothing replayed


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_refusal_says_how_to_replay_anyway(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter
    mark_handed_off("msg_dead")
    err = run(capsys, "dlq", "replay", "1725323658779-0")[2]
    command = "{{ cookiecutter.project_slug }} dlq replay 1725323658779-0 --force"
    assert err.endswith(f"If it must run again: {command}\n")


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_refusal_with_json_output_is_one_json_line_saying_what_was_found(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter
    mark_handed_off("msg_dead")
    status, out, err = run(capsys, "dlq", "replay", "1725323658779-0", "--json")
    assert (status, out, err.count("\n")) == (1, "", 1)
    details = json.loads(err)["details"]
    assert details["dlq_id"] == "1725323658779-0"
    assert details["message_id"] == "msg_dead"
    assert details["handed_off"]["job"] == "send-welcome-email"
    assert details["override"] == "--force"


def test_dlq_replay_with_force_replays_without_checking(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter  # and no table settings at all
    status, out, _ = run(capsys, "dlq", "replay", "1725323658779-0", "--force")
    assert (status, out) == (
        0,
        "replayed 1725323658779-0 as msg_new (not checked for an earlier run: --force)\n",
    )
    assert [request.method for request in fake.requests] == ["POST"]


{% if cookiecutter.cloud == "aws-lambda" -%}
def test_dlq_replay_without_the_table_settings_refuses_naming_them(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter
    status, _, err = run(capsys, "dlq", "replay", "1725323658779-0")
    assert status == 1
    assert err.startswith("error: APP_TABLE_NAME and IDEMPOTENCY_TABLE_NAME not set: ")
    assert "pass --force to replay without the check" in err
    assert fake.requests == []


{% else -%}
@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_of_a_message_whose_job_finished_is_refused(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = dlq_with_dead_letter
    record_finished_run("msg_dead")
    status, out, err = run(capsys, "dlq", "replay", "1725323658779-0")
    assert (status, out) == (1, "")
    assert err.startswith(
        "error: not replaying 1725323658779-0: message msg_dead already reached the worker "
        "(job finished at "
    )
    assert [request.method for request in fake.requests] == ["GET"]  # nothing replayed


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_checks_this_deployments_collections_only(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.responder = dlq_with_dead_letter
    mark_handed_off("msg_dead")
    monkeypatch.setenv("FIRESTORE_COLLECTION_PREFIX", "other_deployment_")
    status, _, err = run(capsys, "dlq", "replay", "1725323658779-0")
    assert (status, err) == (0, "")


{% endif -%}
def test_dlq_delete(fake: FakeQStash, capsys: pytest.CaptureFixture[str]) -> None:
    fake.responder = lambda request: Response(status_code=200)
    status, out, _ = run(capsys, "dlq", "delete", "1725323658779-0")
    assert (status, out) == (0, "deleted 1725323658779-0\n")
    assert (fake.requests[0].method, fake.requests[0].path) == (
        "DELETE",
        "/v2/dlq/1725323658779-0",
    )


@pytest.mark.usefixtures("{{ records }}")
def test_dlq_replay_of_a_missing_dead_letter_exits_1_with_a_clear_line(
    fake: FakeQStash, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.responder = answer({"error": "Not found"}, status=404)
    status, _, err = run(capsys, "dlq", "replay", "9-9")
    assert status == 1
    assert err.startswith("error: no dead letter '9-9' in QStash's DLQ")
    assert err.count("\n") == 1


# --- installation ----------------------------------------------------------------------------


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "{{ cookiecutter.project_slug }}"
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "publish" in result.stdout
    assert "dlq" in result.stdout
