"""`make deploy`: stage the function's source, deploy it to Cloud Functions, apply the schedules.

1. Stage: a folder holding what `gcloud functions deploy --source` uploads: `main.py` (the
   module the Python runtime loads, re-exporting the entry point `handler`), a copy of the
   runtime package from src/, and `requirements.txt`, exported from `uv.lock` without the
   dev group (the dev kit never ships) and with every file's hash, so that the build's pip
   installs exactly the files the lock names and refuses any other
   (https://cloud.google.com/run/docs/runtimes/python-dependencies).
2. Deploy: `gcloud functions deploy --gen2 ... --trigger-http --allow-unauthenticated`. The
   function is public because QStash calls it; every QStash route verifies the
   `Upstash-Signature` itself. Settings go in as `--set-env-vars`, the QStash token and signing
   keys as `--set-secrets` references to Secret Manager: no secret value is ever an argument.
   `--timeout` is set explicitly: the worker route runs each job inside its request.
3. Apply: the CLI's `schedules apply --owner=<owner>` against the deployed URL, with the token
   read from Secret Manager into this process's memory and handed to the child through its
   environment (`--qstash-token-from-env` takes the shell's `QSTASH_TOKEN` instead).

Only what the command line says reaches the function and the apply step: the shell's
`ENVIRONMENT`, `PUBLIC_BASE_URL`, `QSTASH_TOKEN` and signing keys (left over from `make dev`,
say) are never passed on. `QSTASH_URL` is the one setting read from the shell (QStash's US
region, https://upstash.com/docs/qstash/howto/multi-region), and a local one (http, localhost,
a private address: the dev kit's QStash double) stops the deploy, since a deployed function
could not reach it.

Run it as `make deploy` (or `uv run python scripts/deploy_gcp.py --help`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.qstash.destinations import is_local_url
from {{ cookiecutter.package_name }}.qstash.ownership import Owner

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "{{ cookiecutter.package_name }}"
FUNCTION = "{{ cookiecutter.project_slug }}"
DEFAULT_REGION = "{{ cookiecutter.gcp_region }}"
RUNTIME = "python{{ cookiecutter.python_version | replace('.', '') }}"
ENTRY_POINT = "handler"
# 256 MB, the default, leaves little room beside FastAPI, pydantic and Firestore's gRPC client.
MEMORY = "512Mi"
# Cloud Functions 2nd gen answers 504 to an HTTP request still running after the function's
# timeout: 60 s unless set, at most 3600 s for HTTP functions
# (https://cloud.google.com/functions/docs/configuring/timeout). The worker route runs a job
# inside its request, so 60 s would cut many background jobs short; 300 s fits most (a
# report, a batch of e-mails) while a hung job still stops within minutes, and stays well
# under QStash's own wait for an answer (the plan's "Max HTTP Response Duration": Free
# 15 min, Pay-as-you-go 2 h, https://upstash.com/pricing/qstash).
DEFAULT_TIMEOUT_SECONDS = 300
MAX_TIMEOUT_SECONDS = 3600
# WORKER_LEASE_SECONDS, config.py's default: how long a started run keeps QStash's retries of
# its message off. After a timeout the instance may carry on with the run until it ends (same
# page), so the lease must outlast the timeout, with room to spare.
DEFAULT_WORKER_LEASE_SECONDS = 900
DEFAULT_STAGING = PROJECT_ROOT / "build" / "cloud-function"
# The staging folder's .gcloudignore starts with this line: it marks a folder this script made
# (the only kind it ever deletes) and keeps itself out of the upload.
STAGING_MARKER = "# Staged by scripts/deploy_gcp.py; replaced on every deploy."
# Settings of the shell that never reach the function or the apply step (see the docstring).
SHELL_SETTINGS_LEFT_OUT = (
    "ENVIRONMENT",
    "PUBLIC_BASE_URL",
    "QSTASH_URL",
    "QSTASH_TOKEN",
    "QSTASH_CURRENT_SIGNING_KEY",
    "QSTASH_NEXT_SIGNING_KEY",
)
# Environment variable of the function -> Secret Manager secret holding its value.
SECRETS = {
    "QSTASH_TOKEN": f"{FUNCTION}-qstash-token",
    "QSTASH_CURRENT_SIGNING_KEY": f"{FUNCTION}-qstash-current-signing-key",
    "QSTASH_NEXT_SIGNING_KEY": f"{FUNCTION}-qstash-next-signing-key",
}
MAIN_MODULE = f'''"""The module Cloud Functions loads, serving the app's entry point `handler`."""

from {PACKAGE}.entrypoints.gcp_main import handler

__all__ = ["handler"]
'''


class DeployError(Exception):
    """A step failed; the message says which and what to do."""


@dataclass(frozen=True)
class Deployment:
    """Where the function goes.

    Attributes:
        project: The Google Cloud project id.
        region: The Cloud Functions region, e.g. `{{ cookiecutter.gcp_region }}`.
        public_base_url: The URL QStash calls, when it is not the function's own (a custom
            domain in front of it); None means the function's URL.
        firestore_database: The Firestore database the function uses.
        service_account: The function's runtime service account; None means the project's
            default compute service account.
        timeout_seconds: How long one request may run (`--timeout`), the worker route's jobs
            included; 1 to `MAX_TIMEOUT_SECONDS`.
        worker_lease_seconds: The function's `WORKER_LEASE_SECONDS`; longer than the timeout.
        owner: Whose schedules `schedules apply` makes (`--owner`): the project slug unless
            two deployments share a QStash account.

    Raises:
        DeployError: The timeout is out of range or not shorter than the lease, or the owner
            is not a valid owner id.
    """

    project: str
    region: str
    public_base_url: str | None = None
    firestore_database: str = "(default)"
    service_account: str | None = None
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS
    worker_lease_seconds: int = DEFAULT_WORKER_LEASE_SECONDS
    owner: str = FUNCTION

    def __post_init__(self) -> None:
        if not 1 <= self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            msg = f"--timeout={self.timeout_seconds} must be 1 to {MAX_TIMEOUT_SECONDS} seconds"
            raise DeployError(msg)
        if self.timeout_seconds >= self.worker_lease_seconds:
            msg = (
                f"--timeout={self.timeout_seconds} must be shorter than "
                f"--worker-lease-seconds={self.worker_lease_seconds}: a job still running when "
                "its lease ends would run again beside it"
            )
            raise DeployError(msg)
        try:
            Owner(self.owner)
        except ConfigurationError as error:
            raise DeployError(f"--owner: {error}") from error

    @property
    def function_url(self) -> str:
        """The URL Cloud Functions gives an HTTP function of this name, region and project."""
        return f"https://{self.region}-{self.project}.cloudfunctions.net/{FUNCTION}"

    @property
    def base_url(self) -> str:
        """The `PUBLIC_BASE_URL` the function checks each token's `sub` against."""
        return self.public_base_url or self.function_url


def gcloud(arguments: Sequence[str], *, capture: bool = False) -> str:
    """Run `gcloud` with `arguments`; its output goes to the terminal unless captured.

    Returns:
        The captured standard output, stripped (empty when not captured).

    Raises:
        DeployError: gcloud is not installed or exited non-zero.
    """
    command = ["gcloud", *arguments]
    try:
        completed = subprocess.run(  # noqa: S603 - a fixed program, arguments built here
            command, check=False, text=True, stdout=subprocess.PIPE if capture else None
        )
    except FileNotFoundError as error:
        msg = "gcloud is not installed: https://cloud.google.com/sdk/docs/install"
        raise DeployError(msg) from error
    if completed.returncode != 0:
        msg = f"`gcloud {' '.join(arguments[:2])}` failed (exit {completed.returncode})"
        raise DeployError(msg)
    return (completed.stdout or "").strip()


def configured_project() -> str:
    """Return gcloud's default project (`gcloud config get-value project`).

    Raises:
        DeployError: None is set.
    """
    project = gcloud(["config", "get-value", "project"], capture=True)
    if not project or project == "(unset)":
        msg = "no Google Cloud project: run `gcloud config set project <id>` or pass PROJECT=<id>"
        raise DeployError(msg)
    return project


def is_own_staging(folder: Path) -> bool:
    """Tell whether `folder` is missing, empty, or a staging folder this script made."""
    if not folder.exists():
        return True
    if not folder.is_dir() or folder.is_symlink():
        return False
    if not any(folder.iterdir()):
        return True
    marker = folder / ".gcloudignore"
    return marker.is_file() and marker.read_text(encoding="utf-8").startswith(STAGING_MARKER)


def stage(staging: Path, uv: str) -> Path:
    """Fill `staging` with the function's source: main.py, the package, requirements.txt.

    Hidden files and folders under src/ (a `.env`, a `.ruff_cache`) are left out, and so are
    bytecode caches. A `.gcloudignore` marks the folder as this script's.

    Args:
        staging: The folder: new, empty, or one this script staged before (then replaced).
        uv: The uv executable that exports `uv.lock`.

    Returns:
        `staging`.

    Raises:
        DeployError: `staging` holds something else, or uv could not export the lock.
    """
    if not is_own_staging(staging):
        msg = (
            f"--staging={staging} is not empty and not a folder this script staged: "
            "pass a new or empty folder"
        )
        raise DeployError(msg)
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(
        PROJECT_ROOT / "src" / PACKAGE,
        staging / PACKAGE,
        ignore=shutil.ignore_patterns(".*", "__pycache__", "*.pyc"),
    )
    (staging / ".gcloudignore").write_text(f"{STAGING_MARKER}\n.gcloudignore\n", encoding="utf-8")
    (staging / "main.py").write_text(MAIN_MODULE, encoding="utf-8")
    export = [
        uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-emit-workspace",
        "--no-header", "--format=requirements-txt", f"--output-file={staging / 'requirements.txt'}",
    ]  # fmt: skip
    completed = subprocess.run(  # noqa: S603 - uv, with arguments built here
        export, cwd=PROJECT_ROOT, check=False, stdout=subprocess.DEVNULL
    )
    if completed.returncode != 0:
        msg = f"`uv export` failed (exit {completed.returncode}): run `make install` first"
        raise DeployError(msg)
    return staging


def function_environment(deployment: Deployment, qstash_url: str | None) -> dict[str, str]:
    """The function's plain settings (no secret among them).

    Args:
        deployment: Where the function goes.
        qstash_url: QStash's REST API for the function's hand-off, when not the default.

    Returns:
        Variable -> value, for `--set-env-vars`.
    """
    variables = {
        "PUBLIC_BASE_URL": deployment.base_url,
        "ENVIRONMENT": "production",
        "GOOGLE_CLOUD_PROJECT": deployment.project,
        "FIRESTORE_DATABASE": deployment.firestore_database,
        "WORKER_LEASE_SECONDS": str(deployment.worker_lease_seconds),
    }
    if qstash_url:
        variables["QSTASH_URL"] = qstash_url
    return variables


def key_value_list(pairs: Mapping[str, str]) -> str:
    """Join `pairs` as gcloud's `KEY=VALUE,...` list.

    Raises:
        DeployError: A value holds a comma, which would split it.
    """
    for key, value in pairs.items():
        if "," in value:
            msg = f"{key} must not contain a comma: {value!r}"
            raise DeployError(msg)
    return ",".join(f"{key}={value}" for key, value in pairs.items())


def deploy_arguments(
    deployment: Deployment, staging: Path, environment: Mapping[str, str]
) -> list[str]:
    """The arguments of `gcloud functions deploy` (see `gcloud functions deploy --help`)."""
    arguments = [
        "functions", "deploy", FUNCTION, "--gen2", f"--project={deployment.project}",
        f"--region={deployment.region}", f"--runtime={RUNTIME}", f"--source={staging}",
        f"--entry-point={ENTRY_POINT}", "--trigger-http", "--allow-unauthenticated",
        f"--memory={MEMORY}", f"--timeout={deployment.timeout_seconds}s",
        f"--set-env-vars={key_value_list(environment)}",
        "--set-secrets=" + key_value_list(
            {variable: f"{secret}:latest" for variable, secret in SECRETS.items()}
        ),
    ]  # fmt: skip
    if deployment.service_account:
        arguments.append(f"--run-service-account={deployment.service_account}")
    return arguments


def deployed_url(deployment: Deployment) -> str:
    """Ask Cloud Functions for the function's URL.

    Raises:
        DeployError: It is not the URL the function was given as `PUBLIC_BASE_URL`.
    """
    url = gcloud(
        [
            "functions", "describe", FUNCTION, f"--project={deployment.project}",
            f"--region={deployment.region}", "--format=value(url)",
        ],
        capture=True,
    )  # fmt: skip
    if deployment.public_base_url is None and url != deployment.function_url:
        msg = (
            f"the function's URL is {url}, not {deployment.function_url}: QStash signs the "
            "URL it calls, so deploy again with "
            f'make deploy DEPLOY_ARGS="--public-base-url={url}"'
        )
        raise DeployError(msg)
    return url


def deployment_qstash_url(url: str | None, *, allow_local: bool) -> str | None:
    """Check the shell's `QSTASH_URL` before it goes to the function and the apply step.

    Args:
        url: The shell's `QSTASH_URL`; None or empty means QStash's default (EU).
        allow_local: Whether a local URL is allowed (`--allow-local-qstash-url`: a rehearsal
            against the dev kit's QStash double, as the deploy's own tests run it).

    Returns:
        The URL, or None for QStash's default.

    Raises:
        DeployError: The URL is local (http, localhost, a private address) and not allowed.
    """
    if not url:
        return None
    if is_local_url(url) and not allow_local:
        msg = (
            f"QSTASH_URL={url} is a local QStash (left over from `make dev`?), which the "
            "deployed function cannot reach: unset it, or set QStash's https URL for your region"
        )
        raise DeployError(msg)
    return url


def qstash_token(deployment: Deployment, environment: Mapping[str, str], *, from_env: bool) -> str:
    """Return the QStash token: the secret's latest version, or the shell's `QSTASH_TOKEN`.

    Args:
        deployment: Where the function goes (the secret's project).
        environment: The shell's environment.
        from_env: Whether `--qstash-token-from-env` was given.

    Raises:
        DeployError: `from_env` and no `QSTASH_TOKEN` is set, or gcloud failed.
    """
    if from_env:
        token = environment.get("QSTASH_TOKEN")
        if not token:
            raise DeployError("--qstash-token-from-env, but QSTASH_TOKEN is not set")
        return token
    return gcloud(
        [
            "secrets", "versions", "access", "latest", f"--secret={SECRETS['QSTASH_TOKEN']}",
            f"--project={deployment.project}",
        ],
        capture=True,
    )  # fmt: skip


def apply_environment(
    environment: Mapping[str, str], *, base_url: str, token: str, qstash_url: str | None
) -> dict[str, str]:
    """The environment of `schedules apply`: the shell's, minus the settings it must not leak.

    Args:
        environment: The shell's environment.
        base_url: The deployed `PUBLIC_BASE_URL`.
        token: The QStash token.
        qstash_url: The function's `QSTASH_URL` (None: QStash's default); a local one (a
            rehearsal against the QStash double) runs the CLI as development, which alone
            accepts an http QStash.

    Returns:
        Variable -> value.
    """
    child = {key: value for key, value in environment.items() if key not in SHELL_SETTINGS_LEFT_OUT}
    local = qstash_url is not None and is_local_url(qstash_url)
    child |= {
        "ENVIRONMENT": "development" if local else "production",
        "PUBLIC_BASE_URL": base_url,
        "QSTASH_TOKEN": token,
    }
    if qstash_url:
        child["QSTASH_URL"] = qstash_url
    return child


def apply_schedules(base_url: str, child: Mapping[str, str], *, owner: str) -> None:
    """Run `schedules apply --owner=<owner>` in the environment `child` (see apply_environment).

    Raises:
        DeployError: The reconcile failed (its own message is above).
    """
    command = [sys.executable, "-m", f"{PACKAGE}.cli", "schedules", "apply", f"--owner={owner}"]
    completed = subprocess.run(command, env=child, check=False)  # noqa: S603
    if completed.returncode != 0:
        msg = (
            "the function is deployed, but `schedules apply` failed (see above); "
            f"run `make deploy` again, or `uv run {FUNCTION} schedules apply --owner={owner}` with "
            f"PUBLIC_BASE_URL={base_url}"
        )
        raise DeployError(msg)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--project", help="project id (default: gcloud's configured project)")
    parser.add_argument("--region", default=DEFAULT_REGION, help="default: %(default)s")
    parser.add_argument(
        "--public-base-url", help="the URL QStash calls, when a custom domain is in front"
    )
    parser.add_argument("--firestore-database", default="(default)", help="default: %(default)s")
    parser.add_argument("--service-account", help="the function's runtime service account")
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help="how long a request (a job, on the worker route) may run; keep it under your "
        "QStash plan's Max HTTP Response Duration (Free: 900) (default: %(default)s)",
    )
    parser.add_argument(
        "--worker-lease-seconds",
        type=int,
        default=DEFAULT_WORKER_LEASE_SECONDS,
        metavar="SECONDS",
        help="the function's WORKER_LEASE_SECONDS, longer than --timeout (default: %(default)s)",
    )
    parser.add_argument(
        "--owner",
        default=FUNCTION,
        help="whose schedules these are, one per deployment sharing a QStash account "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--qstash-token-from-env",
        action="store_true",
        help="schedules apply uses the shell's QSTASH_TOKEN, not the Secret Manager secret",
    )
    parser.add_argument(
        "--allow-local-qstash-url",
        action="store_true",
        help="accept a local QSTASH_URL (a rehearsal against the dev kit's QStash double)",
    )
    parser.add_argument(
        "--staging",
        type=Path,
        default=DEFAULT_STAGING,
        help="the folder gcloud uploads: new, empty or staged before (default: "
        "build/cloud-function)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Stage, deploy and apply; print one `deploy: ...` line on failure.

    Returns:
        The exit status: 0, or 1 after a failure.
    """
    args = parse_arguments(argv)
    environment = dict(os.environ)
    try:
        deployment = Deployment(
            project=args.project or configured_project(),
            region=args.region,
            public_base_url=args.public_base_url or None,
            firestore_database=args.firestore_database,
            service_account=args.service_account,
            timeout_seconds=args.timeout,
            worker_lease_seconds=args.worker_lease_seconds,
            owner=args.owner,
        )
        qstash_url = deployment_qstash_url(
            environment.get("QSTASH_URL"), allow_local=args.allow_local_qstash_url
        )
        uv = environment.get("UV") or shutil.which("uv")
        if not uv:
            raise DeployError("uv is not on PATH: run make deploy, which finds or installs it")
        staging = stage(args.staging, uv)
        settings = function_environment(deployment, qstash_url)
        gcloud(deploy_arguments(deployment, staging, settings))
        url = deployed_url(deployment)
        base_url = deployment.public_base_url or url
        token = qstash_token(deployment, environment, from_env=args.qstash_token_from_env)
        child = apply_environment(
            environment, base_url=base_url, token=token, qstash_url=qstash_url
        )
        apply_schedules(base_url, child, owner=args.owner)
    except DeployError as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 1
    print(f"deployed {FUNCTION} at {url}; schedules applied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
