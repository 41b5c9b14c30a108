"""`schedules plan` and `schedules apply` against the local QStash double over HTTP."""

import json
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}.cli.output import PROG
from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
    serve_doubles,
)

from .cli_runner import run

BASE_URL = "http://127.0.0.1:9"  # refuses connections: a schedule that fires reaches nothing
NIGHTLY = f"{PROG}.nightly-report.nightly"


@pytest.fixture(scope="module")
def host() -> Iterator[DoubleHost]:
    with serve_doubles() as serving:
        yield serving


@pytest.fixture
def qstash(host: DoubleHost, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningDouble]:
    """A fresh double on a manual clock, and the environment pointing the CLI at it."""
    with host.run(DoubleSettings(time_scale=None)) as running:
        monkeypatch.setenv("ENVIRONMENT", "development")
        monkeypatch.setenv("QSTASH_URL", running.base_url)
        monkeypatch.setenv("QSTASH_TOKEN", running.token)
        monkeypatch.setenv("PUBLIC_BASE_URL", BASE_URL)
        yield running


def schedule_ids(qstash: RunningDouble) -> set[str]:
    return {schedule.schedule_id for schedule in qstash.double.schedules()}


def test_plan_lists_what_apply_would_create(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "schedules", "plan")
    assert (status, err) == (0, "")
    assert f"create schedule {NIGHTLY}: 0 3 * * * -> {BASE_URL}/qstash/jobs/nightly-report" in out
    assert f"add endpoint user-signed-up/{PROG}.send-welcome-email" in out
    assert out.endswith(f"`{PROG} schedules apply --owner {PROG}` does it\n")


def test_plan_changes_nothing(qstash: RunningDouble, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "schedules", "plan")
    assert qstash.double.schedules() == []


def test_plan_json_is_one_machine_readable_document(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "schedules", "plan", "--json")
    document = json.loads(out)
    assert status == 0
    assert (document["owner"], document["applied"]) == (PROG, False)
    assert {"action": "create", "subject": NIGHTLY}.items() <= document["changes"][0].items()


def test_apply_creates_the_declared_schedules_and_endpoints(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "schedules", "apply")
    assert status == 0
    assert NIGHTLY in schedule_ids(qstash)
    endpoints = qstash.double.state.groups["user-signed-up"].endpoints
    assert [e.url for e in endpoints] == [f"{BASE_URL}/qstash/jobs/send-welcome-email"]
    assert out.endswith("applied 2 change(s)\n")


def test_a_second_apply_has_nothing_to_change(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "schedules", "apply")
    status, out, _ = run(capsys, "schedules", "apply")
    assert status == 0
    assert out == f"owner {PROG}: nothing to change; 2 already as declared\n"
    assert len(qstash.double.schedules()) == 1


def test_the_owner_option_prefixes_the_ids(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "schedules", "apply", "--owner", "staging")
    assert schedule_ids(qstash) == {"staging.nightly-report.nightly"}


def test_apply_under_another_owner_leaves_the_first_owners_schedules(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "schedules", "apply")
    run(capsys, "schedules", "apply", "--owner", "staging")
    assert schedule_ids(qstash) == {NIGHTLY, "staging.nightly-report.nightly"}


def test_a_malformed_owner_is_one_line_and_exit_1(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "schedules", "plan", "--owner", "my.stack")
    assert (status, out) == (1, "")
    assert err == (
        "error: owner 'my.stack' must be letters, digits, '-' or '_' (e.g. the {% if cookiecutter.cloud == "aws-lambda" %}stack name{% else %}project slug{% endif %})\n"
    )


def test_without_public_base_url_it_says_which_setting_is_missing(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PUBLIC_BASE_URL")
    status, _, err = run(capsys, "schedules", "apply", "--json")
    assert status == 1
    assert json.loads(err)["error"].startswith("PUBLIC_BASE_URL is not set")
    assert qstash.double.schedules() == []


def test_a_refused_change_is_one_line_saying_what_was_applied(
    qstash: RunningDouble, capsys: pytest.CaptureFixture[str]
) -> None:
    qstash.double.configure(max_retries=2)  # below the default 3 every schedule sends
    status, _, err = run(capsys, "schedules", "apply")
    assert status == 1
    assert err.startswith(f"error: create schedule {NIGHTLY}")
    assert "failed after 0 of 2 changes" in err
    assert err.count("\n") == 1
