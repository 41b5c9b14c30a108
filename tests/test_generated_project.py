"""Run in a baked project what its user runs: ``make install``, ``lint``, ``test``, ``synth``.

Three bakes: the AWS defaults; a hostile AWS variant where every name differs from the
defaults (unicode, quotes and an apostrophe in the project name), on the other Python version
and architecture and in another region; and a hostile Google Cloud Functions variant (its
suite runs on the Firestore emulator and a real functions-framework process). Slow (uv
installs the project's dependencies and each bake runs its whole suite, minutes apiece; two
pytest workers run two bakes at once), but part of the default
run. Deselect with ``-m 'not slow'`` while iterating on hooks. ``make synth`` builds the
Lambda bundle and the cloud assembly (cdk-nag on, then cfn-lint), and the project's own slow
tests build the bundle and invoke its handlers with only the bundle and boto3 on sys.path;
``npm ci`` of the pinned CDK CLI needs the npm registry or npm's cache.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml

from tests.combinations import DEFAULTS, HOSTILE_GCP_VARIANT, HOSTILE_VARIANT, Variant
from tests.conftest import HookLoader, find_python

pytestmark = pytest.mark.slow

# The defaults cover Python 3.13 on arm64 in us-east-1; the hostile variant covers 3.12 on
# x86_64 in eu-central-1 with every name changed; the GCP variant covers Google Cloud
# Functions with other names again, 3.12 and europe-west3 (the GCP defaults differ from it
# only in names, Python version and region, which the AWS bakes already vary).
# Each bake's tests share one xdist group, so `make test` (pytest -n 2 --dist loadgroup) runs
# a bake's steps in order on one worker while another worker runs another bake.
DEFAULTS_ID = f"defaults-py{DEFAULTS.python_version}-{DEFAULTS.architecture}"
BAKES = [
    pytest.param(None, id=DEFAULTS_ID, marks=pytest.mark.xdist_group(DEFAULTS_ID)),
    pytest.param(
        HOSTILE_VARIANT,
        id=HOSTILE_VARIANT.id,
        marks=pytest.mark.xdist_group(HOSTILE_VARIANT.id),
    ),
    pytest.param(
        HOSTILE_GCP_VARIANT,
        id=HOSTILE_GCP_VARIANT.id,
        marks=pytest.mark.xdist_group(HOSTILE_GCP_VARIANT.id),
    ),
]
AWS = "aws-lambda"
# What a user's shell would not have: settings pointing uv at the template's own virtualenv,
# and the variables of the `make test` that may be running these tests (MAKEFLAGS would hand
# its command-line variables, PYTEST_ARGS for one, to the project's make).
INHERITED_SETTINGS = (
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "UV_PYTHON",
    "PYTHONPATH",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)
INSTALL_TIMEOUT = 900
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
CI_WORKFLOW = Path(".github") / "workflows" / "ci.yml"
# Values a developer might hold locally; none may reach the cloud assembly.
LOCAL_SECRETS = {
    "QSTASH_TOKEN": "planted-token-5f0c1e",
    "QSTASH_CURRENT_SIGNING_KEY": "sig_planted_current_9b2d",
    "QSTASH_NEXT_SIGNING_KEY": "sig_planted_next_41aa",
}


def user_environment(python: Path | None = None) -> dict[str, str]:
    """The environment a user's shell would have: no template venv, no Python downloads.

    Args:
        python: The interpreter uv must use (``UV_PYTHON``), so that the project's
            ``.python-version`` does not resolve to a pyenv shim or another installation.
    """
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_SETTINGS}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    if python is not None:
        env["UV_PYTHON"] = str(python)
    return env


def run(
    command: list[str],
    cwd: Path,
    timeout: int = STEP_TIMEOUT,
    python: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> str:
    """Run a command like a user would; on failure, fail the test showing its output.

    Args:
        command: The program and its arguments.
        cwd: The baked project folder.
        timeout: Seconds before the command counts as hung.
        python: The interpreter uv must use; see :func:`user_environment`.
        extra_env: Variables set on top of the user's environment.

    Returns:
        The command's stdout.
    """
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=user_environment(python) | (extra_env or {}),
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


def make_executable() -> str:
    """The make on PATH; the generated project's verbs are make targets."""
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed: the generated project runs through it", pytrace=False)
    return make


class BakedProject(NamedTuple):
    """A baked project and the interpreter its answers ask for."""

    path: Path
    python: Path
    cloud: str

    def make(self, target: str, timeout: int = STEP_TIMEOUT) -> str:
        """Run ``make <target>`` in the project as its user would, with this uv and Python."""
        command = [make_executable(), "--no-print-directory", target, f"UV={uv_executable()}"]
        return run(command, self.path, timeout=timeout, python=self.python)


@pytest.fixture(scope="module", params=BAKES)
def project(request: pytest.FixtureRequest, cookies_session: Any) -> BakedProject:
    """A baked project after ``make install`` (``uv sync --locked``)."""
    variant: Variant | None = request.param
    answers = {} if variant is None else variant._asdict()
    version = DEFAULTS.python_version if variant is None else variant.python_version
    result = cookies_session.bake(extra_context=answers)
    if result.exception is not None:
        pytest.fail(f"bake failed: {result.exception!r}", pytrace=False)
    python = find_python(version)
    if python is None:
        pytest.fail(
            f"no Python {version} on this machine: install it (pyenv install {version}) "
            f"or put python{version} on PATH",
            pytrace=False,
        )
    # make install runs `uv sync --locked`: exactly the committed lock, and an error when the
    # lock no longer matches pyproject.toml.
    cloud = AWS if variant is None else variant.cloud
    baked = BakedProject(Path(result.project_path), python, cloud)
    baked.make("install", timeout=INSTALL_TIMEOUT)
    return baked


def ci_job_steps(project: BakedProject, job: str) -> list[str]:
    """The ``run:`` commands of one job of the bake's ci.yml, in order (``uses:`` skipped)."""
    workflow = yaml.safe_load((project.path / CI_WORKFLOW).read_text(encoding="utf-8"))
    return [step["run"] for step in workflow["jobs"][job]["steps"] if "run" in step]


def run_ci_job(project: BakedProject, job: str) -> None:
    """Run a CI job's steps in the bake as a runner would: bash -e -o pipefail, uv on PATH."""
    steps = ci_job_steps(project, job)
    assert steps, f"ci.yml job {job!r} runs nothing"
    # setup-uv leaves uv on PATH; a pyenv shim named uv may not run under .python-version.
    path = f"{Path(uv_executable()).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    for command in steps:
        run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command],
            project.path,
            python=project.python,
            extra_env={"PATH": path},
        )


def test_ci_lint_job_passes(project: BakedProject) -> None:
    # make lint (ruff, format, mypy strict) and make doctor, the steps of ci.yml's lint job.
    assert "make lint" in ci_job_steps(project, "lint")
    run_ci_job(project, "lint")


def test_ci_test_job_passes(project: BakedProject) -> None:
    assert "make test" in ci_job_steps(project, "test")
    run_ci_job(project, "test")


def test_hook_refuses_every_import_name_installed_in_the_project(
    project: BakedProject, load_hook: HookLoader
) -> None:
    # A package_name equal to an installed import name is shadowed by the installed one:
    # package_name=packaging baked, then the tests failed on `No module named 'packaging.api'`.
    hook = load_hook()
    recorded = json.loads((project.path / ".cookiecutter.json").read_text(encoding="utf-8"))
    python = project.path / ".venv" / "bin" / "python"
    installed = set(json.loads(run([str(python), "-c", IMPORT_NAMES_SCRIPT], project.path)))
    own = recorded["package_name"]
    accepted = sorted(name for name in installed - {own} if hook.check_package_name(name) is None)
    assert accepted == [], (
        "the pre-generation hook accepts these installed import names as package_name; add "
        "them to DEPENDENCY_IMPORT_NAMES in hooks/pre_gen_project.py:\n"
        + ", ".join(json.dumps(name) for name in accepted)
    )


def test_make_synth_passes_cdk_nag_and_cfn_lint(
    project: BakedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    if project.cloud != AWS:
        pytest.skip("only an AWS bake has a CDK app and a Lambda bundle")
    # make synth fails on an unacknowledged cdk-nag finding or a cfn-lint error itself; the
    # report shows the checks really ran on this project's stack. Local secret values sit
    # where a developer keeps them (the shell, a .env at the root and beside the code): no
    # file of the cloud assembly, the bundled code included, may hold one.
    recorded = json.loads((project.path / ".cookiecutter.json").read_text(encoding="utf-8"))
    planted = [project.path / ".env", project.path / "src" / recorded["package_name"] / ".env"]
    for name, value in LOCAL_SECRETS.items():
        monkeypatch.setenv(name, value)
    dotenv = "".join(f"{name}={value}\n" for name, value in LOCAL_SECRETS.items())
    try:
        for path in planted:
            path.write_text(dotenv, encoding="utf-8")
        project.make("synth")
    finally:
        for path in planted:
            path.unlink(missing_ok=True)
    leaks = [
        f"{path.relative_to(project.path)} holds {name}"
        for path in sorted((project.path / "cdk.out").rglob("*"))
        if path.is_file()
        for name, value in LOCAL_SECRETS.items()
        if value.encode() in path.read_bytes()
    ]
    assert leaks == []
    report = json.loads((project.path / "cdk.out" / "validation-report.json").read_text())
    (nag,) = [
        plugin for plugin in report["pluginReports"] if plugin["pluginName"] == "AwsSolutions"
    ]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    assert (project.path / "cdk.out" / f"{recorded['project_slug']}.template.json").is_file()


def test_slow_tests_pass_the_bundle_and_its_handlers(project: BakedProject) -> None:
    if project.cloud != AWS:
        pytest.skip("only an AWS bake has a CDK app and a Lambda bundle")
    # `make test` leaves these out: the bundler's tests and the asset test, which imports
    # each handler from the built bundle and invokes it.
    command = [
        uv_executable(),
        "run",
        "--locked",
        "pytest",
        "-m",
        "slow",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    output = run(command, project.path, python=project.python)
    assert " passed" in output
    assert " skipped" not in output
