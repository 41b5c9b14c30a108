"""Every schedule and URL group is one QStash accepts, and every destination is public https.

The declarations are checked with the code {% if cookiecutter.cloud == "aws-lambda" %}`cdk synth`{% else %}`make deploy`{% endif %} and `schedules plan` use
(`Declarations.from_registry`: cron fields, `CRON_TZ` zone, payload, endpoints), one schedule
and one URL group at a time so that each mistake is its own finding. Destinations are
checked with `qstash.destinations.check_destination` as if QStash were the real one (a
local double lifts that rule, and the doctor checks what production will do), plus names
that no public resolver answers (`.internal`, `.local`, a bare host name). Schedule
destinations, the job routes URL groups fan out to and both callbacks all lie below
`PUBLIC_BASE_URL`, so that one setting is checked when it is set.
"""

import ast
import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ... import jobs as jobs_package
from ...config import DEFAULT_QSTASH_URL
from ...errors import UnsafeDestinationError
from ...jobs import Job, JobRegistry, Schedule, UrlGroup
from ...qstash.destinations import check_destination, literal_ip
from ...qstash.schedules import Declarations, ScheduleDeclarationError
from .findings import (
    ENVIRONMENT,
    CheckResult,
    Finding,
    Location,
    called_name,
    calls_in,
    relative,
    source_file,
    source_location,
)

CHECK = "declarations"
#: Suffixes of names only a private resolver answers (RFC 6761, RFC 6762, RFC 8375, and
#: `.internal`, reserved for private use by ICANN in 2024).
PRIVATE_SUFFIXES = (".internal", ".local", ".home.arpa", ".lan", ".test", ".invalid")
BASE_URL_FIX = (
    "set PUBLIC_BASE_URL to the app's public https address (the deployed function URL or "
    "a custom domain in front of it); local URLs are for the local QStash double only"
)
ENDPOINT_FIX = "use the service's public https address: QStash calls endpoints from the internet"


def check_declarations(
    registry: JobRegistry, *, root: Path, public_base_url: str | None
) -> CheckResult:
    """Check the registry's schedules and URL groups, and the public base URL.

    Args:
        registry: The jobs, with their schedules, and the URL groups.
        root: The project root (finding paths are relative to it).
        public_base_url: `PUBLIC_BASE_URL`, or None when it is not set here.

    Returns:
        A finding per schedule or URL group QStash would refuse (or could never deliver),
        per endpoint that is not public https, and for a base URL that is not.
    """
    locator = _Locator(root, [job.run for job in registry])
    findings: list[Finding] = []
    schedules = [(job, schedule) for job in _sorted(registry) for schedule in job.schedules]
    for job, schedule in schedules:
        single = JobRegistry()
        single.register(dataclasses.replace(job, schedules=(schedule,)))
        error = _declaration_error(single)
        if error is not None:
            where = locator.schedule(job, schedule)
            findings.append(
                Finding(CHECK, where.path, where.line, error, "fix the Schedule(...) declaration")
            )
    groups = sorted(registry.url_groups, key=lambda group: group.name)
    for group in groups:
        findings.extend(_check_group(group, registry, locator))
    if public_base_url:
        problem = unreachable(public_base_url)
        if problem is not None:
            findings.append(
                Finding(
                    CHECK,
                    ENVIRONMENT,
                    None,
                    f"PUBLIC_BASE_URL {public_base_url!r}: {problem}; {len(schedules)} "
                    "schedule(s), the URL groups' job endpoints, every published message "
                    "and both callbacks deliver there",
                    BASE_URL_FIX,
                )
            )
    checked = f"{len(schedules)} schedule(s), {len(groups)} URL group(s)"
    if public_base_url:
        checked += ", PUBLIC_BASE_URL"
    return CheckResult(CHECK, checked, tuple(findings))


def unreachable(url: str) -> str | None:
    """Say why QStash could not call `url` from the internet, or None when it could.

    Args:
        url: A destination, endpoint or base URL.
    """
    try:
        check_destination(url, qstash_url=DEFAULT_QSTASH_URL)
    except UnsafeDestinationError:
        parts = urlsplit(url)
        if parts.scheme != "https":
            return "not https (QStash only calls public https URLs)"
        return f"{parts.hostname} is this machine or a private address"
    host = (urlsplit(url).hostname or "").rstrip(".")
    if literal_ip(host) is None and ("." not in host or host.endswith(PRIVATE_SUFFIXES)):
        return f"{host} is a name only a private network resolves"
    return None


def _check_group(group: UrlGroup, registry: JobRegistry, locator: "_Locator") -> Iterator[Finding]:
    where = locator.group(group)
    checked = JobRegistry()
    for job in registry:
        checked.register(dataclasses.replace(job, schedules=()))
    checked.add_url_group(group)
    error = _declaration_error(checked)
    if error is not None:
        yield Finding(CHECK, where.path, where.line, error, "fix the url_group(...) declaration")
        return
    for endpoint in group.endpoints:
        problem = unreachable(endpoint) if "://" in endpoint else None
        if problem is not None:
            yield Finding(
                CHECK,
                where.path,
                where.line,
                f"url group {group.name!r}: endpoint {endpoint!r} is {problem}",
                ENDPOINT_FIX,
            )


def _declaration_error(registry: JobRegistry) -> str | None:
    try:
        Declarations.from_registry(registry)
    except ScheduleDeclarationError as error:
        return error.message
    return None


def _sorted(registry: JobRegistry) -> list[Job[Any]]:
    return sorted(registry, key=lambda job: job.name)


class _Locator:
    """Finds where a schedule or URL group is declared, by reading the modules' syntax trees.

    A declaration is found by its call (`Schedule("0 3 * * *", ...)`,
    `url_group("name", ...)`) with the same literal arguments; when none is found (built
    at run time), the job's decorator or the jobs package stands in.
    """

    def __init__(self, root: Path, functions: Iterable[Any]) -> None:
        self._root = root
        files = set(Path(jobs_package.__file__).parent.parent.rglob("*.py"))
        files.update(path for path in map(source_file, functions) if path is not None)
        self._calls = [(path, call) for path in sorted(files) for call in calls_in(path)]

    def schedule(self, job: Job[Any], schedule: Schedule) -> Location:
        own = source_file(job.run)
        # The job's own module first: another module may declare the same cron and name.
        for path, call in sorted(self._calls, key=lambda item: item[0] != own):
            if called_name(call) != "Schedule":
                continue
            cron = _argument(call, 0, "cron")
            name = _argument(call, 1, "name") or "default"
            if cron == schedule.cron and name == schedule.name:
                return Location(relative(path, self._root), call.lineno)
        return source_location(job.run, self._root)

    def group(self, group: UrlGroup) -> Location:
        for path, call in self._calls:
            if called_name(call) in ("url_group", "UrlGroup") and _argument(call, 0, "name") == (
                group.name
            ):
                return Location(relative(path, self._root), call.lineno)
        return Location(relative(Path(jobs_package.__file__).parent, self._root))


def _argument(call: ast.Call, position: int, keyword: str) -> object:
    """The literal value of an argument given by position or keyword, else None."""
    node: ast.expr | None = call.args[position] if len(call.args) > position else None
    for item in call.keywords:
        if item.arg == keyword:
            node = item.value
    return node.value if isinstance(node, ast.Constant) else None
