"""Reading the schedule declarations from the application at synth, and refusing bad ones.

A stand-in application package (written per test) plays the generated one, so these tests
pin the contract with `<package>.qstash.schedules` in the template repository too.
"""

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.declarations import DeclarationError, declarations_document
from infra.tests.conftest import ROOT

SCHEDULES_MODULE = """
class ScheduleDeclarationError(ValueError):
    pass


def declarations_document(registry):
    if registry.broken:
        raise ScheduleDeclarationError(
            "job 'nightly-report', schedule 'nightly':\\n  cron '0 25 * * *': hour 25"
        )
    return "document of " + registry.name
"""
JOBS_MODULE = """
class Registry:
    name = "the registry"
    broken = {broken}


registry = Registry()
"""


def write_application(root: Path, package: str, *, broken: bool = False) -> None:
    (root / package / "qstash").mkdir(parents=True)
    (root / package / "__init__.py").write_text("")
    (root / package / "qstash" / "__init__.py").write_text("")
    (root / package / "qstash" / "schedules.py").write_text(textwrap.dedent(SCHEDULES_MODULE))
    (root / package / "jobs.py").write_text(JOBS_MODULE.format(broken=broken))


@pytest.fixture
def applications(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for stand-in applications; their modules are forgotten after."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_document_comes_from_the_application_s_registry(applications: Path) -> None:
    write_application(applications, "good_jobs")
    assert declarations_document("good_jobs") == "document of the registry"


def test_invalid_declaration_is_refused_in_one_line(applications: Path) -> None:
    write_application(applications, "broken_jobs", broken=True)
    with pytest.raises(DeclarationError) as refused:
        declarations_document("broken_jobs")
    assert str(refused.value) == (
        "job 'nightly-report', schedule 'nightly': cron '0 25 * * *': hour 25"
    )


def test_application_that_does_not_import_says_where_to_run(applications: Path) -> None:
    with pytest.raises(DeclarationError, match=r"run cdk in the project's environment"):
        declarations_document("absent_jobs")


def test_invalid_declaration_ends_synth_with_one_error_line(tmp_path: Path) -> None:
    write_application(tmp_path, "broken_jobs", broken=True)
    project = {
        "project_slug": "broken-jobs",
        "package_name": "broken_jobs",
        "aws_region": "us-east-1",
        "architecture": "arm64",
        "python_version": "3.13",
    }
    done = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=ROOT,
        env={
            **os.environ,
            "CDK_CONTEXT_JSON": json.dumps({"project": project}),
            "PYTHONPATH": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "ERROR: job 'nightly-report', schedule 'nightly': cron '0 25 * * *': hour 25"
    ]
