"""A job module the jobs package never imports is found: its jobs would silently not exist."""

from pathlib import Path

from {{ cookiecutter.package_name }}.cli.doctor.job_modules import (
    check_job_modules,
    module_name,
)

from .conftest import PROJECT

PACKAGE = "{{ cookiecutter.package_name }}.jobs"
JOBS = PROJECT / "src" / "{{ cookiecutter.package_name }}" / "jobs"
BILLING = '''"""Billing jobs."""

from .job import JobContext
from .registry import job


@job("close-invoices")
def close_invoices(context: JobContext) -> None:
    """Close the day's invoices."""
'''


def check(jobs_dir: Path, imported: set[str]) -> list[tuple[str, int | None, str]]:
    result = check_job_modules(jobs_dir, PACKAGE, root=jobs_dir.parent, imported=imported)
    return [(f.path, f.line, f.fix) for f in result.findings]


def plant(tmp_path: Path, relative: str, source: str) -> Path:
    path = tmp_path / "jobs" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def test_the_projects_job_modules_are_all_imported() -> None:
    result = check_job_modules(JOBS, PACKAGE, root=PROJECT)
    assert result.findings == ()


def test_module_declaring_a_job_that_is_not_imported_is_reported(tmp_path: Path) -> None:
    plant(tmp_path, "billing.py", BILLING)
    [(path, line, fix)] = check(tmp_path / "jobs", imported=set())
    assert (path, line) == ("jobs/billing.py", 7)
    assert "`from . import billing as billing`" in fix


def test_imported_module_declaring_a_job_passes(tmp_path: Path) -> None:
    plant(tmp_path, "billing.py", BILLING)
    assert check(tmp_path / "jobs", imported={f"{PACKAGE}.billing"}) == []


def test_module_declaring_only_a_url_group_is_checked_too(tmp_path: Path) -> None:
    source = '"""Fan-out."""\n\nfrom . import registry\n\nregistry.url_group("paid", "x")\n'
    plant(tmp_path, "fanout.py", source)
    assert [(path, line) for path, line, _ in check(tmp_path / "jobs", imported=set())] == [
        ("jobs/fanout.py", 5)
    ]


def test_module_without_declarations_needs_no_import(tmp_path: Path) -> None:
    plant(tmp_path, "helpers.py", '"""Helpers."""\n\n\ndef total(a: int) -> int:\n    return a\n')
    assert check(tmp_path / "jobs", imported=set()) == []


def test_module_that_does_not_parse_is_left_to_the_linters(tmp_path: Path) -> None:
    plant(tmp_path, "broken.py", "@job('x'\ndef x(:\n")
    assert check(tmp_path / "jobs", imported=set()) == []


def test_subpackage_module_gets_its_dotted_name(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    path = plant(tmp_path, "billing/invoices.py", BILLING)
    assert module_name(path, jobs, PACKAGE) == f"{PACKAGE}.billing.invoices"
    assert module_name(jobs / "billing" / "__init__.py", jobs, PACKAGE) == f"{PACKAGE}.billing"
