"""`doctor` on the command line: a fresh project passes, each finding is a line, exit 1."""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.cli.doctor import diagnose
from {{ cookiecutter.package_name }}.cli.doctor.app import REQUIRED_ROUTES
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

from .conftest import PROJECT


def test_fresh_project_has_no_findings(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["doctor"])

    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[-1] == "doctor: no findings"


def test_json_output_says_ok_and_what_was_checked(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["doctor", "--output", "json"])

    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert document["ok"] is True
    assert document["findings"] == []
    assert [check["check"] for check in document["checks"]] == [
        "settings",
        "routes",
        "signing keys",
        "literals",
        "declarations",
        "job modules",
        "publishing",
    ]


def test_missing_next_signing_key_exits_1_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = new_signing_key()
    monkeypatch.setenv("QSTASH_CURRENT_SIGNING_KEY", key)

    status = main(["doctor"])

    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[0].startswith("environment: QSTASH_NEXT_SIGNING_KEY is not set while")
    assert lines[-1] == "doctor: 1 finding(s) (signing keys 1)"
    assert all(key not in line for line in lines)


def test_findings_in_json_carry_path_line_problem_and_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QSTASH_NEXT_SIGNING_KEY", new_signing_key())

    status = main(["doctor", "--json"])

    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert status == 1
    assert finding["check"] == "signing keys"
    assert finding["path"] == "environment"
    assert finding["line"] is None
    assert finding["problem"].startswith("QSTASH_CURRENT_SIGNING_KEY is not set")
    assert finding["fix"]


def test_setting_the_app_would_refuse_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QSTASH_URL", "ftp://qstash.example.com")

    report = diagnose(PROJECT)

    (finding,) = report.findings
    assert finding.check == "settings"
    assert finding.problem.startswith("QSTASH_URL: ")


def test_http_public_base_url_in_development_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

    (finding,) = diagnose(PROJECT).findings

    assert finding.check == "declarations"
    assert "not https" in finding.problem


def test_require_signing_keys_reports_an_environment_without_any() -> None:
    report = diagnose(PROJECT, require_signing_keys=True, environ={})

    assert [f.problem for f in report.findings] == [
        "QSTASH_CURRENT_SIGNING_KEY is not set",
        "QSTASH_NEXT_SIGNING_KEY is not set",
    ]


def test_unverified_route_in_the_apps_factory_fails_the_run() -> None:
    from fastapi import APIRouter, FastAPI, Request

    from {{ cookiecutter.package_name }}.cli.doctor.app import platform_app
    from {{ cookiecutter.package_name }}.config import Settings

    router = APIRouter()

    @router.post("/qstash/debug")
    def debug(request: Request) -> None:
        return None

    def factory(settings: Settings) -> FastAPI:
        app = platform_app(settings)
        app.include_router(router)
        return app

    report = diagnose(PROJECT, app_factory=factory, required_routes=REQUIRED_ROUTES)

    assert [f.check for f in report.findings] == ["routes"]


def test_job_module_the_jobs_package_never_imports_fails_the_run(project_copy: Path) -> None:
    jobs = project_copy / "src" / "{{ cookiecutter.package_name }}" / "jobs"
    (jobs / "billing.py").write_text(
        '"""Billing."""\n\nfrom .registry import job\n\n\n@job("close-invoices")\n'
        "def close_invoices(context: object) -> None:\n"
        '    """Close the invoices."""\n'
    )

    report = diagnose(project_copy)

    assert [(f.check, f.path, f.line) for f in report.findings] == [
        ("job modules", "src/{{ cookiecutter.package_name }}/jobs/billing.py", 6)
    ]
