"""Every module under `jobs/` that declares a job or a URL group is imported: read from the files.

`@job(...)` and `url_group(...)` register when their module runs, and the jobs package runs
only the modules `jobs/__init__.py` imports. A module it never imports is a silent gap: its
route answers "unknown job" (489, straight to the dead-letter queue) and its schedules and
URL groups are never created. So each file is read as a syntax tree (nothing is run) for
such declarations, and its module must be among those already imported with the package.
"""

import sys
from collections.abc import Collection
from pathlib import Path

from .findings import CheckResult, Finding, called_name, calls_in, relative

CHECK = "job modules"
#: The names that declare something when called: the `job` decorator and `url_group`.
DECLARING_CALLS = frozenset({"job", "url_group"})


def check_job_modules(
    jobs_dir: Path,
    package: str,
    *,
    root: Path,
    imported: Collection[str] = sys.modules.keys(),
) -> CheckResult:
    """Check that every module under `jobs_dir` that declares jobs is imported.

    Args:
        jobs_dir: The jobs package's folder (`src/<package>/jobs`).
        package: The jobs package's import name (`<package>.jobs`).
        root: The project root (finding paths are relative to it).
        imported: The names of the modules imported so far (the jobs package is, since
            the registry comes from it).

    Returns:
        A finding per module that declares a job or URL group and is not imported.
    """
    findings = []
    paths = sorted(jobs_dir.rglob("*.py"))
    for path in paths:
        line = first_declaration(path)
        module = module_name(path, jobs_dir, package)
        if line is None or module in imported:
            continue
        parent, _, name = module.rpartition(".")
        findings.append(
            Finding(
                CHECK,
                relative(path, root),
                line,
                f"{module} declares jobs but is never imported: its jobs answer 'unknown "
                "job' and its schedules and URL groups are never created",
                f"import it in src/{parent.replace('.', '/')}/__init__.py: "
                f"`from . import {name} as {name}`",
            )
        )
    return CheckResult(CHECK, f"{len(paths)} module(s) under {jobs_dir.name}/", tuple(findings))


def first_declaration(path: Path) -> int | None:
    """The line of the first `job` or `url_group` call in `path`; None if none or unparsable."""
    lines = [call.lineno for call in calls_in(path) if called_name(call) in DECLARING_CALLS]
    return min(lines, default=None)


def module_name(path: Path, jobs_dir: Path, package: str) -> str:
    """The import name of `path`, a file below `jobs_dir`, the folder of `package`."""
    parts = path.relative_to(jobs_dir).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((package, *parts))
