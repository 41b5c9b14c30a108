"""Finish a generated project: add the CDK app, prune the other target's files, print next steps.

Cookiecutter renders this file with Jinja, then runs it inside the new project folder.
It uses no network and no git, and running it again on the same folder changes nothing.
The answers arrive as a JSON document inside a Python string literal, as in
pre_gen_project.py.

The CDK app lives once, untemplated, in the template's top-level `infra/` folder (see
docs/design_decisions.md); an AWS project gets a copy from the template checkout cookiecutter
is generating from (`_repo_dir`: the local folder, the clone of a git URL, or the unpacked
zip, also on `--replay`; under cruft, its clone).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

# fmt: off
ANSWERS_JSON = {{ {
    "project_name": cookiecutter.project_name,
    "project_slug": cookiecutter.project_slug,
    "package_name": cookiecutter.package_name,
    "cloud": cookiecutter.cloud,
    "repo_dir": cookiecutter.get("_repo_dir", ""),
} | tojson | tojson }}
# fmt: on

# Files and folders only one target needs, relative to the project root ("{package}" is
# the package name). Generation keeps the chosen target's paths and deletes the others'.
# fmt: off
TARGET_ONLY_PATHS: dict[str, tuple[str, ...]] = {
    "aws-lambda": (
        # The CDK app and its command-line tool.
        "cdk.json", "package.json", "package-lock.json", ".cfnlintrc", "infra",
        # Lambda's edge: Function URL, SQS worker, DynamoDB records, Secrets Manager, SnapStart.
        "src/{package}/aws",
        "src/{package}/entrypoints/lambda_ingest.py",
        "src/{package}/entrypoints/lambda_schedules.py",
        "src/{package}/entrypoints/lambda_worker.py",
        "src/{package}/handoff/sqs.py",
        "src/{package}/store/dynamodb.py",
        "src/{package}/store/idempotency.py",
        "tests/unit/aws",
        "tests/unit/entrypoints",
        "tests/infra",
        # Lambda event samples (Function URL, API Gateway, SQS, CloudFormation) and their builders.
        "tests/events.py",
        "tests/fixtures",
        # The dev kit's AWS stand-ins (moto, SQS trigger, Lambda context) and what runs on them.
        "devkit/src/{package}_devkit/aws_resources.py",
        "devkit/src/{package}_devkit/bench",  # the built asset's cold start beside baselines
        "devkit/src/{package}_devkit/chaos.py",
        "devkit/src/{package}_devkit/event_source.py",
        "devkit/src/{package}_devkit/lambda_context.py",
        "devkit/src/{package}_devkit/moto_server.py",
        "devkit/src/{package}_devkit/runtime.py",
        "devkit/src/{package}_devkit/soak.py",
        "devkit/src/{package}_devkit/sqs.py",
        "devkit/src/{package}_devkit/stack.py",
        "tests/devkit/test_bench_report.py",
        "tests/devkit/test_bench_runs.py",
        "tests/devkit/test_chaos.py",
        "tests/devkit/test_event_source.py",
        "tests/devkit/test_runtime.py",
        "tests/devkit/test_soak.py",
        "tests/devkit/test_sqs.py",
        "tests/e2e/test_chaos.py",
        "tests/e2e/test_sqs_dead_letters.py",
    ),
    "gcp-cloud-functions": (
        # The lock of the GCP dependencies; a GCP project gets it as uv.lock (TARGET_LOCKS).
        "uv-gcp.lock",
        # Cloud Functions' edge: functions-framework entry point, QStash hand-off, Firestore.
        "src/{package}/gcp",
        "src/{package}/entrypoints/gcp_main.py",
        "src/{package}/handoff/qstash.py",
        "src/{package}/store/firestore.py",
        "tests/unit/gcp",
        # The dev kit's Google Cloud stand-ins (Firestore emulator, functions-framework).
        "devkit/src/{package}_devkit/firestore_emulator.py",
        "devkit/src/{package}_devkit/functions_server.py",
        "devkit/src/{package}_devkit/gcp_stack.py",
        "devkit/src/{package}_devkit/job_modules_source.py",
        "tests/devkit/test_firestore_emulator.py",
        "tests/devkit/test_functions_server.py",
        "tests/e2e/test_worker_route.py",
        "tests/unit/conftest.py",  # the Firestore emulator of the unit tests
        # make deploy's staging and gcloud calls, and their tests.
        "scripts",
        "tests/deploy",
    ),
}
# fmt: on
# Targets whose dependencies differ from the template's uv.lock (the AWS one): their lock
# replaces it. Each lock is made by baking and running `uv lock` (see docs/design_decisions.md).
TARGET_LOCKS: dict[str, str] = {"gcp-cloud-functions": "uv-gcp.lock"}
LOCK_FILE = "uv.lock"

# The CDK app's folder at the template's top level, copied whole into AWS projects.
INFRA_FOLDER = "infra"
INFRA_TARGETS = frozenset({"aws-lambda"})
# Left behind: tool caches, and the tests of this hook (they test the template, not the
# project, and need the template around them).
NOT_COPIED = ("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache", ".ruff_cache")
TEMPLATE_ONLY_FILES = ("test_post_gen_copy.py",)


class TemplateError(Exception):
    """The template checkout is not what this hook expects; the message says how to fix it."""


def template_checkout(repo_dir: str, parent_cwd: Path | None, pwd: str | None) -> Path:
    """Return the template checkout cookiecutter is generating from, as an absolute path.

    Cookiecutter passes ``_repo_dir`` as it was given: ``cookiecutter .`` gives ``.``, which
    this hook, running inside the new project, cannot resolve by itself. While hooks run,
    cookiecutter's own working folder is the checkout (it enters it with
    ``cookiecutter.utils.work_in``), so a relative path is taken from there when the system
    shows it (``parent_cwd``), else resolved against ``$PWD``, where the shell started
    cookiecutter. cruft (``cruft create``/``update``) gives no ``_repo_dir``: then only
    ``parent_cwd``, its clone of the template, is a candidate. A candidate counts only if it
    holds cookiecutter.json and infra/.

    Args:
        repo_dir: Cookiecutter's ``_repo_dir``.
        parent_cwd: Cookiecutter's working folder, when known.
        pwd: The ``PWD`` environment variable, when set.

    Returns:
        The checkout's absolute path.

    Raises:
        TemplateError: No candidate is the template checkout.
    """
    given = Path(repo_dir)
    if not repo_dir:
        if parent_cwd is None:
            raise TemplateError(
                "cookiecutter did not say where the template is (_repo_dir): use cookiecutter "
                "2.2 or newer"
            )
        # cruft renders through cookiecutter's generate_files, which sets no _repo_dir;
        # the hook still runs inside cruft's clone of the template.
        candidates = [parent_cwd]
    elif given.is_absolute():
        candidates = [given]
    else:
        candidates = [path for path in (parent_cwd, Path(pwd) / given if pwd else None) if path]
    for candidate in candidates:
        if (candidate / "cookiecutter.json").is_file() and (candidate / INFRA_FOLDER).is_dir():
            return candidate.resolve()
    raise TemplateError(
        f"cannot find the template's {INFRA_FOLDER}/ folder from {repo_dir!r}: the checkout "
        "is incomplete, or run cookiecutter with the template's absolute path"
    )


def cookiecutter_cwd() -> Path | None:
    """Return the working folder of the process that started this hook, where shown (Linux)."""
    proc = Path(f"/proc/{os.getppid()}/cwd")
    try:
        return proc.resolve(strict=True)
    except OSError:
        return None


def copy_infra(checkout: Path, project_dir: Path) -> Path:
    """Copy the template's infra/ folder into the project, overwriting files already there.

    Files the project already has and the template lacks are kept, as cookiecutter keeps
    them on ``--overwrite-if-exists``.

    Args:
        checkout: The template checkout (``template_checkout``).
        project_dir: The generated project's root folder.

    Returns:
        The project's infra/ folder.
    """
    source = checkout / INFRA_FOLDER
    target = project_dir / INFRA_FOLDER
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns(*NOT_COPIED, *TEMPLATE_ONLY_FILES),
        dirs_exist_ok=True,
    )
    return target


def paths_to_prune(cloud: str, package_name: str) -> list[str]:
    """List the paths that only targets other than ``cloud`` need.

    Args:
        cloud: The chosen target, e.g. ``aws-lambda``.
        package_name: The generated package's import name.

    Returns:
        Paths relative to the project root, ``{package}`` filled in.
    """
    return [
        path.format(package=package_name)
        for target, paths in TARGET_ONLY_PATHS.items()
        if target != cloud
        for path in paths
    ]


def prune(project_dir: Path, relative_paths: list[str]) -> list[Path]:
    """Delete the given paths below ``project_dir``; paths already gone are skipped.

    Args:
        project_dir: The generated project's root folder.
        relative_paths: Paths relative to ``project_dir``.

    Returns:
        The paths that were deleted.

    Raises:
        ValueError: A path resolves outside ``project_dir``.
    """
    root = project_dir.resolve()
    removed = []
    for relative in relative_paths:
        target = (root / relative).resolve()
        if root not in target.parents:
            msg = f"refusing to delete {relative!r}: it is not inside {root}"
            raise ValueError(msg)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        else:
            continue
        removed.append(target)
    return removed


def use_target_lock(project_dir: Path, cloud: str) -> bool:
    """Put the chosen target's lock file in place of uv.lock, when it has one of its own.

    Args:
        project_dir: The generated project's root folder.
        cloud: The chosen target.

    Returns:
        Whether uv.lock was replaced; False when the target uses uv.lock as generated, or
        the replacement happened on an earlier run (its source is gone).
    """
    name = TARGET_LOCKS.get(cloud)
    source = project_dir / name if name else None
    if source is None or not source.is_file():
        return False
    source.replace(project_dir / LOCK_FILE)
    return True


def next_steps(project_dir: Path, answers: dict[str, str]) -> str:
    """Describe what to run after generation.

    Args:
        project_dir: The generated project's root folder.
        answers: The public cookiecutter answers.

    Returns:
        Several lines of text ending with a newline.
    """
    if answers["cloud"] == "gcp-cloud-functions":
        return (
            f"\nCreated {answers['project_name']} in {project_dir}\n\n"
            "Next steps:\n"
            f"  cd {project_dir}\n"
            "  make demo    # the whole flow locally (functions-framework, Firestore emulator)\n"
            "  make test    # the tests (the test session starts the Firestore emulator)\n"
            "  make lint    # ruff, ruff format --check, mypy --strict\n"
            "  make dev     # keep the local system running; prints the URLs and exports to use\n"
            "  make deploy  # to Google Cloud: README.md, Deploy, walks you from the secrets to a\n"
            "               # schedule\n"
            "  make help    # every target\n\n"
            "Signing keys: make demo and make dev create their own. For real QStash traffic, copy\n"
            "the current and next signing keys from the Upstash console. Deployed, the function\n"
            "reads them from Secret Manager secrets, which make deploy maps to the environment\n"
            "variables QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY (--set-secrets);\n"
            'for local runs, set those variables yourself. README.md, section "Signing keys and\n'
            'rotation", explains rolling them.\n'
        )
    return (
        f"\nCreated {answers['project_name']} in {project_dir}\n\n"
        "Next steps:\n"
        f"  cd {project_dir}\n"
        "  make demo    # the whole flow locally (moto + uvicorn on 127.0.0.1), no AWS account\n"
        "  make test    # the tests (moto stands in for AWS)\n"
        "  make lint    # ruff, ruff format --check, mypy --strict\n"
        "  make dev     # keep the local system running; prints the URLs and exports to use\n"
        "  make bench   # cold-start and warm-latency figures of the ingest path\n"
        "  make synth   # the Lambda bundle and the CloudFormation template, cdk-nag, cfn-lint\n"
        "  make deploy  # to AWS: README.md, Deploy, walks you from the secret to a schedule\n"
        "  make help    # every target\n\n"
        "Signing keys: make demo and make dev create their own. For real QStash traffic, copy\n"
        "the current and next signing keys from the Upstash console. Deployed, the receiver\n"
        "reads them from the Secrets Manager secret named by QSTASH_SIGNING_KEYS_SECRET_ARN\n"
        '(JSON: {"QSTASH_CURRENT_SIGNING_KEY": ..., "QSTASH_NEXT_SIGNING_KEY": ...}); for\n'
        "local runs, set the environment variables QSTASH_CURRENT_SIGNING_KEY and\n"
        'QSTASH_NEXT_SIGNING_KEY. README.md, section "Signing keys and rotation", explains\n'
        "rolling them.\n"
    )


def main() -> int:
    """Copy the CDK app in, prune the other target's files and print the next steps.

    Returns:
        The exit status: 0, or 1 after an ``ERROR:`` line (cookiecutter then removes the
        project folder).
    """
    sys.stdout.reconfigure(errors="backslashreplace")
    answers = json.loads(ANSWERS_JSON)
    project_dir = Path.cwd()
    if answers["cloud"] in INFRA_TARGETS:
        try:
            checkout = template_checkout(
                answers["repo_dir"], cookiecutter_cwd(), os.environ.get("PWD")
            )
        except TemplateError as error:
            print(f"ERROR: {error}", file=sys.stderr)
            return 1
        copy_infra(checkout, project_dir)
    use_target_lock(project_dir, answers["cloud"])
    prune(project_dir, paths_to_prune(answers["cloud"], answers["package_name"]))
    print(next_steps(project_dir, answers), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
