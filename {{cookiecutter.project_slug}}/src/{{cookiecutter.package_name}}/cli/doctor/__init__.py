"""`doctor`: find the known QStash mistakes in the project as it is, offline, in seconds.

Each check reads the project itself rather than its text where it can:

- routes: the platform's app (`app.py`): every QStash route verifies the signature over
  the raw body (`routes.py`);
- signing keys: both set for this environment, neither public (`keys.py`);
- literals: no token or signing key written into a file (`literals.py`);
- declarations: schedules and URL groups QStash accepts, public https destinations
  (`declarations.py`);
- job modules: every module under `jobs/` that declares a job or URL group is imported,
  so that its jobs exist (`job_modules.py`);
- publishing: no publish call that bypasses the publisher's rate-limit handling
  (`publishing.py`).

Settings come from the environment like every command's; a setting the app would refuse is
a finding too. Nothing is sent anywhere: no AWS, Google Cloud or QStash call is made.
"""

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError

from ...config import Settings
from ...jobs import JobRegistry, registry
from ..output import PROG, Output
from .app import REQUIRED_ROUTES, platform_app
from .declarations import check_declarations
from .findings import ENVIRONMENT, CheckResult, Finding
from .job_modules import check_job_modules
from .keys import check_signing_keys
from .literals import PACKAGE, check_literals
from .publishing import check_publishing
from .routes import check_routes

__all__ = [
    "CheckResult",
    "Finding",
    "Report",
    "add_arguments",
    "diagnose",
    "project_root",
    "run_doctor",
]

EXIT_FINDINGS = 1


@dataclass(frozen=True)
class Report:
    """What every check found.

    Attributes:
        results: One result per check, in the order they ran.
    """

    results: tuple[CheckResult, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, check by check."""
        return tuple(finding for result in self.results for finding in result.findings)

    def text(self) -> str:
        """One line per finding, what each check looked at, then the verdict."""
        lines = [finding.text() for finding in self.findings]
        lines.append("checked:")
        lines.extend(f"  {result.check}: {result.checked}" for result in self.results)
        counts = ", ".join(
            f"{result.check} {len(result.findings)}" for result in self.results if result.findings
        )
        total = len(self.findings)
        lines.append(f"doctor: {total} finding(s) ({counts})" if total else "doctor: no findings")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object: `ok`, `findings` and what each check looked at."""
        return {
            "ok": not self.findings,
            "findings": [finding.to_json() for finding in self.findings],
            "checks": [
                {"check": r.check, "checked": r.checked, "findings": len(r.findings)}
                for r in self.results
            ],
        }


def run_doctor(args: argparse.Namespace) -> Output:
    """`doctor`: run every check; exit status 1 when anything was found."""
    root = Path(args.project_dir) if args.project_dir else project_root()
    report = diagnose(root, require_signing_keys=args.require_signing_keys)
    return Output(report.to_json(), report.text(), status=EXIT_FINDINGS if report.findings else 0)


def diagnose(
    root: Path,
    *,
    require_signing_keys: bool = False,
    environ: Mapping[str, str] = os.environ,
    app_factory: Callable[[Settings], FastAPI] = platform_app,
    jobs: JobRegistry = registry,
    required_routes: Sequence[str] = REQUIRED_ROUTES,
) -> Report:
    """Run every check against the project in `root`.

    Args:
        root: The project root (where `pyproject.toml` is).
        require_signing_keys: Report an environment without any signing key (run it where
            the deployment's settings are).
        environ: Where the signing-key settings are read (settings themselves come from
            the process environment).
        app_factory: Builds the app whose routes are checked.
        jobs: The job registry whose schedules and URL groups are checked.
        required_routes: The route paths the app must serve with POST.

    Returns:
        The report: every check's findings.
    """
    settings, refused = load_settings()
    return Report(
        (
            CheckResult("settings", "the environment's settings", refused),
            check_routes(app_factory(settings), root=root, required=required_routes),
            check_signing_keys(environ, require=require_signing_keys),
            check_literals(root),
            check_declarations(jobs, root=root, public_base_url=settings.public_base_url),
            check_job_modules(root / "src" / PACKAGE / "jobs", f"{PACKAGE}.jobs", root=root),
            check_publishing(root / "src", root=root, allowed=root / "src" / PACKAGE / "qstash"),
        )
    )


def load_settings() -> tuple[Settings, tuple[Finding, ...]]:
    """Read the settings from the environment, each refused setting as a finding.

    The signing keys are left to the signing-key check (by name only), so that half a pair
    is one finding, not two.

    Returns:
        The settings (the defaults when they are refused) and the findings.
    """
    try:
        return Settings(qstash_current_signing_key=None, qstash_next_signing_key=None), ()
    except ValidationError as error:
        findings = tuple(
            Finding(
                "settings",
                ENVIRONMENT,
                None,
                f"{'.'.join(str(p) for p in item['loc']).upper() or 'settings'}: {item['msg']}",
                "fix the variable (README, Configuration)",
            )
            for item in error.errors(include_url=False, include_input=False)
        )
        return Settings.model_construct(), findings


def project_root() -> Path:
    """The project this package was installed from (editable, as `uv sync` does), else `.`."""
    candidate = Path(__file__).resolve().parents[4]
    return candidate if (candidate / "pyproject.toml").is_file() else Path.cwd()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of `doctor` to its parser."""
    parser.add_argument(
        "--project-dir",
        metavar="DIR",
        help=f"the project to check (default: the one {PROG} was installed from)",
    )
    parser.add_argument(
        "--require-signing-keys",
        action="store_true",
        help="report an environment without signing keys (run with the deployment's settings)",
    )
