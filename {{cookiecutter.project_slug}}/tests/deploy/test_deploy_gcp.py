"""`make deploy` (scripts/deploy_gcp.py) against a recording stand-in for gcloud.

The stand-in is a small script named `gcloud` first on PATH: it appends its arguments to a
JSON-lines file and answers the few questions the deploy asks (the configured project, the
function's URL, the token's secret). `schedules apply` runs for real, against the local
QStash double: each run passes `--allow-local-qstash-url` unless it says otherwise.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleSettings,
    RunningDouble,
    run_double,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "deploy_gcp.py"
PROJECT = "jobs-prod-4711"
REGION = "{{ cookiecutter.gcp_region }}"
FUNCTION = "{{ cookiecutter.project_slug }}"
FUNCTION_URL = f"https://{REGION}-{PROJECT}.cloudfunctions.net/{FUNCTION}"
SIGNING_KEYS = {
    "QSTASH_CURRENT_SIGNING_KEY": "sig_current_0123456789abcdefghijklmnop",
    "QSTASH_NEXT_SIGNING_KEY": "sig_next_0123456789abcdefghijklmnopqrst",
}
FAKE_GCLOUD = """#!PYTHON
import json, os, sys

arguments = sys.argv[1:]
with open(os.environ["GCLOUD_CALLS"], "a", encoding="utf-8") as calls:
    calls.write(json.dumps(arguments) + "\\n")
answers = {
    ("config", "get-value"): "FAKE_GCLOUD_PROJECT",
    ("functions", "describe"): "FAKE_GCLOUD_URL",
    ("secrets", "versions"): "FAKE_GCLOUD_SECRET",
}
variable = answers.get(tuple(arguments[:2]))
if variable:
    print(os.environ.get(variable, ""))
failing = os.environ.get("FAKE_GCLOUD_FAIL")
sys.exit(1 if failing and " ".join(arguments).startswith(failing) else 0)
"""


@dataclass
class Run:
    """One run of the deploy script."""

    completed: subprocess.CompletedProcess[str]
    calls: list[list[str]]
    staging: Path
    double: RunningDouble

    def call(self, *prefix: str) -> list[str]:
        """The one gcloud call starting with `prefix`."""
        (found,) = [call for call in self.calls if call[: len(prefix)] == list(prefix)]
        return found


@pytest.fixture
def double() -> Iterator[RunningDouble]:
    """A fresh local QStash double on a manual clock (its schedules never fire)."""
    with run_double(DoubleSettings(time_scale=None)) as running:
        yield running


def deploy(
    tmp_path: Path,
    double: RunningDouble,
    *arguments: str,
    command: list[str] | None = None,
    allow_local: bool = True,
    **variables: str,
) -> Run:
    """Run the deploy (the script, or `command`) with the stand-in gcloud first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gcloud = bin_dir / "gcloud"
    gcloud.write_text(FAKE_GCLOUD.replace("PYTHON", sys.executable, 1), encoding="utf-8")
    gcloud.chmod(0o755)
    calls = tmp_path / "gcloud-calls.jsonl"
    staging = tmp_path / "staging"
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("QSTASH_")
    } | {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GCLOUD_CALLS": str(calls),
        "FAKE_GCLOUD_PROJECT": PROJECT,
        "FAKE_GCLOUD_URL": FUNCTION_URL,
        "FAKE_GCLOUD_SECRET": double.token,
        # The double speaks http on 127.0.0.1, which only development allows.
        "ENVIRONMENT": "development",
        "QSTASH_URL": double.base_url,
        **SIGNING_KEYS,
        **variables,
    }
    completed = subprocess.run(
        command
        or [
            sys.executable,
            str(SCRIPT),
            f"--staging={staging}",
            *(["--allow-local-qstash-url"] if allow_local else []),
            *arguments,
        ],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    recorded = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return Run(completed, [json.loads(line) for line in recorded], staging, double)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One successful deploy with gcloud's configured project and the default region."""
    with run_double(DoubleSettings(time_scale=None)) as running:
        yield deploy(tmp_path_factory.mktemp("deploy"), running)


def test_deploy_succeeds(deployed: Run) -> None:
    assert deployed.completed.returncode == 0, deployed.completed.stderr
    assert deployed.completed.stdout.endswith(
        f"deployed {FUNCTION} at {FUNCTION_URL}; schedules applied\n"
    )


def test_deploy_calls_gcloud_deploy_with_the_exact_arguments(deployed: Run) -> None:
    assert deployed.call("functions", "deploy") == [
        "functions", "deploy", FUNCTION, "--gen2", f"--project={PROJECT}",
        f"--region={REGION}", "--runtime=python{{ cookiecutter.python_version | replace('.', '') }}",
        f"--source={deployed.staging}", "--entry-point=handler", "--trigger-http",
        "--allow-unauthenticated", "--memory=512Mi", "--timeout=300s",
        f"--set-env-vars=PUBLIC_BASE_URL={FUNCTION_URL},ENVIRONMENT=production,"
        f"GOOGLE_CLOUD_PROJECT={PROJECT},FIRESTORE_DATABASE=(default),"
        f"WORKER_LEASE_SECONDS=900,QSTASH_URL={deployed.double.base_url}",
        f"--set-secrets=QSTASH_TOKEN={FUNCTION}-qstash-token:latest,"
        f"QSTASH_CURRENT_SIGNING_KEY={FUNCTION}-qstash-current-signing-key:latest,"
        f"QSTASH_NEXT_SIGNING_KEY={FUNCTION}-qstash-next-signing-key:latest",
    ]  # fmt: skip


def test_deploy_asks_gcloud_in_order_project_deploy_url_token(deployed: Run) -> None:
    assert [call[:2] for call in deployed.calls] == [
        ["config", "get-value"],
        ["functions", "deploy"],
        ["functions", "describe"],
        ["secrets", "versions"],
    ]
    assert deployed.call("functions", "describe") == [
        "functions", "describe", FUNCTION, f"--project={PROJECT}", f"--region={REGION}",
        "--format=value(url)",
    ]  # fmt: skip
    assert deployed.call("secrets", "versions") == [
        "secrets", "versions", "access", "latest", f"--secret={FUNCTION}-qstash-token",
        f"--project={PROJECT}",
    ]  # fmt: skip


def test_no_secret_value_is_in_any_gcloud_argument(deployed: Run) -> None:
    secrets = [deployed.double.token, *SIGNING_KEYS.values()]
    assert [
        argument
        for call in deployed.calls
        for argument in call
        if any(secret in argument for secret in secrets)
    ] == []


def test_schedules_are_applied_as_the_project_slug(deployed: Run) -> None:
    ids = {schedule.schedule_id for schedule in deployed.double.double.schedules()}
    assert f"{FUNCTION}.nightly-report.nightly" in ids
    assert {schedule_id.startswith(f"{FUNCTION}.") for schedule_id in ids} == {True}


def test_schedules_apply_ran_against_the_deployed_url(deployed: Run) -> None:
    destinations = {schedule.destination for schedule in deployed.double.double.schedules()}
    assert f"{FUNCTION_URL}/qstash/jobs/nightly-report" in destinations
    assert {destination.startswith(f"{FUNCTION_URL}/") for destination in destinations} == {True}


def test_staged_source_is_main_the_package_and_requirements(deployed: Run) -> None:
    package = "{{ cookiecutter.package_name }}"
    staged = {path.name for path in deployed.staging.iterdir()}
    assert staged == {".gcloudignore", "main.py", package, "requirements.txt"}
    main = (deployed.staging / "main.py").read_text(encoding="utf-8")
    assert f"from {package}.entrypoints.gcp_main import handler" in main
    assert not list(deployed.staging.rglob("__pycache__"))


def test_staged_main_module_imports_the_handler(deployed: Run) -> None:
    # The check the Python runtime makes first: main.py imports and has `handler`.
    completed = subprocess.run(
        [sys.executable, "-c", "import main; assert callable(main.handler)"],
        cwd=deployed.staging,
        # Nothing connects at import; the emulator host only spares a search for credentials.
        env=os.environ
        | {
            "PUBLIC_BASE_URL": FUNCTION_URL,
            "QSTASH_TOKEN": "t" * 32,
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",
            "GOOGLE_CLOUD_PROJECT": "demo-deploy",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def requirement_names(staging: Path) -> set[str]:
    """The distribution names requirements.txt pins."""
    text = (staging / "requirements.txt").read_text(encoding="utf-8")
    return {line.split("==")[0] for line in text.splitlines() if "==" in line}


def test_requirements_pin_the_runtime_dependencies_with_hashes(deployed: Run) -> None:
    text = (deployed.staging / "requirements.txt").read_text(encoding="utf-8")
    assert "functions-framework==3.10.2" in text
    assert "google-cloud-firestore==2.34.1" in text
    assert "--hash=sha256:" in text


def test_requirements_leave_out_the_dev_group_and_the_project(deployed: Run) -> None:
    left_out = {"pytest", "ruff", "mypy", "qstash", FUNCTION, f"{FUNCTION}-devkit"}
    assert requirement_names(deployed.staging) & left_out == set()


def test_project_and_region_options_replace_gcloud_config(
    tmp_path: Path, double: RunningDouble
) -> None:
    url = f"https://europe-west1-other-project.cloudfunctions.net/{FUNCTION}"
    run = deploy(
        tmp_path, double, "--project=other-project", "--region=europe-west1", FAKE_GCLOUD_URL=url
    )
    assert run.completed.returncode == 0, run.completed.stderr
    assert run.calls[0][:2] == ["functions", "deploy"]
    assert "--region=europe-west1" in run.call("functions", "deploy")
    assert f"--set-env-vars=PUBLIC_BASE_URL={url}" in " ".join(run.call("functions", "deploy"))


def test_unset_project_stops_with_one_line_before_deploying(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, FAKE_GCLOUD_PROJECT="")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines() == [
        "deploy: no Google Cloud project: run `gcloud config set project <id>` or pass PROJECT=<id>"
    ]
    assert [call[:2] for call in run.calls] == [["config", "get-value"]]


def test_failed_gcloud_deploy_stops_before_the_schedules(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, FAKE_GCLOUD_FAIL="functions deploy")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines()[-1] == (
        "deploy: `gcloud functions deploy` failed (exit 1)"
    )
    assert [call[:2] for call in run.calls] == [["config", "get-value"], ["functions", "deploy"]]


def test_other_function_url_stops_before_the_schedules(
    tmp_path: Path, double: RunningDouble
) -> None:
    other = f"https://{FUNCTION}-abc123-uc.a.run.app"
    run = deploy(tmp_path, double, FAKE_GCLOUD_URL=other)
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines()[-1].endswith(
        f'deploy again with make deploy DEPLOY_ARGS="--public-base-url={other}"'
    )
    assert ["secrets", "versions"] not in [call[:2] for call in run.calls]


def test_custom_public_base_url_is_what_the_function_and_schedules_get(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, "--public-base-url=https://jobs.example.com")
    assert run.completed.returncode == 0, run.completed.stderr
    assert "--set-env-vars=PUBLIC_BASE_URL=https://jobs.example.com," in " ".join(
        run.call("functions", "deploy")
    )
    destinations = {schedule.destination for schedule in double.double.schedules()}
    assert "https://jobs.example.com/qstash/jobs/nightly-report" in destinations


def test_timeout_and_lease_options_reach_gcloud_and_the_function(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, "--timeout=1200", "--worker-lease-seconds=1800")
    assert run.completed.returncode == 0, run.completed.stderr
    arguments = run.call("functions", "deploy")
    assert "--timeout=1200s" in arguments
    assert ",WORKER_LEASE_SECONDS=1800," in " ".join(arguments)


def test_timeout_not_shorter_than_the_lease_stops_with_one_line_before_deploying(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, "--timeout=900")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines() == [
        "deploy: --timeout=900 must be shorter than --worker-lease-seconds=900: a job still "
        "running when its lease ends would run again beside it"
    ]
    assert ["functions", "deploy"] not in [call[:2] for call in run.calls]


def test_timeout_over_cloud_functions_maximum_stops_with_one_line(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, "--timeout=3601", "--worker-lease-seconds=7200")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines() == ["deploy: --timeout=3601 must be 1 to 3600 seconds"]
    assert ["functions", "deploy"] not in [call[:2] for call in run.calls]


def test_owner_option_is_whose_schedules_apply_makes(tmp_path: Path, double: RunningDouble) -> None:
    run = deploy(tmp_path, double, "--owner=staging")
    assert run.completed.returncode == 0, run.completed.stderr
    ids = {schedule.schedule_id for schedule in double.double.schedules()}
    assert "staging.nightly-report.nightly" in ids
    assert {schedule_id.startswith("staging.") for schedule_id in ids} == {True}


def test_malformed_owner_stops_with_one_line_before_deploying(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, "--owner=my.staging")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines() == [
        "deploy: --owner: owner 'my.staging' must be letters, digits, '-' or '_' "
        "(e.g. the project slug)"
    ]
    assert ["functions", "deploy"] not in [call[:2] for call in run.calls]


def test_token_from_env_option_uses_the_shell_token_without_reading_the_secret(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(
        tmp_path,
        double,
        "--qstash-token-from-env",
        QSTASH_TOKEN=double.token,
        FAKE_GCLOUD_SECRET="not-it",  # noqa: S106
    )
    assert run.completed.returncode == 0, run.completed.stderr
    assert ["secrets", "versions"] not in [call[:2] for call in run.calls]


def test_shell_token_is_ignored_without_the_option(tmp_path: Path, double: RunningDouble) -> None:
    # The double refuses any token but its own: apply succeeding means the secret's was used.
    run = deploy(tmp_path, double, QSTASH_TOKEN="left-over-from-make-dev")  # noqa: S106
    assert run.completed.returncode == 0, run.completed.stderr
    assert ["secrets", "versions"] in [call[:2] for call in run.calls]


def test_token_from_env_option_without_a_token_stops_with_one_line(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, "--qstash-token-from-env")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines()[-1] == (
        "deploy: --qstash-token-from-env, but QSTASH_TOKEN is not set"
    )


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9", "https://localhost:8080", "https://10.0.0.7", "http://qstash.example"],
)
def test_local_qstash_url_stops_with_one_line_before_deploying(
    tmp_path: Path, double: RunningDouble, url: str
) -> None:
    run = deploy(tmp_path, double, allow_local=False, QSTASH_URL=url)
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines() == [
        f"deploy: QSTASH_URL={url} is a local QStash (left over from `make dev`?), which the "
        "deployed function cannot reach: unset it, or set QStash's https URL for your region"
    ]
    assert ["functions", "deploy"] not in [call[:2] for call in run.calls]


def test_public_qstash_url_reaches_the_function(tmp_path: Path, double: RunningDouble) -> None:
    us = "https://qstash-us-east-1.upstash.io"
    run = deploy(tmp_path, double, allow_local=False, QSTASH_URL=us, FAKE_GCLOUD_FAIL="secrets")
    assert run.completed.returncode == 1  # stopped before an apply against the real QStash
    assert ",QSTASH_URL=https://qstash-us-east-1.upstash.io" in " ".join(
        run.call("functions", "deploy")
    )


def test_shell_environment_and_base_url_do_not_reach_the_function(
    tmp_path: Path, double: RunningDouble
) -> None:
    run = deploy(tmp_path, double, PUBLIC_BASE_URL="http://127.0.0.1:8000")
    assert run.completed.returncode == 0, run.completed.stderr
    environment = next(
        argument for argument in run.call("functions", "deploy") if argument.startswith("--set-env")
    )
    assert f"PUBLIC_BASE_URL={FUNCTION_URL}," in environment
    assert ",ENVIRONMENT=production," in environment
    assert "127.0.0.1:8000" not in environment


def test_staging_folder_holding_other_files_is_refused_and_kept(
    tmp_path: Path, double: RunningDouble
) -> None:
    staging = tmp_path / "mine"
    staging.mkdir()
    (staging / "notes.txt").write_text("keep me", encoding="utf-8")
    run = deploy(tmp_path, double, f"--staging={staging}")
    assert run.completed.returncode == 1
    assert run.completed.stderr.splitlines() == [
        f"deploy: --staging={staging} is not empty and not a folder this script staged: "
        "pass a new or empty folder"
    ]
    assert (staging / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert ["functions", "deploy"] not in [call[:2] for call in run.calls]


def test_staging_folder_staged_before_is_replaced(tmp_path: Path, double: RunningDouble) -> None:
    staging = tmp_path / "again"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = deploy(tmp_path / "one", double, f"--staging={staging}")
    assert first.completed.returncode == 0, first.completed.stderr
    (staging / "stale.txt").write_text("from last time", encoding="utf-8")
    second = deploy(tmp_path / "two", double, f"--staging={staging}")
    assert second.completed.returncode == 0, second.completed.stderr
    assert not (staging / "stale.txt").exists()


def test_hidden_files_under_src_are_not_staged(tmp_path: Path, double: RunningDouble) -> None:
    package = PROJECT_ROOT / "src" / "{{ cookiecutter.package_name }}"
    planted = [package / ".env.deploy-test", package / ".cache-deploy-test" / "data"]
    planted[1].parent.mkdir()
    try:
        for path in planted:
            path.write_text(
                "planted by test_hidden_files_under_src_are_not_staged", encoding="utf-8"
            )
        run = deploy(tmp_path, double)
    finally:
        planted[0].unlink()
        planted[1].unlink()
        planted[1].parent.rmdir()
    assert run.completed.returncode == 0, run.completed.stderr
    staged = {path.name for path in run.staging.rglob("*")}
    assert staged & {".env.deploy-test", ".cache-deploy-test", "data"} == set()


def test_make_deploy_passes_project_and_region_to_the_script(
    tmp_path: Path, double: RunningDouble
) -> None:
    url = f"https://{REGION}-make-project.cloudfunctions.net/{FUNCTION}"
    staging = tmp_path / "make-staging"
    make = [
        "make", "--no-print-directory", "deploy", "PROJECT=make-project", f"REGION={REGION}",
        f"DEPLOY_ARGS=--staging={staging} --allow-local-qstash-url",
    ]  # fmt: skip
    if "UV" in os.environ:
        make.append(f"UV={os.environ['UV']}")
    run = deploy(tmp_path, double, command=make, FAKE_GCLOUD_URL=url)
    assert run.completed.returncode == 0, run.completed.stderr
    arguments = run.call("functions", "deploy")
    assert (arguments[4], arguments[5]) == ("--project=make-project", f"--region={REGION}")
    assert arguments[7] == f"--source={staging}"
