"""Run in a baked project exactly what its user runs: install, lint, type-check, test.

Slow (uv installs the project's dependencies), but part of the default run. Deselect
with ``-m 'not slow'`` while iterating on hooks.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.combinations import DEFAULTS, SUPPORTED, Combo
from tests.conftest import HookLoader, find_python

pytestmark = pytest.mark.slow

# The defaults bake covers Python 3.13 on arm64; one more bake covers 3.12 on x86_64.
BAKES = [
    pytest.param(None, id="defaults"),
    *(
        pytest.param(combo, id=combo.id)
        for combo in SUPPORTED
        if combo.python_version != DEFAULTS.python_version and combo.architecture == "x86_64"
    ),
]
# Environment variables that would point uv at the template's own virtualenv or settings.
INHERITED_UV_SETTINGS = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON", "PYTHONPATH")
SYNC_TIMEOUT = 900
# Run with the baked project's interpreter: every top-level name its installed
# distributions provide, from top_level.txt or RECORD (packages_distributions), plus the
# first path component of every RECORD entry in case a top_level.txt leaves one out.
IMPORT_NAMES_SCRIPT = """
import importlib.metadata, inspect, json
names = set(importlib.metadata.packages_distributions())
for dist in importlib.metadata.distributions():
    for file in dist.files or ():
        top = file.parts[0]
        names.add(top if len(file.parts) > 1 else inspect.getmodulename(top) or top)
print(json.dumps(sorted(name for name in names if name.isidentifier())))
"""
STEP_TIMEOUT = 600


def user_environment() -> dict[str, str]:
    """The environment a user's shell would have: no template venv, no Python downloads."""
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_UV_SETTINGS}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def run(command: list[str], cwd: Path, timeout: int = STEP_TIMEOUT) -> str:
    """Run a command like a user would; on failure, fail the test showing its output.

    Args:
        command: The program and its arguments.
        cwd: The baked project folder.
        timeout: Seconds before the command counts as hung.

    Returns:
        The command's stdout.
    """
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=user_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(
            f"`{shlex.join(command)}` exited {completed.returncode} in {cwd}\n"
            f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}",
            pytrace=False,
        )
    return completed.stdout


def uv_executable() -> str:
    """The uv that runs these tests (``uv run`` exports it as ``UV``), else uv on PATH."""
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is not installed: run `make test`, which installs it", pytrace=False)
    return uv


@pytest.fixture(scope="module", params=BAKES)
def project(request: pytest.FixtureRequest, cookies_session: Any) -> Path:
    """A baked project with its dependencies installed by ``uv sync``."""
    combo: Combo | None = request.param
    answers = {} if combo is None else combo._asdict()
    version = (combo or DEFAULTS).python_version
    result = cookies_session.bake(extra_context=answers)
    if result.exception is not None:
        pytest.fail(f"bake failed: {result.exception!r}", pytrace=False)
    project_dir = Path(result.project_path)
    python = find_python(version)
    if python is None:
        pytest.fail(
            f"no Python {version} on this machine: install it (pyenv install {version}) "
            f"or put python{version} on PATH",
            pytrace=False,
        )
    # --locked installs exactly the committed lock and fails if it no longer matches
    # pyproject.toml; without a lock, uv resolves and writes one, as a user's first sync does.
    lock_flag = ["--locked"] if (project_dir / "uv.lock").exists() else []
    run(
        [uv_executable(), "sync", *lock_flag, "--python", str(python)],
        project_dir,
        timeout=SYNC_TIMEOUT,
    )
    return project_dir


def test_ruff_check_is_clean(project: Path) -> None:
    run([uv_executable(), "run", "ruff", "check"], project)


def test_ruff_format_is_clean(project: Path) -> None:
    run([uv_executable(), "run", "ruff", "format", "--check"], project)


def test_mypy_strict_is_clean(project: Path) -> None:
    run([uv_executable(), "run", "mypy", "src"], project)


def test_project_tests_pass(project: Path) -> None:
    run([uv_executable(), "run", "pytest", "-q"], project)


def test_hook_refuses_every_import_name_installed_in_the_project(
    project: Path, load_hook: HookLoader
) -> None:
    # A package_name equal to an installed import name is shadowed by the installed one:
    # package_name=packaging baked, then the tests failed on `No module named 'packaging.api'`.
    hook = load_hook()
    own = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["package_name"]
    python = project / ".venv" / "bin" / "python"
    installed = set(json.loads(run([str(python), "-c", IMPORT_NAMES_SCRIPT], project)))
    accepted = sorted(name for name in installed - {own} if hook.check_package_name(name) is None)
    assert accepted == [], (
        "the pre-generation hook accepts these installed import names as package_name; add "
        "them to DEPENDENCY_IMPORT_NAMES in hooks/pre_gen_project.py:\n"
        + ", ".join(json.dumps(name) for name in accepted)
    )
