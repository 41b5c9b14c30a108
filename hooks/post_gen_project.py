"""Finish a generated project: drop the other target's files, print the next steps.

Cookiecutter renders this file with Jinja, then runs it inside the new project folder.
It uses no network and no git, and running it again on the same folder changes nothing.
The answers arrive as a JSON document inside a Python string literal, as in
pre_gen_project.py.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

# fmt: off
ANSWERS_JSON = {{ {
    "project_name": cookiecutter.project_name,
    "project_slug": cookiecutter.project_slug,
    "package_name": cookiecutter.package_name,
    "cloud": cookiecutter.cloud,
} | tojson | tojson }}
# fmt: on

# Files and folders only one target needs, relative to the project root ("{package}" is
# the package name). Generation keeps the chosen target's paths and deletes the others'.
# The template holds only aws-lambda files today; gcp-cloud-functions comes later.
TARGET_ONLY_PATHS: dict[str, tuple[str, ...]] = {
    "aws-lambda": (),
    "gcp-cloud-functions": (),
}


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


def next_steps(project_dir: Path, answers: dict[str, str]) -> str:
    """Describe what to run after generation.

    Args:
        project_dir: The generated project's root folder.
        answers: The public cookiecutter answers.

    Returns:
        Several lines of text ending with a newline.
    """
    return (
        f"\nCreated {answers['project_name']} in {project_dir}\n\n"
        "Next steps:\n"
        f"  cd {project_dir}\n"
        "  make demo    # the whole flow locally (moto + uvicorn on 127.0.0.1), no AWS account\n"
        "  make test    # the tests (moto stands in for AWS)\n"
        "  make lint    # ruff, ruff format --check, mypy --strict on src/\n"
        "  make dev     # keep the local system running; prints the URLs and exports to use\n"
        "  make bench   # cold-start and warm-latency figures of the ingest path\n"
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
    """Prune the other target's files and print the next steps.

    Returns:
        The exit status, always 0.
    """
    sys.stdout.reconfigure(errors="backslashreplace")
    answers = json.loads(ANSWERS_JSON)
    project_dir = Path.cwd()
    prune(project_dir, paths_to_prune(answers["cloud"], answers["package_name"]))
    print(next_steps(project_dir, answers), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
