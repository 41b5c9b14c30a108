"""Schedules and URL groups QStash accepts, and destinations it can reach: planted in modules."""

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from {{ cookiecutter.package_name }}.cli.doctor.declarations import (
    check_declarations,
    unreachable,
)
from {{ cookiecutter.package_name }}.jobs import JobRegistry, registry

from .conftest import PROJECT, line_of

JOBS_MODULE = '''
from {{ cookiecutter.package_name }}.jobs import (
    Job,
    JobContext,
    JobRegistry,
    Schedule,
    UrlGroup,
)


def nightly(payload: None, context: JobContext) -> None:
    """Runs every night."""


def registry_with(*schedules: Schedule, groups: tuple[UrlGroup, ...] = ()) -> JobRegistry:
    jobs = JobRegistry()
    jobs.register(Job(name="nightly", payload_model=None, run=nightly, schedules=schedules))
    for group in groups:
        jobs.add_url_group(group)
    return jobs
'''

WriteModule = Callable[[str, str], ModuleType]


def planted(write_module: WriteModule, declaration: str) -> tuple[JobRegistry, Path]:
    """A registry built by a module written on the fly, whose last line is `declaration`."""
    module = write_module("planted_jobs", JOBS_MODULE + f"\n\nJOBS = {declaration}\n")
    return module.JOBS, Path(module.__file__ or "")


def test_the_projects_declarations_pass() -> None:
    assert check_declarations(registry, root=PROJECT, public_base_url=None).findings == ()


def test_bad_cron_is_reported_at_its_schedule(write_module: WriteModule) -> None:
    jobs, path = planted(write_module, 'registry_with(Schedule("61 3 * * *"))')

    (finding,) = check_declarations(jobs, root=PROJECT, public_base_url=None).findings

    assert finding.line == line_of(path, "61 3 * * *")
    assert finding.path.endswith("planted_jobs.py")
    assert "schedule 'default' of job 'nightly': invalid cron '61 3 * * *'" in finding.problem


def test_unknown_cron_time_zone_is_reported(write_module: WriteModule) -> None:
    cron = "CRON_TZ=Europe/Atlantis 0 3 * * *"
    jobs, path = planted(write_module, f'registry_with(Schedule("{cron}", name="berlin"))')

    (finding,) = check_declarations(jobs, root=PROJECT, public_base_url=None).findings

    assert finding.line == line_of(path, "Europe/Atlantis")
    assert "unknown time zone 'Europe/Atlantis'" in finding.problem


def test_each_bad_schedule_is_its_own_finding(write_module: WriteModule) -> None:
    jobs, _ = planted(
        write_module,
        'registry_with(Schedule("0 3 * *", name="a"), Schedule("0 25 * * *", name="b"))',
    )

    result = check_declarations(jobs, root=PROJECT, public_base_url=None)

    assert len(result.findings) == 2


def test_private_address_url_group_endpoint_is_reported(write_module: WriteModule) -> None:
    declaration = 'registry_with(groups=(UrlGroup("partners", ("https://10.1.2.3/hooks",)),))'
    jobs, path = planted(write_module, declaration)

    (finding,) = check_declarations(jobs, root=PROJECT, public_base_url=None).findings

    assert finding.line == line_of(path, 'UrlGroup("partners"')
    assert finding.problem == (
        "url group 'partners': endpoint 'https://10.1.2.3/hooks' is 10.1.2.3 is this machine "
        "or a private address"
    )


def test_url_group_endpoint_that_is_no_job_is_reported(write_module: WriteModule) -> None:
    jobs, _ = planted(write_module, 'registry_with(groups=(UrlGroup("fan", ("nightl",)),))')

    (finding,) = check_declarations(jobs, root=PROJECT, public_base_url=None).findings

    assert "'nightl' is no job of this app" in finding.problem


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://jobs.example.com", "not https"),
        ("https://localhost:8080", "localhost is this machine or a private address"),
        ("https://169.254.169.254", "is this machine or a private address"),
        ("https://jobs.corp.internal", "jobs.corp.internal is a name only a private network"),
        ("https://jobs", "jobs is a name only a private network resolves"),
    ],
)
def test_unreachable_public_base_url_is_reported(url: str, reason: str) -> None:
    (finding,) = check_declarations(registry, root=PROJECT, public_base_url=url).findings

    assert finding.path == "environment"
    assert finding.problem.startswith(f"PUBLIC_BASE_URL {url!r}: ")
    assert reason in finding.problem
    assert "1 schedule(s)" in finding.problem


def test_public_https_base_url_passes() -> None:
    base = "https://jobs.example.com"

    assert check_declarations(registry, root=PROJECT, public_base_url=base).findings == ()


def test_public_https_url_is_reachable() -> None:
    assert unreachable("https://hooks.example.com/partners") is None


def test_empty_registry_passes() -> None:
    assert check_declarations(JobRegistry(), root=PROJECT, public_base_url=None).findings == ()
